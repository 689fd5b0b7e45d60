"""What a file's bytes are -- never its name: pickles wherever a loader would start reading one, NumPy
arrays (an object array is a pickle after its header), compressed streams (joblib's zlib, gzip, bz2, xz,
lzma), archives (zip: `.pt`, `.keras`, `.npz`; tar), HDF5 files (a Keras `.h5`), Keras configs, binaries
and scripts -- opened and followed into their members, within bounds that no real model comes near.

Nothing is run: a pickle is decoded with the standard library's `pickletools.genops` (the GLOBAL /
STACK_GLOBAL / INST opcodes name what it would import), an NPY header with `ast.literal_eval`, archives with
`zipfile` and `tarfile` (read, never extracted to disk), HDF5 with h5py (the `h5` extra), which reads
attributes and runs nothing. Whatever a bound stops is itself an item (`kind` "uninspected"): what could not
be looked at is never passed.

The work is a work list, not recursion: an archive in an archive in a compressed stream is one more item on
the list, with its depth, and every item shares one Budget per model.
"""

from __future__ import annotations

import ast
import bz2
import io
import json
import lzma
import pickletools
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from inspector._internal.filemagic import SNIFF_BYTES, is_hdf5, is_zip
from inspector._internal.pickles import MAX_PICKLE_BYTES, pickle_facts, pickle_like

#: Archives and compressed streams nest at most this deep; members, streams and bytes are bounded per model.
MAX_DEPTH = 4
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 256 * 2**20  # one member, or one decompressed stream
MAX_TOTAL_BYTES = 2**30  # all members and streams of one model, decompressed
MAX_RATIO = 100  # uncompressed / compressed: past it, a bomb
#: A Keras config's JSON: far above a real model's.
MAX_CONFIG_BYTES = 32 * 2**20


@dataclass(frozen=True, slots=True)
class Item:
    """A file, a member of an archive or a decompressed stream, and what its bytes are."""

    path: str  # relative to the model's folder; a member as `outer.zip!inner/data.pkl`
    kind: str  # pickle, numpy, shared-library, script, archive, hdf5, keras-config, uninspected, other
    loader: str = ""  # who would run it: pickle, numpy, joblib, torch, keras, tf_keras ("" when nothing)
    size: int = 0
    globals: tuple[str, ...] = ()  # a pickle's `module.name` imports, in order, each once
    problem: str = ""  # what stopped the reading (a bound, corrupt bytes)
    config: str = ""  # for a Keras config: its JSON text (an HDF5 file's model_config, a .keras config.json)


@dataclass
class Budget:
    """What one model's files may ask of the reading, together."""

    members: int = 0
    bytes: int = 0
    items: list[Item] = field(default_factory=list)


# --- one file ---------------------------------------------------------------------------------------------


def inspect_file(path: Path, relative: str, size: int, budget: Budget) -> list[Item]:
    """What `path` (a regular file of `size` bytes) is, and what every member and stream inside it is.
    Reads what each kind needs and no more: a weights shard's head, a pickle's first MAX_PICKLE_BYTES, an
    archive's members one at a time."""
    if size == 0:
        return []  # nothing to be
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            if is_zip(head) or _is_tar(head):
                return _walk(relative, None, path, size, budget)
            if is_hdf5(head):
                return [_hdf5(relative, path, size)]
            wanted = _bytes_wanted(head, size)
            if wanted > len(head):
                stream.seek(0)
                head = stream.read(wanted)
    except OSError as error:
        return [Item(relative, "other", size=size, problem=f"cannot be read ({error.strerror or error})")]
    return _walk(relative, head, None, size, budget)


def extent_read(head: bytes, size: int) -> int:
    """How many bytes from the start of a file of `size` bytes opening with `head` the reading may use:
    what a cache key must hash for a verdict on the file to hold (all of an archive or an HDF5 file)."""
    if is_zip(head) or _is_tar(head) or is_hdf5(head):
        return size
    return max(_bytes_wanted(head, size), min(size, SNIFF_BYTES))


def _bytes_wanted(head: bytes, size: int) -> int:
    """How much of a file to read, from its head: a compressed stream's compressed bytes (bounded), an
    object array's or a pickle's first MAX_PICKLE_BYTES (+1, to know it went on), a JSON config whole."""
    if size <= len(head):
        return size
    if _compression(head):
        return min(size, MAX_MEMBER_BYTES)
    offset = _npy_pickle_offset(head)
    if offset is not None:
        return min(size, offset + MAX_PICKLE_BYTES + 1)
    if pickle_facts(head) is not None or _decodes_through(head):
        return min(size, MAX_PICKLE_BYTES + 1)
    if head[:1] == b"{" and size <= MAX_CONFIG_BYTES:
        return size
    return len(head)


