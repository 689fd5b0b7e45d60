"""Plain listings for the terminal and for pipes: an audit's findings counted per rule (`--statistics`,
as ruff's) and a rule's documentation (`inspector rule`). Text only, every model string made visible."""

from __future__ import annotations

from inspector.render.safe import visible
from inspector.render.words import headline, plural
from inspector.results.audit import AuditResult, RuleInfo


def statistics(result: AuditResult) -> str:
    """A line per rule with findings, most severe rule first: count, id, name, worst severity; then the
    verdict."""
    rows = [
        f"{len(group.findings):>6}  {group.rule.id}  {group.rule.name:<22}  [{group.worst.label}]"
        for group in result.groups
    ]
    total = plural(len(result.findings), "finding")
    baselined = f"; {result.baselined} baselined" if result.baselined else ""
    return "\n".join([*rows, f"{total}{baselined}", visible(headline(result))]) + "\n"


def rule_documentation(rule: RuleInfo) -> str:
    """A rule's id and name, its summary and default severity, then its documentation."""
    title = f"{rule.id} {rule.name}"
    return (
        f"{title}\n{'=' * len(title)}\n\n{rule.summary}\n\nDefault severity: {rule.default_severity.label}\n\n"
        f"{rule.documentation.strip()}\n"
    )
