"""`--format concise` and `--format github`: one line per finding, problem or op, where CI and editors
look for them (ruff's `path:line:col: CODE` form; GitHub's workflow commands)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import results_by_hand
from conftest import run_cli

from fixtures import catalog
from inspector._internal.render import OutputFormat, render

RISKY = catalog.get("risky_ops").path
CUSTOM = catalog.get("custom_ops").path

CONCISE_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>\S+) \[(?P<label>[a-z-]+)\] .+$"
)


def _findings(*args: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(run_cli("audit", RISKY, "--no-registry", "--format", "json", *args).stdout)["result"][
        "findings"
    ]


def test_concise_is_one_located_line_per_finding_then_the_verdict() -> None:
    run = run_cli("audit", RISKY, "--no-registry", "--format", "concise")
    assert run.code == 1
    *lines, verdict = run.stdout.splitlines()
    findings = _findings()
    assert len(lines) == len(findings)
    for said, finding in zip(lines, findings, strict=True):
        match = CONCISE_LINE.match(said)
        assert match, said
        assert (match["code"], match["label"]) == (finding["rule_id"], finding["severity"])
        source = finding["location"]["source"]
        if source:  # the user code that created the op, else the model's file
            assert (match["file"], int(match["line"])) == (source["file"], source["line"])
        else:
            assert match["file"].endswith((".pb", ".pbtxt")) or match["file"] == finding["location"]["file"]
    assert verdict.startswith(f"{RISKY}: FAILED: ") and verdict.endswith("(exit 1)")


def test_github_writes_one_workflow_command_per_finding_at_its_level() -> None:
    run = run_cli("audit", RISKY, "--no-registry", "--output-format", "github")  # ruff's name for --format
    assert run.code == 1
    commands = [line for line in run.stdout.splitlines() if line.startswith("::")]
    findings = _findings()
    assert len(commands) == len(findings)
    level = {"critical": "error", "error": "error", "warning": "warning", "note": "notice"}
    for command, finding in zip(commands, findings, strict=True):
        assert command.startswith(f"::{level[finding['severity']]} file=")
        assert f"title={finding['rule_id']} [{finding['severity']}]::" in command


def test_a_model_string_cannot_forge_or_end_a_workflow_command() -> None:
    result = results_by_hand.audit_result()
    [first, *rest] = result.findings
    hostile = first._replace(message="x\n::error file=/etc/passwd::forged\r::stop-commands::t")
    hostile_result = dataclasses.replace(result, findings=(hostile, *rest))
    written = render(hostile_result, OutputFormat.GITHUB)
    commands = [line for line in written.splitlines() if line.startswith("::")]
    assert len(commands) == len(result.findings)
    assert "forged" in commands[0] and "\\x0a" in commands[0]  # the newline shown, not obeyed
    concise = render(hostile_result, OutputFormat.CONCISE)
    assert len(concise.splitlines()) == len(result.findings) + 1


@pytest.mark.parametrize("fmt", ["concise", "github"])
def test_trace_and_doctor_locate_their_ops_and_problems(fmt: str) -> None:
    line = catalog.site_line(catalog.get("custom_ops"), "postprocess.shift")
    trace = run_cli("trace", CUSTOM, "--op", "Beta>Shift", "--format", fmt)
    assert trace.code == 0 and f"custom_ops.py{':' if fmt == 'concise' else ',line='}{line}" in trace.stdout
    doctor = run_cli("doctor", CUSTOM, "--format", fmt)
    assert doctor.code == 1
    blockers = [row for row in doctor.stdout.splitlines() if "unregistered-op" in row]
    assert len(blockers) == 2  # Acme>Scale and Beta>Shift, each at its creation site


def test_only_the_commands_with_located_items_offer_the_line_formats() -> None:
    run = run_cli("report", CUSTOM, "--format", "concise")
    assert run.code == 2 and "'concise' is not one of" in run.stderr


def test_folder_findings_are_located_from_the_source_root(tmp_path: Path) -> None:
    """Issue 35: an INS013 finding's file was `assets/evil.pkl`, relative to the model, not to the checkout:
    the annotation landed on a missing file. concise and github name it from --source-root (default: here)."""
    import pickle
    import shutil

    from fixtures import catalog

    model = tmp_path / "models" / "evil"
    shutil.copytree(catalog.get("module_aliases").path, model)
    (model / "assets").mkdir(exist_ok=True)
    (model / "assets" / "evil.pkl").write_bytes(pickle.dumps({"data": 1}, protocol=4))
    github = run_cli("audit", "models/evil", "--no-registry", "--format", "github", cwd=tmp_path).stdout
    assert "file=models/evil/assets/evil.pkl," in github
    rooted = run_cli(
        "audit", model, "--no-registry", "--format", "concise", "--source-root", tmp_path / "models"
    ).stdout
    assert any(line.startswith("evil/assets/evil.pkl:1:1: INS013") for line in rooted.splitlines()), rooted
