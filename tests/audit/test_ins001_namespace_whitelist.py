"""INS001 namespace-whitelist: namespaced ops outside the whitelist, with their traces."""

from __future__ import annotations

from pathlib import Path

from conftest import payload, run_cli
from rule_helpers import CUSTOM

from fixtures import catalog


def test_whitelist_flags_exactly_the_other_namespace_with_traces() -> None:
    result = run_cli("audit", CUSTOM.path, "--whitelist", "Acme", "--no-registry", "--format", "json")
    assert result.code == 1
    findings = [f for f in payload(result.stdout)["findings"] if f["rule_id"] == "INS001"]
    assert [f["location"]["op_type"] for f in findings] == ["Beta>Shift"]
    [finding] = findings
    site = finding["location"]["source"]
    assert (Path(site["file"]).name, site["line"]) == (
        "custom_ops.py",
        catalog.site_line(CUSTOM, "postprocess.shift"),
    )
    assert [Path(f["file"]).name for f in finding["location"]["stack"]][-1] == "custom_ops.py"


def test_no_whitelist_means_no_namespace_finding_and_says_so() -> None:
    result = run_cli("audit", CUSTOM.path, "--no-registry", "--format", "json")
    document = payload(result.stdout)
    assert not [f for f in document["findings"] if f["rule_id"] == "INS001"]
    # What fails it is INS002: a custom op is an op type nobody classified (default-deny), not a namespace.
    assert result.code == 1
    assert {(f["rule_id"], f["location"]["op_type"]) for f in document["findings"]} == {
        ("INS002", "Acme>Scale"),
        ("INS002", "Beta>Shift"),
    }
    assert [n["is_error"] for n in document["notices"] if n["rule_id"] == "INS001"] == [False]
