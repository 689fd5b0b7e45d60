"""`inspector-pre-commit`: the `inspector-audit` pre-commit hook (`.pre-commit-hooks.yaml`).

pre-commit passes the hook's options, then every changed file. A changed file is told from an option by
what exists, never by its spelling (a staged `-evil/` folder or a file named `--policy=x/p` is a path):
an argument that exists on disk is a file, unless it is the value an option before it takes. Each file names
its model folder -- the nearest folder above it that holds a `saved_model.pb` or `.pbtxt` -- so a pickle
added beside a model triggers its audit too; each changed model is audited once, one line per finding
(`--format concise`, unless the options choose another), its folder given after `--`. A model file that is
a link is not followed: it is said, and fails the hook. The exit status is the worst model's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

#: How far above a changed file its model's folder may be (`assets/` nests at most this deep in practice).
MAX_DEPTH = 8


class LinkedModel(Exception):
    """A model's saved_model.pb is a link: the hook does not follow it."""


def model_folder(changed: Path) -> Path | None:
    """The SavedModel folder a changed file belongs to, or None. A folder that is a link is passed over (a
    hook never follows a link out of the checkout); a model file that is a link raises LinkedModel."""
    for folder in list(changed.parents)[:MAX_DEPTH]:
        if folder.is_symlink():
            return None
        for name in ("saved_model.pb", "saved_model.pbtxt"):
            candidate = folder / name
            if candidate.is_symlink():
                raise LinkedModel(f"{candidate}: a link, not followed: audit the folder it points to")
            if candidate.is_file():
                return folder
    return None


def split_arguments(arguments: Sequence[str]) -> tuple[list[str], list[str]]:
    """(options, changed files): what exists on disk is a file, unless an option before it takes it as its
    value (`--policy audit.toml`); anything else is an option."""
    from inspector._internal.cli import build_parser

    takes_value = {
        option
        for action in build_parser("audit").commands["audit"]._actions  # the audit's own options
        if action.nargs != 0
        for option in action.option_strings
    }
    options: list[str] = []
    files: list[str] = []
    value_next = False
    for argument in arguments:
        if value_next:
            options.append(argument)
            value_next = False
        elif os.path.lexists(argument):
            files.append(argument)
        else:
            options.append(argument)
            value_next = argument in takes_value
    return options, files


def main(argv: Sequence[str] | None = None) -> int:
    from inspector._internal.cli import main as inspector

    options, changed = split_arguments(list(sys.argv[1:] if argv is None else argv))
    folders: set[Path] = set()
    worst = 0
    for path in changed:
        try:
            folder = model_folder(Path(path))
        except LinkedModel as linked:
            sys.stderr.write(f"inspector-pre-commit: {linked}\n")
            worst = 2
            continue
        if folder is not None:
            folders.add(folder)
    for folder in sorted(folders):
        try:
            code = inspector(["audit", "--format", "concise", *options, "--", str(folder)])
        except SystemExit as stop:  # a usage error or bad input: one line on stderr already
            code = stop.code if isinstance(stop.code, int) else 2
        worst = max(worst, code)
    return worst


def console() -> None:
    sys.exit(main())
