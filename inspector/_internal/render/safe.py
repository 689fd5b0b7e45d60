"""The one home of a safety property: strings from a model are shown literally, never interpreted.

Op names, node names, file paths and attr values come from a file that may be hostile. In a terminal a
string could carry rich markup (`[bold red]x[/]`), ANSI escapes (`\\x1b[31m`, `\\x1b]8;;` links),
carriage returns that overwrite a line, or bidirectional overrides that make text read differently than
it is. `visible` makes all of those visible as escapes -- decided by Unicode category, not by a list: every
control (Cc), format (Cf), line and paragraph separator (Zl, Zp), private-use (Co), surrogate (Cs) and
unassigned (Cn) character, and every default-ignorable one (the tag block, variation selectors, the
Hangul fillers, U+034F, U+00AD), since each can hide or reorder text; `literal` wraps the result in a
terminal `Text`, which is drawn as it is (nothing in it is read as markup); `markdown` escapes what
Markdown would interpret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the terminal renderer, not by every command that escapes text
    from inspector._internal.render.terminal import Text

# ASCII's controls and DEL, found fast; any other non-ASCII-printable character is judged by _unsafe.
_CANDIDATE = re.compile("[^\x20-\x7e]")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
#: Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): drawn as nothing, whatever
#: their category (U+034F and the variation selectors are marks, U+3164 and U+FFA0 letters).
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def unsafe(char: str) -> bool:
    """Whether a character can hide, reorder or restyle what is shown around it."""
    import unicodedata

    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return True
    if unicodedata.category(char) in _UNSAFE_CATEGORIES:
        return True
    return any(low <= code <= high for low, high in _IGNORABLE)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if not unsafe(char):
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """Every character that can hide, reorder or restyle text as an escape (`\\x1b`, `\\u202e`,
    `\\U000e0041`); all else unchanged."""
    return _CANDIDATE.sub(_escape, text)


def literal(text: str, style: str = "") -> Text:
    """A terminal Text that shows `text` exactly, with controls made visible."""
    from inspector._internal.render.terminal import Text

    return Text(visible(text), style=style)


def literal_lines(items: Iterable[str], style: str = "") -> Text:
    """Several model strings, one per line: each escaped, the line breaks between them our own."""
    from inspector._internal.render.terminal import Text

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
