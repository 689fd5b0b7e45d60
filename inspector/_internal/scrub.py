"""Debug-info hygiene: what the recorded paths reveal, and a scrubbed copy without them.

The debug info records the absolute path of every source file on the stack of every op: a model
published as it was saved tells the world the saving machine's user names, home folders, CI workspace
layout and temporary folders. `scrub` writes a copy of the model whose debug info has chosen prefixes
stripped (or paths made relative to a folder); every other file is copied byte for byte, the input is
never modified, and the copy is verified by reading it back.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

from inspector._internal.debuginfo import DEBUG_INFO_PATH, is_user_file
from inspector._internal.errors import InspectorError
from inspector._internal.fileio import NO_FOLLOW
from inspector._internal.loader import load
from inspector._internal.modelfile import resolve_model_path
from inspector._internal.protos import load_protos
from inspector._internal.view import DebugInfoStatus, SavedModelView
from inspector.results.common import ModelRef
from inspector.results.scrub import LeakSite, RevealingPath, ScrubResult

# What a recorded path can reveal, most telling first: (kind, pattern).
_REVEALING = (
    (
        "user name",
        re.compile(r"^/(?:home|Users)/(?P<who>[^/]+)/|^[A-Za-z]:[\\/]Users[\\/](?P<win>[^\\/]+)[\\/]"),
    ),
    ("home folder", re.compile(r"^/root/|^~")),
    (
        "CI workspace",
        re.compile(
            r"^/(?:builds|github/workspace|runner/work|home/runner/work|var/lib/jenkins|buildkite/builds|"
            r"opt/atlassian|workspace|__w)/|/(?:jenkins|buildkite|gitlab-runner|azp|_work)/"
        ),
    ),
    (
        "temporary folder",
        re.compile(r"^/tmp/|^/var/folders/|^/private/var/folders/|[\\/]AppData[\\/]Local[\\/]Temp[\\/]"),
    ),
)


def revealing_paths(view: SavedModelView) -> tuple[RevealingPath, ...]:
    return revealing(view.debug_info.files)


def revealing(paths: Iterable[str]) -> tuple[RevealingPath, ...]:
    """The paths that say something of the machine they were recorded on (a user name, a CI workspace)."""
    found = []
    for path in paths:
        for kind, pattern in _REVEALING:
            match = pattern.search(path)
            if match:
                who = (
                    (match.groupdict().get("who") or match.groupdict().get("win") or "")
                    if kind == "user name"
                    else ""
                )
                found.append(RevealingPath(kind, path, who))
                break
    return tuple(found)


def source_roots(view: SavedModelView) -> tuple[str, ...]:
    """The fewest folders that hold every user source file the debug info names."""
    folders = sorted({_parent(p) for p in view.debug_info.files if is_user_file(p) and not p.startswith("<")})
    roots: list[str] = []
    for folder in folders:
        if not any(
            folder == root or folder.startswith(root.rstrip("/\\") + _separator(root)) for root in roots
        ):
            roots.append(folder)
    return tuple(roots)


def _parent(path: str) -> str:
    pure = PureWindowsPath(path) if re.match(r"^[A-Za-z]:\\", path) else PurePosixPath(path)
    return str(pure.parent)


def _separator(path: str) -> str:
    return "\\" if re.match(r"^[A-Za-z]:\\", path) else "/"


# --- scrubbing ------------------------------------------------------------------------------------------


def rewrite_path(path: str, strip_prefixes: Sequence[str], relative_to: str | None) -> str:
    if relative_to is not None:
        base = relative_to.rstrip("/") + "/"
        return path[len(base) :] if path.startswith(base) else path
    for prefix in sorted(strip_prefixes, key=len, reverse=True):
        if prefix and path.startswith(prefix):
            return path[len(prefix) :].lstrip("/\\")
    return path


def scrub(
    model: Path, output: Path, *, strip_prefixes: Sequence[str] = (), relative_to: Path | None = None
) -> ScrubResult:
    """Write a copy of `model` to `output` with its debug-info paths rewritten; `model` is not modified."""
    if not strip_prefixes and relative_to is None:
        raise InspectorError("give --strip-prefix PREFIX (repeatable) or --relative-to DIR")
    model_dir, _ = resolve_model_path(model)
    # Every file of the model first: a link or a special file anywhere refuses the whole copy, before
    # anything is read through it or written.
    files = regular_files(model_dir)
    view = load(model_dir)
    _require_debug_info(view)
    _check_output(output, model_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Build the copy beside its destination, then move it into place: no half-written output.
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".inspector-scrub-") as scratch:
        staged = Path(scratch) / "model"
        _copy_regular_files(model_dir, files, staged)
        rewritten, kept = _rewrite_debug_info(staged, strip_prefixes, _relative(relative_to))
        _verify(staged, view)
        if output.is_dir() and not output.is_symlink():
            output.rmdir()  # the empty folder the user made for it
        staged.replace(output)
    prefixes = [p for p in (str(relative_to.resolve()) if relative_to else "", *strip_prefixes) if p]
    remaining = _occurrences(output, prefixes)
    in_graph = {
        prefix for file, prefix in remaining if Path(file).name in ("saved_model.pb", "saved_model.pbtxt")
    }
    return ScrubResult(
        ModelRef.of(view),
        output,
        rewritten,
        kept,
        remaining,
        _sites(view, sorted(in_graph)) if in_graph else (),
    )


#: At most this many places of a leak are named.
MAX_SITES = 20


def _sites(view: SavedModelView, prefixes: Sequence[str]) -> tuple[LeakSite, ...]:
    """The nodes whose attrs hold a prefix the scrub left in saved_model.pb (it rewrites the debug info only):
    a string constant, an XlaCallModule's module (jax2tf records source paths in its locations)."""
    wanted = [(prefix, prefix.encode()) for prefix in prefixes]
    found: list[LeakSite] = []
    for key in view.nodes:
        attrs = view.nodes[key].definition.attr
        for name in sorted(attrs):
            value = attrs[name]
            blobs = (
                [value.s] if value.s else list(value.tensor.string_val) if value.HasField("tensor") else []
            )
            for prefix, raw in wanted:
                if any(raw in bytes(blob) for blob in blobs):
                    found.append(LeakSite(prefix, key, name))
                    if len(found) == MAX_SITES:
                        return tuple(found)
    return tuple(found)


