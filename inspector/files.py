"""Reading what the user passes in -- baselines, policies, logs -- and what a model holds: regular files
only, within a size limit, every failure a one-line InspectorError that names the file.

A path can name a FIFO (a read blocks forever), a device (`/dev/zero` never ends), a folder, or a file far
larger than anything legitimate; none of them may become a hang, a MemoryError or a traceback.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from inspector.errors import InspectorError

#: Limits for files a user passes in: far above any real one.
BASELINE_LIMIT = 64 * 2**20
POLICY_LIMIT = 4 * 2**20
LOG_LIMIT = 256 * 2**20
#: A protobuf file of a model (debug info, fingerprint): protobuf's own limit for one message.
PART_LIMIT = 2**31 - 1


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path`, which must be a regular file (links to one are followed) of at most `limit`."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; its type is refused right after.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise InspectorError(f"{path}: the {what} cannot be read ({error.strerror or error})") from error
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise InspectorError(f"{path}: the {what} is not a regular file")
    with os.fdopen(descriptor, "rb") as stream:
        if info.st_size > limit:
            raise InspectorError(f"{path}: the {what} is {info.st_size} bytes, over the {limit}-byte limit")
        try:
            content = stream.read(limit + 1)
        except OSError as error:
            raise InspectorError(f"{path}: the {what} cannot be read ({error.strerror or error})") from error
    if len(content) > limit:
        raise InspectorError(f"{path}: the {what} grew past the {limit}-byte limit while being read")
    return content


def model_part_problem(model_dir: Path, path: Path) -> str | None:
    """Why `path` may not be read as part of the model at `model_dir`, or None: it must be a regular
    file, and a symbolic link must stay inside the model's folder (a hostile model could otherwise make
    the reader open /dev/zero, or any file of the machine it is pointed at)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return "does not exist"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "is a broken or looping symbolic link"
        if model_dir.resolve() not in target.parents:
            # Bazel runfiles and similar link trees: point inspector at the real folder instead.
            return "is a symbolic link to a file outside the model (give the folder the link points into)"
        info = target.stat()
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    return None


#: Path components followed when checking an asset's file name: far more than any real one has.
MAX_ASSET_DEPTH = 64


def asset_outside(model_dir: Path, filename: str) -> str | None:
    """Why `assets/<filename>` is not a regular file inside the model's assets/ folder, or None.

    The file name is the model author's: a loader joins it to assets/ and opens the result, so an
    absolute name or a `..` reads any file of the machine, and a link reads what it points to. A name that
    names nothing is not a way out (the loader fails to open it), so it is not reported here.
    """
    if not filename:
        return "has an empty file name"
    if "\x00" in filename:
        return "has a NUL character in its file name"
    parts = filename.replace("\\", "/").split("/")
    if filename.startswith(("/", "\\")) or (len(filename) > 1 and filename[1] == ":"):
        return "is an absolute path"
    if ".." in parts:
        return "climbs out of assets/ with '..'"
    if len(parts) > MAX_ASSET_DEPTH:
        return f"is nested deeper than {MAX_ASSET_DEPTH} folders"
    current = model_dir / "assets"
    steps = [current, *_prefixes(current, [p for p in parts if p not in ("", ".")])]
    info = None
    for step in steps:
        try:
            info = step.lstat()
        except FileNotFoundError:
            return None
        except OSError as error:
            return f"cannot be checked ({error.strerror or error})"
        if stat.S_ISLNK(info.st_mode):
            return "assets/ is a symbolic link" if step == current else "is reached through a symbolic link"
    if info is None or not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    return None


def _prefixes(base: Path, parts: list[str]) -> list[Path]:
    """base/a, base/a/b, ... for parts [a, b, ...]."""
    found = []
    for part in parts:
        base = base / part
        found.append(base)
    return found
