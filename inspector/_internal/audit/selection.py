"""Which findings an audit reports: `select`, `extend-select` and `ignore`, as ruff chooses its rules.

A token is a rule's id or a prefix of it (`INS002`, `INS00`), a rule's name (`risky-op`), or a severity
(`note`, `warning`, `error`, `critical`: findings of exactly that severity). A finding is reported when
`select` (every finding, when it is empty) or `extend-select` matches it, and `ignore` does not. A rule that
no selected finding can come from does not run at all. A token that names nothing is an error: a typo
would otherwise hide every finding it meant to keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from inspector.results.audit import Finding, RuleInfo, Severity

SEVERITY_NAMES = tuple(severity.label for severity in Severity)


def unknown_tokens(tokens: Iterable[str], rules: Sequence[RuleInfo]) -> list[str]:
    """The tokens that name no rule and no severity."""
    return [token for token in tokens if not _names_something(token, rules)]


def _names_something(token: str, rules: Sequence[RuleInfo]) -> bool:
    return token.lower() in SEVERITY_NAMES or any(_names_rule(token, rule) for rule in rules)


def _names_rule(token: str, rule: RuleInfo) -> bool:
    return rule.id.startswith(token.upper()) or token.lower() == rule.name


def _matches(tokens: Iterable[str], rule: RuleInfo, severity: Severity) -> bool:
    return any(token.lower() == severity.label or _names_rule(token, rule) for token in tokens)


def reported(
    finding: Finding,
    rule: RuleInfo,
    select: Sequence[str],
    extend_select: Sequence[str],
    ignore: Sequence[str],
) -> bool:
    chosen = not select or _matches((*select, *extend_select), rule, finding.severity)
    return chosen and not _matches(ignore, rule, finding.severity)


def may_report(
    rule: RuleInfo, select: Sequence[str], extend_select: Sequence[str], ignore: Sequence[str]
) -> bool:
    """Whether any finding of `rule` could be reported: a rule named in `ignore` (not by a severity), or
    one that a `select` of rules alone leaves out, need not run."""
    if any(token.lower() not in SEVERITY_NAMES and _names_rule(token, rule) for token in ignore):
        return False
    if not select:
        return True
    tokens = (*select, *extend_select)
    return any(token.lower() in SEVERITY_NAMES or _names_rule(token, rule) for token in tokens)
