"""The terminal page's pieces, drawn by rich: styled text, groups, panels, indents and trees, written out
as text (with ANSI codes when colour is on) or as HTML with inline styles.

rich measures every cell (wide CJK characters, combining marks, emoji with modifiers), wraps, styles and
exports; inspector only chooses the pieces. Two choices are inspector's own and live here: a panel's title
sits at its left edge, and a tree deeper than the width allows says which levels it leaves out (rich would
draw them as nothing at all). The console never reads the environment (`COLUMNS`, `NO_COLOR`, `TERM`):
the caller has decided width and colour already. Nothing is read as markup or emoji codes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding as _RichPadding
from rich.panel import Panel as _RichPanel
from rich.text import Text
from rich.tree import Tree as _RichTree

if TYPE_CHECKING:
    from rich.table import Table as _RichTable

__all__ = ["Beside", "Drawable", "Group", "Padding", "Panel", "Text", "Tree", "console", "to_html", "to_text"]

#: Anything the page is made of: rich's renderables, and the tables of `fittable`.
Drawable = RenderableType


def Panel(body: Drawable, title: Text | str, border_style: str = "") -> _RichPanel:
    """A rounded box around `body`, its title in the top edge at the left."""
    return _RichPanel(body, title=title, title_align="left", border_style=border_style, box=box.ROUNDED)


def Beside(label: Drawable, body: Drawable) -> _RichTable:
    """`label` in a column of its own and `body` right of it: the body wraps beside the label, never back
    under it."""
    from rich.table import Table  # for a page of findings: the module costs a start 5 ms to import

    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(label, body)
    return grid


def Padding(body: Drawable, left: int) -> _RichPadding:
    """`body` indented by `left` cells."""
    return _RichPadding(body, (0, 0, 0, left), expand=False)


class Tree:
    """A label and the trees under it, drawn by rich's Tree. No level is narrower than `MIN_LABEL` cells:
    where the guides would leave less, a node's children are left out and the node says so."""

    MIN_LABEL = 24
    TOO_DEEP = "(deeper levels are left out: they do not fit this width)"
    _GUIDE = 4  # the cells each level's guide takes

    def __init__(self, label: Text | str, guide_style: str = "") -> None:
        self.label = label
        self.guide_style = guide_style
        self.children: list[Tree] = []

    def add(self, label: Text | str) -> Tree:
        child = Tree(label, self.guide_style)
        self.children.append(child)
        return child

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._cut_to(options.max_width)

    def _cut_to(self, width: int) -> _RichTree:
        """rich's tree of this one, levels that do not fit `width` replaced by a note (no recursion: a
        model's call chain can be as deep as it likes)."""
        root = _RichTree(self.label, guide_style=self.guide_style)
        stack: list[tuple[Tree, _RichTree, int]] = [(self, root, 0)]
        while stack:
            node, drawn, depth = stack.pop()
            if not node.children:
                continue
            if width - self._GUIDE * (depth + 1) < self.MIN_LABEL:
                drawn.label = Group(drawn.label, Text(self.TOO_DEEP, style="dim"))
                continue
            for child in node.children:
                stack.append((child, drawn.add(child.label), depth + 1))
        return root


def console(width: int, color: bool, file: io.StringIO, *, record: bool = False) -> Console:
    """A console that writes `width` cells wide to `file`, in colour if `color`, deciding nothing from
    the environment: every choice rich would read from it (COLUMNS, NO_COLOR, FORCE_COLOR, TERM, Jupyter)
    is made here, through its public arguments."""
    return Console(
        file=file,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="truecolor" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        record=record,
        legacy_windows=False,
        force_jupyter=False,
        force_interactive=False,
        soft_wrap=False,
    )


def to_text(renderables: Iterable[Drawable], width: int, color: bool) -> str:
    """The page as text, styled with ANSI codes if `color`."""
    buffer = io.StringIO()
    out = console(width, color, buffer)
    for renderable in renderables:
        out.print(renderable)
    if color:
        return buffer.getvalue()
    # rich pads an indented block's lines to the block's width; plain text (a pipe, a file, a golden)
    # carries no spaces that say nothing.
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def to_html(renderables: Iterable[Drawable], width: int) -> str:
    """The page in colour as HTML `<span>`s with inline styles; rich escapes what HTML would read."""
    out = console(width, True, io.StringIO(), record=True)
    for renderable in renderables:
        out.print(renderable)
    html: str = out.export_html(inline_styles=True, code_format="{code}")
    return html
