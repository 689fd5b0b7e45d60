"""For every fixture, what the reader reports equals what TensorFlow itself says about the same files.

TensorFlow is imported here on purpose (never by the reader): it is the reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import payload, run_cli

import inspector
from fixtures import catalog

tf = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.tensorflow


def tf_meta_graph(path: Path) -> Any:
    from tensorflow.python.saved_model import loader_impl

    saved_model = loader_impl.parse_saved_model(str(path))
    assert len(saved_model.meta_graphs) == 1
    return saved_model.meta_graphs[0]


def tf_all_op_types(meta_graph: Any) -> set[str]:
    """Every op type, walking the graph and every library function (what a full scan must see)."""
    graph = meta_graph.graph_def
    ops = {node.op for node in graph.node}
    for function in graph.library.function:
        ops |= {node.op for node in function.node_def}
    return ops


def report_json(path: Path) -> dict[str, Any]:
    result = run_cli("report", path, "--format", "json")
    assert result.code == 0, result.stderr
    data: dict[str, Any] = payload(result.stdout)
    return data


def test_op_types_equal_tensorflows(fixture: catalog.Fixture) -> None:
    from tensorflow.python.framework import meta_graph

    meta = tf_meta_graph(fixture.path)
    ours = {entry["op_type"] for entry in report_json(fixture.path)["op_types"]}
    assert ours == tf_all_op_types(meta)
    # saved_model_cli's own walk sees a subset of what we see (it misses e.g. tf.data functions).
    assert set(meta_graph.ops_used_by_graph_def(meta.graph_def)) <= ours


def test_node_counts_equal_tensorflows(fixture: catalog.Fixture) -> None:
    meta = tf_meta_graph(fixture.path)
    expected = len(meta.graph_def.node) + sum(len(f.node_def) for f in meta.graph_def.library.function)
    assert report_json(fixture.path)["overview"]["counts"]["nodes"] == expected


def test_namespaces_equal_tensorflows(fixture: catalog.Fixture) -> None:
    meta = tf_meta_graph(fixture.path)
    expected = {op.split(">", 1)[0] for op in tf_all_op_types(meta) if ">" in op}
    assert {u["namespace"] for u in report_json(fixture.path)["namespaces"]} == expected


def test_aliases_equal_tensorflows_meta_info(fixture: catalog.Fixture) -> None:
    meta = tf_meta_graph(fixture.path)
    ours = {
        target["function"]: alias["name"]
        for alias in report_json(fixture.path)["aliases"]
        for target in alias["targets"]
    }
    assert ours == dict(meta.meta_info_def.function_aliases)


def test_signatures_equal_tensorflows(fixture: catalog.Fixture) -> None:
    meta = tf_meta_graph(fixture.path)
    ours = {s["name"]: s for s in report_json(fixture.path)["signatures"]}
    assert set(ours) == set(meta.signature_def)
    for name, signature_def in meta.signature_def.items():
        assert ours[name]["method_name"] == signature_def.method_name
        for side in ("inputs", "outputs"):
            expected = {
                key: (
                    info.name,
                    tf.dtypes.as_dtype(info.dtype).name if info.dtype else "unknown",
                    None
                    if info.tensor_shape.unknown_rank
                    else [None if d.size < 0 else d.size for d in info.tensor_shape.dim],
                )
                for key, info in getattr(signature_def, side).items()
            }
            got = {t["name"]: (t["tensor_name"], t["dtype"], t["shape"]) for t in ours[name][side]}
            assert got == expected


def test_trace_counts_equal_tensorflows(fixture: catalog.Fixture) -> None:
    from tensorflow.core.framework import graph_debug_info_pb2

    debug = graph_debug_info_pb2.GraphDebugInfo()
    debug.ParseFromString((fixture.path / "debug" / "saved_model_debug_info.pb").read_bytes())
    view = inspector.load(fixture.path)
    if fixture.layout == "legacy":
        keys = set(debug.traces)
        distinct = {
            tuple((f.file_index, f.line, f.col, f.func) for f in t.file_line_cols)
            for t in debug.traces.values()
        }
        assert len(view.debug_info.traces) == len(distinct)
    else:
        keys = set(debug.name_to_trace_id)
        assert len(view.debug_info.traces) == len(debug.traces_by_id)
    assert set(view.debug_info.trace_id_by_key) == keys
    traced = {node.key for node in view.nodes.values() if node.trace_id is not None}
    assert traced == keys & set(view.nodes)
    summary = report_json(fixture.path)["overview"]["debug_info"]
    assert summary["traced_nodes"] == len(traced)
    assert summary["layout"] == fixture.layout


def test_frames_equal_tensorflows(fixture: catalog.Fixture) -> None:
    """Every frame of every trace, file and line, as TensorFlow's own proto says."""
    from tensorflow.core.framework import graph_debug_info_pb2

    debug = graph_debug_info_pb2.GraphDebugInfo()
    debug.ParseFromString((fixture.path / "debug" / "saved_model_debug_info.pb").read_bytes())
    view = inspector.load(fixture.path)
    for key in list(view.debug_info.trace_id_by_key)[:50]:
        if fixture.layout == "legacy":
            # TF 2.12 and 2.13 store frames innermost first; a Trace reads outermost first.
            stored = [(debug.files[f.file_index], f.line) for f in debug.traces[key].file_line_cols]
            expected = stored[::-1]
        else:
            frames = debug.traces_by_id[debug.name_to_trace_id[key]].frame_id
            expected = [
                (debug.files[debug.frames_by_id[f].file_index], debug.frames_by_id[f].line) for f in frames
            ]
        trace = view.debug_info.trace_for(key)
        assert trace is not None
        assert [(frame.file, frame.line) for frame in trace.frames] == expected


def test_fixture_and_corpus_writers_are_recorded() -> None:
    for fixture in (*catalog.FIXTURES, *catalog.CORPUS):
        manifest = catalog.manifest(fixture.manifest_path)
        written = inspector.load(fixture.path, tags=["serve"] if fixture.name == "tf1_two_graphs" else None)
        assert manifest[fixture.name]["tensorflow"] == written.tensorflow_version, fixture.name
        assert manifest[fixture.name]["environment"] == fixture.environment
        if fixture.tensorflow:
            assert written.tensorflow_version.startswith(fixture.tensorflow + "."), fixture.name
