"""`inspector-pre-commit`: the `inspector-audit` pre-commit hook (`.pre-commit-hooks.yaml`).

pre-commit passes the hook's options, then the changed files of SavedModels (`saved_model.pb`,
`variables/...`, ...). Each file names its model folder -- the nearest folder above it that holds a
`saved_model.pb` or `.pbtxt`, found without following a link -- and each changed model is audited once,
one line per finding (`--format concise`, unless the options choose another). The exit status is the
worst model's.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

#: The files of a SavedModel whose change means its audit may change: the hook's `files` pattern.
MODEL_FILE = re.compile(
    r"(^|/)(saved_model\.pb(txt)?|fingerprint\.pb|keras_metadata\.pb|(variables|debug|assets)/[^/]+)$"
)
#: How far above a changed file its model's folder may be (`assets/` nests at most this deep in practice).
MAX_DEPTH = 8


def model_folder(changed: Path) -> Path | None:
    """The SavedModel folder a changed file belongs to, or None. Folders that are links, and model
    files that are not regular files, are passed over: a hook never follows a link out of the checkout."""
    for folder in list(changed.parents)[:MAX_DEPTH]:
        if folder.is_symlink():
            return None
        for name in ("saved_model.pb", "saved_model.pbtxt"):
            candidate = folder / name
            if candidate.is_file() and not candidate.is_symlink():
                return folder
    return None


def main(argv: Sequence[str] | None = None) -> int:
    from inspector.cli import main as inspector

    arguments = list(sys.argv[1:] if argv is None else argv)
    changed = [arg for arg in arguments if not arg.startswith("-") and MODEL_FILE.search(arg)]
    options = [arg for arg in arguments if arg not in changed]
    folders = sorted({folder for folder in map(model_folder, map(Path, changed)) if folder is not None})
    worst = 0
    for folder in folders:
        try:
            code = inspector(["audit", str(folder), "--format", "concise", *options])
        except SystemExit as stop:  # a usage error or bad input: one line on stderr already
            code = stop.code if isinstance(stop.code, int) else 2
        worst = max(worst, code)
    return worst


def console() -> None:
    sys.exit(main())
