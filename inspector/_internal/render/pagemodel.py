"""The page model: what a command's page says, in no format. Every result becomes one `Page`
(`render/pages.py`), and the terminal, Markdown and HTML writers each write that page out, so the three
say the same words; no writer decides what to say, only how to draw it.

A page is blocks: paragraphs, key-value lists, tables, trees, entries (a head line and its details),
preformatted code and source excerpts, grouped in sections. Text is spans of plain strings, each with a
tone (how it is emphasised) and whether it names something (a node, a function, a file): writers escape
every span, ours and the model's alike, so no model string can become markup in any of them. Long lists
are cut here, once, at `MAX_ITEMS`: every writer counts the same hidden rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from inspector.results.report import OpIndex


class Tone(StrEnum):
    """How a span is emphasised: the writers map each to a colour, a weight or nothing."""

    PLAIN = "plain"
    STRONG = "strong"
    DIM = "dim"
    GOOD = "good"
    BAD = "bad"
    SEVERE = "severe"  # the critical severity
    WARN = "warn"
    ACCENT = "accent"  # names that are keys: signatures, aliases, namespaces
    EMPHASIS = "emphasis"  # a group's label


#: Rows, items and branches any list shows before counting the rest (`--format json` has them all).
MAX_ITEMS = 40
MORE_HINT = "(--format json lists them all)"


class Span(NamedTuple):
    text: str
    tone: Tone = Tone.PLAIN
    name: bool = False  # a name from the model: Markdown and HTML set it as code
    # A section of this page the span leads to (`Section.anchor`): HTML links it, the others write the text.
    # Always inspector's own word (a rule id), never a model's string.
    anchor: str = ""


Line = tuple[Span, ...]
Part = Span | str


def line(*parts: Part) -> Line:
    """A line from spans and plain strings (a string is a plain span)."""
    return tuple(part if isinstance(part, Span) else Span(part) for part in parts if part)


def name(text: str, tone: Tone = Tone.PLAIN) -> Span:
    return Span(text, tone, name=True)


def dim(text: str) -> Span:
    return Span(text, Tone.DIM)


def plain_text(spans: Line) -> str:
    return "".join(span.text for span in spans)


def more(hidden: int, noun: str) -> Line:
    """The line after a list cut at MAX_ITEMS: `… 3 more aliases (--format json lists them all)`."""
    from inspector._internal.render.words import plural

    return line(dim(f"… {plural(hidden, noun)} {MORE_HINT}"))


class Paragraph(NamedTuple):
    text: Line
    tone: Tone = Tone.PLAIN  # the whole line's tone, under its spans'


class KeyValues(NamedTuple):
    rows: tuple[tuple[str, Line], ...]


class Column(NamedTuple):
    header: str
    tone: Tone = Tone.PLAIN
    align: Literal["left", "right"] = "left"
    no_wrap: bool = False


#: A table cell: its lines (a signature's inputs, one per line).
Cell = tuple[Line, ...]


class Table(NamedTuple):
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    rest: Line = ()  # the count of rows cut at MAX_ITEMS
    empty: str = "None."
    # What a page that carries the model's op index can list every row from ("op-types"), when rows
    # were cut: the HTML page offers them all, made from its data, not its markup.
    full: str = ""
    # Columns a reader can filter the rows by (their indexes): the HTML page offers a choice of each
    # column's values.
    filters: tuple[int, ...] = ()


def cell(*parts: Part) -> Cell:
    return (line(*parts),)


def cells(lines: Iterable[Line]) -> Cell:
    return tuple(lines)


@dataclass(slots=True)
class Tree:
    """A label and the trees under it. Mutable while a page is built (a call tree is made top-down,
    without recursion); writers walk it with a stack, since a model's call chain can be as deep as it
    likes."""

    label: Line
    children: list[Tree] = field(default_factory=list)

    def add(self, label: Line) -> Tree:
        child = Tree(label)
        self.children.append(child)
        return child


class Entry(NamedTuple):
    """A head line and the lines or blocks under it: a finding, a problem, a flagged op. A `label` (a
    finding's severity) stands before the head, which wraps beside it rather than under it."""

    head: Line
    details: tuple[Line | Block, ...] = ()
    label: Line = ()


class Entries(NamedTuple):
    entries: tuple[Entry, ...]


class Code(NamedTuple):
    """Preformatted lines (a creation stack, a log): drawn as they are, in a fixed-width font."""

    lines: tuple[Line, ...]


class Source(NamedTuple):
    """An excerpt of a Python file, `line` the one that matters."""

    first_line: int
    lines: tuple[str, ...]
    line: int


def numbered(source: Source) -> list[tuple[str, str]]:
    """Each line of an excerpt with its gutter, `❱` marking the line that matters: `❱ 12 │ `."""
    width = len(str(source.first_line + len(source.lines) - 1))
    return [
        (f"{'❱' if source.first_line + n == source.line else ' '} {source.first_line + n:>{width}} │ ", row)
        for n, row in enumerate(source.lines)
    ]


class Section(NamedTuple):
    title: Line
    blocks: tuple[Block, ...]
    tone: Tone = Tone.PLAIN  # BAD for what fails the command, WARN for what needs a look
    folded: bool = False  # where a reader can fold (HTML), it starts folded: read by its title
    anchor: str = ""  # what a span's `anchor` names to lead here (HTML: the section's id)
    # Drawn only where a reader can fold, filter and follow links (HTML): a table of every finding beside
    # the details, the rules' documentation. The terminal and Markdown pages have `inspector rule` instead.
    html_only: bool = False


#: What a page is made of. Spans and blocks are NamedTuples (cheap to define and to make; a page has thousands
#: of spans), so a block is told from a line (a plain tuple of spans) by `isinstance(x, Block)`, never by `tuple`.
Block = Paragraph | KeyValues | Table | Tree | Entries | Code | Source | Section


class Page(NamedTuple):
    """One command's page. `quiet` (the findings alone, for --quiet) is made only when asked for: on a
    large model it can be 200k lines."""

    title: Line  # what the page is about: the command and the model
    headline: str  # the verdict, what it rests on, the exit status
    ok: bool
    body: tuple[Block, ...]
    summary: Line
    exit_meaning: str
    quiet: Iterable[Block] = ()
    ops: OpIndex | None = None  # every op, for a page that can search them (HTML)
    # Beside the title (a document's header; the terminal shows neither): who wrote the model, its size.
    about: Line = ()

    def blocks(self, quiet: bool, html: bool = False) -> Iterator[Block]:
        if quiet:
            return iter(self.quiet)
        return (b for b in self.body if html or not (isinstance(b, Section) and b.html_only))
