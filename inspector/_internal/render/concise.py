"""`--format concise`: one line per finding, problem or op, `file:line:col: CODE [label] message`, as ruff
and mypy print theirs, then the model and its verdict. Editors and CI logs jump to the place; grep counts the lines.

Every string is made visible (`safe.visible`): a model's control characters cannot forge a line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from inspector._internal.render import RenderOptions
from inspector._internal.render.located import located
from inspector._internal.render.safe import visible
from inspector._internal.render.words import headline

if TYPE_CHECKING:
    from inspector._internal.render.located import LocatedResult


def render(result: LocatedResult, options: RenderOptions | None = None) -> str:
    lines = [
        f"{visible(item.file)}:{item.line}:{item.column}: {visible(item.code)} [{item.label}] "
        f"{visible(item.message)}"
        for item in located(result, options.source_root if options and options.source_root else Path.cwd())
    ]
    # The verdict last, named by its model: a hook or a script that audits several reads whose it is.
    lines.append(visible(f"{result.model.path}: {headline(result)}"))
    return "\n".join(lines) + "\n"
