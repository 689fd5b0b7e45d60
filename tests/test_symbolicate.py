"""`inspector symbolicate` on TensorFlow's real runtime errors from loaded fixtures."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, flat, payload, run_cli

import inspector
from fixtures import catalog
from inspector._internal.symbolicate import Status, symbolicate

RUNTIME = catalog.get("runtime_errors")
pytestmark = pytest.mark.slow


def real_error(call: str) -> str:
    """Load the fixture with TensorFlow in a child process, make the call fail, and return the error text."""
    code = textwrap.dedent(
        f"""
        import tensorflow as tf
        m = tf.saved_model.load({str(RUNTIME.path)!r})
        try:
            {call}
        except Exception as error:
            print(type(error).__name__ + ": " + str(error))
        else:
            raise SystemExit("the call did not fail")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    return result.stdout


@pytest.fixture(scope="module")
def errors() -> dict[str, str]:
    pytest.importorskip("tensorflow")
    return {
        "assert": real_error('m.signatures["positive"](x=tf.constant([-1.0, 2.0]))'),
        "reshape": real_error('m.signatures["rows"](x=tf.constant([1.0, 2.0]))'),
        "restored": real_error("m.shape_rows(tf.constant([1.0, 2.0]))"),
    }


@pytest.mark.parametrize(
    ("error", "site"),
    [("assert", "positive.assert"), ("reshape", "rows.reshape"), ("restored", "rows.reshape")],
)
def test_the_real_error_is_mapped_to_the_line_that_created_the_failing_op(
    errors: dict[str, str], error: str, site: str, tmp_path: Path
) -> None:
    text = errors[error]
    assert "<stack traces unavailable>" in text  # what TensorFlow itself says after loading
    log = tmp_path / "error.log"
    log.write_text(text)
    result = run_cli("symbolicate", RUNTIME.path, log)
    assert result.code == 0, result.stdout + result.stderr
    out = flat(result.stdout)
    assert f"runtime_errors.py:{catalog.site_line(RUNTIME, site)}" in out
    assert "→" in out  # the creation site is marked
    # The original error lines are shown, with the traces under them.
    assert "Detected at node" in out


def test_the_loaders_function_names_fall_back_to_the_node_name(errors: dict[str, str]) -> None:
    assert "__inference_restored_function_body_" in errors["restored"]
    result = symbolicate(inspector.load(RUNTIME.path), errors["restored"])
    [first, *_] = [r for line in result.lines for r in line.resolutions if not r.first_seen_line]
    assert first.status is Status.FOUND and first.matches[0].op.function.startswith("__inference_shape_rows_")


def test_stdin_and_json(errors: dict[str, str]) -> None:
    process = subprocess.run(
        [
            str(Path(sys.executable).with_name("inspector")),
            "symbolicate",
            str(RUNTIME.path),
            "-",
            "--format",
            "json",
        ],
        input=errors["assert"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    document = payload(process.stdout)
    assert document["names"] >= 1 and document["unresolved"] == 0
    [resolution] = [r for line in document["lines"] for r in line["resolutions"] if not r["first_seen_line"]]
    frames = resolution["matches"][0]["trace"]["frames"]
    assert [f["line"] for f in frames if f["is_user"]][-1] == catalog.site_line(RUNTIME, "positive.assert")


def test_a_name_the_model_lacks_exits_1(tmp_path: Path) -> None:
    log = tmp_path / "error.log"
    log.write_text("InvalidArgumentError: boom\n\t [[{{node NoSuchNode}}]] [Op:__inference_f_1]\n")
    result = run_cli("symbolicate", RUNTIME.path, log)
    assert result.code == 1 and "not-found" in result.stdout


def test_ambiguous_names_list_every_candidate() -> None:
    view = inspector.load(catalog.get("module_aliases").path)
    result = symbolicate(view, "\t [[{{node mul}}]] [Op:__inference_restored_function_body_9]\n")
    [resolution] = result.lines[0].resolutions
    assert resolution.status is Status.FOUND  # four traces of `double`, one creation line
    assert len(resolution.matches) == 4 and "share one creation site" in resolution.note
    consts = symbolicate(view, "\t [[{{node Const}}]]\n").lines[0].resolutions[0]
    assert consts.status is Status.AMBIGUOUS and len(consts.matches) > 1


def test_op_type_not_registered() -> None:
    view = inspector.load(catalog.get("custom_ops").path)
    message = "RuntimeError: Op type not registered 'Beta>Shift' in binary running on host."
    [resolution] = symbolicate(view, message).lines[0].resolutions
    assert resolution.kind == "op type" and resolution.status is Status.FOUND
    assert resolution.matches[0].trace is not None


def test_unreadable_log_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("symbolicate", RUNTIME.path, tmp_path / "missing.log")
    assert result.code == 2 and "cannot be read" in result.stderr


def test_hostile_log_lines_are_shown_literally(tmp_path: Path) -> None:
    log = tmp_path / "error.log"
    log.write_text("\x1b[2J\x1b]8;;http://evil\x07[bold red]x[/] [[{{node Reshape}}]]\n")
    result = run_cli("symbolicate", RUNTIME.path, log, "--no-color")
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[2J" in result.stdout and "[bold red]x[/]" in result.stdout


def test_where_a_name_was_found_is_said_once_without_repeating_the_status(tmp_path: Path) -> None:
    log = tmp_path / "error.log"
    log.write_text("\t [[{{node rows/Reshape}}]] [Op:__inference_rows_1]\n")
    view = inspector.load(RUNTIME.path)
    [resolution] = symbolicate(view, log.read_text()).lines[0].resolutions
    assert resolution.status is Status.FOUND
    assert resolution.note.startswith("in a function __inference_rows_")
    assert resolution.note.endswith(" calls")
    out = flat(run_cli("symbolicate", RUNTIME.path, log).stdout)
    assert "found (in a function __inference_rows_" in out and "found (found" not in out
