"""`inspector trace` and `inspector where`: ops and the source lines that created them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from inspector._internal.render.pagemodel import (
    MAX_ITEMS,
    Block,
    Code,
    Column,
    Entries,
    Entry,
    Line,
    Paragraph,
    Section,
    Source,
    Span,
    Table,
    Tone,
    cell,
    dim,
    line,
    name,
)
from inspector._internal.render.words import function_label, listing, plural
from inspector._internal.view import DebugInfoStatus, Folded, Frame

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.common import Coverage
    from inspector.results.traces import OpRef, Sources, TraceGroup, TraceResult, WhereResult

from inspector._internal.render.pages.common import (
    Parts,
    code_line,
    folded_line,
    frame_line,
    note_paragraph,
    rest_line,
    section_of,
    titled,
)


def op_line(op: OpRef) -> Line:
    parts = [name(op.op_type, Tone.STRONG), Span("  "), name(op.node_key)]
    if op.aliases:
        parts += [dim("  alias "), name(listing(op.aliases), Tone.ACCENT)]
    return tuple(parts)


def trace_page(result: TraceResult) -> Parts:
    quiet: Iterable[Block]  # made only if --quiet asks for them: 200k lines on a large model
    if result.selector.is_empty:
        quiet = (
            Paragraph(line(name(f"{site.file}:{site.line}"), dim(f"  {plural(site.op_count, 'op')}")))
            for site in result.sites
        )
    else:
        every = itertools.chain((op for group in result.groups for op in group.ops), result.untraced)
        quiet = (Paragraph(op_line(op)) for op in every)
    return titled("Op traces", result.model.path), _trace_sections(result), quiet, _coverage(result.coverage)


def _trace_sections(result: TraceResult) -> list[Block]:
    if result.selector.is_empty:
        return [section_of(f"Ops by creating source line ({len(result.sites)} lines)", _sites(result))]
    parts: list[Block] = []
    if not result.selected_ops:
        parts.append(note_paragraph("No op matches the selection.", Tone.WARN))
    for index, group in enumerate(result.groups, start=1):
        title = f"Trace {index} of {len(result.groups)} · {plural(len(group.ops), 'op')}"
        parts.append(Section(line(title), tuple(_trace_group(group, result))))
    if result.untraced:
        ops = tuple(Paragraph(op_line(op)) for op in result.untraced)
        parts.append(Section(line(f"Selected ops without a trace ({len(result.untraced)})"), ops, Tone.WARN))
    if result.sources.missing_files:
        missing = line(
            dim("Source not found here for: "),
            name(listing(result.sources.missing_files)),
            dim(" (map paths with --source-root OLD=NEW)"),
        )
        parts.append(Paragraph(missing))
    if result.sources.withheld_files:
        parts.append(_withheld(result.sources))
    return parts


def _withheld(sources: Sources) -> Paragraph:
    """Files a model names that were not read: said once, with where source is read from."""
    return Paragraph(
        line(
            dim("Source not read for files outside "),
            name(listing(sources.read_from) or "the working directory"),
            dim(" or not .py (a model's recorded paths are never read elsewhere; add --source-root): "),
            name(listing(sources.withheld_files)),
        )
    )


#: Ops a trace group lists before counting the rest.
GROUP_OPS = 20


def _trace_group(group: TraceGroup, result: TraceResult) -> Iterator[Block]:
    if group.label:
        yield Paragraph(line(dim("in "), name(group.label, Tone.EMPHASIS)))
    yield Entries(tuple(Entry(op_line(op)) for op in group.ops[:GROUP_OPS]))
    if len(group.ops) > GROUP_OPS:
        yield note_paragraph(f"… and {len(group.ops) - GROUP_OPS} more ops")
    yield note_paragraph("Created by (outermost call first):")
    site = group.trace.creation_site
    items: tuple[Frame | Folded, ...] = group.trace.frames if result.all_frames else group.trace.user_view()
    lines: list[Line] = []
    for item in items:
        if isinstance(item, Folded):
            lines.append(folded_line(item))
            continue
        lines.append(frame_line(item, is_site=item is site) if item.is_user else _framework_frame(item))
        context = result.sources.context_for(item)
        if context is not None and (item.is_user or result.all_frames):
            yield Code(tuple(lines))
            lines = []
            yield Source(context.first_line, context.lines, context.line)
        elif item.is_user and (code := code_line(item)):  # the line the stack recorded, when no file is read
            lines.append(code)
    if site is None:
        lines.append(line(dim("  (no user frame: every frame is a library's or Python's)")))
    if lines:
        yield Code(tuple(lines))


def _framework_frame(frame: Frame) -> Line:
    return line(
        dim("  "),
        Span(f"{frame.file}:{frame.line}", Tone.DIM, name=True),
        dim(" in "),
        Span(frame.function or "?", Tone.DIM, name=True),
    )


def _sites(result: TraceResult) -> Block:
    rows = []
    for site in result.sites:
        types = ", ".join(f"{op}×{count}" if count > 1 else op for op, count in site.op_types[:6])
        if len(site.op_types) > 6:
            types += f", … {len(site.op_types) - 6} more"
        rows.append(
            (
                cell(name(f"{site.file}:{site.line}")),
                cell(name(site.function or "?")),
                cell(str(site.op_count)),
                cell(name(types)),
            )
        )
    columns = (
        Column("Source line"),
        Column("In", Tone.ACCENT),
        Column("Ops", align="right"),
        Column("Op types"),
    )
    empty = "No traced ops (the model has no usable debug info)."
    return Table(columns, tuple(rows), empty=empty)


def _coverage(coverage: Coverage) -> Line:
    if coverage.debug_info is not DebugInfoStatus.PRESENT:
        return line(Span(f"Debug info {coverage.debug_info.value}: no op has a creation trace.", Tone.WARN))
    parts = [
        Span("Coverage: ", Tone.STRONG),
        Span(f"{coverage.traced_nodes}/{coverage.function_nodes} function nodes traced"),
    ]
    if coverage.untraced_nodes:
        parts.append(
            Span(f"; {coverage.untraced_nodes} without a trace (nodes TensorFlow added itself)", Tone.WARN)
        )
    if coverage.stale_keys:
        parts.append(
            Span(
                f"; {len(coverage.stale_keys)} debug-info keys name functions absent from the model "
                "(stale debug info from another save?)",
                Tone.WARN,
            )
        )
    return tuple(parts)


def where_page(result: WhereResult) -> Parts:
    # Made only if --quiet asks for them: a line matching every op of a large model lists 200k.
    quiet = (Paragraph(op_line(op)) for group in result.groups for hit in group.hits for op in hit.ops)
    summary = line(f"{plural(result.op_count, 'op')} in {plural(len(result.groups), 'function')}. ")
    query = result.query
    wanted = f"{query.file}:{query.line}" if query.line is not None else f"{query.file} (any line)"
    title = line("Ops created by ", name(wanted))
    return title, _where_sections(result, wanted), quiet, summary + _coverage(result.coverage)


def _where_sections(result: WhereResult, wanted: str) -> list[Block]:
    head = [dim("where "), name(wanted, Tone.STRONG)]
    if result.query.innermost:
        head.append(dim("  innermost user frame only"))
    parts: list[Block] = [Paragraph(tuple(head))]
    if result.files:
        parts.append(Paragraph(line(dim("matched recorded files: "), name(listing(result.files)))))
    if not result.groups:
        parts.append(note_paragraph("No op was created by that source.", Tone.WARN))
        if result.nearby:
            parts.append(note_paragraph("Nearest recorded lines of that file:"))
            nearby = (
                Entry(line(name(f"{n.file}:{n.line}"), dim(f"  {plural(n.op_count, 'op')}")))
                for n in result.nearby
            )
            parts.append(Entries(tuple(nearby)))
    for group in result.groups:
        body: list[Block] = []
        reach: list[Span] = []
        if group.aliases:
            reach += [dim("alias "), name(listing(group.aliases), Tone.ACCENT)]
        if group.signatures:
            reach += [dim("  reached by " if reach else "reached by "), name(listing(group.signatures))]
        if reach:
            body.append(Paragraph(tuple(reach)))
        # The first MAX_ITEMS of a group that may list 200k ops, and the count of the rest.
        pairs = itertools.islice(((hit, op) for hit in group.hits for op in hit.ops), MAX_ITEMS)
        rows = tuple(
            (
                cell(name(op.op_type)),
                cell(name(op.node_name)),
                cell(", ".join(map(str, hit.lines))),
                cell(name(f"{hit.site.file}:{hit.site.line}")) if hit.site else cell(dim("—")),
            )
            for hit, op in pairs
        )
        columns = (Column("Op type"), Column("Node"), Column("Lines on its stack"), Column("Created at"))
        body.append(Table(columns, rows, rest_line(group.op_count, "more op")))
        parts.append(Section(line("function ", name(function_label(group.function))), tuple(body)))
    return parts
