"""The audit policy (pyproject.toml, --policy, the command line) and the baseline."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import payload, run_cli
from rule_helpers import CUSTOM, RISKY


def test_policy_from_the_nearest_pyproject_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.inspector.audit]\nwhitelist = ["Acme", "Beta"]\nregistry = false\n'
        'allow = ["Acme>Scale", "Beta>Shift"]\n'  # the custom ops are unclassified (INS002), accepted here
    )
    (tmp_path / "sub").mkdir()
    assert run_cli("audit", CUSTOM.path, cwd=tmp_path / "sub").code == 0
    assert run_cli("audit", CUSTOM.path, "--whitelist", "Acme", cwd=tmp_path / "sub").code == 1


def test_policy_file_option(tmp_path: Path) -> None:
    policy = tmp_path / "audit.toml"
    policy.write_text('whitelist = ["Acme"]\nregistry = false\nfail-on = "critical"\n')
    assert run_cli("audit", CUSTOM.path, "--policy", policy).code == 0  # Beta is an error, below critical
    assert run_cli("audit", CUSTOM.path, "--policy", policy, "--fail-on", "error").code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[tool.inspector.audit]\nwhitelist = 3\n", "whitelist must be a list of strings"),
        ("[tool.inspector.audit]\nfrobnicate = true\n", "unknown key 'frobnicate'"),
        ("[tool.inspector.audit]\nfail-on = 'fatal'\n", "unknown severity 'fatal'"),
        ("[tool.inspector.audit\n", "not valid TOML"),
    ],
)
def test_bad_policies_are_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(content)
    result = run_cli("audit", CUSTOM.path, cwd=tmp_path)
    assert result.code == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert str(tmp_path / "pyproject.toml") in result.stderr


def test_baseline_accepts_known_findings_and_fails_on_new_ones(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = run_cli("audit", RISKY.path, "--no-registry", "--write-baseline", baseline)
    assert written.code == 0 and baseline.is_file()
    again = run_cli("audit", RISKY.path, "--no-registry", "--baseline", baseline, "--format", "json")
    document = payload(again.stdout)
    assert again.code == 0 and document["findings"] == [] and document["baselined"] > 0
    new = run_cli(
        "audit", RISKY.path, "--no-registry", "--baseline", baseline, "--deny", "Identity", "--format", "json"
    )
    assert new.code == 1
    assert {f["location"]["op_type"] for f in payload(new.stdout)["findings"]} == {"Identity"}


def test_a_broken_baseline_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("{")
    result = run_cli("audit", RISKY.path, "--no-registry", "--baseline", tmp_path / "b.json")
    assert result.code == 2 and "not a baseline file" in result.stderr
