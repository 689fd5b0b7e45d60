"""`inspector symbolicate`'s page: each line of the log with the names it holds, resolved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.render.pagemodel import (
    Block,
    Entries,
    Entry,
    Line,
    Span,
    Tone,
    dim,
    line,
    name,
)
from inspector._internal.render.words import listing, plural

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.symbolicate import Resolution, SymbolicateResult

from inspector._internal.render.pages.common import (
    Parts,
    note_paragraph,
    titled,
    user_trace,
)

#: Matches a name's resolution lists before counting the rest.
MATCHES_SHOWN = 10


def symbolicate_page(result: SymbolicateResult) -> Parts:
    found = result.names - result.unresolved
    tone = Tone.GOOD if not result.unresolved else Tone.WARN
    summary = line(Span(f"{found} of {plural(result.names, 'name')} found in the model", tone))
    sections = _symbolicate_sections(result)
    return titled("Symbolicated error", result.model.path), sections, sections, summary


def _symbolicate_sections(result: SymbolicateResult) -> list[Block]:
    if not result.lines:
        return [note_paragraph("The log names no node, function or op type.", Tone.WARN)]
    entries = []
    for log_line in result.lines:
        # A log's tabs are TensorFlow's indentation: spaces, so every writer lines them up alike.
        head = line(dim(f"{log_line.number:>4} │ "), name(log_line.text.expandtabs(4), Tone.STRONG))
        details: list[Line | Block] = []
        for resolution in log_line.resolutions:
            details += _resolution(resolution)
        entries.append(Entry(head, tuple(details)))
    return [Entries(tuple(entries))]


def _resolution(resolution: Resolution) -> list[Line | Block]:
    head = [dim(f"{resolution.kind} "), name(resolution.name, Tone.ACCENT)]
    if resolution.first_seen_line:
        return [(*head, dim(f"  (see line {resolution.first_seen_line})"))]
    tone = {"found": Tone.GOOD, "ambiguous": Tone.WARN, "not-found": Tone.BAD}[resolution.status.value]
    head.append(Span(f"  {resolution.status.value}", tone))
    if resolution.note:
        head += [dim(" ("), Span(resolution.note, Tone.DIM), dim(")")]
    matches: list[Entry] = []
    shown: set[int | None] = set()
    for match in resolution.matches[:MATCHES_SHOWN]:
        label = [name(match.op.op_type, Tone.STRONG), Span("  "), name(match.op.node_key)]
        if match.op.aliases:
            label += [dim("  alias "), name(listing(match.op.aliases))]
        key = match.trace.id if match.trace else None
        if key in shown:
            matches.append(Entry(tuple(label), (line(dim("(same creation stack as above)")),)))
            continue
        shown.add(key)
        matches.append(Entry(tuple(label), (user_trace(match.trace),)))
    out: list[Line | Block] = [tuple(head)]
    if matches:
        out.append(Entries(tuple(matches)))
    if len(resolution.matches) > MATCHES_SHOWN:
        out.append(line(dim(f"… {len(resolution.matches) - MATCHES_SHOWN} more")))
    return out
