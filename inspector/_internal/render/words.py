"""The words every format shares: how a verdict, a count or an exit status is said.

The results hold facts as data; this and `changes` (a diff's changes) are the places that turn them
into phrases, so the terminal, Markdown and HTML say the same thing the same way. No facts are computed here: only wording.
Every string returned may hold model text: each format escapes it its own way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, assert_never

from inspector._internal.view import TOP_LEVEL
from inspector.results.common import Result, Verdict

if TYPE_CHECKING:
    from inspector.results import CommandResult
    from inspector.results.audit import AuditResult
    from inspector.results.diff import DiffResult
    from inspector.results.doctor import Diagnosis
    from inspector.results.report import Counts, Report
    from inspector.results.scrub import ScrubResult
    from inspector.results.symbolicate import SymbolicateResult
    from inspector.results.traces import TraceResult, WhereResult


def plural(count: int, word: str, many: str = "") -> str:
    """`1 finding`, `2 findings`; `many` for irregular plurals (`1 library`, `2 libraries`)."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many or (word + 'es' if word.endswith('s') else word + 's')}"


#: How many names a phrase lists before it counts the rest: a model can give a function thousands of
#: signatures or aliases, and a line of prose is no place for all of them (the JSON has every one).
LISTED_NAMES = 12


def listing(names: Iterable[str], limit: int = LISTED_NAMES) -> str:
    """`a, b, c`; past `limit` names, `a, b, … and 19,990 more`."""
    shown = list(names)
    if len(shown) <= limit:
        return ", ".join(shown)
    return f"{', '.join(shown[:limit])} … and {len(shown) - limit:,} more"


def contents(counts: Counts) -> tuple[str, ...]:
    """What a model holds, counted: `5 functions`, `36 nodes`, ... (the overview's Contents line)."""
    return tuple(
        plural(n, word)
        for n, word in (
            (counts.functions, "function"),
            (counts.nodes, "node"),
            (counts.op_types, "op type"),
            (counts.namespaces, "namespace"),
            (counts.signatures, "signature"),
            (counts.aliases, "alias"),
            (counts.variables, "variable"),
        )
    )


def function_label(function: str) -> str:
    return "(top-level graph)" if function in (TOP_LEVEL, "") else function


# --- verdicts -------------------------------------------------------------------------------------------


def headline(result: CommandResult) -> str:
    """The first line of every format: what was checked, what it concluded, and the exit status."""
    verdict = result.verdict
    forced = ", forced by --exit-zero" if result.exit_code != verdict.exit_code else ""
    return f"{verdict.value.upper()}: {_conclusion(result)} (exit {result.exit_code}{forced})"


def _conclusion(result: CommandResult) -> str:
    """Each command's phrase, told apart by `kind` (mypy narrows the result; a command without one is a
    type error at `assert_never`)."""
    if result.kind == "audit":
        return _audit(result)
    if result.kind == "report":
        return _report(result)
    if result.kind == "trace":
        return _trace(result)
    if result.kind == "where":
        return _where(result)
    if result.kind == "diff":
        return _diff(result)
    if result.kind == "doctor":
        return _doctor(result)
    if result.kind == "symbolicate":
        return _symbolicate(result)
    if result.kind == "scrub":
        return _scrub(result)
    assert_never(result)


def _audit(result: AuditResult) -> str:
    if result.verdict is Verdict.RECORDED:
        return f"{plural(len(result.findings), 'finding')} recorded in the baseline"
    if result.verdict is Verdict.INCOMPLETE:
        failed = ", ".join(result.failed_rules)
        return f"{plural(len(result.failed_rules), 'rule')} could not run ({failed}): findings may be missing"
    failing = [
        plural(count.findings, count.severity.label)
        for count in result.counts
        if count.severity >= result.fail_on
    ]
    held = ", ".join(failing) if failing else f"no finding at or above {result.fail_on.label}"
    said = (
        f"{held} (--fail-on {result.fail_on.label}) · {plural(len(result.findings), 'finding')} from "
        f"{plural(len(result.rules), 'rule')}"
    )
    return said + (f" · {result.baselined} baselined" if result.baselined else "")


