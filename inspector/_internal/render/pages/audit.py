"""`inspector audit`'s page: the glance, the findings (by rule; on HTML also as a filtered table) and the
rules explained."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from inspector._internal.render.pagemodel import (
    Block,
    Column,
    Entries,
    Entry,
    Line,
    Paragraph,
    Section,
    Span,
    Table,
    Tone,
    dim,
    line,
    name,
)
from inspector._internal.render.words import function_label, listing, plural
from inspector._internal.view import Frame
from inspector.results.common import Verdict

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.audit import AuditResult, Finding, RuleGroup

from inspector._internal.render.pages.common import (
    Parts,
    note_paragraph,
    stack_block,
    titled,
)

_SEVERITY_TONE = {"critical": Tone.SEVERE, "error": Tone.BAD, "warning": Tone.WARN, "note": Tone.ACCENT}


def audit_page(result: AuditResult, max_per_rule: int | None = None) -> Parts:
    """The page of an audit; each rule lists its first `max_per_rule` findings (None: all) and counts
    the rest, so a model with 40,000 findings of one rule reads as a page, written in time linear in
    what it shows (JSON and SARIF always hold every finding)."""
    parts: list[Block] = []
    groups = result.groups  # grouped once: every part of the page reads the same groups
    shared = _shared_outer_frames(result.findings)
    if shared:
        parts.append(note_paragraph("Every creation stack below starts with these frames (outermost first):"))
        parts.append(stack_block(shared, None))
    if groups:
        parts[:0] = [_at_a_glance(result, groups), _findings_table(result)]
    for group in groups:
        title = f"{group.rule.id} {group.rule.name} · {plural(len(group.findings), 'finding')}"
        tone = Tone.BAD if group.worst >= result.fail_on else Tone.WARN
        shown = group.findings if max_per_rule is None else group.findings[:max_per_rule]
        blocks: list[Block] = [Entries(tuple(_finding(f, len(shared)) for f in shown))]
        if len(shown) < len(group.findings):
            blocks.append(_more_findings(len(group.findings) - len(shown), group.rule.id))
        # Notes alone inform and fail nothing: where the page folds, they read by their title.
        parts.append(Section(line(title), tuple(blocks), tone, folded=group.worst.label == "note"))
    notices: list[Block] = [Paragraph(_notice_line(n.rule_id, n.message, n.is_error)) for n in result.notices]
    if groups:
        notices.append(_rules_explained(groups))
    quiet = _quiet_lines(result, max_per_rule)
    return titled("SavedModel audit", result.model.path), parts + notices, quiet, _audit_summary(result)


def _quiet_lines(result: AuditResult, max_per_rule: int | None) -> Iterator[Block]:
    """--quiet's page: a line per finding, most severe first (each rule's first `max_per_rule`, the
    rest counted after them), then the rules that could not run; made only when a writer asks for it."""
    listed: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for finding in result.findings:
        if max_per_rule is not None and listed.get(finding.rule_id, 0) >= max_per_rule:
            hidden[finding.rule_id] = hidden.get(finding.rule_id, 0) + 1
            continue
        listed[finding.rule_id] = listed.get(finding.rule_id, 0) + 1
        yield Paragraph(_finding_line(finding))
    for rule_id, count in hidden.items():
        yield _more_findings(count, rule_id)
    for notice in result.notices:
        if notice.is_error:
            yield Paragraph(_notice_line(notice.rule_id, notice.message, notice.is_error))


def _more_findings(hidden: int, rule_id: str) -> Paragraph:
    return Paragraph(
        line(
            dim(
                f"… {plural(hidden, f'more {rule_id} finding')} (--all lists them; --format json has them all)"
            )
        )
    )


def _at_a_glance(result: AuditResult, groups: tuple[RuleGroup, ...]) -> Section:
    """The findings counted by severity, then a row per rule (worst first): what the details below hold."""
    counts: list[Span] = []
    for counted in result.counts:
        if counts:
            counts.append(dim(" · "))
        counts.append(
            Span(plural(counted.findings, counted.severity.label), _SEVERITY_TONE[counted.severity.label])
        )
    rows = tuple(
        (
            (line(_severity(group.worst.label)),),
            (line(_rule_link(group.rule.id)),),
            (line(group.rule.name),),
            (line(str(len(group.findings))),),
            (line(group.rule.summary),),
        )
        for group in groups
    )
    columns = (
        Column("Worst", no_wrap=True),
        Column("Rule", no_wrap=True),
        Column("Name", no_wrap=True),
        Column("Findings", align="right"),
        Column("What it finds"),
    )
    explained = line(dim("inspector rule ID explains a rule: what it finds, why it matters, the fix"))
    return Section(
        line("At a glance"), (Paragraph(tuple(counts)), Table(columns, rows), Paragraph(explained))
    )


#: The rows the HTML findings table lists before counting the rest: enough for any release gate's page,
#: bounded for a model with tens of thousands of findings (the sections and --format json have them all).
FINDINGS_TABLE_ROWS = 1000


def _rule_link(rule_id: str) -> Span:
    """A rule's id, leading to its documentation on the page (HTML)."""
    return Span(rule_id, anchor=f"rule-{rule_id}")


