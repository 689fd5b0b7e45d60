"""Reading what the user passes in -- baselines, policies, logs -- and what a model holds: regular files
only, within a size limit, every failure a one-line InspectorError that names the file.

A path can name a FIFO (a read blocks forever), a device (`/dev/zero` never ends), a folder, or a file far
larger than anything legitimate; none of them may become a hang, a MemoryError or a traceback.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from inspector._internal.errors import InspectorError

#: open() flags where the platform has them (0 where not): never through a link; never waiting on a FIFO.
NO_FOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
NON_BLOCKING: int = getattr(os, "O_NONBLOCK", 0)

#: Limits for files a user passes in: far above any real one.
BASELINE_LIMIT = 64 * 2**20
POLICY_LIMIT = 4 * 2**20
LOG_LIMIT = 256 * 2**20
#: A protobuf file of a model (debug info, fingerprint): protobuf's own limit for one message.
PART_LIMIT = 2**31 - 1


class NotRegularFile(OSError):
    """What `model_file` opened is a folder, a FIFO or a device, not a regular file."""


@contextlib.contextmanager
def model_file(path: Path) -> Iterator[int]:
    """A descriptor of `path` opened as a regular file, never through a link (it may have been swapped for
    one since a walk saw it) and never waiting on a FIFO. Raises OSError, `NotRegularFile` for what is no
    regular file; closed on leaving."""
    descriptor = os.open(path, os.O_RDONLY | NO_FOLLOW | NON_BLOCKING)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotRegularFile(f"{path} is not a regular file")
        yield descriptor
    finally:
        os.close(descriptor)


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path`, which must be a regular file (links to one are followed) of at most `limit`."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; its type is refused right after.
        descriptor = os.open(path, os.O_RDONLY | NON_BLOCKING)
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
            # What the file holds, plus one byte to see it grow: read(limit + 1) would allocate the
            # whole limit (2 GB for a protobuf) up front, and fail under a scan's memory limit.
            content = stream.read(info.st_size + 1)
        except OSError as error:
            raise InspectorError(f"{path}: the {what} cannot be read ({error.strerror or error})") from error
    if len(content) > info.st_size:
        raise InspectorError(f"{path}: the {what} grew while being read: read it again once it is written")
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


# --- writing what the user asked for ------------------------------------------------------------------------

#: The one device an output may be: to discard it.
DISCARD = Path(os.devnull)


def output_problem(path: Path, inputs: Iterable[Path]) -> str | None:
    """Why `path` may not be written as an output, or None.

    Never through a symbolic link (refused: the link's target is not what the user named, and `-o
    /dev/stdout` would replace a system link), never a FIFO (a write blocks until a reader comes), a
    device (but /dev/null) or a folder, and never inside a model being read or over a file being read:
    inspector never modifies its inputs.
    """
    if path == DISCARD:
        return None
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        return f"cannot write ({error.strerror or error})"
    if info is not None:
        kind = _special_kind(info.st_mode)
        if kind:
            return f"is {kind}: give the path of a regular file"
    target = _resolved_beside(path)
    for given in inputs:
        source = _resolved_beside(given)
        folder = source if given.is_dir() else None
        if target == source or (folder is not None and (target == folder or folder in target.parents)):
            return f"would overwrite the input {given}: inspector never modifies what it reads"
        if given.name in ("saved_model.pb", "saved_model.pbtxt") and source.parent in (
            target,
            *target.parents,
        ):
            return f"is inside the model {given.parent}: inspector never modifies what it reads"
    return None


def _special_kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link (inspector does not write through links)"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return ""


def _resolved_beside(path: Path) -> Path:
    """The absolute path of `path` with its folder's links resolved (the file itself may not exist)."""
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        return absolute.parent.resolve() / absolute.name
    except (OSError, RuntimeError):
        return absolute


def write_output(path: Path, pieces: Iterable[str]) -> None:
    """Write `pieces` to `path` whole or not at all: into a new file beside it, renamed over it at the
    end (so a link put at `path` meanwhile is replaced, never followed); on any failure the new file is
    removed and `path` is as it was. /dev/null is written directly."""
    if path == DISCARD:
        with path.open("w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        return
    import tempfile  # only a command that writes a file pays for its imports

    absolute = Path(os.path.normpath(path.absolute()))
    descriptor, name = tempfile.mkstemp(dir=absolute.parent, prefix=f".{absolute.name}.", suffix=".part")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        temporary.chmod(0o666 & ~_umask())  # as a file opened for writing would be
        temporary.replace(absolute)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
