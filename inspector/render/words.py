"""The words every format shares: how a verdict, a diff change or a value is said.

The results hold facts as data; this is the one place that turns them into phrases, so the terminal,
Markdown and HTML say the same thing the same way. No facts are computed here: only wording.
Every string returned may hold model text: each format escapes it its own way.
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from inspector.results.common import Result, Verdict
from inspector.results.diff import Aspect, Change, SourceSite, TensorValue, Value
from inspector.view import TOP_LEVEL

if TYPE_CHECKING:
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


def headline(result: Result) -> str:
    """The first line of every format: what was checked, what it concluded, and the exit status."""
    verdict = result.verdict
    return f"{verdict.value.upper()}: {_conclusion(result)} (exit {verdict.exit_code})"


def _conclusion(result: Result) -> str:
    """Dispatched on the command (`kind`): a page imports only the result type it draws."""
    conclude = _CONCLUSIONS.get(result.kind)
    if conclude is None:
        raise TypeError(f"no headline for {type(result).__name__}")
    conclusion: str = conclude(result)
    return conclusion


def _audit(result: AuditResult) -> str:
    if result.verdict is Verdict.RECORDED:
        return f"{plural(len(result.findings), 'finding')} recorded in the baseline"
    if result.verdict is Verdict.INCOMPLETE:
        failed = ", ".join(result.failed_rules)
        return f"{plural(len(result.failed_rules), 'rule')} could not run ({failed}): findings may be missing"
    return (
        f"{plural(result.failing, 'finding')} at or above {result.fail_on.label} of "
        f"{plural(len(result.findings), 'finding')} from {plural(len(result.rules), 'rule')}"
    )


def _report(result: Report) -> str:
    if result.whitelist is None:
        return "report written; no --whitelist given, so namespaces were not checked"
    if result.whitelist_violated:
        return f"{plural(len(result.flagged_ops), 'op')} outside the namespace whitelist"
    return "every namespaced op is in the whitelist"


def _trace(result: TraceResult) -> str:
    if result.selector.is_empty:
        return f"{plural(len(result.sites), 'source line')} created the traced ops"
    return f"{plural(result.selected_ops, 'op')} selected, {result.traced_ops} with a creation trace"


def _where(result: WhereResult) -> str:
    line = f":{result.query.line}" if result.query.line is not None else ""
    return f"{plural(result.op_count, 'op')} created by {result.query.file}{line}"


def _diff(result: DiffResult) -> str:
    if result.identical:
        return f"no change in {plural(len(result.categories), 'category', 'categories')} compared"
    changed = sum(1 for count in result.counts if count.total)
    return f"{plural(len(result.changes), 'change')} in {plural(changed, 'category', 'categories')}"


def _doctor(result: Diagnosis) -> str:
    from inspector.results.doctor import LoadOutcome

    if result.load is not None:
        loads = "loads" if result.load.outcome is LoadOutcome.LOADED else "does not load"
        return f"the model {loads} ({result.load.outcome.value}); {plural(len(result.blockers), 'blocker')}"
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


_CONCLUSIONS: dict[str, Any] = {
    "audit": _audit,
    "report": _report,
    "trace": _trace,
    "where": _where,
    "diff": _diff,
    "doctor": _doctor,
    "symbolicate": _symbolicate,
    "scrub": _scrub,
}


def exit_meaning(result: Result) -> str:
    """What the exit status means for this command: the last line of the terminal output."""
    kind = result.kind
    meanings = {
        "audit": "0 no finding at or above --fail-on; 1 findings at or above it, or a rule failed; 2 bad input",
        "report": "0 report written; 1 --whitelist given and ops miss it; 2 bad input",
        "trace": "0 ops selected; 1 nothing matched; 2 bad input",
        "where": "0 ops found; 1 none; 2 bad input",
        "diff": "0 identical; 1 different; 2 bad input",
        "doctor": "0 loads (or no blocker found); 1 a blocker; 2 bad input",
        "symbolicate": "0 every name found; 1 some not (or none named); 2 bad input",
        "scrub": "0 written and verified; 1 a stripped prefix remains; 2 bad input",
    }
    return f"exit status: {meanings[kind]}"


# --- diff changes ---------------------------------------------------------------------------------------


def functions_label(change: Change) -> str:
    """The paired function a change is inside: one name when both sides share it, else `old → new`."""
    old, new = change.old_function, change.new_function
    if not old and not new:
        return "(top-level graph)"
    return new if old == new or not old else old if not new else f"{old} → {new}"


_SUBJECT_SUFFIX = {
    Aspect.SIGNATURE_METHOD: "method",
    Aspect.ALIAS_FUNCTIONS: "functions",
    Aspect.ALIAS_INPUT_SIGNATURES: "input signatures",
    Aspect.OP_COUNT: "count",
}

_FIXED_SUBJECT = {
    Aspect.TENSORFLOW_VERSION: "tensorflow_version",
    Aspect.PRODUCER: "producer",
    Aspect.MIN_CONSUMER: "min_consumer",
    Aspect.ALIAS_NAME: "alias name",
    Aspect.DEBUG_INFO: "debug info",
}

_IN_FUNCTION = frozenset({Aspect.OP_COUNT, Aspect.NODE, Aspect.ATTR, Aspect.SOURCE})


def change_subject(change: Change) -> str:
    """What changed, in words: `serving_default input x`, `__inference_f_12: MatMul count`."""
    aspect = change.aspect
    if aspect in _FIXED_SUBJECT:
        return _FIXED_SUBJECT[aspect]
    if aspect is Aspect.SIGNATURE_INPUT:
        return f"{change.name} input {change.attr}"
    if aspect is Aspect.SIGNATURE_OUTPUT:
        return f"{change.name} output {change.attr}"
    subject = change.name
    if aspect is Aspect.ATTR:
        subject = f"{change.name} {change.attr}"
    elif aspect is Aspect.NODE and change.old is not None and change.new is not None:
        subject = f"{change.name} op"
    elif aspect in _SUBJECT_SUFFIX:
        subject = f"{change.name} {_SUBJECT_SUFFIX[aspect]}"
    if aspect in _IN_FUNCTION:
        return f"{functions_label(change)}: {subject}"
    return subject


def change_detail(change: Change) -> str:
    """What else a change needs said: why it matters, how much of a tensor differs, where it moved."""
    if change.aspect is Aspect.ALIAS_NAME:
        return f"renamed; names {', '.join(change.functions)}"
    if (
        change.aspect is Aspect.SOURCE
        and isinstance(change.old, SourceSite)
        and isinstance(change.new, SourceSite)
    ):
        return f"now created at {_site_name(change.new)}, was {_site_name(change.old)}"
    if isinstance(change.old, TensorValue) and isinstance(change.new, TensorValue) and change.old.digest:
        was, now = tensor_spec(change.old), tensor_spec(change.new)
        if change.old.values is not None and change.new.values is not None:
            return was if was == now else f"{was} → {now}"
        if was != now:
            return f"shape {was} → {now}"
        if change.differing_elements is not None:
            return f"{was}: {change.differing_elements} of {change.old.elements} elements differ"
        return f"{was}: values differ"
    return change.reason


def _site_name(site: SourceSite) -> str:
    return f"{PurePath(site.file).name}:{site.line}"


def tensor_spec(value: TensorValue) -> str:
    """`float32[2, 3]`, `float32[None, 3]` (a dimension of unknown size), `float32 scalar`, `float32[?]`."""
    if value.shape is None:
        return f"{value.dtype}[?]"
    if not value.shape:
        return f"{value.dtype} scalar"
    return f"{value.dtype}[{', '.join('None' if d is None else str(d) for d in value.shape)}]"


def value_text(value: Value | None) -> str:
    """A changed value as text: counts and names as they are, tensors by spec or values, sites as file:line."""
    match value:
        case None:
            return ""
        case bool() | int():
            return str(value)
        case str():
            return value
        case SourceSite():
            return f"{value.file}:{value.line}"
        case TensorValue():
            return _tensor_text(value)
        case tuple():
            if all(isinstance(item, TensorValue) for item in value):
                counts = Counter(tensor_spec(item) for item in value if isinstance(item, TensorValue))
                return "; ".join(spec if n == 1 else f"{n} × {spec}" for spec, n in sorted(counts.items()))
            return ", ".join(str(item) for item in value)
    raise TypeError(f"no text for {type(value).__name__}")


def _tensor_text(value: TensorValue) -> str:
    if value.values is not None:
        shown = [repr(v) if isinstance(v, str) else str(v) for v in value.values]
        return shown[0] if value.shape == () else "[" + ", ".join(shown) + "]"
    if value.digest:
        return f"{tensor_spec(value)} (sha256 {value.digest[:12]})"
    return tensor_spec(value)  # a spec only: a signature's tensor, a variable
