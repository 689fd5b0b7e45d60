"""HTML: the terminal's page as a standalone document (`--format html`), and what a notebook shows.

Drawn by the text renderer on a recording console, then exported with inline styles: one wording and
one layout for the terminal, the browser and Jupyter. rich escapes every character HTML would read.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console

from inspector.render import RenderOptions
from inspector.render.text import RENDERERS as TEXT_RENDERERS
from inspector.render.text import _console, page
from inspector.results.common import Result

#: Notebook cells and browser windows are wider than the 80 columns of a terminal default.
HTML_WIDTH = 120


def render_fragment(result: Result, options: RenderOptions | None = None) -> str:
    """A `<pre>` block with inline styles, for a notebook cell (`_repr_html_`)."""
    console = _recording(result, options)
    fragment: str = console.export_html(
        inline_styles=True, code_format='<pre style="font-family:monospace">{code}</pre>'
    )
    return fragment


def render_page(result: Result, options: RenderOptions | None = None) -> str:
    """A whole HTML document."""
    document: str = _recording(result, options).export_html(inline_styles=True)
    return document


def _recording(result: Result, options: RenderOptions | None) -> Console:
    base = options or RenderOptions(width=HTML_WIDTH)
    drawing = RenderOptions(
        color=True, width=base.width, quiet=base.quiet, stat=base.stat, verbose=base.verbose
    )
    console = _console(io.StringIO(), drawing, record=True)
    for part in page(result, drawing):
        console.print(part)
    return console


RENDERERS: dict[str, Callable[[Any, RenderOptions], str]] = dict.fromkeys(TEXT_RENDERERS, render_page)