def _decodes_through(head: bytes) -> bool:
    """Whether the head decodes as pickle opcodes to its very end (a pickle longer than the head), as a
    weights shard's bytes do not for long."""
    position = 0
    try:
        for opcode, _, at in pickletools.genops(io.BytesIO(head)):
            position = at if at is not None else position
            if opcode.name == "STOP":
                return True
    except Exception:
        return position >= len(head) - 512 and position > 256
    return False


def inspect_bytes(relative: str, data: bytes, budget: Budget) -> list[Item]:
    """The same for bytes already read (a file given on the command line that is not a SavedModel)."""
    return _walk(relative, data, None, len(data), budget)


# --- the work list ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Work:
    label: str
    data: bytes | None  # the bytes (a member, a stream, a small file), or None: read from `file`
    file: Path | None
    size: int
    depth: int
    loader: str  # what an enclosing container says loads it ("torch" for a .pt's data.pkl)


def _walk(label: str, data: bytes | None, file: Path | None, size: int, budget: Budget) -> list[Item]:
    found: list[Item] = []
    work = [_Work(label, data, file, size, 0, "")]
    while work:
        item = work.pop()
        if item.depth > MAX_DEPTH:
            found.append(_uninspected(item, f"nested more than {MAX_DEPTH} archives or streams deep"))
            continue
        found.extend(_one(item, work, budget))
    return found


def _uninspected(item: _Work, why: str) -> Item:
    return Item(item.label, "uninspected", item.loader, item.size, problem=why)


def _one(item: _Work, work: list[_Work], budget: Budget) -> Iterator[Item]:
    head = item.data[:SNIFF_BYTES] if item.data is not None else _head(item.file)
    if is_zip(head):
        yield from _zip(item, work, budget)
        return
    if _is_tar(head):
        yield from _tar(item, work, budget)
        return
    data = item.data if item.data is not None else b""
    if is_hdf5(head):
        yield _hdf5(item.label, item.file or io.BytesIO(data), item.size, item.loader)
        return
    compression = _compression(head)
    if compression is not None:
        decompressed, problem = _decompress(compression, data, budget)
        if problem:
            yield _uninspected(item, problem)
            return
        if decompressed is not None:
            # joblib compresses its pickles whole (compress=3: zlib); so may anyone else.
            loader = item.loader or ("joblib" if pickle_like(decompressed[:SNIFF_BYTES]) else "")
            work.append(
                _Work(
                    f"{item.label} ({compression})",
                    decompressed,
                    None,
                    len(decompressed),
                    item.depth + 1,
                    loader,
                )
            )
            return
    offset = _npy_pickle_offset(head)
    if offset is not None:
        facts = pickle_facts(data[offset:]) if data else None
        if facts is None:
            yield Item(
                item.label,
                "numpy",
                "numpy",
                item.size,
                problem="an object array whose pickle does not decode",
            )
        else:
            yield Item(item.label, "pickle", "numpy", item.size, facts[0], facts[1])
        return
    if head[:6] == b"\x93NUMPY":
        return  # a plain array: data, nothing to load but numbers
    facts = pickle_facts(data) if data and pickle_like(head) else None
    if facts is not None:
        yield Item(item.label, "pickle", item.loader or "pickle", item.size, facts[0], facts[1])
        return
    kind = _binary_kind(head)
    if kind:
        yield Item(item.label, kind, item.loader, item.size)
        return
    config = _keras_config(data, item.label) if data and head[:1] == b"{" else None
    if config is not None:
        yield Item(item.label, "keras-config", item.loader or "keras", item.size, config=config)
        return
    if item.depth:
        yield Item(item.label, "other", item.loader, item.size)


def _head(file: Path | None) -> bytes:
    if file is None:
        return b""
    try:
        with file.open("rb") as stream:
            return stream.read(SNIFF_BYTES)
    except OSError:
        return b""


# --- archives -----------------------------------------------------------------------------------------------


def _is_tar(head: bytes) -> bool:
    return head[257:262] == b"ustar"


def _archive_loader(names: list[str], given: str) -> str:
    """Which loader reads an archive, from its layout (the verdict is by content; this only names who runs
    it): torch's zip holds `*/data.pkl` and `*/version`, a `.keras` file `config.json` and `metadata.json`,
    NumPy's `.npz` only `.npy` members."""
    if given:
        return given
    if any(n.endswith("/data.pkl") or n == "data.pkl" for n in names):
        return "torch"
    if "config.json" in names and "metadata.json" in names:
        return "keras"
    if names and all(n.endswith(".npy") for n in names):
        return "numpy"
    return ""


