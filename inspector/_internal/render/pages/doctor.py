"""`inspector doctor`'s page: the problems found statically, and the load's outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.render.pagemodel import (
    Block,
    Code,
    Entries,
    Entry,
    Line,
    Paragraph,
    Section,
    Span,
    Tone,
    dim,
    line,
    name,
)
from inspector._internal.render.words import function_label, listing

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.doctor import Diagnosis, LoadAttempt, Problem

from inspector._internal.render.pages.common import (
    Parts,
    titled,
)


def diagnosis_page(result: Diagnosis, verbose: bool) -> Parts:
    quiet: list[Block] = [Entries(tuple(_problem(p) for p in result.blockers))] if result.blockers else []
    if result.load is not None:
        quiet.insert(0, _load_block(result.load))
    title = titled("SavedModel doctor", result.model.path)
    return title, _diagnosis_sections(result, verbose), quiet, _diagnosis_summary(result)


def _diagnosis_summary(result: Diagnosis) -> Line:
    load = result.load
    if load is not None and load.outcome.value == "refused":
        return line(Span("not loaded: its load would run risky ops on this machine", Tone.BAD))
    if result.blocked:
        said = "the model does not load" if load else "blockers found: the model will not load as it is"
        return line(Span(said, Tone.BAD))
    said = "the model loads" if load else "no blocker found statically (--try-load to load it)"
    return line(Span(said, Tone.GOOD))


def _diagnosis_sections(result: Diagnosis, verbose: bool) -> list[Block]:
    parts: list[Block] = [Paragraph(line(dim("doctor "), name(str(result.model.path), Tone.STRONG)))]
    load = result.load
    if load is not None:
        parts.append(_load_block(load))
    if result.blockers:
        blockers = Entries(tuple(_problem(p) for p in result.blockers))
        parts.append(Section(line(f"Blockers ({len(result.blockers)})"), (blockers,), Tone.BAD))
    if result.warnings:
        warnings = Entries(tuple(_problem(p) for p in result.warnings))
        parts.append(Section(line(f"Warnings ({len(result.warnings)})"), (warnings,), Tone.WARN))
    for notice in result.notices:
        parts.append(Paragraph(line(dim("note: "), dim(notice))))
    if verbose and load is not None and load.log.strip():
        log = Code(tuple(line(dim(row)) for row in load.log.rstrip().splitlines()))
        parts.append(Section(line("Log of the loading process"), (log,), Tone.DIM))
    return parts


_OUTCOME_TONE = {"loaded": Tone.GOOD}


def _load_block(load: LoadAttempt) -> Block:
    outcome = load.outcome.value
    head = [Span("load attempt: ", Tone.STRONG), Span(outcome, _OUTCOME_TONE.get(outcome, Tone.BAD))]
    if outcome == "timeout":
        head.append(Span(f" after {load.timeout:g} s (killed)"))
    elif outcome == "refused":
        head.append(Span(" (nothing was loaded or run)"))
    else:
        head.append(Span(f" in {load.seconds:.2f} s"))
    details: list[Line | Block] = []
    if load.op_libraries:
        details.append(line(dim("op libraries: "), name(listing(load.op_libraries))))
    if load.imports:
        details.append(line(dim("imports: "), name(listing(load.imports))))
    if load.python:
        details.append(line(dim("python: "), name(load.python)))
    first = load.error_message.strip().splitlines()[0] if load.error_message.strip() else ""
    if first:
        details.append(line(Span(f"{load.error_type}: {first}" if load.error_type else first, Tone.BAD)))
    return Entries((Entry(tuple(head), tuple(details)),))


def _problem(problem: Problem) -> Entry:
    details: list[Line | Block] = []
    if problem.file:
        details.append(line(dim("file: "), name(problem.file)))
    if problem.functions:
        details.append(line(dim("in: "), name(listing(function_label(f) for f in problem.functions))))
    if problem.signatures:
        details.append(line(dim("reached by signatures: "), name(listing(problem.signatures))))
    if problem.aliases:
        details.append(line(dim("aliases: "), name(listing(problem.aliases))))
    for site in problem.sources:
        details.append(
            line(
                dim("created at "),
                name(f"{site.file}:{site.line}", Tone.STRONG),
                dim(" in "),
                name(site.function or "?"),
            )
        )
    details.append(line(dim("fix: "), Span(problem.fix, Tone.GOOD)))
    if problem.rule_id:
        # The audit's words for the same problem: a reader of both pages sees one finding, not two.
        severity = f" {problem.severity.label}" if problem.severity is not None else ""
        details.append(
            line(
                dim("rule: "),
                Span(f"{problem.rule_id}{severity}"),
                dim(f"; inspector rule {problem.rule_id} explains it"),
            )
        )
    return Entry(line(Span(f"{problem.kind.value}: ", Tone.STRONG), problem.message), tuple(details))
