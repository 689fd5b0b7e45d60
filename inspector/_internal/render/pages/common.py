"""What several commands' pages share: titles, notes, cut lists, and stacks of frames."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from inspector._internal.render.pagemodel import (
    MAX_ITEMS,
    Block,
    Code,
    Line,
    Paragraph,
    Section,
    Span,
    Tone,
    Tree,
    dim,
    line,
    more,
    name,
)
from inspector._internal.render.words import plural
from inspector._internal.view import Folded, Frame, Trace

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    pass


#: What a command's page is made of besides the verdict: its title, body, findings alone (--quiet), summary.
Parts = tuple[Line, list[Block], Iterable[Block], Line]


def note_paragraph(text: str, tone: Tone = Tone.DIM) -> Paragraph:
    return Paragraph(line(Span(text, tone)))


def titled(command: str, path: object) -> Line:
    return line(f"{command}: ", name(str(path)))


def section_of(title: str, *blocks: Block) -> Section:
    return Section(line(title), blocks)


def rest_line(total: int, noun: str) -> Line:
    return more(total - MAX_ITEMS, noun) if total > MAX_ITEMS else ()


def count_rest(tree: Tree, total: int, noun: str) -> None:
    """The last branch of a tree cut at MAX_ITEMS items."""
    if total > MAX_ITEMS:
        tree.add(more(total - MAX_ITEMS, noun))


def user_trace(trace: Trace | None) -> Block:
    """A creation stack, outermost first, user frames only; framework frames folded into counts."""
    if trace is None:
        return Code((line(dim("(no creation trace recorded)")),))
    site = trace.creation_site
    return Code(
        tuple(
            folded_line(item) if isinstance(item, Folded) else frame_line(item, is_site=item is site)
            for item in trace.user_view()
        )
    )


def folded_line(item: Folded) -> Line:
    return line(dim("  … "), Span(item.text, Tone.DIM, name=True))


def frame_line(frame: Frame, is_site: bool) -> Line:
    where = [
        Span("→ " if is_site else "  ", Tone.BAD),
        name(f"{frame.file}:{frame.line}", Tone.STRONG if is_site else Tone.PLAIN),
        dim(" in "),
        name(frame.function or "?", Tone.ACCENT),
    ]
    return tuple(where)


def code_line(frame: Frame) -> Line | None:
    return line(dim("      "), Span(frame.code.strip(), Tone.DIM, name=True)) if frame.code else None


def stack_block(frames: Iterable[Frame | Folded], site: Frame | None, shared: int = 0) -> Code:
    """A creation stack's lines; `shared` outer frames, said once above, are one folded line."""
    lines: list[Line] = (
        [line(dim(f"  … {plural(shared, 'outer frame')} shared by every stack (above)"))] if shared else []
    )
    for item in frames:
        if isinstance(item, Folded):
            lines.append(folded_line(item))
            continue
        lines.append(frame_line(item, is_site=item is site))
        code = code_line(item)
        if code:
            lines.append(code)
    return Code(tuple(lines))
