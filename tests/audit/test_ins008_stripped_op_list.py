"""INS008 stripped-op-list: ops used but missing from stripped_op_list."""

from __future__ import annotations

from typing import Any

import inspector
from inspector.audit import Policy, audit
from inspector.protos import load_protos


def test_namespaced_ops_only_in_stripped_op_list_are_flagged(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    saved_model.meta_graphs[0].meta_info_def.stripped_op_list.op.add().name = "Ghost>Op"
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    [finding] = [
        f
        for f in audit(inspector.load(path), Policy(registry=False, whitelist=())).findings
        if f.rule_id == "INS001"
    ]
    assert "stripped_op_list" in finding.message and finding.location.op_type == "Ghost>Op"
