"""The Markdown writer: a command's page (`pages/`) for CI job summaries and pull-request comments,
as GitHub-flavoured Markdown (tables, nested lists, fenced code).

Every span is escaped (`safe.markdown`), or set as a code span when it names something; inside a table
cell a name is escaped text instead, since a `|` ends a cell even inside a code span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from inspector._internal.render import RenderOptions
from inspector._internal.render.pagemodel import (
    Block,
    Code,
    Entries,
    KeyValues,
    Line,
    Paragraph,
    Section,
    Source,
    Span,
    Table,
    Tone,
    Tree,
    numbered,
)
from inspector._internal.render.pages import page_of
from inspector._internal.render.safe import markdown as md
from inspector._internal.render.safe import visible

if TYPE_CHECKING:
    from inspector.results import CommandResult

#: Tones set in bold: what fails, and what the page stresses.
_BOLD = frozenset({Tone.STRONG, Tone.BAD, Tone.SEVERE})
_EDGES = re.compile(r"^(\s*)(.*?)(\s*)$", re.S)


def render(result: CommandResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    document = page_of(result, stat=options.stat, verbose=options.verbose, max_per_rule=options.max_per_rule)
    out = [f"# {inline(document.title)}", ""]
    if document.about:
        out += [inline(document.about), ""]
    out += [f"**{md(document.headline)}**", ""]
    out += write_all(document.blocks(options.quiet), level=2)
    if not options.quiet:
        out += [inline(document.summary), "", md(document.exit_meaning)]
    return "\n".join(out).rstrip() + "\n"


def _code(text: str) -> str:
    """Inside a code span nothing is interpreted, but a backtick would end it."""
    return visible(text).replace("`", "'")


def _span(span: Span, in_cell: bool) -> str:
    edges = _EDGES.match(span.text)
    assert edges is not None  # the pattern matches every string: each part may be empty
    lead, text, trail = edges.groups()
    if not text:
        return span.text
    shown = f"`{_code(text)}`" if span.name and not in_cell else md(text)
    if span.tone in _BOLD:
        shown = f"**{shown}**"
    return f"{lead}{shown}{trail}"


#: What would start a list, a quote or a heading at the head of a line (`+ w2` is a diff's added weight).
_BLOCK_START = re.compile(r"^([-+>#=]|\d+[.)])")


def inline(spans: Line, in_cell: bool = False) -> str:
    """A line's spans; spaces around it dropped (two after it are a hard break, four before it a code
    block), a leading block mark escaped."""
    written = "".join(_span(span, in_cell) for span in spans).strip()  # 4 leading spaces: a code block
    return _BLOCK_START.sub(r"\\\1", written)


def write(block: Block, level: int) -> list[str]:
    """A block's Markdown lines, ending with a blank line."""
    if isinstance(block, Paragraph):
        return [inline(block.text), ""]
    if isinstance(block, KeyValues):
        return [*(f"- **{md(key)}**: {inline(value)}" for key, value in block.rows), ""]
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Tree):
        return [*_tree(block), ""]
    if isinstance(block, Entries):
        return [*_entries(block), ""]
    if isinstance(block, Code | Source):
        return _fenced(_preformatted(block))
    if isinstance(block, Section):
        return [f"{'#' * level} {inline(block.title)}", "", *write_all(block.blocks, level + 1)]
    raise TypeError(f"no Markdown for {type(block).__name__}")


def write_all(blocks: Iterable[Block], level: int) -> list[str]:
    """Blocks in order; a stack and the source excerpts between its frames share one fenced block."""
    lines: list[str] = []
    run: list[str] = []
    for block in blocks:
        if isinstance(block, Code | Source):
            run += _preformatted(block)
            continue
        if run:
            lines += _fenced(run)
            run = []
        lines += write(block, level)
    return lines + (_fenced(run) if run else [])


def _preformatted(block: Code | Source) -> list[str]:
    if isinstance(block, Code):
        return ["".join(visible(span.text) for span in row) for row in block.lines]
    return [f"    {gutter}{visible(row)}" for gutter, row in numbered(block)]


def _table(block: Table) -> list[str]:
    """A GitHub table, or its `empty` sentence: a table of headers alone says nothing."""
    if not block.rows:
        return [md(block.empty), ""]
    header = "| " + " | ".join(md(c.header) for c in block.columns) + " |"
    rule = "|" + "|".join(" ---: " if c.align == "right" else " --- " for c in block.columns) + "|"
    rows = [
        "| " + " | ".join("<br>".join(inline(item, in_cell=True) for item in cell) for cell in row) + " |"
        for row in block.rows
    ]
    rest = [inline(block.rest), ""] if block.rest else []
    return [header, rule, *rows, "", *rest]


def _tree(root: Tree) -> Iterator[str]:
    """Nested list items, depth first without recursion (a call chain can be as deep as a model likes)."""
    yield inline(root.label)
    yield ""
    stack = [(child, 0) for child in reversed(root.children)]
    while stack:
        node, depth = stack.pop()
        yield f"{'  ' * depth}- {inline(node.label)}"
        stack.extend((child, depth + 1) for child in reversed(node.children))


def _entries(block: Entries) -> list[str]:
    lines = []
    for entry in block.entries:
        label = f"{inline(entry.label)} " if entry.label else ""
        lines.append(f"- {label}{inline(entry.head)}")
        for detail in entry.details:
            if isinstance(detail, Block):
                lines += ["", *(f"  {row}" if row else "" for row in write(detail, level=6))]
            else:
                lines.append(f"  - {inline(detail)}")
    return lines


def _fenced(rows: list[str]) -> list[str]:
    """A fenced block longer than any run of backticks in it, so no line can close it."""
    longest = max((len(run) for row in rows for run in re.findall("`+", row)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *rows, fence, ""]
