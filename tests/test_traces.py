"""`inspector trace` and `inspector where`, checked against the builders' source and TensorFlow's proto."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ALICE_ROOT, payload, publish_as_saved_by_alice, run_cli

import inspector
from fixtures import catalog
from inspector._internal.protos import load_protos
from inspector._internal.tracing import SelectionError, Selector, SourceRoot, WhereQuery, trace, where
from inspector._internal.view import split_node_key

BOTH_LAYOUTS = ["module_aliases", "legacy_traces"]


def keys(result: Any) -> set[str]:
    if hasattr(result, "groups") and result.groups and hasattr(result.groups[0], "trace"):
        return {op.node_key for group in result.groups for op in group.ops} | {
            op.node_key for op in result.untraced
        }
    return {op.node_key for group in result.groups for hit in group.hits for op in hit.ops}


# --- selectors ------------------------------------------------------------------------------------------


def test_selectors_combine() -> None:
    view = inspector.load(catalog.get("module_aliases").path)
    mul = keys(trace(view, Selector(op="Mul")))
    assert mul and all(view.nodes[k].op == "Mul" for k in mul)
    assert keys(trace(view, Selector(pattern="mul@__inference_double_*"))) == mul
    assert keys(trace(view, Selector(pattern="mul"))) == mul  # a bare name matches the node name
    assert keys(trace(view, Selector(op="Mul", function="__inference_double_*"))) == mul
    behind_alias = keys(trace(view, Selector(op="Mul", alias="double")))
    assert behind_alias == mul
    from_signature = keys(trace(view, Selector(op="Mul", signature="serving_default")))
    assert len(from_signature) == 1 and from_signature < mul  # only the trace reached from serve
    assert keys(trace(view, Selector(op="Mul", namespace="Acme"))) == set()


def test_namespace_and_op_globs() -> None:
    view = inspector.load(catalog.get("custom_ops").path)
    assert {view.nodes[k].op for k in keys(trace(view, Selector(op="*>*")))} == {"Acme>Scale", "Beta>Shift"}
    assert {view.nodes[k].op for k in keys(trace(view, Selector(namespace="Beta")))} == {"Beta>Shift"}


def test_unknown_alias_or_signature_is_an_error_naming_the_known_ones() -> None:
    view = inspector.load(catalog.get("custom_ops").path)
    with pytest.raises(SelectionError, match=r"no alias 'nope' \(aliases: postprocess, serve\)"):
        trace(view, Selector(alias="nope"))
    with pytest.raises(SelectionError, match="no signature 'x'"):
        trace(view, Selector(signature="x"))
    result = run_cli("trace", catalog.get("custom_ops").path, "--alias", "nope")
    assert result.code == 2 and "Traceback" not in result.stderr


def test_each_distinct_trace_is_shown_once_with_its_ops() -> None:
    view = inspector.load(catalog.get("module_aliases").path)
    result = trace(view, Selector(op="Mul"))
    ids = [group.trace.id for group in result.groups]
    assert len(ids) == len(set(ids))
    assert sum(len(g.ops) for g in result.groups) == result.selected_ops == len(view.nodes_by_op["Mul"])


# --- the innermost user frame is the line that created the op -------------------------------------------

SAMPLES = {
    "module_aliases": {"Mul": "double.mul", "AddV2": "helper.add", "Relu": "serve.relu"},
    "legacy_traces": {"Mul": "double.mul", "AddV2": "helper.add", "Relu": "serve.relu"},
    "custom_ops": {"Acme>Scale": "serve.scale", "Beta>Shift": "postprocess.shift"},
    "keras_serving": {"Softmax": "serve.softmax"},
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_trace_reports_the_builder_line_that_created_each_sampled_op(name: str) -> None:
    fixture = catalog.get(name)
    for op, site in SAMPLES[name].items():
        result = run_cli("trace", fixture.path, "--op", op, "--format", "json")
        assert result.code == 0, result.stderr
        groups = payload(result.stdout)["groups"]
        assert groups
        for group in groups:
            innermost = [f for f in group["trace"]["frames"] if f["is_user"]][-1]
            assert Path(innermost["file"]).name == fixture.builder_file.name
            assert innermost["line"] == catalog.site_line(fixture, site), (op, site)


# --- where: exactly the ops whose traces hold the line, checked against the raw proto -------------------


def ops_whose_stack_holds(fixture: catalog.Fixture, file_suffix: str, line: int | None) -> set[str]:
    """Independent of the reader: walk TensorFlow's GraphDebugInfo message directly."""
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString((fixture.path / "debug" / "saved_model_debug_info.pb").read_bytes())
    view = inspector.load(fixture.path)
    found = set()
    if debug.traces:
        stacks = {key: [(f.file_index, f.line) for f in t.file_line_cols] for key, t in debug.traces.items()}
    else:
        stacks = {
            key: [
                (debug.frames_by_id[f].file_index, debug.frames_by_id[f].line)
                for f in debug.traces_by_id[i].frame_id
            ]
            for key, i in debug.name_to_trace_id.items()
        }
    for key, stack in stacks.items():
        if key in view.nodes and any(
            debug.files[index].endswith("/" + file_suffix) and (line is None or at == line)
            for index, at in stack
        ):
            found.add(key)
    return found


