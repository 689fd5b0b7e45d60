"""Choosing what the audit reports, as ruff does: --select, --extend-select, --ignore (and the same keys
in pyproject.toml), `inspector rule`, --statistics and --exit-zero."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import run_cli
from rule_helpers import RISKY, findings_of

import inspector
from inspector._internal.audit import Policy, PolicyError, audit
from inspector._internal.audit.rules import RULES


def _rules_and_severities(*args: str, cwd: Path | None = None) -> Counter[tuple[str, str]]:
    run = run_cli(
        "audit", RISKY.path, "--no-registry", "--format", "json", *args, **({"cwd": cwd} if cwd else {})
    )
    assert run.code in (0, 1), run.stderr
    findings = json.loads(run.stdout)["result"]["findings"]
    return Counter((f["rule_id"], f["severity"]) for f in findings)


EVERY = Counter((f.rule_id, f.severity.label) for f in findings_of("risky_ops"))


def test_the_risky_model_has_findings_of_several_rules_and_severities() -> None:
    """What the selections below cut from."""
    assert {"INS002", "INS008"} <= {rule for rule, _ in EVERY}
    assert {"error", "note"} <= {severity for _, severity in EVERY}


def test_select_keeps_only_the_rules_and_severities_it_names() -> None:
    assert set(_rules_and_severities("--select", "INS002")) == {k for k in EVERY if k[0] == "INS002"}
    assert set(_rules_and_severities("--select", "risky-op,INS008")) == {
        k for k in EVERY if k[0] in ("INS002", "INS008")
    }
    assert set(_rules_and_severities("--select", "error")) == {k for k in EVERY if k[1] == "error"}
    assert set(_rules_and_severities("--select", "INS00")) == {k for k in EVERY if k[0].startswith("INS00")}


def test_ignore_and_extend_select_adjust_a_selection() -> None:
    assert set(_rules_and_severities("--ignore", "note")) == {k for k in EVERY if k[1] != "note"}
    assert set(_rules_and_severities("--select", "INS008", "--extend-select", "error")) == {
        k for k in EVERY if k[0] == "INS008" or k[1] == "error"
    }


def test_the_policy_file_selects_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.inspector.audit]\nselect = ["INS008"]\nignore = ["error"]\n'
    )
    assert set(_rules_and_severities(cwd=tmp_path)) == {
        k for k in EVERY if k[0] == "INS008" and k[1] != "error"
    }
    # --select replaces the file's select; the file's ignore still holds.
    assert set(_rules_and_severities("--select", "INS002", cwd=tmp_path)) == {
        k for k in EVERY if k[0] == "INS002" and k[1] != "error"
    }


def test_a_rule_left_out_does_not_run_and_is_not_counted() -> None:
    result = audit(inspector.load(RISKY.path), Policy(registry=False, ignore=("INS008",)))
    assert "INS008" not in {rule.id for rule in result.rules}
    assert all(f.rule_id != "INS008" for f in result.findings)


@pytest.mark.parametrize("token", ["INS999", "risky", "severe"])
def test_a_token_that_names_nothing_is_an_error_not_an_empty_audit(token: str) -> None:
    with pytest.raises(PolicyError, match="names no rule and no severity"):
        audit(inspector.load(RISKY.path), Policy(registry=False, select=(token,)))
    run = run_cli("audit", RISKY.path, "--no-registry", "--select", token)
    assert run.code == 2 and len(run.stderr.splitlines()) == 1


def test_rule_prints_a_rules_documentation() -> None:
    one = run_cli("rule", "INS002")
    assert one.code == 0 and one.stdout.startswith("INS002 risky-op\n")
    assert "Default severity: error" in one.stdout and "Fix:" in one.stdout
    assert run_cli("rule", "risky-op").stdout == one.stdout
    every = run_cli("rule", "--all").stdout
    assert every.count("Default severity:") == len(RULES)
    assert run_cli("rule", "INS999").code == 2


def test_statistics_counts_findings_per_rule() -> None:
    run = run_cli("audit", RISKY.path, "--no-registry", "--statistics")
    assert run.code == 1
    *rows, total, verdict = run.stdout.splitlines()
    counted = {row.split()[1]: int(row.split()[0]) for row in rows}
    assert counted == dict(Counter(rule for rule, _ in EVERY.elements()))
    assert total == f"{sum(EVERY.values())} findings" and verdict.startswith("FAILED")
    assert run_cli("audit", RISKY.path, "--statistics", "--format", "json").code == 2


def test_exit_zero_reports_but_does_not_fail() -> None:
    run = run_cli("audit", RISKY.path, "--no-registry", "--exit-zero", "--format", "json")
    document = json.loads(run.stdout)
    # Issue 35: the page said `(exit 1)` and the JSON `"exit_code": 1`, then the process exited 0.
    assert run.code == 0 and document["verdict"] == "failed" and document["exit_code"] == 0
    assert document["result"]["exit_zero"] is True
    text = run_cli("audit", RISKY.path, "--no-registry", "--exit-zero")
    assert text.code == 0 and "(exit 0, forced by --exit-zero)" in text.stdout.splitlines()[0]


def test_a_baseline_written_before_the_schema_bump_still_reads(tmp_path: Path) -> None:
    """Schema 4 changed a report's verdict, not the baseline's fields: a schema-3 baseline is today's."""
    from inspector._internal.audit import read_baseline

    written = tmp_path / "baseline.json"
    run = run_cli("audit", RISKY.path, "--no-registry", "--write-baseline", written)
    assert run.code == 0
    document = json.loads(written.read_text())
    document["schema_version"] = 3
    written.write_text(json.dumps(document))
    assert len(read_baseline(written)) == sum(EVERY.values())
    document["schema_version"] = 2
    written.write_text(json.dumps(document))
    with pytest.raises(PolicyError, match="schema version 2"):
        read_baseline(written)
