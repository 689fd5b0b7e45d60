"""The one home of a safety property: strings from a model are shown literally, never interpreted.

Op names, node names, file paths and attr values come from a file that may be hostile. In a terminal a
string could carry rich markup (`[bold red]x[/]`), ANSI escapes (`\\x1b[31m`, `\\x1b]8;;` links),
carriage returns that overwrite a line, or bidirectional overrides that make text read differently than
it is. `visible` makes all of those visible as escapes; `literal` wraps the result in a terminal `Text`,
which is drawn as it is (nothing in it is read as markup); `markdown` escapes what Markdown would interpret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the terminal renderer, not by every command that escapes text
    from inspector.render.terminal import Text

# C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Control and direction-changing characters as `\\x1b` / `\\u202e` escapes; all else unchanged."""
    return _UNSAFE.sub(_escape, text)


def literal(text: str, style: str = "") -> Text:
    """A terminal Text that shows `text` exactly, with controls made visible."""
    from inspector.render.terminal import Text

    return Text(visible(text), style=style)


def literal_lines(items: Iterable[str], style: str = "") -> Text:
    """Several model strings, one per line: each escaped, the line breaks between them our own."""
    from inspector.render.terminal import Text

    return Text("\n".join(visible(item) for item in items), style=style)


def log_line(text: str, style: str = "") -> Text:
    """A line of a log the user passed in (TensorFlow's error messages indent with tabs): tabs become
    spaces, every other control character is made visible."""
    return literal(text.expandtabs(4), style=style)


# Model strings never start a line in our Markdown, so only inline syntax needs escaping: emphasis,
# code, links and images (all need a bracket), raw HTML (`<`), tables (`|`) and strikethrough (`~`).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


def markdown(text: str) -> str:
    """Escape a model string for Markdown text and table cells (HTML-significant characters too)."""
    html_safe = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html_safe)