def regular_files(model_dir: Path) -> list[Path]:
    """Every folder and file under the model, relative to it; InspectorError for a symbolic link (it could point
    at the input itself or anywhere outside the model) or anything that is not a folder or a regular
    file (a FIFO would block the copy, a device would never end)."""
    found = []
    for root, folders, names in os.walk(model_dir, onerror=_raise_os_error):
        for name in (*folders, *names):
            path = Path(root) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise InspectorError(f"{path}: is a symbolic link; scrub copies regular files only")
            if stat.S_ISDIR(mode):
                found.append(path.relative_to(model_dir))  # empty folders (assets/) are copied too
                continue
            if not stat.S_ISREG(mode):
                raise InspectorError(f"{path}: is not a regular file; scrub copies regular files only")
            found.append(path.relative_to(model_dir))
    return sorted(found)


def _raise_os_error(error: OSError) -> None:
    raise InspectorError(f"{error.filename}: cannot be read ({error.strerror or error})")


def _check_output(output: Path, model_dir: Path) -> None:
    if output.is_symlink():
        raise InspectorError(f"{output}: is a symbolic link; give scrub a new folder to write")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise InspectorError(f"{output}: already exists and is not empty; choose a new output directory")
    resolved, model = output.resolve(), model_dir.resolve()
    if resolved == model or model in resolved.parents:
        raise InspectorError(f"{output}: must not be the model it copies or inside it")


def _copy_regular_files(model_dir: Path, files: Sequence[Path], staged: Path) -> None:
    """Copy file by file into a folder of our own: contents only, never a link, never through one."""
    staged.mkdir()
    for relative in files:
        target = staged / relative
        source = model_dir / relative
        if source.is_dir() and not source.is_symlink():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: if the file was swapped for a link since the walk, opening it fails.
        descriptor = os.open(source, os.O_RDONLY | NO_FOLLOW)
        with os.fdopen(descriptor, "rb") as reader, target.open("xb") as writer:
            _copy_keeping_holes(reader.fileno(), writer.fileno())


#: Files are copied and searched this many bytes at a time: memory stays flat whatever a shard's size.
CHUNK = 4 * 2**20


def _data_extents(descriptor: int, size: int) -> Iterator[tuple[int, int]]:
    """The (start, end) ranges of a file that hold data, its holes left out where the filesystem says
    where they are (SEEK_DATA / SEEK_HOLE); the whole file where it cannot."""
    if not hasattr(os, "SEEK_DATA"):
        yield 0, size
        return
    position = 0
    while position < size:
        try:
            start = os.lseek(descriptor, position, os.SEEK_DATA)
        except OSError as error:
            if error.errno == errno.ENXIO:  # no data after `position`: the rest is a hole
                return
            yield position, size  # the filesystem cannot say: read it all
            return
        end = os.lseek(descriptor, start, os.SEEK_HOLE)
        yield start, min(end, size)
        position = end


