"""`inspector doctor`: static blockers before any load, and real load failures in a child process."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from conftest import flat, payload, run_cli

import inspector
from fixtures import catalog
from inspector._internal.doctor import LoadAttempt, LoadOutcome, ProblemKind, diagnose, explain_load_error
from inspector._internal.protos import load_protos

CUSTOM = catalog.get("custom_ops")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def op_library() -> Path:
    """The custom-op library, compiled against the installed TensorFlow (cached across runs)."""
    pytest.importorskip("tensorflow")
    from fixtures.ops.build import build

    return build()


def doctor_json(*args: Any, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    result = run_cli("doctor", *args, "--format", "json", **({"cwd": cwd} if cwd else {}))
    assert result.code in (0, 1), result.stderr
    document: dict[str, Any] = payload(result.stdout)
    return result.code, document


# --- the custom-op fixture, for real ----------------------------------------------------------------------


def test_without_its_library_the_custom_op_model_fails_to_load_and_is_explained() -> None:
    code, document = doctor_json(CUSTOM.path, "--try-load")
    assert code == 1
    assert document["load"]["outcome"] == "failed"
    assert "Op type not registered" in document["load"]["error_message"]  # TensorFlow's own words
    unregistered = [p for p in document["problems"] if p["kind"] == "unregistered-op"]
    # Each op once: the load error names the op the static check found already.
    assert sorted(p["op_type"] for p in unregistered) == ["Acme>Scale", "Beta>Shift"]
    assert len([p for p in document["problems"] if p["blocker"]]) == 2
    problems = {p["op_type"]: p for p in unregistered}
    beta = problems["Beta>Shift"]
    assert (
        beta["blocker"] and beta["signatures"] == ["serving_default"] and beta["aliases"] == ["postprocess"]
    )
    assert beta["functions"][0].startswith("__inference_postprocess_")
    [site] = beta["sources"]
    assert (Path(site["file"]).name, site["line"]) == (
        "custom_ops.py",
        catalog.site_line(CUSTOM, "postprocess.shift"),
    )
    assert "tf.load_op_library" in beta["fix"]
    assert document["load"]["log"] == ""  # the child's log only with --verbose


def test_with_its_op_library_the_custom_op_model_loads(op_library: Path) -> None:
    code, document = doctor_json(CUSTOM.path, "--try-load", "--op-library", op_library)
    assert code == 0
    assert document["load"]["outcome"] == "loaded" and document["load"]["seconds"] > 0
    assert not [p for p in document["problems"] if p["blocker"]]


def test_statically_the_custom_ops_are_blockers_without_loading_anything() -> None:
    view = inspector.load(CUSTOM.path)
    result = diagnose(view)
    assert result.load is None and result.blocked
    assert {p.op_type for p in result.problems if p.kind is ProblemKind.UNREGISTERED_OP} == {
        "Acme>Scale",
        "Beta>Shift",
    }


def test_a_static_problem_names_the_audit_rule_that_reports_it_and_where_that_rule_is_explained() -> None:
    # doctor and audit say one thing in one vocabulary: the blocker is INS004's error, as audit prints it.
    out = flat(run_cli("doctor", CUSTOM.path).stdout)
    assert "unregistered-op: Acme>Scale" in out
    assert "rule: INS004 error; inspector rule INS004 explains it" in out


# --- files ------------------------------------------------------------------------------------------------


def test_a_deleted_data_shard_is_found_before_any_load(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    (path / "variables" / "variables.data-00000-of-00001").unlink()
    code, document = doctor_json(path, "--no-registry")
    assert code == 1 and document["load"] is None
    [problem] = [p for p in document["problems"] if p["blocker"]]
    assert problem["kind"] == "missing-file" and problem["file"].endswith("variables.data-00000-of-00001")


def test_a_truncated_data_shard_is_found_statically_and_by_the_load(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    shard = path / "variables" / "variables.data-00000-of-00001"
    shard.write_bytes(shard.read_bytes()[:100])
    view = inspector.load(path)
    [static] = [p for p in diagnose(view, registry=False).problems if p.blocker]
    assert static.kind is ProblemKind.TRUNCATED_FILE and "100 bytes, the index needs 239" in static.message
    loaded = diagnose(view, registry=False, try_load=True)
    assert loaded.load is not None and loaded.load.outcome is LoadOutcome.FAILED
    assert "Read less bytes than requested" in loaded.load.error_message  # TensorFlow's real message
    assert {p.kind for p in loaded.problems} == {ProblemKind.TRUNCATED_FILE}


def test_a_missing_index_is_a_blocker_and_the_real_error_is_read(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    (path / "variables" / "variables.index").unlink()
    result = diagnose(inspector.load(path), registry=False, try_load=True)
    kinds = [(p.kind, p.file.endswith("variables.index") or "variables" in p.file) for p in result.problems]
    assert (ProblemKind.MISSING_FILE, True) in kinds
    assert result.load is not None and "Failed to find any matching files" in result.load.error_message


def test_a_missing_asset_is_a_blocker(model_copy: Any) -> None:
    path = model_copy("risky_ops")
    (path / "assets" / "vocabulary.txt").unlink()
    [problem] = [p for p in diagnose(inspector.load(path), registry=False).problems if p.blocker]
    assert problem.kind is ProblemKind.MISSING_FILE and "vocabulary.txt" in problem.message


def test_an_unreadable_saved_model_pb_is_the_diagnosis(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    content = (path / "saved_model.pb").read_bytes()
    (path / "saved_model.pb").write_bytes(content[: len(content) // 3])
    code, document = doctor_json(path)
    assert code == 1
    [problem] = document["problems"]
    assert problem["kind"] == "corrupt-file" and "truncated or corrupt" in problem["message"]


def test_a_path_that_is_no_model_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("doctor", tmp_path)
    assert result.code == 2 and "not a SavedModel directory" in result.stderr


# --- versions ---------------------------------------------------------------------------------------------


def test_a_model_from_a_newer_tensorflow(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    saved_model.meta_graphs[0].graph_def.versions.min_consumer = 99999
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    static = diagnose(inspector.load(path), registry=False)
    [problem] = static.problems
    assert problem.kind is ProblemKind.VERSION and problem.blocker and static.blocked
    assert "TF Serving and tf.compat.v1 loaders refuse it" in problem.message
    # TensorFlow 2's Python loader does not check GraphDef versions: the load itself decides.
    loaded = diagnose(inspector.load(path), registry=False, try_load=True)
    assert loaded.load is not None and loaded.load.outcome is LoadOutcome.LOADED and not loaded.blocked


# --- hangs ------------------------------------------------------------------------------------------------


def test_a_child_that_hangs_is_killed_at_the_timeout(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    (tmp_path / "sleepy_module.py").write_text(
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)\n"
    )
    result = run_cli(
        "doctor",
        catalog.get("module_aliases").path,
        "--try-load",
        "--import",
        "sleepy_module",
        "--timeout",
        "30",
        "--no-registry",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert result.code == 1
    with pytest.raises(ProcessLookupError):  # killed and reaped at the timeout, not waited for
        os.kill(int(pid_file.read_text()), 0)
    document = payload(result.stdout)
    assert (document["load"]["outcome"], document["load"]["timeout"]) == ("timeout", 30)
    assert any(p["kind"] == "timeout" and p["blocker"] for p in document["problems"])


def test_the_child_log_only_with_verbose() -> None:
    quiet = run_cli("doctor", CUSTOM.path, "--try-load", "--no-registry")
    loud = run_cli("doctor", CUSTOM.path, "--try-load", "--no-registry", "--verbose")
    assert "Log of the loading process" not in quiet.stdout
    assert "Log of the loading process" in loud.stdout


# --- TensorFlow's error messages, captured from real runs -------------------------------------------------


@pytest.mark.tensorflow
def test_a_missing_kernel_error_is_located_in_the_saved_model() -> None:
    tf = pytest.importorskip("tensorflow")
    fixture = catalog.get("no_cpu_kernel")
    loaded = tf.saved_model.load(str(fixture.path))
    with pytest.raises(tf.errors.InvalidArgumentError) as raised:
        loaded.signatures["serving_default"](x=tf.constant([1.0]))
    message = str(raised.value)
    assert "No OpKernel was registered to support Op 'NcclAllReduce'" in message
    view = inspector.load(fixture.path)
    [problem] = explain_load_error(
        view, LoadAttempt(LoadOutcome.FAILED, 0.1, 120.0, "InvalidArgumentError", message)
    )
    assert problem.kind is ProblemKind.MISSING_KERNEL and problem.op_type == "NcclAllReduce"
    assert problem.node_key.startswith("NcclAllReduce@__inference_serve_")
    assert problem.signatures == ("serving_default",)
    assert [(Path(s.file).name, s.line) for s in problem.sources] == [
        ("no_cpu_kernel.py", catalog.site_line(fixture, "serve.nccl"))
    ]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_formats_carry_the_same_problems(fmt: str) -> None:
    result = run_cli("doctor", CUSTOM.path, "--format", fmt)
    assert result.code == 1
    out = flat(result.stdout).replace("&gt;", ">").replace("\\_", "_")
    for op in ("Acme>Scale", "Beta>Shift"):
        assert op in out
    assert f"custom_ops.py:{catalog.site_line(CUSTOM, 'postprocess.shift')}" in out


def test_bad_options(tmp_path: Path) -> None:
    assert run_cli("doctor", CUSTOM.path, "--timeout", "0").code == 2
    missing = run_cli("doctor", CUSTOM.path, "--try-load", "--op-library", tmp_path / "nope.so")
    assert missing.code == 2 and "no such op library" in missing.stderr
    shutil.rmtree(tmp_path)


def test_try_load_can_use_another_interpreter(tmp_path: Path) -> None:
    """--python loads with the serving environment's interpreter (here: one that only wraps ours and
    says it ran, as a venv with the model's packages would run in its place)."""
    import sys

    marker = tmp_path / "ran"
    wrapper = tmp_path / "serving-python"
    wrapper.write_text(f'#!/bin/sh\ntouch "{marker}"\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    path = catalog.get("module_aliases").path
    result = diagnose(inspector.load(path), registry=False, try_load=True, python=str(wrapper))
    assert result.load is not None and result.load.outcome is LoadOutcome.LOADED
    assert result.load.python == str(wrapper) and marker.exists()
    cli = run_cli("doctor", path, "--try-load", "--python", str(wrapper), "--no-registry", "--format", "json")
    assert cli.code == 0 and payload(cli.stdout)["load"]["python"] == str(wrapper)
    missing = run_cli("doctor", path, "--try-load", "--python", str(tmp_path / "nope"))
    assert missing.code == 2 and "not an executable Python interpreter" in missing.stderr


def test_try_load_keeps_bounded_output_and_does_not_wait_for_escaped_grandchildren(tmp_path: Path) -> None:
    """A loading process that floods its output and leaves a grandchild holding the pipes (in another
    session, out of reach of the group kill): the diagnosis keeps the head and tail of the output and
    returns soon after the child ends."""
    import sys

    sleeper = tmp_path / "sleeper.pid"
    flood = tmp_path / "flooding-python"
    flood.write_text(
        "#!/bin/sh\n"
        f"setsid sleep 60 & echo $! > {sleeper}\n"  # escapes the process group, inherits stdout and stderr
        "head -c 30000000 /dev/zero | tr '\\0' x\n"
        "head -c 30000000 /dev/zero | tr '\\0' y >&2\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    flood.chmod(0o755)
    result = diagnose(
        inspector.load(catalog.get("module_aliases").path), registry=False, try_load=True, python=str(flood)
    )
    # Back while the escaped sleeper still holds the pipes: the parent never waited for it to end.
    pid = int(sleeper.read_text())
    os.kill(pid, 0)  # alive: raises ProcessLookupError if diagnose had waited out its 60 s
    os.kill(pid, signal.SIGKILL)
    assert result.load is not None and result.load.outcome is LoadOutcome.LOADED
    assert len(result.load.log) < 3 * 2**20 and "bytes of output not kept" in result.load.log


# --- the static audit gates the load ------------------------------------------------------------------------

CANARIES = Path(__file__).resolve().parent.parent / "fixtures" / "canary_models"


def test_try_load_refuses_a_model_whose_load_runs_risky_ops(tmp_path: Path) -> None:
    run = run_cli("doctor", CANARIES / "resource_initialize", "--try-load", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    document = payload(run.stdout)
    assert document["load"]["outcome"] == "refused"
    kinds = {(p["kind"], p["op_type"]) for p in document["problems"] if p["blocker"]}
    assert {("risky-load", "WriteFile"), ("risky-load", "EagerPyFunc")} <= kinds
    assert list(tmp_path.iterdir()) == []  # nothing ran: the canary wrote nothing
    run = run_cli("doctor", CANARIES / "resource_initialize", "--try-load", "--format", "json", cwd=tmp_path)
    assert "--allow-risky-load" in payload(run.stdout)["load"]["error_message"]  # the way to load it anyway


def test_allow_risky_load_loads_it_in_a_scratch_folder_with_no_secrets(tmp_path: Path) -> None:
    """The override does what it says: TF2's loader initializes the resource, and the canary writes -- into
    a fresh scratch folder, the child's working directory and HOME, not the caller's; and the child's
    environment holds none of the caller's tokens (a load-time ReadFile of /proc/self/environ would put them
    in the page). The interpreter is wrapped to record where it ran, with what, and what it left."""
    import sys

    caller = tmp_path / "caller"
    caller.mkdir()
    wrapper = tmp_path / "recording-python"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'env > "{tmp_path}/env"\n'
        f'pwd > "{tmp_path}/cwd"\n'
        f'"{sys.executable}" "$@"\n'
        "status=$?\n"
        f'ls > "{tmp_path}/left"\n'
        "exit $status\n"
    )
    wrapper.chmod(0o755)
    run = run_cli(
        "doctor",
        CANARIES / "resource_initialize",
        "--try-load",
        "--allow-risky-load",
        "--no-registry",
        "--python",
        str(wrapper),
        "--format",
        "json",
        cwd=caller,
        env={"INSPECTOR_TEST_TOKEN": "ghp_secret"},
    )
    # The load then fails on the EagerPyFunc canary (no process registered its callable): the write ran first.
    assert payload(run.stdout)["load"]["outcome"] in ("loaded", "failed"), run.stdout + run.stderr
    assert "canary.write" in (tmp_path / "left").read_text().split()  # the canary ran, in the scratch folder
    assert list(caller.iterdir()) == []
    scratch = (tmp_path / "cwd").read_text().strip()
    assert scratch != str(caller) and not Path(scratch).exists()  # thrown away with what it held
    assert "ghp_secret" not in (tmp_path / "env").read_text()


def test_try_load_without_tensorflow_is_the_environments_fault(tmp_path: Path) -> None:
    import sys

    bare = tmp_path / "python-without-tensorflow"
    bare.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')  # no site-packages: no TensorFlow
    bare.chmod(0o755)
    run = run_cli("doctor", catalog.get("module_aliases").path, "--try-load", "--python", bare)
    assert run.code == 2 and run.stdout == "" and run.stderr.count("\n") == 1
    assert "has no TensorFlow" in run.stderr and "--python" in run.stderr
