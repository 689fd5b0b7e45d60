"""What the audit tests share: the fixtures most rules are tried on, and findings by rule and op."""

from __future__ import annotations

from typing import Any

import inspector
from fixtures import catalog
from inspector.audit import Policy, audit

RISKY = catalog.get("risky_ops")
CUSTOM = catalog.get("custom_ops")
NO_REGISTRY = Policy(registry=False)


def findings_of(name: str, policy: Policy = NO_REGISTRY, **kwargs: Any) -> list[inspector.audit.Finding]:
    return list(audit(inspector.load(catalog.get(name).path), policy, **kwargs).findings)


def by_op(findings: list[Any], rule: str = "INS002") -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for finding in findings:
        if finding.rule_id == rule:
            grouped.setdefault(finding.location.op_type, []).append(finding)
    return grouped
