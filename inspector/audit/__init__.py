"""Pre-release audit of a SavedModel: static rules over every op, wherever it hides.

    from inspector.audit import Policy, audit
    result = audit(inspector.load("model/"), Policy(whitelist=("Acme",)))
    result.verdict, [f.message for f in result.findings], result.groups  # findings by rule

The audit never loads or runs the model. A rule that crashes becomes an error notice in the result
(shown in every format, and failing the run), never a silent "clean".
"""

from __future__ import annotations

from collections.abc import Iterable

from inspector.audit.context import AuditContext
from inspector.audit.policy import (
    Policy,
    PolicyError,
    baseline_document,
    find_pyproject,
    load_policy,
    read_baseline,
)
from inspector.audit.rules import Rule, rules
from inspector.audit.scope import build_scope
from inspector.audit.selection import SEVERITY_NAMES, may_report, reported, unknown_tokens
from inspector.results.audit import (
    AuditResult,
    Finding,
    Location,
    Notice,
    Reach,
    RuleInfo,
    Severity,
)
from inspector.results.common import ModelRef
from inspector.view import SavedModelView

__all__ = [
    "AuditResult",
    "Finding",
    "Location",
    "Notice",
    "Policy",
    "PolicyError",
    "Reach",
    "RuleInfo",
    "Severity",
    "audit",
    "baseline_document",
    "find_pyproject",
    "load_policy",
    "read_baseline",
    "run_rules",
]


def audit(view: SavedModelView, policy: Policy | None = None, baseline: Iterable[str] = ()) -> AuditResult:
    """Run every rule; findings whose fingerprint is in `baseline` are counted, not reported."""
    policy = policy or Policy()
    every_rule = rules()
    infos = [rule.INFO for rule in every_rule]
    for option, tokens in (
        ("select", policy.select),
        ("extend-select", policy.extend_select),
        ("ignore", policy.ignore),
    ):
        unknown = unknown_tokens(tokens, infos)
        if unknown:
            raise PolicyError(
                f"{option}: {', '.join(repr(t) for t in unknown)} names no rule and no severity (rules: "
                f"{infos[0].id} to {infos[-1].id}, or their names; severities: {', '.join(SEVERITY_NAMES)}); "
                "see `inspector rule --all`"
            )
    chosen = [
        rule
        for rule in every_rule
        if may_report(rule.INFO, policy.select, policy.extend_select, policy.ignore)
    ]
    by_id = {rule.INFO.id: rule.INFO for rule in chosen}
    found, notices = run_rules(view, policy, chosen)
    findings = [
        f for f in found if reported(f, by_id[f.rule_id], policy.select, policy.extend_select, policy.ignore)
    ]
    accepted = frozenset(baseline)
    kept = [finding for finding in findings if finding.fingerprint not in accepted]
    kept.sort(key=lambda f: (-f.severity, f.rule_id, f.location.function, f.location.node_key, f.message))
    return AuditResult(
        model=ModelRef.of(view),
        fail_on=policy.fail_on,
        whitelist=policy.whitelist,
        rules=tuple(rule.INFO for rule in chosen),
        findings=tuple(kept),
        baselined=len(findings) - len(kept),
        notices=tuple(notices),
    )


def run_rules(
    view: SavedModelView, policy: Policy, chosen: Iterable[Rule]
) -> tuple[list[Finding], list[Notice]]:
    """The findings (fingerprinted) and notices of some rules: the audit runs them all, the doctor the
    ones about loading. A rule that crashes is an error notice, never a silent "clean"."""
    context = AuditContext(view, build_scope(view), policy)
    findings: list[Finding] = []
    notices: list[Notice] = []
    for rule in chosen:
        try:
            for item in rule.check(context):
                if isinstance(item, Notice):
                    notices.append(item)
                else:
                    findings.append(item.with_fingerprint())
        except Exception as error:  # degrade, don't abort: the other rules' findings still count
            notices.append(
                Notice(
                    rule.INFO.id,
                    f"the rule failed ({type(error).__name__}: {error}); its findings are missing",
                    is_error=True,
                )
            )
    return findings, notices