@pytest.mark.parametrize("name", BOTH_LAYOUTS)
@pytest.mark.parametrize(
    "site", ["double.mul", "double.add", "helper.add", "serve.relu", "serve.call_double", None]
)
def test_where_returns_exactly_the_ops_whose_traces_hold_the_line(name: str, site: str | None) -> None:
    fixture = catalog.get(name)
    line = catalog.site_line(fixture, site) if site else None
    location = f"builders/module_aliases.py:{line}" if line else "builders/module_aliases.py"
    result = where(inspector.load(fixture.path), WhereQuery.parse(location))
    expected = ops_whose_stack_holds(fixture, "builders/module_aliases.py", line)
    assert expected
    assert keys(result) == expected


def test_both_layouts_answer_where_alike() -> None:
    def answer(name: str) -> set[tuple[str, str]]:
        fixture = catalog.get(name)
        line = catalog.site_line(fixture, "double.mul")
        result = where(
            inspector.load(fixture.path), WhereQuery.parse(f"module_aliases.py:{line}", innermost=True)
        )
        return {(op.op_type, op.node_name) for g in result.groups for hit in g.hits for op in hit.ops}

    assert answer("module_aliases") == answer("legacy_traces") == {("Mul", "mul"), ("Const", "mul/y")}


@pytest.mark.parametrize("name", BOTH_LAYOUTS)
def test_an_op_made_in_a_helper_is_found_at_the_helper_line_innermost(name: str) -> None:
    """TF 2.12 stores frames innermost first: read as stored, the helper's line (where AddV2 is made)
    would be the outermost user frame and `--innermost` on it would find nothing."""
    fixture = catalog.get(name)
    view = inspector.load(fixture.path)
    helper = catalog.site_line(fixture, "helper.add")
    caller = catalog.site_line(fixture, "double.add")
    found = where(view, WhereQuery.parse(f"module_aliases.py:{helper}", innermost=True))
    # x + offset reads the variable and adds, both on the helper's line.
    assert {op.op_type for g in found.groups for hit in g.hits for op in hit.ops} == {
        "AddV2",
        "ReadVariableOp",
    }
    assert where(view, WhereQuery.parse(f"module_aliases.py:{caller}", innermost=True)).op_count == 0
    [key] = [k for k in view.nodes_by_op["AddV2"] if view.nodes[k].function.startswith("__inference_double")][
        :1
    ]
    trace_ = view.trace(view.nodes[key])
    assert trace_ is not None
    user_lines = [frame.line for frame in trace_.user_frames if frame.file.endswith("module_aliases.py")]
    assert user_lines[-2:] == [caller, helper]  # outermost first: the call, then the helper


def test_where_innermost_keeps_only_ops_created_on_that_line() -> None:
    fixture = catalog.get("module_aliases")
    view = inspector.load(fixture.path)
    line = catalog.site_line(fixture, "serve.call_double")
    anywhere = where(view, WhereQuery.parse(f"module_aliases.py:{line}"))
    innermost = where(view, WhereQuery.parse(f"module_aliases.py:{line}", innermost=True))
    assert keys(innermost) < keys(anywhere)  # ops in double, called from that line, are not innermost there
    assert all(hit.site and hit.site.line == line for g in innermost.groups for hit in g.hits)


def test_where_matches_whole_path_components() -> None:
    view = inspector.load(catalog.get("module_aliases").path)
    assert where(view, WhereQuery.parse("aliases.py")).op_count == 0  # not a suffix of a component
    assert where(view, WhereQuery.parse("./builders/module_aliases.py")).op_count > 0


