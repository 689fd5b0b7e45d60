"""`inspector diff`'s page: the changes by category, cosmetic renames apart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.render.pagemodel import (
    Block,
    Entries,
    Entry,
    KeyValues,
    Line,
    Paragraph,
    Section,
    Span,
    Tone,
    dim,
    line,
    name,
)
from inspector._internal.render.words import plural

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.diff import Change, DiffResult

from inspector._internal.render.pages.common import (
    Parts,
)

#: By ChangeKind's value: the diff's types are imported by its page only.
_CHANGE_MARK = {"added": ("+", Tone.GOOD), "removed": ("-", Tone.BAD), "changed": ("~", Tone.WARN)}


def diff_page(result: DiffResult, stat: bool) -> Parts:
    from inspector.results.diff import ChangeKind  # the diff's types, imported by its page only

    title = line("SavedModel diff: ", name(str(result.old_model.path)), " → ", name(str(result.model.path)))
    head = line(
        dim("diff "),
        name(str(result.old_model.path), Tone.BAD),
        dim(" → "),
        name(str(result.model.path), Tone.GOOD),
    )
    rows: list[tuple[str, Line]] = []
    for count in result.counts:
        if not count.total:
            rows.append((count.category.value, line(dim("no change"))))
            continue
        spans = []
        for kind, n in (
            (ChangeKind.ADDED, count.added),
            (ChangeKind.REMOVED, count.removed),
            (ChangeKind.CHANGED, count.changed),
        ):
            if n:
                mark, tone = _CHANGE_MARK[kind.value]
                spans.append(Span(f"{mark}{n} {kind.value}  ", tone))
        rows.append((count.category.value, tuple(spans)))
    sections: list[Block] = [Paragraph(head), KeyValues(tuple(rows))]
    cosmetic = set(map(id, result.cosmetic))
    if not stat:
        for category in result.categories:
            changes = [c for c in result.changes_in(category) if id(c) not in cosmetic]
            if changes:
                entries = Entries(tuple(Entry(_change_line(c)) for c in changes))
                sections.append(Section(line(category.value), (entries,)))
        if result.cosmetic:
            # After the real changes, and apart: they change nothing the model does (--strict-names counts them).
            entries = Entries(tuple(Entry(_change_line(c)) for c in result.cosmetic))
            title_line = line(f"cosmetic renames ({len(result.cosmetic)}): counters only, not counted")
            sections.append(Section(title_line, (entries,), Tone.DIM))
    quiet = (Paragraph(_change_line(c)) for c in result.material)
    verdict = "identical" if result.identical else plural(len(result.material), "change")
    if result.cosmetic:
        verdict += f" ({plural(len(result.cosmetic), 'cosmetic rename')})"
    return title, sections, quiet, line(Span(verdict, Tone.GOOD if result.identical else Tone.BAD))


def _change_line(change: Change) -> Line:
    from inspector._internal.render.changes import change_detail, change_subject, value_text
    from inspector.results.diff import ChangeKind

    mark, tone = _CHANGE_MARK[change.kind.value]
    parts = [Span(f"{mark} ", tone), name(change_subject(change), Tone.STRONG)]
    old, new = value_text(change.old), value_text(change.new)
    if change.kind is ChangeKind.CHANGED and (old or new):
        parts += [Span(": "), name(old or "(none)", Tone.BAD), Span(" → "), name(new or "(none)", Tone.GOOD)]
    elif new or old:
        parts += [Span(": "), name(new or old, tone)]
    detail = change_detail(change)
    if detail:
        parts += [dim("  ("), Span(detail, Tone.DIM), dim(")")]
    return tuple(parts)
