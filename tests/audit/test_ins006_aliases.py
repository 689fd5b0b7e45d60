"""INS006 alias: aliases naming absent functions, and required aliases."""

from __future__ import annotations

from rule_helpers import findings_of

from inspector._internal.audit import Policy, Severity


def test_aliases_partly_absent_are_a_note_and_required_aliases_an_error() -> None:
    found = [
        f for f in findings_of("module_aliases", Policy(registry=False, require_aliases=("serve", "missing")))
    ]
    aliases = [f for f in found if f.rule_id == "INS006"]
    assert {(f.severity, "double" in f.message) for f in aliases if "missing" not in f.message} == {
        (Severity.NOTE, True)
    }
    [required] = [f for f in aliases if "missing" in f.message]
    assert required.severity is Severity.ERROR and "'missing'" in required.message
