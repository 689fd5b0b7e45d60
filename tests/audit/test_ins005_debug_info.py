"""INS005 debug-info: missing, corrupt, stale or sparse creation traces."""

from __future__ import annotations

from typing import Any

from rule_helpers import NO_REGISTRY, RISKY, findings_of

import inspector
from inspector.audit import Policy, Severity, audit


def test_missing_debug_info_is_a_warning(model_copy: Any) -> None:
    import shutil

    path = model_copy("module_aliases")
    shutil.rmtree(path / "debug")
    [finding] = [f for f in audit(inspector.load(path), NO_REGISTRY).findings if f.rule_id == "INS005"]
    assert finding.severity is Severity.WARNING and "no debug info" in finding.message


def test_low_trace_coverage_is_a_warning() -> None:
    policy = Policy(registry=False, min_trace_coverage=100.0)
    assert not [f for f in findings_of("module_aliases", policy) if f.rule_id == "INS005"]
    view = inspector.load(RISKY.path)
    covered = sum(1 for n in view.nodes.values() if n.function and n.trace_id is not None)
    total = sum(1 for n in view.nodes.values() if n.function)
    if covered < total:
        assert [f for f in findings_of("risky_ops", policy) if f.rule_id == "INS005"]
