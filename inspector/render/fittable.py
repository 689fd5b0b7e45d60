"""Terminal tables laid out by inspector from their cells' text, in one pass: `FitTable` (columns under
headers, never breaking a name) and `KeyValues` (a key column beside wrapped values).

The columns are sized here, not by rich's Table: rich narrows a table that is too wide by shrinking its
widest columns, below the length of their longest word if need be, and folds names across lines. Here
each column is at least as wide as its longest word; when even that does not fit, each row becomes a
block instead. Laying the table out once from plain text also spares the repeated measuring of every
cell that makes rich's Table the slowest part of a page.

It draws what rich's `box.SIMPLE_HEAD` table draws: a blank line, the bold header row, a rule, the rows,
a blank line; columns padded by one space each side and divided by one.
"""

from __future__ import annotations

from collections.abc import Sequence

from inspector.render.terminal import Line, Text, cell_len, combine

#: One space of padding each side of a cell, one between columns, one at each edge (rich's SIMPLE_HEAD).
_PADDING = 2
_HEADER_STYLE = "bold"


class FitTable:
    """Rows of cells under headers. Cells wrap at spaces only: a column is never narrower than its
    longest word, so no name is ever folded or cut; a table whose narrowest form does not fit becomes
    one block per row (its first cell on a line of its own, then `Header: value` lines)."""

    def __init__(self) -> None:
        self.columns: list[_Column] = []
        self.rows: list[tuple[Text, ...]] = []

    def add_column(
        self,
        header: str,
        *,
        style: str = "",
        justify: str = "left",
        no_wrap: bool = False,
    ) -> None:
        """`justify` is "left" or "right"; a `no_wrap` column is never narrower than its longest line."""
        column = _Column(header, style, justify, no_wrap)
        self.columns.append(column)

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
        """Content widths that fit `available` columns of terminal, or None when even the narrowest
        form does not. The natural widths when they fit; else the widest columns give way first, each
        down to a common cap but never below its longest word (short columns keep their one line)."""
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

    def draw(self, width: int) -> list[Line]:
        widths = self._widths(width)
        if widths is None:
            return self._blocks(width)
        total = sum(widths) + self._overhead()
        blank: Line = [(" " * total, "")]
        header = tuple(Text(column.header, style=_HEADER_STYLE) for column in self.columns)
        lines = [blank, *self._row(header, widths, heading=True), [(" " + "─" * (total - 2) + " ", "")]]
        for row in self.rows:
            lines += self._row(row, widths, heading=False)
        lines.append(list(blank))
        return lines

    def _row(self, cells: Sequence[Text], widths: list[int], *, heading: bool) -> list[Line]:
        wrapped = []
        for index, width in enumerate(widths):
            cell = cells[index] if index < len(cells) else Text()
            wrapped.append([cell] if _fits(cell, width) else cell.wrap(width))
        lines = []
        for line_number in range(max(len(cell_lines) for cell_lines in wrapped)):
            line: Line = [(" ", "")]
            for index, (column, width) in enumerate(zip(self.columns, widths, strict=True)):
                cell_lines = wrapped[index]
                text = cell_lines[line_number] if line_number < len(cell_lines) else Text()
                gap = width - text.cell_len
                left, right = (gap, 0) if column.justify == "right" else (0, gap)
                line.append((" " * (left + 1), ""))
                style = "" if heading else column.style
                line += [(run, combine(style, run_style)) for run, run_style in text.runs()]
                line.append((" " * (right + 1) + " ", ""))
            lines.append(line)
        return lines

    def _blocks(self, width: int) -> list[Line]:
        """Each row as a block: its first cell bold on a line of its own, then `Header: value` with every
        further line of the value (a second input, a wrapped word) hanging under the value's first."""
        lines: list[Line] = []
        for row in self.rows:
            first, *rest = row
            lines += Text(style="bold").append_text(first).draw(width)
            for column, cell in zip(self.columns[1:], rest, strict=False):
                if not cell.plain.strip():
                    continue
                label = f"  {column.header}: "
                indent = cell_len(label)
                room = max(1, width - indent)
                for number, text in enumerate([cell] if _fits(cell, room) else cell.wrap(room)):
                    lead = (label, "dim") if number == 0 else (" " * indent, "")
                    lines.append([lead, *text.rstrip().runs()])
        return lines


class _Column:
    __slots__ = ("header", "justify", "no_wrap", "style")

    def __init__(self, header: str, style: str, justify: str, no_wrap: bool) -> None:
        self.header = header
        self.style = style
        self.justify = justify
        self.no_wrap = no_wrap


def _fits(cell: Text, width: int) -> bool:
    return "\n" not in cell.plain and cell.cell_len <= width


class KeyValues:
    """`Key  value` lines: the keys bold in a column as wide as the longest, each value wrapped at spaces
    beside its key (what rich's two-column grid drew)."""

    GAP = 2

    def __init__(self, rows: Sequence[tuple[str, Text]]) -> None:
        self.rows = rows

    def draw(self, width: int) -> list[Line]:
        keys = max((cell_len(key) for key, _ in self.rows), default=0)
        room = max(1, width - keys - self.GAP)
        lines = []
        for key, value in self.rows:
            wrapped = [value] if _fits(value, room) else value.wrap(room)
            for number, text in enumerate(wrapped or [Text()]):
                label = key if number == 0 else ""
                line: Line = [(label, _HEADER_STYLE)] if label else []
                line.append((" " * (keys - cell_len(label) + self.GAP), ""))
                line += text.rstrip().runs()  # no trailing blanks on a line of their own
                lines.append(line)
        return lines
