"""INS003 nested-graph: graphs serialized in strings are scanned, or reported when they cannot be."""

from __future__ import annotations

from typing import Any

from rule_helpers import NO_REGISTRY, RISKY, by_op, findings_of

import inspector
from fixtures import catalog
from inspector._internal.audit import audit
from inspector._internal.protos import load_protos


def test_ops_in_graphs_serialized_in_strings_are_found_with_their_nesting() -> None:
    [nested] = [f for f in by_op(findings_of("risky_ops"))["ReadFile"] if f.location.nesting]
    assert nested.location.nesting[0].startswith("DatasetFromGraph@__inference_hidden_pipeline_")
    assert nested.location.source.line == catalog.site_line(RISKY, "hidden.from_graph")  # type: ignore[union-attr]


def test_an_undecodable_nested_graph_is_a_finding(model_copy: Any) -> None:
    path = model_copy("risky_ops")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    for function in saved_model.meta_graphs[0].graph_def.library.function:
        if function.signature.name.startswith("__inference_hidden_pipeline_"):
            for node in function.node_def:
                if node.op == "Const" and node.attr["value"].tensor.string_val:
                    node.attr["value"].tensor.string_val[0] = b"\xff\xfe not a graph"
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    found = audit(inspector.load(path), NO_REGISTRY).findings
    [blob] = [f for f in found if f.rule_id == "INS003"]
    assert "not a serialized GraphDef" in blob.message
    assert not [f for f in found if f.location.nesting]
