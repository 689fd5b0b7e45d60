"""Reading SavedModels: paths, tags, text format, and every kind of bad input."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from conftest import flat, run_cli

import inspector
from fixtures import catalog
from inspector._internal.errors import ModelLoadError, TagSelectionError
from inspector._internal.nodetable import Node
from inspector._internal.protos import load_protos
from inspector._internal.tracing import select
from inspector._internal.view import DebugInfoStatus
from inspector.results.traces import Selector

MODULE = catalog.get("module_aliases").path


def saved_model_proto(path: Path) -> object:
    message = load_protos().saved_model.SavedModel()
    message.ParseFromString((path / "saved_model.pb").read_bytes())
    return message


def test_a_directory_and_its_saved_model_pb_read_the_same() -> None:
    by_dir = inspector.load(MODULE)
    by_file = inspector.load(MODULE / "saved_model.pb")
    assert by_file.path == by_dir.path
    assert set(by_file.nodes) == set(by_dir.nodes)
    assert by_file.debug_info.status is DebugInfoStatus.PRESENT


def test_a_pbtxt_model_reads_like_the_binary(tmp_path: Path) -> None:
    from google.protobuf import text_format

    shutil.copytree(MODULE, tmp_path / "m")
    (tmp_path / "m" / "saved_model.pb").unlink()
    text = text_format.MessageToString(saved_model_proto(MODULE))
    (tmp_path / "m" / "saved_model.pbtxt").write_text(text)
    view = inspector.load(tmp_path / "m")
    assert view.model_file.name == "saved_model.pbtxt"
    assert set(view.nodes) == set(inspector.load(MODULE).nodes)
    assert view.debug_info.status is DebugInfoStatus.PRESENT


def two_meta_graphs(tmp_path: Path) -> Path:
    """A copy of a real model with a second meta graph tagged serve,gpu (TF1 builders write these)."""
    message = saved_model_proto(MODULE)
    second = message.meta_graphs.add()
    second.CopyFrom(message.meta_graphs[0])
    del second.meta_info_def.tags[:]
    second.meta_info_def.tags.extend(["serve", "gpu"])
    target = tmp_path / "two"
    shutil.copytree(MODULE, target)
    (target / "saved_model.pb").write_bytes(message.SerializeToString())
    return target


def test_tags_choose_among_several_meta_graphs(tmp_path: Path) -> None:
    path = two_meta_graphs(tmp_path)
    assert inspector.load(path, tags=["gpu", "serve"]).tags == ("serve", "gpu")
    assert inspector.load(path, tags={"serve"}).tags == ("serve",)


def test_several_meta_graphs_without_tags_is_an_error_listing_them(tmp_path: Path) -> None:
    with pytest.raises(
        TagSelectionError, match=r"choose one with --tags \(available tag sets: serve \| serve,gpu\)"
    ):
        inspector.load(two_meta_graphs(tmp_path))


def test_unknown_tags_name_the_available_ones() -> None:
    with pytest.raises(TagSelectionError, match=r"no meta graph tagged 'train'.*available tag sets: serve"):
        inspector.load(MODULE, tags=["train"])


def test_cli_tags_option(tmp_path: Path) -> None:
    path = two_meta_graphs(tmp_path)
    assert run_cli("report", path, "--tags", "serve,gpu").code == 0
    result = run_cli("report", path)
    assert result.code == 2
    assert "available tag sets: serve | serve,gpu" in result.stderr


# --- bad input: one line naming the file and the problem, exit 2, no traceback --------------------------


def assert_bad_input(path: Path, *fragments: str) -> None:
    result = run_cli("report", path)
    assert result.code == 2, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("inspector: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_path(tmp_path: Path) -> None:
    assert_bad_input(tmp_path / "nope", str(tmp_path / "nope"), "no such file or directory")


def test_folder_without_a_saved_model(tmp_path: Path) -> None:
    (tmp_path / "variables").mkdir()
    assert_bad_input(tmp_path, str(tmp_path), "not a SavedModel directory")


def test_empty_saved_model_pb(tmp_path: Path) -> None:
    (tmp_path / "saved_model.pb").write_bytes(b"")
    assert_bad_input(tmp_path, str(tmp_path / "saved_model.pb"), "the file is empty")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_saved_model_pb(tmp_path: Path, keep: float) -> None:
    content = (MODULE / "saved_model.pb").read_bytes()
    (tmp_path / "saved_model.pb").write_bytes(content[: int(len(content) * keep)])
    assert_bad_input(tmp_path, str(tmp_path / "saved_model.pb"), "truncated or corrupt")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_saved_model_pb(tmp_path: Path, seed: int) -> None:
    (tmp_path / "saved_model.pb").write_bytes(random.Random(seed).randbytes(4096))
    assert_bad_input(tmp_path, str(tmp_path / "saved_model.pb"))


def test_a_valid_protobuf_that_holds_no_meta_graph(tmp_path: Path) -> None:
    (tmp_path / "saved_model.pb").write_bytes(b"\x08\x01")  # saved_model_schema_version = 1, nothing else
    assert_bad_input(tmp_path, "contains no meta graphs")


def test_a_broken_pbtxt(tmp_path: Path) -> None:
    (tmp_path / "saved_model.pbtxt").write_text("meta_graphs { meta_info_def { tags: } }")
    assert_bad_input(tmp_path, str(tmp_path / "saved_model.pbtxt"), "not a valid SavedModel in text format")


def test_a_pbtxt_field_the_reader_does_not_know_is_skipped_and_named(tmp_path: Path) -> None:
    (tmp_path / "saved_model.pbtxt").write_text('meta_graphs { nonsense: 1 meta_info_def { tags: "serve" } }')
    view = inspector.load(tmp_path)
    assert view.tags == ("serve",)
    assert any("skipped fields inspector does not read (the first: 'nonsense'" in w for w in view.warnings)


def test_library_errors_carry_the_path(tmp_path: Path) -> None:
    (tmp_path / "saved_model.pb").write_bytes(b"\xff" * 10)
    with pytest.raises(ModelLoadError) as raised:
        inspector.load(tmp_path)
    assert raised.value.path == str(tmp_path / "saved_model.pb")


# --- optional files degrade, they do not abort ----------------------------------------------------------


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_corrupt_debug_info_still_renders_everything_else(model_copy, damage: str) -> None:  # type: ignore[no-untyped-def]
    path = model_copy("custom_ops")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    content = debug_file.read_bytes()
    debug_file.write_bytes(
        random.Random(7).randbytes(900) if damage == "random" else content[: len(content) // 2]
    )
    view = inspector.load(path)
    assert view.debug_info.status is DebugInfoStatus.CORRUPT
    assert all(node.trace_id is None for node in view.nodes.values())
    result = run_cli("report", path, "--whitelist", "Acme")
    assert result.code == 1  # the whitelist check still works without traces
    out = flat(result.stdout)
    assert f"{debug_file}: cannot be parsed as a GraphDebugInfo" in out
    assert "Beta>Shift" in out
    assert "(no creation trace recorded)" in out


def test_missing_debug_info_is_a_visible_warning(model_copy) -> None:  # type: ignore[no-untyped-def]
    path = model_copy("module_aliases")
    shutil.rmtree(path / "debug")
    result = run_cli("report", path)
    assert result.code == 0
    out = flat(result.stdout)
    assert f"{path / 'debug' / 'saved_model_debug_info.pb'}: no debug info" in out
    assert "Debug info none (saved without save_debug_info=True)" in out
    assert "Aliases" in out and "double" in out


def test_corrupt_fingerprint_is_a_warning(model_copy) -> None:  # type: ignore[no-untyped-def]
    path = model_copy("module_aliases")
    (path / "fingerprint.pb").write_bytes(b"\xff\xff\xff")
    view = inspector.load(path)
    assert view.fingerprint is None
    assert view.fingerprint_problem and "fingerprint.pb" in view.fingerprint_problem
    assert run_cli("report", path).code == 0


def test_nothing_the_user_gave_is_modified() -> None:
    before = {p: p.read_bytes() for p in MODULE.rglob("*") if p.is_file()}
    assert run_cli("report", MODULE, "--format", "json").code == 0
    assert {p: p.read_bytes() for p in MODULE.rglob("*") if p.is_file()} == before


# --- the node table -------------------------------------------------------------------------------------


def _nodes_as_a_dict_built_node_by_node(path: Path) -> dict[str, tuple[object, ...]]:
    """What view.nodes must equal: every NodeDef of the model, keyed node@function, each key once."""
    meta_graph = saved_model_proto(path).meta_graphs[0]  # type: ignore[attr-defined]
    graph, view = meta_graph.graph_def, inspector.load(path, tags=meta_graph.meta_info_def.tags)
    parts = [("", graph.node)] + [(f.signature.name, f.node_def) for f in graph.library.function]
    expected: dict[str, tuple[object, ...]] = {}
    for function, node_defs in parts:
        for node_def in node_defs:
            key = f"{node_def.name}@{function}" if function else node_def.name
            trace_id = view.debug_info.trace_id_by_key.get(key)
            expected[key] = (key, node_def.name, node_def.op, function, trace_id, node_def)
    return expected


def _fields(node: Node) -> tuple[object, ...]:
    return (node.key, node.name, node.op, node.function, node.trace_id, node.definition)


@pytest.mark.parametrize("name", [f.name for f in catalog.FIXTURES] + [m.name for m in catalog.CORPUS])
def test_the_node_table_is_every_node_def_in_model_order(name: str) -> None:
    from inspector._internal.modelfile import resolve_model_path

    path, _ = resolve_model_path(catalog.get(name).path)  # a TF Serving base: its latest version
    tags = saved_model_proto(path).meta_graphs[0].meta_info_def.tags  # type: ignore[attr-defined]
    view = inspector.load(path, tags=tags)
    expected = _nodes_as_a_dict_built_node_by_node(path)
    assert list(view.nodes) == list(expected)
    assert len(view.nodes) == len(expected)
    assert [_fields(node) for node in view.nodes.values()] == list(expected.values())
    assert [(key, _fields(node)) for key, node in view.nodes.items()] == list(expected.items())
    for key in list(expected)[:: max(1, len(expected) // 50)]:  # lookups by key, across the model
        assert key in view.nodes and _fields(view.nodes[key]) == expected[key]
    identities = [(key, name, op, function) for key, name, op, function, *_ in expected.values()]
    assert list(view.nodes.identities(expected)) == identities
    assert "no-such-node@nowhere" not in view.nodes and view.nodes.get("no-such-node@nowhere") is None
    assert view.nodes.unknown(["no-such-node@nowhere", *list(expected)[:3]]) == {"no-such-node@nowhere"}


def test_a_repeated_node_name_names_the_last_node_of_that_name(tmp_path: Path) -> None:
    """No valid model repeats a node name in one function; a hostile one may. Each key is then one
    node (the last), as a dict built node by node would have it, in lookups, iteration and selection."""
    path = tmp_path / "model"
    shutil.copytree(MODULE, path)
    message = saved_model_proto(path)
    function = next(
        f
        for f in message.meta_graphs[0].graph_def.library.function  # type: ignore[attr-defined]
        if f.node_def
    )
    first = function.node_def[0]
    function.node_def.add(name=first.name, op="Acme>Twin")
    (path / "saved_model.pb").write_bytes(message.SerializeToString())  # type: ignore[attr-defined]
    view = inspector.load(path)
    key = f"{first.name}@{function.signature.name}"
    assert view.nodes[key].op == "Acme>Twin"
    assert [node.op for node in view.nodes.values() if node.key == key] == ["Acme>Twin"]
    assert list(view.nodes).count(key) == 1
    assert len(view.nodes) == len(_nodes_as_a_dict_built_node_by_node(path))
    assert [node.key for node in select(view, Selector(pattern=key))] == [key]
    assert [node.key for node in select(view, Selector(op="Acme>*"))] == [key]
    assert [node.key for node in select(view, Selector(pattern=f"{first.name}@*"))] == [key]


def test_a_node_name_holding_at_signs_is_listed_whole(tmp_path: Path) -> None:
    """A key is `name@function`; a hostile name may hold `@` itself (TensorFlow's importer would refuse
    it, a static reader must not cut it): the listing's name is the key less its function, not the key
    cut at an `@`."""
    path = tmp_path / "model"
    shutil.copytree(MODULE, path)
    message = saved_model_proto(path)
    graph = message.meta_graphs[0].graph_def  # type: ignore[attr-defined]
    function = next(f for f in graph.library.function if f.node_def)
    graph.node.add(name="top@level@", op="NoOp")
    function.node_def.add(name=f"in@{function.signature.name}", op="NoOp")
    (path / "saved_model.pb").write_bytes(message.SerializeToString())  # type: ignore[attr-defined]
    view = inspector.load(path)
    keys = ["top@level@", f"in@{function.signature.name}@{function.signature.name}"]
    assert [(name, function) for _, name, _, function in view.nodes.identities(keys)] == [
        ("top@level@", ""),
        (f"in@{function.signature.name}", function.signature.name),
    ]
    assert [view.nodes[key].name for key in keys] == ["top@level@", f"in@{function.signature.name}"]