def _zip(item: _Work, work: list[_Work], budget: Budget) -> Iterator[Item]:
    try:
        source: Any = item.file if item.file is not None else io.BytesIO(item.data or b"")
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            loader = _archive_loader([m.filename for m in members], item.loader)
            yield Item(item.label, "archive", loader, item.size)
            for member in members:
                if member.is_dir():
                    continue
                label = f"{item.label}!{member.filename}"
                problem = _admit(budget, member.file_size, member.compress_size)
                if problem:
                    yield Item(label, "uninspected", loader, member.file_size, problem=problem)
                    continue
                try:
                    with archive.open(member) as stream:
                        data = _bounded_read(stream, member.file_size, max(member.compress_size, 1))
                except (
                    OSError,
                    zipfile.BadZipFile,
                    RuntimeError,
                    NotImplementedError,
                    EOFError,
                    zlib.error,
                ) as error:
                    yield Item(
                        label, "uninspected", loader, member.file_size, problem=f"cannot be read ({error})"
                    )
                    continue
                except _Bomb as bomb:
                    yield Item(label, "uninspected", loader, member.file_size, problem=str(bomb))
                    continue
                budget.bytes += len(data)
                work.append(
                    _Work(
                        label, data, None, len(data), item.depth + 1, _member_loader(loader, member.filename)
                    )
                )
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as error:
        yield _uninspected(item, f"a zip archive that cannot be read ({error})")


def _member_loader(archive_loader: str, name: str) -> str:
    if archive_loader == "keras" and name == "config.json":
        return "keras"
    return archive_loader


def _tar(item: _Work, work: list[_Work], budget: Budget) -> Iterator[Item]:
    try:
        source: Any = (
            {"name": item.file} if item.file is not None else {"fileobj": io.BytesIO(item.data or b"")}
        )
        with tarfile.open(mode="r:", **source) as archive:
            yield Item(item.label, "archive", item.loader, item.size)
            for member in archive:
                label = f"{item.label}!{member.name}"
                if member.issym() or member.islnk():
                    # Extracting it makes a link, possibly to a file outside the folder it lands in.
                    yield Item(label, "link", item.loader, 0, problem=f"links to {member.linkname!r}")
                    continue
                if not member.isfile():
                    continue
                problem = _admit(budget, member.size, member.size)
                if problem:
                    yield Item(label, "uninspected", item.loader, member.size, problem=problem)
                    continue
                stream = archive.extractfile(member)
                if stream is None:
                    continue
                data = stream.read(member.size)
                budget.bytes += len(data)
                work.append(_Work(label, data, None, len(data), item.depth + 1, item.loader))
    except (OSError, tarfile.TarError, ValueError, EOFError) as error:
        yield _uninspected(item, f"a tar archive that cannot be read ({error})")


def _admit(budget: Budget, size: int, compressed: int) -> str:
    """Why a member of `size` bytes (`compressed` stored) is not read, or "" when it may be."""
    budget.members += 1
    if budget.members > MAX_MEMBERS:
        return f"past {MAX_MEMBERS} members in the model's archives: not read"
    if size > MAX_MEMBER_BYTES:
        return f"declares {size} bytes, over {MAX_MEMBER_BYTES}: not read"
    if size > MAX_RATIO * max(compressed, 1) + SNIFF_BYTES:
        return (
            f"declares {size} bytes from {compressed} compressed (a ratio over {MAX_RATIO}: a bomb): not read"
        )
    if budget.bytes + size > MAX_TOTAL_BYTES:
        return f"past {MAX_TOTAL_BYTES} bytes decompressed in the model's archives: not read"
    return ""


class _Bomb(Exception):
    pass


def _bounded_read(stream: IO[bytes], declared: int, compressed: int) -> bytes:
    """A member's bytes, stopping as soon as it gives more than it declared or than the ratio allows."""
    limit = min(MAX_MEMBER_BYTES, MAX_RATIO * compressed + SNIFF_BYTES)
    data = stream.read(min(declared, limit) + 1)
    if len(data) > declared or len(data) > limit:
        raise _Bomb(f"gives more bytes than it declares ({declared}) or than a ratio of {MAX_RATIO}: a bomb")
    return data


# --- compressed streams -------------------------------------------------------------------------------------

_Decompressor = Callable[[], Any]
_STREAMS: dict[str, _Decompressor] = {
    "zlib": lambda: zlib.decompressobj(),
    "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "bz2": lambda: bz2.BZ2Decompressor(),
    "xz": lambda: lzma.LZMADecompressor(format=lzma.FORMAT_XZ),
    "lzma": lambda: lzma.LZMADecompressor(format=lzma.FORMAT_ALONE),
}


