"""The console script: exit codes, formats, --output, help. Run as a user runs it, in a child process."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import console_script, payload, run_cli

from fixtures import catalog
from inspector._internal.render import formats_for

CUSTOM = catalog.get("custom_ops").path


def test_report_exits_0_without_a_whitelist() -> None:
    result = run_cli("report", CUSTOM, process=True)
    assert result.code == 0, result.stderr
    assert payload(run_cli("report", CUSTOM, "--format", "json").stdout)["whitelist"] is None


def test_report_exits_1_when_ops_miss_the_whitelist() -> None:
    result = run_cli("report", CUSTOM, "--whitelist", "Acme", process=True)
    assert result.code == 1
    flagged = payload(run_cli("report", CUSTOM, "--whitelist", "Acme", "--format", "json").stdout)[
        "flagged_ops"
    ]
    assert [op["op_type"] for op in flagged] == ["Beta>Shift"]


def test_report_exits_0_when_every_namespace_is_whitelisted() -> None:
    assert run_cli("report", CUSTOM, "--whitelist", "Acme", "--whitelist", "Beta", process=True).code == 0


@pytest.mark.parametrize("fmt", [f.value for f in formats_for("report")])
def test_output_file_gets_the_same_text_as_stdout(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    written = run_cli("report", CUSTOM, "--format", fmt, "--output", target, process=True)
    printed = run_cli("report", CUSTOM, "--format", fmt, process=True)
    assert written.code == printed.code == 0
    assert written.stdout == ""
    assert target.read_text() == printed.stdout


def test_json_is_the_default_machine_form() -> None:
    document = json.loads(run_cli("report", CUSTOM, "--format", "json", process=True).stdout)
    assert document["tool"] == "inspector" and document["kind"] == "report"


def test_python_dash_m_works() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "inspector", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("inspector ")


def test_help_shows_examples_and_exit_codes() -> None:
    result = run_cli("report", "--help", process=True)
    assert result.code == 0
    assert "examples:" in result.stdout and "exit status" in result.stdout


#: One command line per command, with options of every kind (flags, values, repeated, choices).
EVERY_COMMAND = {
    "report": ["report", "m", "--whitelist", "Acme", "--format", "json", "-q"],
    "save": ["save", "pkg.mod:make", "out", "--alias", "serve", "--variable-policy", "none"],
    "trace": ["trace", "m", "mul*", "--op", "MatMul", "--context", "-1", "--all-frames"],
    "where": ["where", "m", "model.py:42", "--innermost", "--tags", "serve,gpu"],
    "audit": ["audit", "m", "--deny", "ReadFile", "--fail-on", "warning", "--format", "sarif"],
    "rule": ["rule", "INS002"],
    "completion": ["completion", "zsh"],
    "scan": [
        "scan",
        "registry/",
        "m*",
        "-j",
        "3",
        "--max-memory",
        "0",
        "--cache",
        "c",
        "--whitelist",
        "Acme",
    ],
    "diff": ["diff", "a", "b", "--only", "ops", "--stat"],
    "doctor": ["doctor", "m", "--try-load", "--timeout", "5", "--import", "tensorflow_text"],
    "scrub": ["scrub", "m", "out", "--strip-prefix", "/home/ci/"],
    "symbolicate": ["symbolicate", "m", "error.log", "--no-color"],
    "config": ["config", "--policy", "p.toml", "--ignore", "INS005", "--format", "json"],
    "sign": ["sign", "m", "--private-key", "k.pem", "--signature", "m.sig", "--fail-on", "warning"],
    "verify": ["verify", "m", "--public-key", "k.pub.pem", "--format", "json"],
}


def test_a_command_line_means_the_same_when_only_its_command_is_declared() -> None:
    from inspector._internal.cli import _COMMANDS, _command_named, build_parser

    assert set(EVERY_COMMAND) == set(_COMMANDS)
    for name, argv in EVERY_COMMAND.items():
        assert _command_named(["--debug", *argv]) == name
        everything = vars(build_parser().parse_args(argv))
        assert vars(build_parser(only=name).parse_args(argv)) == everything, name


def test_the_top_level_help_lists_every_command_and_a_command_help_all_its_options() -> None:
    from inspector._internal.cli import _COMMANDS

    for argv in (("--help",), ("--help", "report"), ("--debug", "-h", "audit")):
        listing = run_cli(*argv, process=True)
        assert listing.code == 0
        for name, summary in _COMMANDS.items():
            assert name in listing.stdout and summary.split()[0] in listing.stdout, (argv, name)
    audit = run_cli("audit", "--help", process=True).stdout
    assert "--live-registry" in audit and "--write-baseline" in audit and "examples:" in audit


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (("frobnicate",), "inspector"),
        (("report",), "inspector report"),
        (("report", "x", "--format", "yaml"), "inspector report"),
        (("report", "x", "--bogus"), "inspector report"),
        (("audit", "x", "--fail-on", "severe"), "inspector audit"),
        (("diff", "a", "b", "--only", "everything"), "inspector diff"),
    ],
)
def test_a_usage_error_is_one_line_and_a_pointer_to_help(args: tuple[str, ...], command: str) -> None:
    result = run_cli(*args, process=True)
    assert result.code == 2
    error, pointer = result.stderr.splitlines()
    assert error.startswith(f"{command}: error: ") and pointer == f"see '{command} --help'"


def test_bare_commands_show_what_they_can_do() -> None:
    """Issue 35: bare `inspector` and bare `inspector rule` were errors, not help."""
    bare = run_cli(process=True)
    assert bare.code == 0 and bare.stdout.startswith("usage: inspector") and "audit" in bare.stdout
    rules = run_cli("rule")
    assert rules.code == 0 and rules.stdout.splitlines()[0].startswith("INS001  namespace-whitelist")
    assert run_cli("rule", "INS002", "--all").code == 2


def test_usage_errors_name_the_choices_in_words() -> None:
    said = run_cli("audit", "x", "--fail-on", "severe", process=True).stderr.splitlines()[0]
    assert said == "inspector audit: error: --fail-on: 'severe' is not one of note, warning, error, critical"
    said = run_cli("report", "x", "--format", "yaml", process=True).stderr.splitlines()[0]
    assert said == "inspector report: error: --format: 'yaml' is not one of text, json, markdown, html"


def _help(command: str, columns: int) -> str:
    argv = (command, "--help") if command else ("--help",)
    return run_cli(*argv, process=True, env={"COLUMNS": str(columns)}).stdout


@pytest.mark.parametrize("command", ["", *EVERY_COMMAND])
def test_help_fits_80_columns_without_breaking_a_word(command: str) -> None:
    narrow, wide = _help(command, 80), _help(command, 400)
    assert narrow and max(len(line) for line in narrow.splitlines()) <= 78
    # Wrapping moves words between lines (an example's comment above it) and never cuts one: the same
    # words at any width.
    assert sorted(narrow.split()) == sorted(wide.split())


def test_unwritable_output_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("report", CUSTOM, "--output", tmp_path / "missing" / "r.txt", process=True)
    assert result.code == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_spinner_on_a_terminal_says_what_is_slow_and_never_touches_stdout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from inspector._internal.cli.output import working as _working

    terminal, stdout = _Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "stdout", stdout)
    with _working("importing TensorFlow"):
        pass
    assert "inspector: importing TensorFlow" in terminal.getvalue() and stdout.getvalue() == ""
    with _working("importing TensorFlow", quiet=True), _working("loading", when=False):
        pass
    assert "loading" not in terminal.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with _working("importing TensorFlow"):
        pass
    assert piped.getvalue() == ""  # not a terminal: a log stays clean


@pytest.mark.parametrize(
    "command",
    [
        ["trace", str(catalog.get("hf_gpt2").path), "*", "--format", "json"],  # 6 MB: more than a pipe holds
        ["scan", str(catalog.CORPUS_MODELS), "--jobs", "1"],  # a record per model, each written as it ends
    ],
    ids=["trace", "scan"],
)
def test_a_reader_that_stops_early_ends_the_command_quietly(command: list[str]) -> None:
    """`inspector trace MODEL '*' --format json | head`: the pipe closes while inspector writes. That is
    not an unreadable input: no error line, and the status a pipeline's writer gets from SIGPIPE."""
    process = subprocess.Popen(
        [*console_script(), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(1000).startswith(b"{")
    process.stdout.close()  # the reader goes away, as head does
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and stderr == ""


# --- --output never writes where it should not -------------------------------------------------------------


def _digest(folder: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_output_into_the_model_is_refused_and_the_model_is_unchanged(tmp_path: Path) -> None:
    import shutil

    model = tmp_path / "model"
    shutil.copytree(CUSTOM, model)
    before = _digest(model)
    for target in (model / "saved_model.pb", model / "report.txt", model / "variables" / "x"):
        result = run_cli("report", model, "--output", target, process=True)
        assert result.code == 2 and result.stderr.count("\n") == 1, result.stderr
        assert "never modifies what it reads" in result.stderr
    baseline = run_cli("audit", model, "--write-baseline", model / "saved_model.pb", process=True)
    assert baseline.code == 2
    # Named through its saved_model.pb, through a link to its folder: still the model.
    (tmp_path / "alias").symlink_to(model)
    result = run_cli(
        "report", model / "saved_model.pb", "--output", tmp_path / "alias" / "r.txt", process=True
    )
    assert result.code == 2
    assert _digest(model) == before


def test_output_through_a_link_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "authorized_keys"
    target.write_text("ssh-ed25519 AAAA user\n")
    link = tmp_path / "report.txt"
    link.symlink_to(target)
    result = run_cli("report", CUSTOM, "--output", link, process=True)
    assert result.code == 2 and "symbolic link" in result.stderr
    assert target.read_text() == "ssh-ed25519 AAAA user\n" and link.is_symlink()


def test_output_to_a_fifo_or_a_folder_is_a_one_line_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, kind in ((fifo, "FIFO"), (tmp_path, "directory")):
        result = run_cli("report", CUSTOM, "--output", target, process=True, timeout=60)
        assert result.code == 2 and kind in result.stderr and result.stderr.count("\n") == 1


def test_output_replaces_a_file_whole(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("old")
    assert run_cli("report", CUSTOM, "--format", "json", "--output", out, process=True).code == 0
    assert out.read_text().startswith("{") and [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert run_cli("report", CUSTOM, "--output", os.devnull, process=True).code == 0


def test_a_report_never_passes_what_it_did_not_check() -> None:
    """Without --whitelist nothing is checked: the verdict says `reported`, and a model with risky op
    types is pointed at the audit, which judges them."""
    risky = catalog.get("risky_ops").path
    document = json.loads(run_cli("report", risky, "--format", "json").stdout)
    assert (document["verdict"], document["exit_code"]) == ("reported", 0)
    assert {"WriteFile", "ReadFile", "EagerPyFunc"} <= set(document["result"]["risky_op_types"])
    assert not {"SaveV2", "RestoreV2", "MergeV2Checkpoints"} & set(document["result"]["risky_op_types"])
    text = run_cli("report", risky).stdout
    assert "PASSED" not in text and "inspector audit" in text
    plain = json.loads(run_cli("report", CUSTOM, "--format", "json").stdout)["result"]
    assert plain["risky_op_types"] == []  # TensorFlow's checkpoint ops are its plumbing, not a risk


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _parsers(sub)
    return found


def test_no_option_of_any_command_is_guessed_from_a_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 35: argparse accepted `--allow` for `--allow-risky-load`, so `doctor --try-load --allow WriteFile`
    loaded a risky model. Every long option of every command is refused unless given in full."""
    from inspector._internal.cli import build_parser

    checked = 0
    for parser in _parsers(build_parser()):
        options = {option for action in parser._actions for option in action.option_strings}
        for option in sorted(options):
            prefix = option[:-1]
            if not option.startswith("--") or len(prefix) < 4 or prefix in options:
                continue
            with pytest.raises(SystemExit) as stopped:
                parser.parse_args([prefix, "x"])
            assert stopped.value.code == 2, (parser.prog, option)
            checked += 1
    capsys.readouterr()
    assert checked > 50


def test_shell_completion_is_written_from_the_parser() -> None:
    """Issue 35: no shell completion. shtab writes it from the command line's own parser: every command and
    option, never a list kept by hand."""
    pytest.importorskip("shtab")
    script = run_cli("completion", "bash")
    assert script.code == 0
    for word in ("audit", "scan", "doctor", "--model-version", "--allow-risky-load", "--strict-names"):
        assert word in script.stdout, word
    assert run_cli("completion", "fish").code == 2


def test_audit_lists_twenty_findings_per_rule_unless_asked_for_all(tmp_path: Path) -> None:
    model = catalog.get("risky_ops").path
    two = run_cli("audit", model, "--max-per-rule", "2", "--quiet")
    every = run_cli("audit", model, "--all", "--quiet")
    assert two.code == every.code == 1
    assert "more INS002 findings (--all lists them" in two.stdout
    assert "more INS002" not in every.stdout and len(every.stdout) > len(two.stdout)
    assert run_cli("audit", model, "--max-per-rule", "0").code == 2
    both = run_cli("audit", model, "--all", "--max-per-rule", "3")
    assert both.code == 2 and "not allowed with" in both.stderr
