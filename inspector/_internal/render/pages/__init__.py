"""Each command's page, in the page model: what the terminal, Markdown and HTML all say.

`page_of(result)` is the one place a result becomes words and layout, one module per command beside the
result it draws (`pages/audit.py` draws `results/audit.py`); the writers (`text.py`, `markdown.py`,
`html.py`) only draw it. Every page starts with the verdict's headline and ends with a summary line and
what the exit status means; `--quiet` keeps the findings alone. Lists stop at `MAX_ITEMS` and count the
rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_never

from inspector._internal.render.pagemodel import Line, Page, dim, line, name
from inspector._internal.render.pages.common import Parts
from inspector._internal.render.words import exit_meaning, headline, plural

if TYPE_CHECKING:
    from inspector.results import CommandResult


def page_of(
    result: CommandResult, *, stat: bool = False, verbose: bool = False, max_per_rule: int | None = None
) -> Page:
    """`result` as a page. `stat` (diff), `verbose` (doctor) and `max_per_rule` (audit: the findings
    each rule lists, None for all) choose what the page shows."""
    title, body, quiet, summary = _parts(result, stat, verbose, max_per_rule)
    return Page(
        title=title,
        headline=headline(result),
        ok=result.verdict.ok,
        body=tuple(body),
        summary=summary,
        exit_meaning=exit_meaning(result),
        quiet=quiet,
        ops=result.op_index if result.kind == "report" else None,
        about=_about(result),
    )


def _parts(result: CommandResult, stat: bool, verbose: bool, max_per_rule: int | None) -> Parts:
    """Each command's page, told apart by its `kind` (mypy narrows the result to its type, and a command
    without a page is a type error at `assert_never`); only that command's page module is imported."""
    if result.kind == "report":
        from inspector._internal.render.pages.report import report_page

        return report_page(result)
    if result.kind == "trace":
        from inspector._internal.render.pages.traces import trace_page

        return trace_page(result)
    if result.kind == "where":
        from inspector._internal.render.pages.traces import where_page

        return where_page(result)
    if result.kind == "audit":
        from inspector._internal.render.pages.audit import audit_page

        return audit_page(result, max_per_rule)
    if result.kind == "diff":
        from inspector._internal.render.pages.diff import diff_page

        return diff_page(result, stat)
    if result.kind == "doctor":
        from inspector._internal.render.pages.doctor import diagnosis_page

        return diagnosis_page(result, verbose)
    if result.kind == "symbolicate":
        from inspector._internal.render.pages.symbolicate import symbolicate_page

        return symbolicate_page(result)
    if result.kind == "scrub":
        from inspector._internal.render.pages.scrub import scrub_page

        return scrub_page(result)
    assert_never(result)


def _about(result: CommandResult) -> Line:
    """The TensorFlow that wrote the model, its size and tags; a diff's old → new where they differ."""
    old = result.old_model if result.kind == "diff" else None
    new = result.model
    pairs = [
        (m.tensorflow_version, m.function_count, m.node_count, " | ".join(m.meta_graphs) or ",".join(m.tags))
        for m in (old, new)
        if m
    ]
    if not any(version or nodes for version, _, nodes, _ in pairs):
        return ()  # the model could not be read (doctor on a broken file)

    def said(values: list[str]) -> str:
        return values[0] if len(set(values)) == 1 else " → ".join(values)

    def counted(counts: list[int], noun: str) -> str:
        if len(set(counts)) == 1:
            return plural(counts[0], noun)
        return " → ".join(f"{count:,}" for count in counts) + f" {noun}s"

    versions = said([version or "unknown" for version, *_ in pairs])
    size = f" · {counted([p[1] for p in pairs], 'function')} · {counted([p[2] for p in pairs], 'node')}"
    tags = said([t or "no tags" for *_, t in pairs])
    which = " · meta graphs " if new.meta_graphs else " · tags "
    return line(dim("written by TensorFlow "), name(versions), dim(size + which), name(tags))