def _compression(head: bytes) -> str | None:
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh":
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head[:3] == b"\x5d\x00\x00":
        return "lzma"
    if len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib"
    if head[:4] == b"\x04\x22\x4d\x18":
        return "lz4"
    return None


def _decompress(kind: str, data: bytes, budget: Budget) -> tuple[bytes | None, str]:
    """(the stream decompressed, "") within the bounds; (None, "") when the bytes only looked compressed;
    (None, why) when a bound stopped it or nothing here can decompress it."""
    if kind == "lz4":
        try:
            import lz4.frame  # optional: joblib's lz4 compression
        except ImportError:
            return None, "lz4-compressed, and the lz4 package is not installed to open it"
        decompressor: Any = lz4.frame.LZ4FrameDecompressor()
    else:
        decompressor = _STREAMS[kind]()
    limit = min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - budget.bytes, MAX_RATIO * len(data) + SNIFF_BYTES)
    try:
        if kind == "lz4":
            out = decompressor.decompress(data, max_length=limit + 1)
        else:
            out = decompressor.decompress(data, limit + 1)
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, RuntimeError):
        return None, ""  # not a stream of that kind after all: read as what else it is
    if len(out) > limit:
        return None, (
            f"{kind}-compressed, and decompresses past {limit} bytes (over {MAX_MEMBER_BYTES}, the model's "
            f"{MAX_TOTAL_BYTES} or a ratio of {MAX_RATIO}: a bomb): not read"
        )
    budget.bytes += len(out)
    return out, ""


# --- NumPy ----------------------------------------------------------------------------------------------------


def _npy_pickle_offset(head: bytes) -> int | None:
    """Where the pickle of an object-dtype `.npy` starts (np.load(allow_pickle=True) unpickles from
    there), or None for any other bytes, a numeric array among them."""
    if head[:6] != b"\x93NUMPY" or len(head) < 10:
        return None
    major = head[6]
    if major == 1:
        length, start = int.from_bytes(head[8:10], "little"), 10
    elif major in (2, 3) and len(head) >= 12:
        length, start = int.from_bytes(head[8:12], "little"), 12
    else:
        return None
    text = head[start : start + length]
    if len(text) != length or length > SNIFF_BYTES:
        return None
    try:
        header = ast.literal_eval(text.decode("latin-1").strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    descr = header.get("descr") if isinstance(header, dict) else None
    return start + length if _holds_objects(descr) else None


def _holds_objects(descr: Any) -> bool:
    """An `O` anywhere in a dtype description: an object field of a record makes a pickle too."""
    stack = [descr]
    seen = 0
    while stack and seen < 10_000:
        seen += 1
        value = stack.pop()
        if isinstance(value, str):
            if value.lstrip("<>|=").startswith("O"):
                return True
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return False


# --- binaries, HDF5, Keras ------------------------------------------------------------------------------------


def _binary_kind(head: bytes) -> str:
    if head.startswith((b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"MZ")):
        return "shared-library"
    if head.startswith(b"#!"):
        return "script"
    if head.startswith(b"7z\xbc\xaf"):
        return "archive-unread"
    return ""


def _hdf5(label: str, source: Path | IO[bytes], size: int, loader: str = "") -> Item:
    """A Keras `.h5`'s `model_config` (the model's JSON, Lambda code and all), read with h5py, which reads
    attributes and runs nothing. Without h5py (the `h5` extra) the file is not inspected: a failure."""
    try:
        import h5py
    except ImportError:
        return Item(
            label,
            "uninspected",
            loader or "keras",
            size,
            problem="an HDF5 file (a Keras .h5 carries its model's code in it), and h5py is not installed to read "
            "it: pip install 'savedmodel-inspector[h5]'",
        )
    try:
        with h5py.File(source, "r") as handle:
            value = handle.attrs.get("model_config")
    except Exception as error:  # h5py raises OSError and its own for corrupt files
        return Item(
            label, "uninspected", loader or "keras", size, problem=f"an HDF5 file h5py cannot read ({error})"
        )
    if value is None:
        return Item(label, "hdf5", loader, size)
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if len(text) > MAX_CONFIG_BYTES:
        return Item(
            label, "uninspected", "keras", size, problem=f"its model_config is over {MAX_CONFIG_BYTES} bytes"
        )
    return Item(label, "keras-config", loader or "keras", size, config=text)


def _keras_config(data: bytes, label: str) -> str | None:
    """The JSON text, when the bytes are a Keras model config (an object with class_name and config)."""
    if len(data) > MAX_CONFIG_BYTES:
        return None
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if isinstance(document, dict) and "class_name" in document and isinstance(document.get("config"), dict):
        return data.decode("utf-8", "replace")
    return None
