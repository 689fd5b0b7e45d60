"""HTML: the terminal's page as a standalone document (`--format html`), and what a notebook shows.

The text renderer's page, drawn in colour and written as HTML with inline styles: one wording and one
layout for the terminal, the browser and Jupyter. Every character HTML would read is escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inspector.render import RenderOptions
from inspector.render.terminal import to_html
from inspector.render.text import RENDERERS as TEXT_RENDERERS
from inspector.render.text import page
from inspector.results.common import Result

#: Notebook cells and browser windows are wider than the 80 columns of a terminal default.
HTML_WIDTH = 120

_PRE = "<pre style=\"font-family:Menlo,'DejaVu Sans Mono',consolas,'Courier New',monospace\">{code}</pre>"

_DOCUMENT = """<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>inspector {kind}</title>
<style>
body {{ color: #000000; background-color: #ffffff; }}
</style>
</head>
<body>
{pre}
</body>
</html>
"""


def render_fragment(result: Result, options: RenderOptions | None = None) -> str:
    """A `<pre>` block with inline styles, for a notebook cell (`_repr_html_`)."""
    return _PRE.format(code=_drawn(result, options))


def render_page(result: Result, options: RenderOptions | None = None) -> str:
    """A whole HTML document."""
    return _DOCUMENT.format(kind=result.kind, pre=render_fragment(result, options))


def _drawn(result: Result, options: RenderOptions | None) -> str:
    base = options or RenderOptions(width=HTML_WIDTH)
    drawing = RenderOptions(
        color=True, width=base.width, quiet=base.quiet, stat=base.stat, verbose=base.verbose
    )
    return to_html(page(result, drawing), drawing.width)


RENDERERS: dict[str, Callable[[Any, RenderOptions], str]] = dict.fromkeys(TEXT_RENDERERS, render_page)
