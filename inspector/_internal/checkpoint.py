"""The variables checkpoint of a SavedModel (`variables/variables.index` + data shards), read statically.

The index is a TensorFlow "tensor bundle": a LevelDB-format table whose keys are tensor names and whose
values are `BundleEntryProto`s (shard, offset, size), plus a header entry (the empty key, a
`BundleHeaderProto` with the shard count). Reading it tells, without TensorFlow, which data shards must
exist and how long each must be -- so a missing or truncated shard is found before anything is loaded.

Table layout (TensorFlow's lib/io/table, from LevelDB): blocks, each followed by a 5-byte trailer
(compression type, crc); an index block mapping the last key of each data block to its handle; and a
48-byte footer holding the metaindex and index block handles and a magic number.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from inspector._internal.fileio import NON_BLOCKING
from inspector._internal.protos import load_protos

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt

INDEX_FILE = Path("variables") / "variables.index"
#: Far above any real index (a few MB for a large model), far below what would hurt to read.
INDEX_LIMIT = 512 * 2**20
#: TensorFlow writes one shard per device or worker: tens, rarely thousands.
MAX_SHARDS = 100_000
_MAGIC = 0xDB4775248B80FB57
_FOOTER = 48
_TRAILER = 5


class CheckpointIndexError(ValueError):
    """The index file is not a readable tensor bundle index."""


@dataclass(frozen=True, slots=True)
class BundleEntry:
    name: str
    shard: int
    offset: int
    size: int
    crc32c: int = 0  # of the tensor's bytes in its shard, as TensorFlow wrote it: its values' identity
    dtype: int = 0  # the DataType number the entry records
    shape: tuple[int, ...] | None = None  # None: the entry records no fully known shape


@dataclass(frozen=True, slots=True)
class BundleIndex:
    num_shards: int
    entries: tuple[BundleEntry, ...]

    def shard_path(self, model_dir: Path, shard: int) -> Path:
        return model_dir / "variables" / f"variables.data-{shard:05d}-of-{self.num_shards:05d}"

    def required_sizes(self) -> dict[int, int]:
        """Shard -> the least size its data file must have."""
        sizes = dict.fromkeys(range(self.num_shards), 0)
        for entry in self.entries:
            sizes[entry.shard] = max(sizes.get(entry.shard, 0), entry.offset + entry.size)
        return sizes


def read_bundle_index(path: Path) -> BundleIndex:
    """Every count, length and handle in the file is checked against the file before it is used: each
    block is read once however many handles name it, and the shard count is bounded."""
    from inspector._internal.errors import InspectorError
    from inspector._internal.fileio import read_regular_file

    try:
        data = read_regular_file(path, INDEX_LIMIT, "checkpoint index")
    except InspectorError as error:
        raise CheckpointIndexError(str(error).removeprefix(f"{path}: ")) from None
    if len(data) < _FOOTER:
        raise CheckpointIndexError(f"{len(data)} bytes is shorter than a table footer")
    footer = data[-_FOOTER:]
    (magic,) = struct.unpack("<Q", footer[-8:])
    if magic != _MAGIC:
        raise CheckpointIndexError("no table magic number at its end: not a tensor bundle index")
    _, position = _varint(footer, 0)  # metaindex offset
    _, position = _varint(footer, position)  # metaindex size
    index_offset, position = _varint(footer, position)
    index_size, _ = _varint(footer, position)
    protos = load_protos()
    if protos.tensor_bundle is None:
        raise CheckpointIndexError("this TensorFlow install has no tensor bundle definition")
    header = None
    entries = []
    read_blocks: set[tuple[int, int]] = set()
    for _, handle in _block_entries(_block(data, index_offset, index_size)):
        offset, position = _varint(handle, 0)
        size, _ = _varint(handle, position)
        if (offset, size) in read_blocks:
            continue  # a handle repeated thousands of times must not mean thousands of reads
        read_blocks.add((offset, size))
        for key, value in _block_entries(_block(data, offset, size)):
            try:
                if key == b"":
                    header = protos.tensor_bundle.BundleHeaderProto()
                    header.ParseFromString(value)
                    continue
                entry = protos.tensor_bundle.BundleEntryProto()
                entry.ParseFromString(value)
            except Exception as error:  # DecodeError, or a runtime's own: the value is not the proto
                raise CheckpointIndexError(
                    f"an entry is not a valid bundle entry ({type(error).__name__})"
                ) from None
            if entry.offset < 0 or entry.size < 0 or entry.offset + entry.size > 2**62:
                raise CheckpointIndexError(f"entry {key[:80]!r} has an impossible offset or size")
            entries.append(
                BundleEntry(
                    key.decode("utf-8", "replace"),
                    entry.shard_id,
                    entry.offset,
                    entry.size,
                    entry.crc32c,
                    entry.dtype,
                    _entry_shape(entry.shape),
                )
            )
    if header is None:
        raise CheckpointIndexError("no bundle header entry")
    if not 0 < header.num_shards <= MAX_SHARDS:
        raise CheckpointIndexError(f"the header claims {header.num_shards} shards (at most {MAX_SHARDS})")
    stray = next((e for e in entries if not 0 <= e.shard < header.num_shards), None)
    if stray is not None:
        raise CheckpointIndexError(
            f"entry {stray.name[:80]!r} names shard {stray.shard} of {header.num_shards}"
        )
    return BundleIndex(header.num_shards, tuple(entries))


def _entry_shape(shape: fmt.TensorShapeProto) -> tuple[int, ...] | None:
    if shape.unknown_rank or any(dim.size < 0 for dim in shape.dim):
        return None
    return tuple(dim.size for dim in shape.dim)


#: The dtypes whose values are read (fixed-size numbers): DataType number -> (name, struct format).
_READABLE = {
    1: ("float32", "f"),
    2: ("float64", "d"),
    3: ("int32", "i"),
    4: ("uint8", "B"),
    5: ("int16", "h"),
    6: ("int8", "b"),
    9: ("int64", "q"),
    10: ("bool", "?"),
    17: ("uint16", "H"),
    19: ("float16", "e"),
    22: ("uint32", "I"),
    23: ("uint64", "Q"),
}


def read_small_values(
    model_dir: Path, index: BundleIndex, entry: BundleEntry, limit: int
) -> tuple[float | int | bool, ...] | None:
    """The values of a tensor of at most `limit` fixed-size elements, read from its data shard at the
    offset its entry records; None for anything else (a string tensor, a larger one, an entry whose size
    does not match its dtype and shape, a shard that is not a regular file inside the model or that is
    shorter than the entry says, a shard with several hard links -- it may be a file outside the model --
    or bytes whose CRC-32C is not the entry's). Only `entry.size` bytes are read, whatever the shard's size."""
    import math
    import os
    import stat

    from inspector._internal.fileio import model_part_problem

    readable = _READABLE.get(entry.dtype)
    if readable is None or entry.shape is None:
        return None
    elements = math.prod(entry.shape)
    fmt = f"<{elements}{readable[1]}"
    if elements > limit or struct.calcsize(fmt) != entry.size:
        return None
    shard = index.shard_path(model_dir, entry.shard)
    if model_part_problem(model_dir, shard) is not None:
        return None
    try:
        # O_NONBLOCK: a FIFO put where the shard should be must not block the open.
        descriptor = os.open(shard, os.O_RDONLY | NON_BLOCKING)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None  # swapped for something else since it was checked
        if info.st_nlink > 1:
            return None  # a hard link may be a file of the machine outside the model: none of its bytes shown
        try:
            stream.seek(entry.offset)
            data = stream.read(entry.size)
        except OSError:
            return None
    if len(data) != entry.size or masked_crc32c(data) != entry.crc32c:
        return None  # not the bytes TensorFlow wrote for this tensor: nothing of them is shown
    values: tuple[float | int | bool, ...] = struct.unpack(fmt, data)
    return values


def _crc32c_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1  # Castagnoli's polynomial, reflected
        table.append(crc)
    return tuple(table)


_CRC32C = _crc32c_table()


def masked_crc32c(data: bytes) -> int:
    """The checksum a BundleEntryProto records: CRC-32C of the tensor's bytes, masked as TensorFlow masks it
    (`crc32c::Mask`). Our own, in a few lines: the standard library has no CRC-32C, and it is computed only
    for the few small tensors whose values are shown (`read_small_values`)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def _block(data: bytes, offset: int, size: int) -> bytes:
    end = offset + size
    if offset < 0 or size < 0:
        raise CheckpointIndexError("a block handle is negative")
    if end + _TRAILER > len(data):
        raise CheckpointIndexError(f"a block at {offset}+{size} runs past the end of the file")
    compression = data[end] if end < len(data) else 0
    if compression != 0:
        raise CheckpointIndexError(f"compressed blocks (type {compression}) are not supported")
    return data[offset:end]


def _block_entries(block: bytes) -> list[tuple[bytes, bytes]]:
    if len(block) < 4:
        raise CheckpointIndexError("a block is too short")
    (restarts,) = struct.unpack("<I", block[-4:])
    limit = len(block) - 4 - 4 * restarts
    if limit < 0:
        raise CheckpointIndexError("a block's restart array is larger than the block")
    entries = []
    key = b""
    position = 0
    while position < limit:
        shared, position = _varint(block, position)
        unshared, position = _varint(block, position)
        value_size, position = _varint(block, position)
        if shared > len(key) or position + unshared + value_size > limit:
            raise CheckpointIndexError("a block entry is malformed")
        key = key[:shared] + block[position : position + unshared]
        position += unshared
        entries.append((key, block[position : position + value_size]))
        position += value_size
    return entries


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise CheckpointIndexError("a varint runs past its field")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
