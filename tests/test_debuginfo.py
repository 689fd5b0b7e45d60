"""Creation traces: both debug-info layouts, user-frame classification, and sites in the builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import inspector
from fixtures import catalog
from inspector._internal.debuginfo import is_user_file, library_of
from inspector._internal.protos import load_protos
from inspector._internal.reporting import build_report
from inspector._internal.view import DebugInfoLayout, DebugInfoStatus, SavedModelView


def creation_sites(view: SavedModelView, op: str) -> set[tuple[str, int, str]]:
    """(builder file name, line, function) of the innermost user frame of every node of an op type."""
    sites = set()
    for key in view.nodes_by_op.get(op, ()):
        trace = view.trace(view.nodes[key])
        assert trace is not None, key
        site = trace.creation_site
        assert site is not None, key
        sites.add((Path(site.file).name, site.line, site.function))
    return sites


@pytest.mark.parametrize("name", ["module_aliases", "legacy_traces"])
def test_innermost_user_frame_is_the_builder_line_that_created_the_op(name: str) -> None:
    fixture = catalog.get(name)
    view = inspector.load(fixture.path)
    # TensorFlow 2.12 records frames without a function name; later versions fill it in.
    func = (lambda name: "") if fixture.layout == "legacy" else (lambda name: name)
    line = lambda site: catalog.site_line(fixture, site)  # noqa: E731
    assert creation_sites(view, "Mul") == {("module_aliases.py", line("double.mul"), func("double"))}
    # AddV2 is made in the helper `shift` that `double` calls: the helper's line is the creation site.
    assert creation_sites(view, "AddV2") == {("module_aliases.py", line("helper.add"), func("shift"))}
    assert creation_sites(view, "Relu") == {("module_aliases.py", line("serve.relu"), func("serve"))}
    assert creation_sites(view, "Sub") == {("module_aliases.py", line("serve.relu"), func("serve"))}


def test_custom_ops_are_traced_to_their_builder_lines() -> None:
    fixture = catalog.get("custom_ops")
    view = inspector.load(fixture.path)
    assert creation_sites(view, "Acme>Scale") == {
        ("custom_ops.py", catalog.site_line(fixture, "serve.scale"), "serve")
    }
    beta = creation_sites(view, "Beta>Shift")
    assert beta == {("custom_ops.py", catalog.site_line(fixture, "postprocess.shift"), "postprocess")}


def test_keras_serving_ops_are_traced_to_the_serve_function() -> None:
    fixture = catalog.get("keras_serving")
    view = inspector.load(fixture.path)
    assert creation_sites(view, "Softmax") == {
        ("keras_serving.py", catalog.site_line(fixture, "serve.softmax"), "serve")
    }
    # Dense layers are built inside Keras; their innermost user frame is the model call in serve.
    assert ("keras_serving.py", catalog.site_line(fixture, "serve.model"), "serve") in creation_sites(
        view, "MatMul"
    )


def test_both_layouts_give_the_same_creation_sites_for_the_same_code() -> None:
    new = inspector.load(catalog.get("module_aliases").path)
    old = inspector.load(catalog.get("legacy_traces").path)
    assert new.debug_info.layout is DebugInfoLayout.ID_BASED
    assert old.debug_info.layout is DebugInfoLayout.LEGACY

    def sites(view: SavedModelView) -> dict[tuple[str, str], tuple[str, int]]:
        found = {}
        for node in view.nodes.values():
            trace = view.trace(node)
            if node.op in {"Mul", "AddV2", "Relu", "Sub"} and trace and trace.creation_site:
                found[(node.op, node.name)] = (Path(trace.creation_site.file).name, trace.creation_site.line)
        return found

    assert sites(new) == sites(old)
    assert len(sites(new)) == 4


def as_legacy_layout(debug: Any) -> Any:
    """The same GraphDebugInfo rewritten in the legacy layout (TF 2.12 writes it, 2.21 still reads it):
    frames innermost first, as TF 2.12 and 2.13 store them."""
    legacy = type(debug)()
    legacy.files.extend(debug.files)
    for key, trace_id in debug.name_to_trace_id.items():
        stack = legacy.traces[key]
        for frame_id in reversed(debug.traces_by_id[trace_id].frame_id):
            stack.file_line_cols.add().CopyFrom(debug.frames_by_id[frame_id])
    return legacy


def test_one_model_in_both_layouts_reads_identically(model_copy: Any) -> None:
    path = model_copy("custom_ops")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    id_based = inspector.load(path)
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    debug_file.write_bytes(as_legacy_layout(debug).SerializeToString())
    legacy = inspector.load(path)
    assert legacy.debug_info.layout is DebugInfoLayout.LEGACY

    def stacks(view: SavedModelView) -> dict[str, tuple[Any, ...] | None]:
        return {key: (t.frames if (t := view.trace(node)) else None) for key, node in view.nodes.items()}

    assert stacks(legacy) == stacks(id_based)

    def flagged(view: SavedModelView) -> list[tuple[str, Any]]:
        # Trace ids are numbering, not content: the legacy layout has none of its own.
        return [
            (op.node_key, op.trace and op.trace.frames) for op in build_report(view, ["Acme"]).flagged_ops
        ]

    assert flagged(legacy) == flagged(id_based)
    assert flagged(legacy)


def test_legacy_traces_are_interned_into_distinct_stacks() -> None:
    view = inspector.load(catalog.get("legacy_traces").path)
    info = view.debug_info
    assert len(info.traces) < len(info.trace_id_by_key)
    assert len({trace.frames for trace in info.traces.values()}) == len(info.traces)


@pytest.mark.parametrize(
    "path",
    [
        "/usr/lib/python3/dist-packages/tensorflow/python/ops/math_ops.py",
        "/home/me/.venv/lib/python3.11/site-packages/keras/src/layers/core/dense.py",
        "/opt/venv/lib/python3.11/site-packages/tf_keras/src/engine/base_layer.py",
        "/opt/venv/lib/python3.11/site-packages/absl/app.py",
        "/root/.pyenv/versions/3.11.7/lib/python3.11/runpy.py",
        "/usr/lib/python3.12/contextlib.py",
        "<frozen runpy>",
        "<string>",
        "/work/checkout/inspector/save.py",
        "/work/checkout/.venv/bin/inspector",
        # Any installed package is library code, whatever its name: the user's code is what is not
        # installed (tensorflow-text's or transformers' frames are not the model author's).
        "/opt/venv/lib/python3.11/site-packages/my_model_zoo/resnet.py",
        "/opt/venv/lib/python3.11/site-packages/tensorflow_text/python/ops/whitespace_tokenizer.py",
        "fixtures/.venvs/tf215/lib/python3.11/site-packages/transformers/modeling_tf_utils.py",
        "lib/python3.11/contextlib.py",
        r"C:\Python311\Lib\site-packages\tensorflow\python\eager\def_function.py",
    ],
)
def test_framework_frames(path: str) -> None:
    assert not is_user_file(path)


@pytest.mark.parametrize(
    "path",
    [
        "/home/me/project/model.py",
        "/builds/ci/src/train/model.py",
        "<ipython-input-3-0a1b2c>",
        "/tmp/ipykernel_123/456.py",
        "/work/checkout/fixtures/builders/module_aliases.py",
        "fixtures/builders/module_aliases.py",
    ],
)
def test_user_frames(path: str) -> None:
    assert is_user_file(path)


@pytest.mark.parametrize(
    ("path", "library"),
    [
        ("/usr/lib/python3/dist-packages/tensorflow/python/ops/math_ops.py", "tensorflow"),
        ("/opt/v/lib/python3.11/site-packages/tensorflow_text/python/ops/x.py", "tensorflow_text"),
        ("/opt/v/lib/python3.11/site-packages/six.py", "six"),
        (r"C:\Python311\Lib\site-packages\keras\src\layers\core\dense.py", "keras"),
        ("/usr/lib/python3.12/contextlib.py", "stdlib"),
        ("<frozen runpy>", "stdlib"),
        ("/home/me/project/model.py", ""),
    ],
)
def test_library_frames_keep_their_package_name(path: str, library: str) -> None:
    assert library_of(path) == library


def test_a_node_whose_trace_id_names_no_trace_makes_the_debug_info_corrupt(model_copy: Any) -> None:
    """The ids the nodes use are checked after the nodes are read (not every key's, up front)."""
    from inspector._internal.protos import load_protos

    path = model_copy("module_aliases")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    # A key of a node (a key naming no node, such as a function argument's, is never read).
    key = min(node.key for node in inspector.load(path).nodes.values() if node.trace_id is not None)
    debug.name_to_trace_id[key] = 987654321
    debug_file.write_bytes(debug.SerializeToString())
    view = inspector.load(path)
    assert view.debug_info.status is DebugInfoStatus.CORRUPT
    assert "names trace 987654321 which is not recorded" in (view.debug_info.problem or "")
    assert all(node.trace_id is None for node in view.nodes.values())
