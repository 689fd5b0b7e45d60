"""Finding SavedModel folders under the paths and globs a scan is given: a bounded walk that follows no
link and does not descend into a model it found (a model's assets are not more models).

A folder is a SavedModel when it holds a `saved_model.pb` or `saved_model.pbtxt`; the reader decides
whether that file is any good (a corrupt one, or a link, is an `error` record, not a folder skipped).
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from inspector._internal.errors import InspectorError

MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
#: The walk's bounds: deeper than any registry's layout, and more entries than a machine's scan should
#: read before saying it stopped.
MAX_DEPTH = 32
MAX_ENTRIES = 5_000_000
_GLOB_CHARS = frozenset("*?[")


@dataclass
class Discovery:
    """What the walk saw besides models: said in the scan's summary, so a cut-short walk is never passed
    off as complete."""

    entries: int = 0
    links_skipped: int = 0
    too_deep: list[str] = field(default_factory=list)
    stopped: bool = False  # MAX_ENTRIES reached: models beyond it were not looked for


def find_models(targets: Iterable[str], discovery: Discovery | None = None) -> Iterator[Path]:
    """Each SavedModel folder under `targets` (folders, model folders, or globs of either), once, in a
    stable order. A target that matches nothing is an error: a typo must not scan zero models and pass."""
    seen: set[Path] = set()
    discovery = discovery if discovery is not None else Discovery()
    for target in targets:
        roots, through_links = _expand(target)
        discovery.links_skipped += through_links
        if not roots and not through_links:
            raise InspectorError(f"{target}: no such file or folder")
        named = not _GLOB_CHARS.intersection(target)
        for root in roots:
            for model in _walk(root, discovery, named):
                key = model.resolve()
                if key not in seen:
                    seen.add(key)
                    yield model


def _expand(target: str) -> tuple[list[Path], int]:
    """The paths a target names, and how many matches of a glob were left out as reached through a link."""
    if not _GLOB_CHARS.intersection(target):
        path = Path(target)
        if path.name in MODEL_FILES and path.is_file():
            path = path.parent
        return ([path] if os.path.lexists(path) else []), 0
    # A glob (glob.glob: Path.glob takes no absolute pattern): its matches, except those reached through a
    # link below the pattern's literal start -- the walk follows no link, nor does the glob's result. A
    # match that is itself a link is the walk's to skip (and count).
    fixed = 0
    for part in Path(target).parts:
        if _GLOB_CHARS.intersection(part):
            break
        fixed += 1
    # Not recursive: `**` is `*`, one level (the walk below each match recurses, bounded). glob's own `**`
    # follows folder links, and two looping links in a tree make its expansion exponential.
    matches = [Path(match) for match in sorted(glob.glob(target))]  # noqa: PTH207
    kept = [match for match in matches if not through_link(match, fixed)]
    return [_folder_of(match) for match in kept], len(matches) - len(kept)


def _folder_of(path: Path) -> Path:
    """A model's file stands for its folder (`models/*/saved_model.pb`)."""
    return path.parent if path.name in MODEL_FILES and not path.is_dir() and not path.is_symlink() else path


def through_link(path: Path, fixed: int) -> bool:
    """Whether `path` is reached through a link below its first `fixed` parts (the folder the user named);
    the last part, which may itself be a link, is the caller's to judge."""
    parts = path.parts
    return any(Path(*parts[:end]).is_symlink() for end in range(max(fixed, 1) + 1, len(parts)))


def _walk(root: Path, discovery: Discovery, named: bool) -> Iterator[Path]:
    """Depth first, children in name order, from a work list: the tree decides how deep it goes. A root
    the user `named` is followed if it is a link (`/data/models` may well be one); a glob's match that is a
    link is not, nor is any link below."""
    if root.is_symlink() and not named:
        discovery.links_skipped += 1
        return
    if not root.is_dir():
        raise InspectorError(f"{root}: not a folder (give a SavedModel folder or a folder of them)")
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        if is_model_folder(folder):
            yield folder
            continue
        try:
            children = sorted(os.scandir(folder), key=lambda entry: entry.name, reverse=True)
        except OSError:
            continue  # unreadable: nothing to find in it
        for entry in children:
            discovery.entries += 1
            if discovery.entries > MAX_ENTRIES:
                discovery.stopped = True
                return
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                discovery.links_skipped += 1
            elif stat.S_ISDIR(mode):
                if depth + 1 > MAX_DEPTH:
                    discovery.too_deep.append(entry.path)
                else:
                    stack.append((Path(entry.path), depth + 1))


def is_model_folder(folder: Path) -> bool:
    """A folder holding `saved_model.pb` (or .pbtxt) of any kind but a folder: a link or a FIFO there is
    the reader's to refuse, in an `error` record, not a model the scan silently passes over."""
    for name in MODEL_FILES:
        try:
            if not stat.S_ISDIR(os.lstat(folder / name).st_mode):
                return True
        except OSError:
            continue
    return False
