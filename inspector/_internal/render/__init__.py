"""Renderers: one module per format, each with one entry point, `render(result, options)`; `render` here
picks the format's module with a `match` mypy proves exhaustive, and each format tells the commands'
results apart by their `kind` (so a format never imports every result type).

Renderers never compute facts: the verdict, counts and groupings are in the result they are given.
Adding a format is one module, its case below (mypy fails until it is there), and its tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, assert_never

from inspector.results.common import KINDS, Kind

if TYPE_CHECKING:
    from inspector.results import CommandResult


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"  # a standalone page (and the notebook display)
    SARIF = "sarif"  # audit only: code-scanning alerts
    CONCISE = "concise"  # audit, trace, doctor: one `file:line:col: CODE` line per item
    GITHUB = "github"  # audit, trace, doctor: GitHub Actions workflow commands (annotations)


class RenderOptions(NamedTuple):
    """How to draw, never what to say. `stat` (diff) and `verbose` (doctor) choose what to show."""

    color: bool = False
    width: int = 100
    quiet: bool = False  # the verdict and the findings only
    stat: bool = False  # diff: counts per category only
    verbose: bool = False  # doctor: include the loading process's own log
    source_root: Path | None = None  # SARIF: locations relative to this checkout
    max_results: int = 5000  # SARIF: results past this many (the mildest) are left out, and the log says so
    # The page (text, Markdown, HTML): the findings each audit rule lists before counting the rest; None
    # lists them all. JSON and SARIF hold every finding whatever it says.
    max_per_rule: int | None = 20


#: The formats that write some commands only, and those commands; every other format writes every command.
#: The commands whose results are located items, a line each (render/located.py).
LOCATED: tuple[Kind, ...] = ("audit", "trace", "doctor")
PARTIAL: Mapping[OutputFormat, tuple[Kind, ...]] = {
    OutputFormat.SARIF: ("audit",),
    OutputFormat.CONCISE: LOCATED,
    OutputFormat.GITHUB: LOCATED,
}


def formats_for(kind: Kind) -> tuple[OutputFormat, ...]:
    """The formats a command can write."""
    return tuple(fmt for fmt in OutputFormat if kind in PARTIAL.get(fmt, KINDS))


def render(result: CommandResult, fmt: OutputFormat, options: RenderOptions | None = None) -> str:
    """The one entry point: `result` in `fmt`. Each format's module is imported when it is asked for
    (`inspector report --format json` never pays for the terminal's layout); a format without a case, or a
    format handed a result it cannot write, is a type error (`assert_never`, the narrowed kinds)."""
    chosen = options or RenderOptions()
    match fmt:
        case OutputFormat.TEXT:
            from inspector._internal.render import text

            return text.render(result, chosen)
        case OutputFormat.JSON:
            from inspector._internal.render import jsonfmt

            return jsonfmt.render(result, chosen)
        case OutputFormat.MARKDOWN:
            from inspector._internal.render import markdown

            return markdown.render(result, chosen)
        case OutputFormat.HTML:
            from inspector._internal.render import html

            return html.render_page(result, chosen)
        case OutputFormat.SARIF:
            if result.kind == "audit":
                from inspector._internal.render import sarif

                return sarif.render_audit(result, chosen)
        case OutputFormat.CONCISE:
            if result.kind == "audit" or result.kind == "trace" or result.kind == "doctor":
                from inspector._internal.render import concise

                return concise.render(result, chosen)
        case OutputFormat.GITHUB:
            if result.kind == "audit" or result.kind == "trace" or result.kind == "doctor":
                from inspector._internal.render import github

                return github.render(result, chosen)
        case _:
            assert_never(fmt)
    raise ValueError(f"--format {fmt.value} does not render {result.kind} results")


def render_pieces(
    result: CommandResult, fmt: OutputFormat, options: RenderOptions | None = None
) -> Iterator[str]:
    """`render`'s text in pieces, to be written as they come: JSON makes a large result's document a batch
    at a time; the other formats render it whole."""
    if fmt is OutputFormat.JSON:
        from inspector._internal.render import jsonfmt

        return jsonfmt.pieces(result, options or RenderOptions())
    return iter((render(result, fmt, options),))