def test_where_groups_by_function_with_aliases_and_signatures() -> None:
    fixture = catalog.get("custom_ops")
    line = catalog.site_line(fixture, "postprocess.shift")
    result = run_cli("where", fixture.path, f"custom_ops.py:{line}", "--format", "json")
    assert result.code == 0
    [group] = payload(result.stdout)["groups"]
    assert group["aliases"] == ["postprocess"] and group["signatures"] == ["serving_default"]
    assert [op["op_type"] for hit in group["hits"] for op in hit["ops"]] == ["Beta>Shift"]
    assert run_cli("where", fixture.path, "custom_ops.py:9999").code == 1


# --- source context ---------------------------------------------------------------------------------------


def test_source_root_maps_recorded_paths_to_a_local_checkout(tmp_path: Path, model_copy: Any) -> None:
    fixture = catalog.get("custom_ops")
    model = publish_as_saved_by_alice(model_copy("custom_ops"))
    view = inspector.load(model)
    [group] = trace(view, Selector(op="Beta>Shift")).groups
    recorded = group.trace.creation_site.file  # type: ignore[union-attr]
    prefix = recorded[: recorded.rindex("/fixtures/")]
    assert prefix == ALICE_ROOT.rstrip("/")
    checkout = tmp_path / "checkout"
    (checkout / "fixtures" / "builders").mkdir(parents=True)
    copy = checkout / "fixtures" / "builders" / "custom_ops.py"
    lines = fixture.builder_file.read_text().splitlines()
    line = catalog.site_line(fixture, "postprocess.shift")
    lines[line - 1] = "        MARKER_FROM_THE_LOCAL_CHECKOUT = 1"
    copy.write_text("\n".join(lines))
    result = trace(
        view, Selector(op="Beta>Shift"), source_roots=[SourceRoot(prefix, str(checkout))], context=1
    )
    context = result.sources.context_for(result.groups[0].trace.creation_site)  # type: ignore[arg-type]
    assert context is not None and context.local_path == str(copy)
    assert "MARKER_FROM_THE_LOCAL_CHECKOUT" in context.lines[1] and len(context.lines) == 3
    cli = run_cli("trace", model, "--op", "Beta>Shift", "--source-root", f"{prefix}={checkout}")
    assert "MARKER_FROM_THE_LOCAL_CHECKOUT" in cli.stdout


def test_missing_sources_are_named_once(tmp_path: Path, model_copy: Any) -> None:
    model = publish_as_saved_by_alice(model_copy("custom_ops"))
    prefix = ALICE_ROOT.rstrip("/")
    result = run_cli(
        "trace", model, "--op", "Beta>Shift", "--source-root", f"{prefix}={tmp_path}", "--format", "json"
    )
    missing = payload(result.stdout)["sources"]["missing_files"]
    assert len(missing) == len(set(missing)) and any(f.endswith("custom_ops.py") for f in missing)


def test_bad_source_root_is_a_usage_error() -> None:
    result = run_cli("trace", catalog.get("custom_ops").path, "--op", "Mul", "--source-root", "nonsense")
    assert result.code == 2 and "OLD=NEW" in result.stderr


# --- coverage -------------------------------------------------------------------------------------------


