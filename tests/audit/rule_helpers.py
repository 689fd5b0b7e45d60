"""What the audit tests share: the fixtures most rules are tried on, and findings by rule and op."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import inspector
from fixtures import catalog
from inspector._internal.audit import Policy, audit

RISKY = catalog.get("risky_ops")
CUSTOM = catalog.get("custom_ops")
NO_REGISTRY = Policy(registry=False)


def audited(path: Path, policy: Policy = NO_REGISTRY, **kwargs: Any) -> inspector._internal.audit.AuditResult:
    """The audit of a model, with every rule having run: a crashed rule has no findings, and a test that
    checks for the absence of a finding would pass for the wrong reason."""
    result = audit(inspector.load(path), policy, **kwargs)
    assert not result.incomplete, [n.message for n in result.notices if n.is_error]
    return result


def findings_of(
    name: str, policy: Policy = NO_REGISTRY, **kwargs: Any
) -> list[inspector._internal.audit.Finding]:
    return list(audited(catalog.get(name).path, policy, **kwargs).findings)


def by_op(findings: list[Any], rule: str = "INS002") -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for finding in findings:
        if finding.rule_id == rule:
            grouped.setdefault(finding.location.op_type, []).append(finding)
    return grouped