def _report(result: Report) -> str:
    """The model in one line, each fact once: its name and size, its risky op types (the audit says
    whether they run), and what the namespace check found (nothing checked without --whitelist)."""
    model = result.model
    facts = [
        model.path.name or str(model.path),
        plural(model.function_count, "function"),
        plural(model.node_count, "node"),
    ]
    if result.risky_op_types:
        facts.append(f"risky op types {listing(result.risky_op_types)} → inspector audit")
    if result.whitelist is None:
        facts.append("namespaces not checked (--whitelist NS)")
    elif result.whitelist_violated:
        facts.insert(0, f"{plural(len(result.flagged_ops), 'op')} outside the namespace whitelist")
    else:
        facts.append("every namespaced op in the whitelist")
    return " · ".join(facts)


def _trace(result: TraceResult) -> str:
    if result.selector.is_empty:
        return f"{plural(len(result.sites), 'source line')} created the traced ops"
    return f"{plural(result.selected_ops, 'op')} selected, {result.traced_ops} with a creation trace"


def _where(result: WhereResult) -> str:
    line = f":{result.query.line}" if result.query.line is not None else ""
    return f"{plural(result.op_count, 'op')} created by {result.query.file}{line}"


def _diff(result: DiffResult) -> str:
    cosmetic = f"; {plural(len(result.cosmetic), 'cosmetic rename')}" if result.cosmetic else ""
    if result.identical:
        return f"no change in {plural(len(result.categories), 'category', 'categories')} compared{cosmetic}"
    changed = len({change.category for change in result.material})
    return (
        f"{plural(len(result.material), 'change')} in {plural(changed, 'category', 'categories')}{cosmetic}"
    )


def _doctor(result: Diagnosis) -> str:
    from inspector.results.doctor import LoadOutcome

    if result.load is not None and result.load.outcome is LoadOutcome.REFUSED:
        return f"not loaded: loading would run risky ops; {plural(len(result.blockers), 'blocker')}"
    if result.load is not None:
        load = result.load
        if load.outcome is LoadOutcome.LOADED:
            return f"the model loads; {plural(len(result.blockers), 'blocker')}"
        why = {
            LoadOutcome.TIMEOUT: f"still loading after {load.timeout:g} s",
            LoadOutcome.CRASHED: "the loading process crashed",
        }.get(load.outcome, load.error_type or "an error")
        return f"the model does not load ({why}); {plural(len(result.blockers), 'blocker')}"
    return f"{plural(len(result.blockers), 'blocker')}, {plural(len(result.warnings), 'warning')} found statically"


def _symbolicate(result: SymbolicateResult) -> str:
    if not result.names:
        return "the log names no node, function or op type"
    return (
        f"{result.names - result.unresolved} of {plural(result.names, 'name')} in the log found in the model"
    )


def _scrub(result: ScrubResult) -> str:
    if result.remaining:
        return f"a stripped prefix still occurs in {plural(len(result.remaining), 'file')} of the copy"
    return f"copy written and verified; {plural(result.rewritten, 'recorded path')} rewritten"


#: What each command's exit status means: the one table the pages, the `--help` epilogs and the README's
#: table say (a test holds the README to it). 3 (an internal error) and 141 (a closed pipe) are every
#: command's, said once in the README.
EXIT_MEANINGS = {
    "report": "0 reported (or every namespaced op is in --whitelist); 1 ops miss --whitelist; 2 bad input",
    "trace": "0 ops selected (or, without a selector, traced ops listed); 1 nothing matched; 2 bad input or no debug info",
    "where": "0 ops found; 1 none; 2 bad input or no debug info",
    "audit": "0 no finding at or above --fail-on; 1 findings at or above it, or a rule failed; 2 bad input",
    "scan": "the worst model's: 0 all ok; 1 findings at or above --fail-on; 2 a model unreadable, a rule that "
    "could not run, a model over --timeout or --max-memory, or bad input",
    "diff": "0 identical; 1 different (as git diff --exit-code says it); 2 bad input",
    "doctor": "0 the model loads (or, without --try-load, no blocker found); 1 a blocker; 2 bad input",
    "scrub": "0 written and verified; 1 a stripped prefix still occurs in a file of the copy; 2 bad input",
    "symbolicate": "0 every name found; 1 some not (or the log names none); 2 bad input",
    "sign": "0 audited, passed and signed; 1 the audit failed (nothing signed); 2 bad input",
    "verify": "0 the signature verifies, the record matches and both audits pass; 1 any mismatch or a "
    "failing verdict; 2 bad input",
}


def exit_meaning(result: Result) -> str:
    """What the exit status means for this command: the last line of every page."""
    return f"exit status: {EXIT_MEANINGS[result.kind]}"