def _findings_table(result: AuditResult) -> Section:
    """Every finding as a row, filtered by severity, rule and when it runs: the HTML page's index of the
    details (which the terminal and Markdown pages list by rule)."""
    shown = result.findings[:FINDINGS_TABLE_ROWS]
    rows = tuple(
        (
            (line(_severity(f.severity.label)),),
            (line(_rule_link(f.rule_id)),),
            (line(name(f.location.node_key or f.location.file or function_label(f.location.function))),),
            (line(f.location.reach.value if f.location.reach is not None else "—"),),
            (line(f.message),),
        )
        for f in shown
    )
    columns = (
        Column("Severity", no_wrap=True),
        Column("Rule", no_wrap=True),
        Column("Where"),
        Column("Runs", no_wrap=True),
        Column("Finding"),
    )
    hidden = len(result.findings) - len(shown)
    rest = line(
        dim(f"… {plural(hidden, 'more finding')}: the sections below and --format json have them all")
    )
    table = Table(columns, rows, rest=rest if hidden else (), filters=(0, 1, 3))
    return Section(line("Findings"), (table,), html_only=True)


def _rules_explained(groups: tuple[RuleGroup, ...]) -> Section:
    """What `inspector rule ID` prints, for each rule with findings: one click from its id."""
    explained = []
    for group in groups:
        rule = group.rule
        paragraphs = [p for p in rule.documentation.strip().split("\n\n") if p.strip()]
        blocks: list[Block] = [
            Paragraph(line(Span(rule.summary, Tone.STRONG))),
            Paragraph(line(dim("Default severity: "), rule.default_severity.label)),
            *(Paragraph(line(" ".join(p.split()))) for p in paragraphs),
        ]
        explained.append(Section(line(f"{rule.id} {rule.name}"), tuple(blocks), anchor=f"rule-{rule.id}"))
    return Section(line("The rules, explained"), tuple(explained), folded=True, html_only=True)


def _notice_line(rule_id: str, message: str, is_error: bool) -> Line:
    tone = Tone.BAD if is_error else Tone.DIM
    return line(Span(f"{rule_id}: ", tone), Span(message, tone))


def _severity(label: str) -> Span:
    return Span(label.upper(), _SEVERITY_TONE[label])


def _finding_line(finding: Finding) -> Line:
    """One line per finding (--quiet): severity, rule, what, and where."""
    parts = [_severity(finding.severity.label), Span(f" {finding.rule_id} "), Span(finding.message)]
    where = finding.location
    if where.node_key or where.file:
        parts += [Span("  "), Span(where.node_key or where.file, Tone.DIM, name=True)]
    return tuple(parts)


def _finding(finding: Finding, common: int = 0) -> Entry:
    """A finding; its stack without the `common` outer frames every stack of the page shares."""
    head = line(finding.message)
    where = finding.location
    details: list[Line | Block] = []
    located: list[Span] = []
    if where.node_key:
        located.append(name(where.node_key, Tone.STRONG))
    if where.function or where.node_key:
        located += [dim(" in " if located else "in "), name(function_label(where.function))]
    if where.file and not where.node_key:
        located += [dim("  " if located else ""), name(where.file)]
    if located:
        details.append(tuple(span for span in located if span.text))
    if where.reach is not None:
        reach = [dim("runs: "), Span(where.reach.value)]
        if where.reached_by:
            reach += [dim(" via "), name(listing(where.reached_by))]
        details.append(tuple(reach))
    if where.nesting:
        details.append(line(dim("inside the serialized graph of "), name(" → ".join(where.nesting))))
    if where.tags:
        details.append(line(dim("in the meta graph "), name(",".join(where.tags))))
    if where.stack:
        details.append(stack_block(where.stack[common:], where.stack[-1], shared=common))
    details.append(line(dim("fix: "), finding.fix))
    return Entry(head, tuple(details), label=line(_severity(finding.severity.label)))


def _shared_outer_frames(findings: Iterable[Finding]) -> tuple[Frame, ...]:
    """The outer frames every finding's stack starts with (a build script's), when two or more findings
    have stacks: said once, not once per finding. Each stack keeps at least its creation site."""
    stacks = [f.location.stack for f in findings if f.location.stack]
    if len(stacks) < 2:
        return ()
    shared = 0
    shortest = min(len(stack) for stack in stacks)
    while shared < shortest - 1 and all(stack[shared] == stacks[0][shared] for stack in stacks):
        shared += 1
    return stacks[0][:shared]


def _audit_summary(result: AuditResult) -> Line:
    counts = ", ".join(plural(c.findings, c.severity.label) for c in result.counts)
    parts = [Span(plural(len(result.findings), "finding") + (f" ({counts})" if counts else ""), Tone.STRONG)]
    if result.baselined:
        parts.append(dim(f"; {result.baselined} accepted by the baseline"))
    words = {
        Verdict.INCOMPLETE: f" — INCOMPLETE: {plural(len(result.failed_rules), 'rule')} failed",
        Verdict.FAILED: f" — FAILED (--fail-on {result.fail_on.label})",
        Verdict.PASSED: f" — passed (--fail-on {result.fail_on.label})",
        Verdict.RECORDED: " — recorded in the baseline",
    }
    parts.append(Span(words[result.verdict], Tone.GOOD if result.verdict.ok else Tone.BAD))
    return tuple(parts)
