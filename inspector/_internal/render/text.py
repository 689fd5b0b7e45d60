"""The terminal writer: a command's page (`pages/`) drawn by rich, the verdict first, sections in
panels, then the summary line and what the exit status means.

Every span goes through `safe.visible` on its way into a rich `Text`, which is drawn as it is (nothing is
read as markup); identifiers are never broken mid-name (a table too narrow for its names becomes a list,
one row per block).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.render import RenderOptions
from inspector._internal.render.fittable import FitTable, KeyValues
from inspector._internal.render.pagemodel import (
    Block,
    Code,
    Entries,
    Line,
    Page,
    Paragraph,
    Section,
    Source,
    Table,
    Tone,
    Tree,
    numbered,
)
from inspector._internal.render.pagemodel import KeyValues as PageKeyValues
from inspector._internal.render.pages import page_of
from inspector._internal.render.safe import visible
from inspector._internal.render.terminal import Beside, Drawable, Group, Padding, Panel, Text, to_text
from inspector._internal.render.terminal import Tree as DrawnTree

if TYPE_CHECKING:
    from inspector.results import CommandResult

#: Each tone's rich style.
STYLE = {
    Tone.PLAIN: "",
    Tone.STRONG: "bold",
    Tone.DIM: "dim",
    Tone.GOOD: "green",
    Tone.BAD: "red",
    Tone.SEVERE: "bold white on red",
    Tone.WARN: "yellow",
    Tone.ACCENT: "cyan",
    Tone.EMPHASIS: "magenta",
}
#: A section's border, by its tone.
_BORDER = {Tone.BAD: "red", Tone.WARN: "yellow", Tone.DIM: "dim"}
#: How far an entry's details and a stack's source excerpts sit right of their head.
INDENT = 4


def render(result: CommandResult, options: RenderOptions | None = None) -> str:
    chosen = options or RenderOptions()
    return to_text(page(result, chosen), chosen.width, chosen.color)


def text(spans: Line, tone: Tone = Tone.PLAIN) -> Text:
    """A line of spans as a rich Text, every span's characters made visible."""
    drawn = Text(style=STYLE[tone])
    for span in spans:
        drawn.append(visible(span.text), style=STYLE[span.tone])
    return drawn


def page(result: CommandResult, options: RenderOptions) -> list[Drawable]:
    """What the terminal shows of any result: the verdict, then the body (or with --quiet only the
    findings), then the summary line and the meaning of the exit status."""
    return drawables(
        page_of(result, stat=options.stat, verbose=options.verbose, max_per_rule=options.max_per_rule),
        options,
    )


def drawables(document: Page, options: RenderOptions) -> list[Drawable]:
    parts: list[Drawable] = [
        Text(visible(document.headline), style="bold green" if document.ok else "bold red")
    ]
    parts += (draw(block, options.color) for block in document.blocks(options.quiet))
    if not options.quiet:
        parts.append(text(document.summary))
        parts.append(Text(document.exit_meaning, style="dim"))
    return parts


def draw(block: Block, color: bool) -> Drawable:
    """One block of a page as rich renderables."""
    if isinstance(block, Paragraph):
        return text(block.text, block.tone)
    if isinstance(block, PageKeyValues):
        return KeyValues([(key, text(value)) for key, value in block.rows])
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Tree):
        return _tree(block)
    if isinstance(block, Entries):
        return _entries(block, color)
    if isinstance(block, Code):
        return Group(*(text(row) for row in block.lines))
    if isinstance(block, Source):
        return Padding(_source(block) if color else _plain_source(block), INDENT)
    if isinstance(block, Section):
        body = Group(*(draw(inner, color) for inner in block.blocks))
        return Panel(body, title=text(block.title, Tone.STRONG), border_style=_BORDER.get(block.tone, "blue"))
    raise TypeError(f"no terminal drawing for {type(block).__name__}")


def _table(block: Table) -> Drawable:
    if not block.rows:
        return Text(block.empty, style="dim")
    table = FitTable()
    for column in block.columns:
        table.add_column(
            column.header, style=STYLE[column.tone], justify=column.align, no_wrap=column.no_wrap
        )
    for row in block.rows:
        table.add_row(
            *(text(cell[0]) if len(cell) == 1 else Text("\n").join(map(text, cell)) for cell in row)
        )
    if not block.rest:
        return table
    # The count of the rows left out, under the table as Markdown and HTML have it: a line of its own,
    # not a cell that wraps in the first column.
    return Group(table, Padding(text(block.rest), 2))


def _tree(root: Tree) -> DrawnTree:
    """The page's tree as the terminal's (which cuts the levels the width cannot hold); no recursion."""
    drawn = DrawnTree(text(root.label), guide_style="dim")
    stack = [(root, drawn)]
    while stack:
        node, into = stack.pop()
        for child in node.children:
            stack.append((child, into.add(text(child.label))))
    return drawn


def _entries(block: Entries, color: bool) -> Drawable:
    parts: list[Drawable] = []
    for entry in block.entries:
        parts.append(Beside(text(entry.label), text(entry.head)) if entry.label else text(entry.head))
        for detail in entry.details:
            inner = draw(detail, color) if isinstance(detail, Block) else text(detail)
            parts.append(Padding(inner, INDENT))
        if entry.details and len(block.entries) > 1:
            parts.append(Text(""))
    return Group(*parts)


def _source(source: Source) -> Drawable:
    from rich.syntax import Syntax  # pulls in pygments: only when there is source to show

    code = "\n".join(visible(row) for row in source.lines)
    return Syntax(
        code,
        "python",
        line_numbers=True,
        start_line=source.first_line,
        highlight_lines={source.line},
        theme="ansi_dark",
        background_color="default",
        word_wrap=False,
    )


def _plain_source(source: Source) -> Text:
    """Source lines without highlighting, for output that is not a colour terminal (no pygments)."""
    drawn = Text(no_wrap=True, overflow="ellipsis")  # cut, as the highlighted excerpt is
    for index, (number, row) in enumerate(numbered(source)):
        if index:
            drawn.append("\n")
        drawn.append(number, style="dim")
        drawn.append(visible(row), style="bold" if number.startswith("❱") else "")
    return drawn
