"""The variables checkpoint read statically: the index's entries, and the few bytes of a small tensor that
`diff --values` reads from a data shard -- only a regular file inside the model, only the entry's bytes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fixtures import catalog
from inspector._internal.checkpoint import (
    INDEX_FILE,
    BundleEntry,
    BundleIndex,
    read_bundle_index,
    read_small_values,
)

MODEL = catalog.get("module_aliases").path  # one float32 scalar variable, `offset`, saved as 3.0
VALUE_KEY = "offset/.ATTRIBUTES/VARIABLE_VALUE"


def _entry(model: Path) -> tuple[BundleIndex, BundleEntry]:
    index = read_bundle_index(model / INDEX_FILE)
    return index, next(e for e in index.entries if e.name == VALUE_KEY)


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MODEL, tmp_path / "model"))


def test_an_entry_records_its_dtype_shape_and_checksum() -> None:
    _, entry = _entry(MODEL)
    assert (entry.dtype, entry.shape, entry.size) == (1, (), 4)  # DT_FLOAT, a scalar, 4 bytes
    assert entry.crc32c != 0


def test_a_small_tensor_is_read_from_its_shard() -> None:
    index, entry = _entry(MODEL)
    assert read_small_values(MODEL, index, entry, limit=8) == (3.0,)


def test_a_tensor_over_the_limit_or_of_strings_is_not_read() -> None:
    index, entry = _entry(MODEL)
    assert read_small_values(MODEL, index, entry, limit=0) is None
    graph = next(e for e in index.entries if e.name == "_CHECKPOINTABLE_OBJECT_GRAPH")
    assert read_small_values(MODEL, index, graph, limit=8) is None  # DT_STRING: not fixed-size numbers


def _shard(model: Path, index: BundleIndex) -> Path:
    return index.shard_path(model, 0)


@pytest.mark.parametrize("swap", ["link outside", "fifo", "directory", "truncated", "missing"])
def test_a_shard_that_is_not_the_models_regular_file_is_never_read(tmp_path: Path, swap: str) -> None:
    model = _copy(tmp_path)
    index, entry = _entry(model)
    shard = _shard(model, index)
    outside = tmp_path / "elsewhere"
    outside.write_bytes(shard.read_bytes())  # the same bytes: only where they are differs
    shard.unlink()
    if swap == "link outside":
        shard.symlink_to(outside)
    elif swap == "fifo":
        os.mkfifo(shard)
    elif swap == "directory":
        shard.mkdir()
    elif swap == "truncated":
        shard.write_bytes(outside.read_bytes()[: entry.offset + entry.size - 1])
    assert read_small_values(model, index, entry, limit=8) is None


def test_an_entry_whose_size_does_not_match_its_dtype_and_shape_is_not_read() -> None:
    index, entry = _entry(MODEL)
    lying = BundleEntry(entry.name, entry.shard, entry.offset, 8, entry.crc32c, entry.dtype, entry.shape)
    assert read_small_values(MODEL, index, lying, limit=8) is None
