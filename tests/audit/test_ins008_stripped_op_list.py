"""INS008 stripped-op-list: ops used but missing from stripped_op_list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rule_helpers import audited

import inspector
from inspector._internal.audit import Policy, Reach, audit
from inspector._internal.protos import load_protos


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


def test_an_op_several_functions_share_is_located_at_its_most_reachable_node(tmp_path: Path) -> None:
    """The canary's WriteFile, unreachable in `never`, copied into the serving signature's function: the
    one finding for the op type names the node serving_default runs, not the unreachable one."""
    import shutil

    from fixtures import canaries
    from inspector._internal.protos import load_protos

    model = tmp_path / "model"
    shutil.copytree(canaries.MODELS / "never", model)
    message = load_protos().saved_model.SavedModel()
    message.ParseFromString((model / "saved_model.pb").read_bytes())
    library = message.meta_graphs[0].graph_def.library.function
    [canary] = [f for f in library if "_canary_" in f.signature.name]
    [wrapper] = [f for f in library if "_signature_wrapper_" in f.signature.name]
    for node in canary.node_def:
        if node.op == "WriteFile" or node.name.startswith("canary_write/"):
            wrapper.node_def.add().CopyFrom(node)
    (model / "saved_model.pb").write_bytes(message.SerializeToString())
    [finding] = [
        f for f in audited(model).findings if f.rule_id == "INS008" and f.location.op_type == "WriteFile"
    ]
    assert finding.location.function == wrapper.signature.name
    assert finding.location.reach is Reach.SIGNATURE