def _chunks(descriptor: int, size: int) -> Iterator[tuple[int, bytes]]:
    """The file's data, CHUNK bytes at a time with their offsets, holes skipped."""
    for start, end in _data_extents(descriptor, size):
        offset = start
        while offset < end:
            piece = os.pread(descriptor, min(CHUNK, end - offset), offset)
            if not piece:
                return
            yield offset, piece
            offset += len(piece)


def _copy_keeping_holes(reader: int, writer: int) -> None:
    """The file's bytes, a chunk at a time; a hole of the source stays a hole of the copy (a 2 GiB sparse
    shard is not written out as 2 GiB of zeros)."""
    size = os.fstat(reader).st_size
    for offset, piece in _chunks(reader, size):
        os.pwrite(writer, piece, offset)
    os.ftruncate(writer, size)


def scrub_in_place(model_dir: Path, strip_prefixes: Sequence[str]) -> int:
    """Rewrite the debug info of a model inspector itself just wrote (`inspector save --strip-prefix`)."""
    view = load(model_dir)
    _require_debug_info(view)
    rewritten, _ = _rewrite_debug_info(model_dir, strip_prefixes, None)
    _verify(model_dir, view)
    return rewritten


def _relative(folder: Path | None) -> str | None:
    return None if folder is None else str(folder.resolve())


def _require_debug_info(view: SavedModelView) -> None:
    if view.debug_info.status is not DebugInfoStatus.PRESENT:
        raise InspectorError(
            f"{view.debug_info.path}: no readable debug info to scrub ({view.debug_info.status.value})"
        )


def _rewrite_debug_info(
    model_dir: Path, strip_prefixes: Sequence[str], relative_to: str | None
) -> tuple[int, int]:
    path = model_dir / DEBUG_INFO_PATH
    message = load_protos().graph_debug_info.GraphDebugInfo()
    message.ParseFromString(path.read_bytes())
    rewritten = kept = 0
    files: Sequence[str | bytes] = message.files  # bytes, though typed str, for a path that is not UTF-8
    for index, stored in enumerate(files):
        # protobuf hands back `bytes` for a path that is not valid UTF-8: such a path is rewritten as
        # text (with replacement characters) only when a prefix matches, else left byte for byte.
        recorded = stored.decode("utf-8", errors="replace") if isinstance(stored, bytes) else stored
        new = rewrite_path(recorded, strip_prefixes, relative_to)
        if new != recorded:
            message.files[index] = new
            rewritten += 1
        else:
            kept += 1
    # A new file renamed over the old one: whatever the old path was, nothing is written through it.
    replacement = path.with_name(path.name + ".inspector-new")
    replacement.write_bytes(message.SerializeToString())
    replacement.replace(path)
    return rewritten, kept


def _verify(model_dir: Path, before: SavedModelView) -> None:
    """Read the copy back: every node keeps its trace, frame for frame but for the file paths."""
    after = load(model_dir)
    for key, node in before.nodes.items():
        old, new = before.trace(node), after.trace(after.nodes[key])
        old_frames = [(f.line, f.function) for f in old.frames] if old else None
        new_frames = [(f.line, f.function) for f in new.frames] if new else None
        if old_frames != new_frames:
            raise InspectorError(
                f"{model_dir}: the scrubbed debug info does not match the original for {key}"
            )


def _occurrences(folder: Path, prefixes: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Each file of the copy that still holds a prefix, read a chunk at a time (each chunk overlaps the
    last by a prefix's length, so no occurrence falls between two)."""
    wanted = [(prefix, prefix.encode()) for prefix in prefixes]
    overlap = max((len(raw) for _, raw in wanted), default=1) - 1
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        descriptor = os.open(path, os.O_RDONLY | NO_FOLLOW)
        try:
            seen: set[str] = set()
            tail = b""
            last_end = -1
            for offset, piece in _chunks(descriptor, os.fstat(descriptor).st_size):
                window = (tail if offset == last_end else b"") + piece
                seen.update(prefix for prefix, raw in wanted if raw in window)
                tail = window[-overlap:] if overlap else b""
                last_end = offset + len(piece)
        finally:
            os.close(descriptor)
        found += [(str(path), prefix) for prefix, _ in wanted if prefix in seen]
    return tuple(found)
