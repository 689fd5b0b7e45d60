"""scrub copies a model a chunk at a time: memory stays flat whatever a shard's size, a sparse shard stays
sparse, and a prefix left in any file is found wherever it falls between two chunks."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import catalog
from inspector._internal import scrub as scrubbing
from tests.conftest import ALICE_ROOT, publish_as_saved_by_alice

SHARD = Path("variables") / "variables.data-00000-of-00001"


def _model_with_a_sparse_shard(tmp_path: Path, size: int, data: dict[int, bytes]) -> Path:
    model = publish_as_saved_by_alice(shutil.copytree(catalog.get("custom_ops").path, tmp_path / "model"))
    shard = model / SHARD
    shard.parent.mkdir(exist_ok=True)
    with shard.open("wb") as writer:
        writer.truncate(size)
        for offset, chunk in data.items():
            writer.seek(offset)
            writer.write(chunk)
    return model


def _same_bytes(left: Path, right: Path) -> bool:
    with left.open("rb") as a, right.open("rb") as b:
        while True:
            x, y = a.read(2**22), b.read(2**22)
            if x != y:
                return False
            if not x:
                return True


@pytest.mark.slow  # a child process reading 2 GiB of holes: CI runs it
def test_a_2_gib_shard_is_copied_under_a_1_gib_memory_limit_and_stays_sparse(tmp_path: Path) -> None:
    size = 2 * 2**30
    model = _model_with_a_sparse_shard(
        tmp_path, size, {2**30: os.urandom(8 * 2**20), size - 4096: ALICE_ROOT.encode() + b"weights"}
    )
    out = tmp_path / "public"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspector",
            "scrub",
            str(model),
            str(out),
            "--strip-prefix",
            ALICE_ROOT,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=limit,
    )
    # The prefix is still in the shard (scrub rewrites the debug info only): exit 1, naming the file.
    assert run.returncode == 1, run.stderr[-2000:]
    remaining = json.loads(run.stdout)["result"]["remaining"]
    assert [Path(entry[0]).name for entry in remaining] == [SHARD.name]
    copy = out / SHARD
    assert copy.stat().st_size == size and _same_bytes(model / SHARD, copy)
    assert copy.stat().st_blocks * 512 < 64 * 2**20  # its holes are holes, not 2 GiB of zeros


@pytest.mark.parametrize("offset", [0, 1, 60, 63, 64, 100])
def test_a_prefix_across_two_chunks_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offset: int
) -> None:
    monkeypatch.setattr(scrubbing, "CHUNK", 64)
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "blob").write_bytes(b"x" * offset + ALICE_ROOT.encode() + b"y" * 200)
    (folder / "clean").write_bytes(b"z" * 500)
    assert scrubbing._occurrences(folder, [ALICE_ROOT]) == ((str(folder / "blob"), ALICE_ROOT),)


def test_a_dense_file_is_copied_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scrubbing, "CHUNK", 1000)
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(os.urandom(12_345))
    with source.open("rb") as reader, target.open("xb") as writer:
        scrubbing._copy_keeping_holes(reader.fileno(), writer.fileno())
    assert target.read_bytes() == source.read_bytes()
