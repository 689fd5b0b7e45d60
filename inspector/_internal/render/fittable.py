"""The page's tables, in rich's look: `FitTable` (columns under headers, never breaking a name) and
`KeyValues` (a key column beside wrapped values, rich's grid).

One rule is inspector's: a column is never narrower than its longest word, so no name is folded across
lines. rich narrows a table that is too wide by shrinking its widest columns, below their longest word if
need be; here the widths are chosen first (the widest columns give way, none below its longest word).
When even the longest words do not fit, each row becomes a block. Once the widths are fixed, nothing is
left for rich's Table to decide but what it does per cell at ten times the cost of a line: rich's Text
wraps each cell, and the rows are written as the lines rich's Table draws (box.SIMPLE_HEAD), spans and
all. tests/test_terminal.py holds them equal to rich's Table, in colour, wrapped, in a panel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.text import Span, Text

if TYPE_CHECKING:
    from rich.table import Table

Justify = Literal["left", "right"]

#: One space of padding each side of a cell, one between columns, one at each edge (box.SIMPLE_HEAD).
_PADDING = 2


class FitTable:
    """Rows of cells under headers, wrapped at spaces only: a column is never narrower than its longest
    word; a table whose narrowest form does not fit becomes one block per row (its first cell on a line
    of its own, then `Header: value` lines, the value's later lines hanging under its first)."""

    def __init__(self) -> None:
        self.columns: list[_Column] = []
        self.rows: list[tuple[Text, ...]] = []

    def add_column(
        self, header: str, *, style: str = "", justify: Justify = "left", no_wrap: bool = False
    ) -> None:
        """A `no_wrap` column is never narrower than its longest line."""
        self.columns.append(_Column(header, style, justify, no_wrap))

    def add_row(self, *cells: Text | str) -> None:
        self.rows.append(tuple(cell if isinstance(cell, Text) else Text(cell) for cell in cells))

    # --- sizing -------------------------------------------------------------------------------------

    def _ranges(self) -> list[tuple[int, int]]:
        """Each column's narrowest width (its longest word) and natural width (its longest line)."""
        ranges = []
        for index, column in enumerate(self.columns):
            texts = [column.header, *(row[index].plain for row in self.rows if index < len(row))]
            lines = [line for text in texts for line in text.split("\n")]
            widest_word = max((cell_len(word) for line in lines for word in line.split()), default=0)
            widest_line = max((cell_len(line.rstrip()) for line in lines), default=0)
            natural = max(widest_line, widest_word, 1)
            ranges.append((natural if column.no_wrap else max(widest_word, 1), natural))
        return ranges

    def _overhead(self) -> int:
        return len(self.columns) * (_PADDING + 1) + 1  # padding, dividers and both edges

    def _widths(self, available: int) -> list[int] | None:
        """Content widths that fit `available` cells, or None when even the narrowest form does not. The
        natural widths when they fit; else the widest columns give way first, each down to a common cap
        but never below its longest word (short columns keep their one line)."""
        ranges = self._ranges()
        room = available - self._overhead()
        if sum(low for low, _ in ranges) > room:
            return None
        if sum(high for _, high in ranges) <= room:
            return [high for _, high in ranges]

        def capped(cap: int) -> list[int]:
            return [max(low, min(high, cap)) for low, high in ranges]

        # The largest cap that fits (a binary search: the total grows with the cap).
        low_cap, high_cap = 0, max(high for _, high in ranges)
        while low_cap < high_cap:
            middle = (low_cap + high_cap + 1) // 2
            if sum(capped(middle)) <= room:
                low_cap = middle
            else:
                high_cap = middle - 1
        widths = capped(low_cap)
        # The room the cap leaves goes a column at a time to those it holds back, widest first.
        spare = room - sum(widths)
        held = sorted(
            (i for i, (_, high) in enumerate(ranges) if widths[i] < high), key=lambda i: -ranges[i][1]
        )
        for index in held[:spare]:
            widths[index] += 1
        return widths

    # --- drawing ------------------------------------------------------------------------------------

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self._widths(options.max_width)
        if widths is None:
            yield from self._blocks(options.max_width)
            return
        for line in self._lines(console, widths):
            # Each line fits the width: rich's Text would wrap it to itself, at the cost of the line.
            yield from _segments(console, line)
            yield Segment.line()

    def _table(self, widths: list[int]) -> Table:
        """rich's table of these rows at these widths: what `_lines` writes (tests/test_terminal.py holds
        the two equal)."""
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD, header_style="bold", expand=False)
        for column, width in zip(self.columns, widths, strict=True):
            table.add_column(
                column.header, style=column.style, justify=column.justify, width=width, overflow="fold"
            )
        for row in self.rows:
            table.add_row(*row)
        return table

    def _lines(self, console: Console, widths: list[int]) -> list[Text]:
        """The table rich draws (box.SIMPLE_HEAD, a cell's padding in its column's style), line by line
        as Texts. rich's Text wraps each cell; the rest of a table rich does per cell, and per cell it costs
        ten times what a line does (a `where` of 40 functions' ops: 0.3 s of 0.35 s; ResNet50's variables,
        whose cells take two lines: 10 ms of a 20 ms page)."""
        edge = " " * (sum(widths) + self._overhead() - 2)
        headers = [Text(column.header) for column in self.columns]
        lines = [Text(f" {edge} ")]
        lines += self._row(console, headers, widths, header=True)
        lines.append(Text(" " + "─" * len(edge) + " "))
        for row in self.rows:
            lines += self._row(console, row, widths, header=False)
        lines.append(Text(f" {edge} "))
        return lines

    def _row(self, console: Console, cells: Sequence[Text], widths: list[int], *, header: bool) -> list[Text]:
        """A row's lines: each cell wrapped to its column, the shorter ones padded with blank lines below
        (a header's above: rich sets headers at the bottom of their row)."""
        wrapped = [
            _wrapped(console, cells[index] if index < len(cells) else _EMPTY, column.justify, width)
            for index, (column, width) in enumerate(zip(self.columns, widths, strict=True))
        ]
        height = max(len(lines) for lines in wrapped)
        if height == 1:
            return [self._line([lines[0] for lines in wrapped], widths, header=header)]
        drawn = []
        for number in range(height):
            pieces: list[Text | None] = []
            for lines in wrapped:
                index = number - (height - len(lines)) if header else number
                pieces.append(lines[index] if 0 <= index < len(lines) else None)
            drawn.append(self._line(pieces, widths, header=header))
        return drawn

    def _line(self, cells: Sequence[Text | None], widths: list[int], *, header: bool) -> Text:
        """One line of a row as rich draws it: each cell padded by a space in its column's style, filled to
        its width in its own style, its spans moved along; a cell with no line here (None) blank in its
        column's style. Written as one string and its spans (the spans in the order rich's appends would
        leave them, which decides how styles stack): Text.append per piece costs as much as the rest."""
        parts = [" "]
        spans: list[Span] = []
        offset = 1
        for column, width, cell in zip(self.columns, widths, cells, strict=True):
            style = "bold" if header else column.style
            if cell is None:  # rich fills it with one blank segment as wide as the padded cell
                if style:
                    spans.append(Span(offset, offset + width + 2, style))
                parts += (" " * (width + 2), " ")
                offset += width + 3
                continue
            text, fill = cell.plain, " " * (width - cell.cell_len)
            start = offset + 1
            end = start + len(text) + len(fill)  # spans count characters, not cells
            if style:
                spans += (Span(offset, start, style), Span(start, end, style))
            if cell.style:
                spans.append(Span(start, end, cell.style))
            right = column.justify == "right"
            spans += (span.move(start + len(fill) if right else start) for span in cell.spans)
            if style:
                spans.append(Span(end, end + 1, style))
            parts += (" ", fill + text if right else text + fill, "  ")
            offset = end + 2
        return Text("".join(parts), end="\n", no_wrap=True, spans=spans)

    def _blocks(self, width: int) -> list[Text | _Unpadded]:
        blocks: list[Text | _Unpadded] = []
        for row in self.rows:
            first, *rest = row
            blocks.append(Text.assemble(first, style="bold"))
            for column, cell in zip(self.columns[1:], rest, strict=False):
                if not cell.plain.strip():
                    continue
                key = Text(f"  {column.header}: ", style="dim")
                if "\n" not in cell.plain and cell_len(key.plain) + cell.cell_len <= width:
                    # One line that fits: the grid below would draw the same line, at a table's cost.
                    blocks.append(Text.assemble(key, cell))
                    continue
                from rich.table import Table  # only for a value too long for its line

                block = Table.grid()
                block.add_column(no_wrap=True)
                block.add_column(overflow="fold")
                block.add_row(key, cell)
                blocks.append(_Unpadded(block))
        return blocks


