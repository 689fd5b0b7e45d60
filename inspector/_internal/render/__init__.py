"""Renderers: one module per format, each with one entry point, `render(result, options)`, that
dispatches on the result's type.

Renderers never compute facts: the verdict, counts and groupings are in the result they are given.
Adding a format is one module with a `RENDERERS` table (result kind -> function) and its tests. The
tables are keyed by the result's `kind` (its command), so a format need not import every result type.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from inspector.results.common import Result


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"  # audit only: code-scanning alerts
    HTML = "html"  # a standalone page (and the notebook display)
    CONCISE = "concise"  # audit, trace, doctor: one `file:line:col: CODE` line per item
    GITHUB = "github"  # audit, trace, doctor: GitHub Actions workflow commands (annotations)


@dataclass(frozen=True)
class RenderOptions:
    """How to draw, never what to say. `stat` (diff) and `verbose` (doctor) choose what to show."""

    color: bool = False
    width: int = 100
    quiet: bool = False  # the verdict and the findings only
    stat: bool = False  # diff: counts per category only
    verbose: bool = False  # doctor: include the loading process's own log
    source_root: Path | None = None  # SARIF: locations relative to this checkout
    max_results: int = 5000  # SARIF: results past this many (the mildest) are left out, and the log says so


#: Kept for callers of the first API: the terminal's options are everyone's options.
TextOptions = RenderOptions

#: A format's function for a command's result. Each takes any result and narrows it to the type it draws
#: (`results.common.narrow`), so mypy checks every page against its own result type.
Renderer: TypeAlias = "Callable[[Result, RenderOptions], str]"
#: The same, writing a large result in pieces as they are made (JSON).
PieceRenderer: TypeAlias = "Callable[[Result, RenderOptions], Iterator[str]]"

#: The module of each format; each has `RENDERERS: Mapping[kind, Renderer]`.
_MODULES = {
    OutputFormat.TEXT: "inspector._internal.render.text",
    OutputFormat.JSON: "inspector._internal.render.jsonfmt",
    OutputFormat.MARKDOWN: "inspector._internal.render.markdown",
    OutputFormat.SARIF: "inspector._internal.render.sarif",
    OutputFormat.HTML: "inspector._internal.render.html",
    OutputFormat.CONCISE: "inspector._internal.render.concise",
    OutputFormat.GITHUB: "inspector._internal.render.github",
}


def renderers(fmt: OutputFormat) -> Mapping[str, Renderer]:
    """The result kinds a format renders, each with its function (the format's module imported now:
    `inspector report --format json` never pays for the terminal's layout)."""
    table: Mapping[str, Renderer] = importlib.import_module(_MODULES[fmt]).RENDERERS
    return table


def formats_for(result_type: type) -> tuple[OutputFormat, ...]:
    """The formats a command can write: every format that renders its result type."""
    kind: str = result_type.kind  # type: ignore[attr-defined]
    return tuple(fmt for fmt in OutputFormat if kind in renderers(fmt))


def render_pieces(result: Result, fmt: OutputFormat, options: RenderOptions | None = None) -> Iterator[str]:
    """`render`'s text in pieces, to be written as they come: a format whose module has `STREAMS`
    (JSON) makes a large result's document a batch at a time; the others render it whole."""
    streams: Mapping[str, PieceRenderer] = getattr(importlib.import_module(_MODULES[fmt]), "STREAMS", {})
    if result.kind in streams:
        pieces: Iterator[str] = streams[result.kind](result, options or RenderOptions())
        return pieces
    return iter((render(result, fmt, options),))


def render(result: Result, fmt: OutputFormat, options: RenderOptions | None = None) -> str:
    """The one entry point: `result` in `fmt`."""
    table = renderers(fmt)
    function = table.get(result.kind)
    if function is None:
        raise ValueError(f"--format {fmt.value} does not render {result.kind} results")
    return function(result, options or RenderOptions())
