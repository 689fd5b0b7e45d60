"""Plain listings for the terminal and for pipes: an audit's findings counted per rule (`--statistics`,
as ruff's), a rule's documentation (`inspector rule`) and the policy in effect (`inspector config`). Text
only, every model string made visible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.render.safe import visible
from inspector._internal.render.words import headline, plural
from inspector.results.audit import AuditResult, RuleInfo

if TYPE_CHECKING:
    from pathlib import Path

    from inspector.results.policy import PolicyInEffect


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


def policy_settings(policy: PolicyInEffect, cwd: Path) -> str:
    """Where the policy was read from, then a line per key: its value in effect and where it came from."""
    if policy.file is None:
        source = f"none (no pyproject.toml at or above {cwd}): the defaults and the options given"
    elif policy.explicit:
        source = f"{policy.file} (--policy)"
    elif policy.table:
        source = f"{policy.file} ([tool.inspector.audit] of the nearest pyproject.toml)"
    else:
        source = f"none ({policy.file}, the nearest pyproject.toml, has no [tool.inspector.audit])"
    rows = [(s.key, visible(_setting_value(s.value)), visible(s.origin)) for s in policy.settings]
    widths = [max(len(row[i]) for row in [("key", "value", "from"), *rows]) for i in range(2)]
    lines = [
        f"{key:<{widths[0]}}  {value:<{widths[1]}}  {origin}".rstrip()
        for key, value, origin in [("key", "value", "from"), *rows]
    ]
    head = f"audit policy in effect here (what audit and scan use)\npolicy file: {visible(source)}\n\n"
    return head + "\n".join(lines) + "\n"


def _setting_value(value: str | float | bool | list[str] | None) -> str:
    if value is None:
        return "unchecked"  # no whitelist: namespaces are not checked, as TensorFlow leaves them
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return value
