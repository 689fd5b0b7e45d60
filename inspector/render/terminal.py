"""Styled text laid out for a terminal, by inspector: what the text and HTML pages are drawn with.

The pages are made of a few shapes: `Text` (runs of styled text, wrapped at spaces), `Group` (one after
another), `Panel` (a titled box), `Tree`, `Padding` (an indent) and the tables of `fittable`. Each draws
itself as lines of `(text, style)` runs at a given width; `to_text` writes the lines, with ANSI colour or
without, and `to_html` as a `<pre>` block.

They draw what rich's classes of the same names draw (inspector's pages were first drawn with rich, and
the tests hold the pages to it), without importing rich: rich's import and its general layout engine
were a third of a small report's time. rich draws only what inspector does not: Python source with
syntax colours (`RichDrawn`), imported when a page shows some.

A style is a string of words, as rich spells them: attributes (`bold`, `dim`, `italic`, `underline`), a
colour (a name, `bright_` name, `color(N)`, `#rrggbb`), `on` and a background colour. Two styles combine
by joining them: the later colour wins, attributes add up.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, Protocol

#: One run of text in one style ("" for none).
Run = tuple[str, str]
#: One line of a page, as runs.
Line = list[Run]


class Drawable(Protocol):
    def draw(self, width: int) -> list[Line]:
        """The lines this takes at `width` cells (none longer; shorter lines are not padded)."""
        ...


# --- cells ----------------------------------------------------------------------------------------------


def cell_len(text: str) -> int:
    """The terminal cells `text` takes: East Asian wide and full-width characters two, combining and
    zero-width ones none (controls never get here: `safe.visible` spelled them out)."""
    if text.isascii():
        return len(text)
    return sum(_char_cells(char) for char in text)


@cache
def _char_cells(char: str) -> int:
    if unicodedata.east_asian_width(char) in "WF":
        return 2
    return 0 if unicodedata.category(char) in ("Mn", "Me", "Cf") else 1


def _chop(text: str, width: int) -> list[str]:
    """`text` cut into pieces of at most `width` cells (a wide character is never split)."""
    if text.isascii():
        return [text[index : index + width] for index in range(0, len(text), width)]
    pieces: list[str] = []
    start = used = 0
    for index, char in enumerate(text):
        size = _char_cells(char)
        if used + size > width and index > start:
            pieces.append(text[start:index])
            start, used = index, 0
        used += size
    if used or start < len(text):
        pieces.append(text[start:])
    return pieces


def _crop(text: str, width: int) -> str:
    """The first `width` cells of `text` (a wide character that would straddle the edge is dropped)."""
    if text.isascii():
        return text[:width]
    used = 0
    for index, char in enumerate(text):
        used += _char_cells(char)
        if used > width:
            return text[:index]
    return text


# --- styled text ----------------------------------------------------------------------------------------


def combine(*styles: str) -> str:
    return " ".join(style for style in styles if style)


class Text:
    """Text with a base style and styled spans; `append` and `append_text` return it, for chaining.

    Every operation is linear in the text and its spans (a model can make a Text of a million runs: a
    signature's inputs), as rich's is: appends are collected and joined once."""

    __slots__ = ("_length", "_parts", "spans", "style")

    def __init__(self, text: str = "", style: str = "") -> None:
        self._parts = [text]
        self._length = len(text)
        self.style = style
        self.spans: list[tuple[int, int, str]] = []

    @property
    def plain(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0]

    def __str__(self) -> str:
        return self.plain

    def __repr__(self) -> str:
        return f"Text({self.plain!r}, style={self.style!r})"

    def __len__(self) -> int:
        return self._length

    def __bool__(self) -> bool:
        return self._length > 0

    @property
    def cell_len(self) -> int:
        return cell_len(self.plain)

    def append(self, text: str | Text, style: str = "") -> Text:
        if isinstance(text, Text):
            return self.append_text(text)
        if text:
            start = self._length
            self._parts.append(text)
            self._length += len(text)
            if style:
                self.spans.append((start, self._length, style))
        return self

    def append_text(self, text: Text) -> Text:
        start = self._length
        self._parts.append(text.plain)
        self._length += len(text)
        if text.style:
            self.spans.append((start, self._length, text.style))
        self.spans.extend((start + begin, start + end, style) for begin, end, style in text.spans)
        return self

    def copy(self) -> Text:
        twin = Text(self.plain, self.style)
        twin.spans = list(self.spans)
        return twin

    def runs(self) -> Line:
        """The text as runs: each stretch in the base style under the spans over it, in the order they
        were added (one sweep over the spans' ends)."""
        plain = self.plain
        if not self.spans:
            return [(plain, self.style)] if plain else []
        opening: dict[int, list[int]] = {}
        closing: dict[int, list[int]] = {}
        for index, (begin, end, _) in enumerate(self.spans):
            if begin < end:
                opening.setdefault(begin, []).append(index)
                closing.setdefault(end, []).append(index)
        edges = sorted({0, len(plain), *opening, *closing})
        active: dict[int, str] = {}
        runs: Line = []
        for left, right in itertools.pairwise(edges):
            for index in closing.get(left, ()):
                del active[index]
            for index in opening.get(left, ()):
                active[index] = self.spans[index][2]
            if right > left:
                runs.append((plain[left:right], combine(self.style, *(active[i] for i in sorted(active)))))
        return runs

    def wrap(self, width: int) -> list[Text]:
        """Each line wrapped at spaces to `width` cells; a word longer than a line is folded."""
        ranges = []
        position = 0
        for line in self.plain.split("\n"):
            edges = [0, *_breaks(line, width), len(line)]
            for left, right in itertools.pairwise(edges):
                excess = right - left - width
                if excess > 0:  # the spaces a line ends with, beyond its width, are dropped
                    trailing = right - left - len(line[left:right].rstrip())
                    right -= min(trailing, excess)
                ranges.append((position + left, position + right))
            position += len(line) + 1
        return [piece.crop(width) if piece.cell_len > width else piece for piece in self.divide(ranges)]

    def divide(self, ranges: Sequence[tuple[int, int]]) -> list[Text]:
        """The text of each (start, end), with its styles; the ranges in order, not overlapping."""
        plain = self.plain
        pieces = [Text(plain[start:end], self.style) for start, end in ranges]
        ends = [end for _, end in ranges]
        for begin, end, style in self.spans:
            index = bisect.bisect_right(ends, begin)  # the first range that ends after the span begins
            while index < len(ranges) and ranges[index][0] < end:
                start, stop = ranges[index]
                if begin < stop and end > start:
                    pieces[index].spans.append((max(begin, start) - start, min(end, stop) - start, style))
                index += 1
        return pieces

    def crop(self, width: int) -> Text:
        """The first `width` cells; a wide character cut in two leaves a space, in the styles it had."""
        kept = _crop(self.plain, width)
        size = len(kept) + width - cell_len(kept)
        piece = Text(kept.ljust(size), self.style)
        piece.spans = [(begin, min(end, size), style) for begin, end, style in self.spans if begin < size]
        return piece

    def rstrip(self) -> Text:
        """Without the spaces it ends with."""
        plain = self.plain
        return self.divide([(0, len(plain.rstrip()))])[0] if plain.endswith(" ") else self

    def draw(self, width: int) -> list[Line]:
        plain = self.plain
        # (A line of more characters than cells, such as one with accents, may still lose trailing spaces.)
        if "\n" not in plain and len(plain) <= width and cell_len(plain) <= width:
            return [self.runs()]
        return [piece.runs() for piece in self.wrap(width)]


_WORD = re.compile(r"\s*\S+\s*")


def _breaks(text: str, width: int) -> list[int]:
    """Where a line of text breaks to fit `width` cells: before a word that does not fit the rest of
    the line (its trailing spaces may hang over); a word longer than a whole line is folded."""
    breaks: list[int] = []
    used = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        size = cell_len(word.rstrip())
        if width - used >= size:
            used += cell_len(word)
        elif size > width:
            pieces = _chop(word, width)
            for number, piece in enumerate(pieces, start=1):
                if start:
                    breaks.append(start)
                if number == len(pieces):
                    used = cell_len(piece)
                else:
                    start += len(piece)
        elif used and start:
            breaks.append(start)
            used = cell_len(word)
    return breaks


def as_drawable(renderable: Drawable | str) -> Drawable:
    return Text(renderable) if isinstance(renderable, str) else renderable


def pad(lines: list[Line], width: int, style: str = "") -> list[Line]:
    """Each line filled with spaces to `width` cells."""
    for line in lines:
        used = sum(cell_len(text) for text, _ in line)
        if used < width:
            line.append((" " * (width - used), style))
    return lines


# --- shapes ---------------------------------------------------------------------------------------------


class Group:
    """Renderables one after another."""

    def __init__(self, *parts: Drawable | str) -> None:
        self.parts = parts

    def draw(self, width: int) -> list[Line]:
        return [line for part in self.parts for line in as_drawable(part).draw(width)]


class Padding:
    """A renderable indented by `left` cells (its lines filled to the width, as a block)."""

    def __init__(self, body: Drawable | str, left: int) -> None:
        self.body = body
        self.left = left

    def draw(self, width: int) -> list[Line]:
        inner = max(1, width - self.left)
        indent = (" " * self.left, "")
        return [[indent, *line] for line in pad(as_drawable(self.body).draw(inner), inner)]


class Panel:
    """A box with rounded corners around a renderable, its title in the top edge."""

    def __init__(self, body: Drawable | str, title: Text | str, border_style: str = "") -> None:
        self.body = body
        self.title = title if isinstance(title, Text) else Text(title)
        self.border_style = border_style

    def draw(self, width: int) -> list[Line]:
        border = self.border_style
        inner = width - 2
        content = max(1, inner - 2)  # a space each side
        lines: list[Line] = [self._top(width)]
        edge = ("│", border)
        for line in pad(as_drawable(self.body).draw(content), content):
            lines.append([edge, (" ", ""), *line, (" ", ""), edge])
        lines.append([("╰" + "─" * inner + "╯", border)])
        return lines

    def _top(self, width: int) -> Line:
        border = self.border_style
        if width <= 4 or not self.title:
            return [("╭" + "─" * (width - 2) + "╮", border)]
        title = Text(" ", self.title.style)
        title.append_text(Text(self.title.plain.replace("\n", " "))).append(" ")
        # Over the title's base style: the border's, the title's spans, and its base style again (as rich
        # stacks them: a title's own colour wins over the border's).
        whole = len(title.plain)
        shifted = [(begin + 1, end + 1, style) for begin, end, style in self.title.spans]
        title.spans = [(0, whole, border), *shifted, *([(0, whole, title.style)] if title.style else [])]
        room = width - 4
        if title.cell_len > room:
            title = title.crop(room)
        fill = room - title.cell_len
        return [("╭─", border), *title.runs(), ("─" * fill + "─╮", border)]


class Tree:
    """A label and the trees under it, joined by guide lines. Levels are never narrower than
    `MIN_LABEL` cells: where the guides would leave less, a node's children are left out and the node
    says so (rich drew those levels as nothing at all)."""

    _FORK, _END, _CONTINUE, _SPACE = "├── ", "└── ", "│   ", "    "
    MIN_LABEL = 24
    TOO_DEEP = "(deeper levels are left out: they do not fit this width)"

    def __init__(self, label: Text | str, guide_style: str = "") -> None:
        self.label = label
        self.guide_style = guide_style
        self.children: list[Tree] = []

    def add(self, label: Text | str) -> Tree:
        child = Tree(label, self.guide_style)
        self.children.append(child)
        return child

    def draw(self, width: int) -> list[Line]:
        lines: list[Line] = []
        # Depth first, without recursion: (node, the guides before it, whether it is its parent's last).
        stack: list[tuple[Tree, tuple[str, ...], bool]] = [(self, (), True)]
        while stack:
            node, guides, last = stack.pop()
            room = max(1, width - 4 * len(guides))
            label_lines = as_drawable(node.label).draw(room)
            cut = bool(node.children) and room - 4 < self.MIN_LABEL
            if cut:
                label_lines += Text(self.TOO_DEEP, "dim").draw(room)
            for number, line in enumerate(label_lines):
                if guides:
                    own = guides[-1] if number == 0 else (self._SPACE if last else self._CONTINUE)
                    line = [("".join(guides[:-1]) + own, self.guide_style), *line]
                lines.append(line)
            if node.children and not cut:
                above = (*guides[:-1], self._SPACE if last else self._CONTINUE) if guides else ()
                for index in reversed(range(len(node.children))):
                    final = index == len(node.children) - 1
                    stack.append((node.children[index], (*above, self._END if final else self._FORK), final))
        return lines


class RichDrawn:
    """A renderable of rich's, drawn by rich in colour (Python source with its syntax coloured): rich is
    imported only for a page that shows one."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def draw(self, width: int) -> list[Line]:
        from rich.console import Console

        console = Console(  # colour was asked for: NO_COLOR and TERM have had their say already
            width=width,
            color_system="truecolor",
            force_terminal=True,
            no_color=False,
            highlight=False,
            markup=False,
            emoji=False,
        )
        lines = console.render_lines(self.renderable, console.options, pad=False)
        return [
            [(segment.text, str(segment.style) if segment.style else "") for segment in line]
            for line in lines
        ]


# --- writing --------------------------------------------------------------------------------------------


def lines_of(renderables: Iterable[Drawable | str], width: int) -> Iterator[Line]:
    """The lines of each renderable in turn, none wider than `width` cells."""
    for renderable in renderables:
        for line in as_drawable(renderable).draw(width):
            yield _crop_line(line, width) if sum(cell_len(text) for text, _ in line) > width else line


def to_text(renderables: Iterable[Drawable | str], width: int, color: bool) -> str:
    """The lines, styled with ANSI codes if `color`."""
    out: list[str] = []
    for line in lines_of(renderables, width):
        if color:
            out.append("".join(_ansi(text, style) for text, style in line))
        else:
            out.append("".join(text for text, _ in line))
        out.append("\n")
    return "".join(out)


def _crop_line(line: Line, width: int) -> Line:
    cropped: Line = []
    for text, style in line:
        size = cell_len(text)
        if size > width:
            cropped.append((_crop(text, width), style))
            break
        cropped.append((text, style))
        width -= size
    return cropped


def _ansi(text: str, style: str) -> str:
    codes = _sgr(style) if style else ""
    return f"\x1b[{codes}m{text}\x1b[0m" if codes and text else text


_ATTRIBUTES = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "underline": "4",
    "blink": "5",
    "reverse": "7",
    "strike": "9",
}
_COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


@cache
def parse_style(style: str) -> tuple[tuple[str, ...], str | None, str | None]:
    """(attributes, foreground, background) of a style string; the later of two colours wins."""
    attributes: dict[str, bool] = {}
    foreground = background = None
    words = iter(style.split())
    for word in words:
        if word == "on":
            background = next(words, None)
        elif word == "not":
            attributes[next(words, "")] = False
        elif word in _ATTRIBUTES:
            attributes[word] = True
        elif word != "none":
            foreground = word
    chosen = tuple(name for name in _ATTRIBUTES if attributes.get(name))
    return (
        chosen,
        (None if foreground == "default" else foreground),
        (None if background == "default" else background),
    )


@cache
def _sgr(style: str) -> str:
    attributes, foreground, background = parse_style(style)
    codes = [_ATTRIBUTES[name] for name in attributes]
    if foreground:
        codes.append(_colour_code(foreground, 30))
    if background:
        codes.append(_colour_code(background, 40))
    return ";".join(code for code in codes if code)


def _colour_code(colour: str, base: int) -> str:
    number = _colour_number(colour)
    if isinstance(number, tuple):
        return f"{base + 8};2;{number[0]};{number[1]};{number[2]}"
    if number is None:
        return ""
    if number < 8:
        return str(base + number)
    if number < 16:
        return str(base + 60 + number - 8)
    return f"{base + 8};5;{number}"


def _colour_number(colour: str) -> int | tuple[int, int, int] | None:
    """A colour as a palette number (0-255) or an RGB triple; None for a name this does not know."""
    if colour in _COLOURS:
        return _COLOURS.index(colour)
    if colour.startswith("bright_") and colour[7:] in _COLOURS:
        return 8 + _COLOURS.index(colour[7:])
    if colour.startswith("color(") and colour.endswith(")") and colour[6:-1].isdigit():
        return min(255, int(colour[6:-1]))
    if re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
    return None


# --- HTML -----------------------------------------------------------------------------------------------

#: The 16 colours a terminal palette starts with (the common xterm values), for HTML.
_PALETTE = (
    (0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0), (0, 0, 128), (128, 0, 128), (0, 128, 128),
    (192, 192, 192), (128, 128, 128), (255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255),
    (255, 0, 255), (0, 255, 255), (255, 255, 255),
)  # fmt: skip


def _rgb(colour: str) -> str | None:
    number = _colour_number(colour)
    if number is None:
        return None
    if isinstance(number, tuple):
        red, green, blue = number
    elif number < 16:
        red, green, blue = _PALETTE[number]
    elif number < 232:  # the 6x6x6 cube
        steps = (0, 95, 135, 175, 215, 255)
        red, green, blue = steps[(number - 16) // 36], steps[(number - 16) // 6 % 6], steps[(number - 16) % 6]
    else:  # the greys
        red = green = blue = 8 + 10 * (number - 232)
    return f"#{red:02x}{green:02x}{blue:02x}"


@cache
def _css(style: str) -> str:
    attributes, foreground, background = parse_style(style)
    rules = []
    if foreground and (rgb := _rgb(foreground)):
        rules.append(f"color: {rgb}")
    if background and (rgb := _rgb(background)):
        rules.append(f"background-color: {rgb}")
    rules += [_CSS_ATTRIBUTES[name] for name in attributes if name in _CSS_ATTRIBUTES]
    return "; ".join(rules)


_CSS_ATTRIBUTES = {
    "bold": "font-weight: bold",
    "dim": "opacity: 0.6",
    "italic": "font-style: italic",
    "underline": "text-decoration: underline",
    "strike": "text-decoration: line-through",
}


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_html(renderables: Iterable[Drawable | str], width: int) -> str:
    """The lines as HTML text: every character escaped, each styled run a `<span>` with inline CSS."""
    out: list[str] = []
    for line in lines_of(renderables, width):
        for text, style in line:
            css = _css(style) if style else ""
            escaped = _escape_html(text)
            out.append(f'<span style="{css}">{escaped}</span>' if css and text else escaped)
        out.append("\n")
    return "".join(out)
