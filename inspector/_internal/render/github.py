"""`--format github`: GitHub Actions workflow commands, one per finding, problem or op
(`::error file=src/model.py,line=42,col=9,title=INS002::WriteFile writes files ...`), so they show on the
pull request's diff without a code-scanning upload.

Workflow commands are read from the log line by line: every value is made visible (`safe.visible`, no
newline or control character survives) and then percent-encoded as GitHub's toolkit encodes them, so a
model string can neither end a command nor start another.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from inspector._internal.render import RenderOptions
from inspector._internal.render.located import located
from inspector._internal.render.safe import visible
from inspector._internal.render.words import headline


def _data(text: str) -> str:
    """A command's message (after `::`): `visible` has escaped every line break already, so only `%`,
    GitHub's escape character, is left to encode."""
    return visible(text).replace("%", "%25")


def _property(text: str) -> str:
    """A command's property value: its message escaping, and `:` and `,`, which end a property."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


if TYPE_CHECKING:
    from inspector._internal.render.located import LocatedResult


def render(result: LocatedResult, options: RenderOptions | None = None) -> str:
    lines = [
        f"::{item.level.value} file={_property(item.file)},line={item.line},col={item.column},"
        f"title={_property(f'{item.code} [{item.label}]')}::{_data(item.message)}"
        for item in located(result, options.source_root if options and options.source_root else Path.cwd())
    ]
    # The verdict as a plain log line: the job's log says it, and the annotations say the rest.
    lines.append(visible(headline(result)))
    return "\n".join(lines) + "\n"