_EMPTY = Text("")


def _wrapped(console: Console, cell: Text, justify: Justify, width: int) -> Sequence[Text]:
    """A cell's lines in its column, wrapped by rich as its table would (at spaces, a word longer than the
    column folded)."""
    if "\n" not in cell.plain and cell.cell_len <= width:
        return (cell,)
    return list(cell.wrap(console, width, justify=justify, overflow="fold"))


class _Column:
    __slots__ = ("header", "justify", "no_wrap", "style")

    def __init__(self, header: str, style: str, justify: Justify, no_wrap: bool) -> None:
        self.header = header
        self.style = style
        self.justify = justify
        self.no_wrap = no_wrap


class KeyValues:
    """`Key  value` lines: the keys bold in a column as wide as the longest, each value wrapped beside its
    key. The lines of rich's two-column grid (`_grid`), written as its segments: tests/test_terminal.py holds
    the two equal. A page always has one of these, and rich's Table module costs a start 5 ms to import."""

    def __init__(self, rows: Sequence[tuple[str, Text]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # A key's control codes dropped, as rich's Text drops them.
        rows = [(Text(key).plain, value) for key, value in self.rows]
        key_width = max((cell_len(key) for key, _ in rows), default=0)
        value_width = options.max_width - key_width - _KEY_GAP
        if value_width < 1:  # no room beside the keys: rich's grid shares out what there is
            yield _Unpadded(self._grid())
            return
        bold = console.get_style("bold")
        gap, under_key = Segment(" " * _KEY_GAP, bold), Segment(" " * (key_width + _KEY_GAP), bold)
        for key, value in rows:
            for number, line in enumerate(_wrapped(console, value, "left", value_width)):
                head = (
                    [Segment(key + " " * (key_width - cell_len(key)), bold), gap]
                    if number == 0
                    else [under_key]
                )
                yield from _without_trailing_blanks([*head, *_segments(console, line)])
                yield Segment.line()

    def _grid(self) -> Table:
        from rich.table import Table

        grid = Table.grid(padding=(0, _KEY_GAP))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for key, value in self.rows:
            grid.add_row(key, value)
        return grid


#: The cells between a key and its value.
_KEY_GAP = 2


def _segments(console: Console, line: Text) -> Iterable[Segment]:
    """A line that fits its width, as the segments rich's Text yields when it draws itself: its own style a
    span under the others (`Text.render` alone would leave it out)."""
    return (Text("\n").join([line]) if line.style else line).render(console)


class _Unpadded:
    """A grid whose lines end at their last word: rich pads each cell to its column, and a line of the
    page outside a panel would end in blanks."""

    def __init__(self, grid: Table) -> None:
        self.grid = grid

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in console.render_lines(self.grid, options, pad=False):
            yield from _without_trailing_blanks(line)
            yield Segment.line()


def _without_trailing_blanks(line: list[Segment]) -> list[Segment]:
    while line and not line[-1].text.strip() and not (line[-1].style and line[-1].style.bgcolor):
        line = line[:-1]
    if line and line[-1].text.endswith(" "):
        last = line[-1]
        line = [*line[:-1], Segment(last.text.rstrip(" "), last.style, last.control)]
    return line