def test_coverage_names_stale_keys_from_another_save(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    debug.name_to_trace_id["mul@__inference_double_99999"] = next(iter(debug.traces_by_id))
    debug_file.write_bytes(debug.SerializeToString())
    result = trace(inspector.load(path), Selector(op="Mul"))
    assert result.coverage.stale_keys == ("mul@__inference_double_99999",)


def test_ops_without_a_trace_are_listed(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    removed = [k for k in debug.name_to_trace_id if split_node_key(k)[0] == "mul"]
    for key in removed:
        del debug.name_to_trace_id[key]
    debug_file.write_bytes(debug.SerializeToString())
    result = trace(inspector.load(path), Selector(op="Mul"))
    assert {op.node_key for op in result.untraced} == set(removed)
    assert result.coverage.untraced_nodes == len(removed)


def test_no_selector_lists_ops_by_creating_line() -> None:
    fixture = catalog.get("module_aliases")
    result = trace(inspector.load(fixture.path), Selector())
    sites = {(Path(s.file).name, s.line): s for s in result.sites}
    mul_site = sites[("module_aliases.py", catalog.site_line(fixture, "double.mul"))]
    assert dict(mul_site.op_types) == {"Mul": 4, "Const": 4}


def test_missing_debug_info_says_so(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    shutil.rmtree(path / "debug")
    for command in (("trace", path, "--op", "Mul"), ("trace", path), ("where", path, "model.py:1")):
        result = run_cli(*command)
        # Bad input for a command that reads stacks: exit 2 and one line that says how to save them.
        assert result.code == 2 and result.stdout == "", command
        [said] = result.stderr.splitlines()
        assert "no debug info" in said and "save_debug_info=True" in said


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_formats_carry_the_same_ops(fmt: str) -> None:
    fixture = catalog.get("custom_ops")
    for args in (("trace", fixture.path, "--namespace", "Beta"), ("where", fixture.path, "custom_ops.py")):
        result = run_cli(*args, "--format", fmt)
        assert result.code == 0, result.stderr
        assert "Beta>Shift" in result.stdout.replace("&gt;", ">")


# --- source is read only from the user's own code ------------------------------------------------------------


def _frames_naming(model: Path, paths: list[str]) -> None:
    """Every recorded file of the model's debug info renamed, in turn, to one of `paths`."""
    debug_file = model / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    for index in range(len(debug.files)):
        debug.files[index] = paths[index % len(paths)]
    debug_file.write_bytes(debug.SerializeToString())


HOSTILE_NAMES = ("/etc/passwd", "/proc/self/environ", "SECRET_OUTSIDE", "link.py", ".ssh/id.py", "notes.txt")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_trace_never_prints_a_local_file_because_a_model_names_it(
    tmp_path: Path, model_copy: Any, fmt: str, name: str
) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text("GITHUB_TOKEN = 'SECRET-TOKEN-FROM-OUTSIDE'\n" * 50)
    workdir = tmp_path / "work"
    (workdir / ".ssh").mkdir(parents=True)
    (workdir / ".ssh" / "id.py").write_text("KEY = 'SECRET-KEY-IN-A-DOT-FOLDER'\n" * 50)
    (workdir / "link.py").symlink_to(secret)  # inside the working directory, pointing out of it
    (workdir / "notes.txt").write_text("SECRET-NOT-PYTHON\n" * 50)
    model = model_copy("module_aliases")
    recorded = str(secret) if name == "SECRET_OUTSIDE" else name
    _frames_naming(model, [recorded])
    run = run_cli("trace", model, "--op", "Mul", "--all-frames", "--format", fmt, cwd=workdir)
    assert run.code == 0, run.stderr
    for leaked in ("root:", "PATH=", "SECRET-TOKEN", "SECRET-KEY", "SECRET-NOT-PYTHON"):
        assert leaked not in run.stdout, leaked
    if fmt == "json":
        assert payload(run.stdout)["sources"]["withheld_files"] == [recorded]


def test_the_users_own_source_is_still_read(tmp_path: Path, model_copy: Any) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "model.py").write_text("\n".join(f"LINE_{i} = {i}" for i in range(1, 200)) + "\n")
    model = model_copy("module_aliases")
    _frames_naming(model, ["model.py"])
    run = run_cli("trace", model, "--op", "Mul", "--format", "json", cwd=workdir)
    contexts = payload(run.stdout)["sources"]["contexts"]
    assert contexts and all(c["lines"] for c in contexts)
    assert payload(run.stdout)["sources"]["withheld_files"] == []


def test_where_finds_ops_whose_recorded_path_climbs_with_dotdot(tmp_path: Path, model_copy: Any) -> None:
    """A script run as `python ../gen/x.py` records `/abs/src/../gen/x.py`: `where /abs/gen/x.py:LINE`
    finds its ops, and the display keeps the recorded string."""
    model = model_copy("module_aliases")
    before = where(inspector.load(model), WhereQuery.parse("module_aliases.py"))
    assert before.op_count
    debug_file = model / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    for index, name in enumerate(debug.files):
        if name.endswith("module_aliases.py"):
            debug.files[index] = "/abs/src/../gen/./module_aliases.py"
    debug_file.write_bytes(debug.SerializeToString())
    found = where(inspector.load(model), WhereQuery.parse("/abs/gen/module_aliases.py"))
    assert found.op_count == before.op_count
    assert found.files == ("/abs/src/../gen/./module_aliases.py",)
