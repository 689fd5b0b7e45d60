"""What a model's folder holds beyond the SavedModel format: a bounded walk that follows no link, and what
each file is, judged by its bytes rather than its name (`inspector._internal.filecontent`: pickles wherever a loader
starts one, NumPy object arrays, compressed streams, archives opened member by member, HDF5 and Keras
configs, binaries and scripts).

Every bound is said: a walk cut short, an archive past its limits, a file with several hard links (it may
be a file of the machine outside the model, linked in) -- what was not looked at is not passed.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from inspector._internal.filecontent import Budget, Item, inspect_file
from inspector._internal.folderwalk import FolderWalk

#: What the SavedModel format (and Keras 2's loader) defines at the top of a model's folder.
FORMAT_FILES = frozenset({"saved_model.pb", "saved_model.pbtxt", "fingerprint.pb", "keras_metadata.pb"})
FORMAT_FOLDERS = frozenset({"variables", "assets", "assets.extra", "debug"})


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A file (or a link, a special file, a member of an archive) in the model's folder worth a word."""

    path: str  # relative to the model's folder; a member as `outer.zip!inner/data.pkl`
    kind: str  # pickle, shared-library, script, archive, hdf5, keras-config, link, hard-link, special,
    # uninspected, other
    in_format: bool  # where the format puts files (variables/, assets/, ...) rather than beside them
    size: int = 0
    globals: tuple[str, ...] = ()  # for a pickle: the `module.name` it would import
    problem: str = ""  # what stopped the reading, or what is wrong
    loader: str = ""  # who would run it: pickle, numpy, joblib, torch, keras ("" when nothing)
    config: str = ""  # for a Keras config: its JSON


@dataclass(frozen=True, slots=True)
class FolderContents:
    files: tuple[ModelFile, ...]
    truncated: bool  # the walk stopped at MAX_ENTRIES or MAX_DEPTH


def scan_folder(model_dir: Path) -> FolderContents:
    """Every entry under `model_dir` (a `FolderWalk`); the ones the format does not define, the ones whose
    bytes say pickle, archive, binary, script or Keras config (and every member and stream inside them),
    and regular files with more than one hard link."""
    found: list[ModelFile] = []
    walk = FolderWalk(model_dir)
    budget = Budget()
    for path, relative, info in walk:
        in_format = _in_format(relative)
        if stat.S_ISLNK(info.st_mode):
            found.append(ModelFile(relative, "link", in_format))
        elif stat.S_ISDIR(info.st_mode):
            continue
        elif not stat.S_ISREG(info.st_mode):
            found.append(ModelFile(relative, "special", in_format))
        else:
            if info.st_nlink > 1:
                found.append(
                    ModelFile(
                        relative, "hard-link", in_format, info.st_size, problem=f"{info.st_nlink} links"
                    )
                )
            items = inspect_file(Path(path), relative, info.st_size, budget)
            found.extend(_model_file(item, in_format) for item in items)
            if not items and not in_format:
                found.append(ModelFile(relative, "other", in_format, info.st_size))
    return FolderContents(tuple(found), walk.truncated)


def scan_file(path: Path) -> FolderContents:
    """One file given alone (a Keras `.keras` or `.h5` on the command line), read as a folder's file is."""
    items = inspect_file(path, path.name, path.stat().st_size, Budget())
    return FolderContents(tuple(_model_file(item, False) for item in items), False)


def _model_file(item: Item, in_format: bool) -> ModelFile:
    return ModelFile(
        item.path, item.kind, in_format, item.size, item.globals, item.problem, item.loader, item.config
    )


def _in_format(relative: str) -> bool:
    top, _, rest = relative.partition("/")
    return (not rest and top in FORMAT_FILES) or top in FORMAT_FOLDERS
