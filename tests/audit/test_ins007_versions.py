"""INS007 versions: the model's GraphDef versions against the installed TensorFlow's."""

from __future__ import annotations

from typing import Any

import pytest
from rule_helpers import NO_REGISTRY

import inspector
from inspector._internal.audit import audit
from inspector._internal.protos import load_protos


@pytest.mark.parametrize(
    ("field", "value", "severity"), [("producer", 99999, "warning"), ("min_consumer", 99999, "error")]
)
def test_versions_newer_than_the_installed_tensorflow(
    model_copy: Any, field: str, value: int, severity: str
) -> None:
    from inspector._internal.installed import installed_tensorflow

    if installed_tensorflow() is None:
        pytest.skip("TensorFlow is not installed")
    path = model_copy("module_aliases")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    setattr(saved_model.meta_graphs[0].graph_def.versions, field, value)
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    found = [f for f in audit(inspector.load(path), NO_REGISTRY).findings if f.rule_id == "INS007"]
    assert [f.severity.label for f in found] == [severity]
