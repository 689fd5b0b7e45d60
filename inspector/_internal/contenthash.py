"""The model's content as the audit reads it, as one hash: what the scan's cache keys a record by, and what a
signed model's audit record holds (a record whose hash differs describes other files)."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from inspector._internal.filecontent import extent_read
from inspector._internal.fileio import NO_FOLLOW, NON_BLOCKING
from inspector._internal.filemagic import SNIFF_BYTES
from inspector._internal.folderwalk import FolderWalk


def content_hash(model_dir: Path, exclude: frozenset[str] = frozenset()) -> str | None:
    """The model's content as the audit reads it: the entries of its folder (`folderwalk.FolderWalk`, as
    the audit walks them), each with its kind, every regular file's size and every byte the audit can read
    of it -- the files the loader parses, whole at any size; of any other file as much as the folder rules read,
    judged by its head as they judge it (`filecontent.extent_read`: all of an archive, a pickle's opcodes,
    a weights shard's head -- its tail is only sized). Links and special files are named, never followed or opened. None when a bound cut the walk
    short (then the model is audited, never cached). `exclude`: top-level files left out (the signed audit
    record, which holds this hash)."""
    digest = hashlib.sha256()
    walk = FolderWalk(model_dir)
    parsed = _parsed_whole()
    for path, relative, info in walk:
        if relative in exclude:
            continue
        if stat.S_ISDIR(info.st_mode):
            digest.update(f"dir {relative}\0".encode())
        elif stat.S_ISREG(info.st_mode):
            digest.update(f"file {relative} {info.st_size}\0".encode())
            digest.update(_file_digest(Path(path), info.st_size, whole=relative in parsed))
        else:
            digest.update(f"special {relative} {stat.S_IFMT(info.st_mode)}\0".encode())
    return None if walk.truncated else "sha256:" + digest.hexdigest()


def _parsed_whole() -> frozenset[str]:
    """The files (relative, with `/`) the loader and the rules parse whole, whatever their size."""
    from inspector._internal.checkpoint import INDEX_FILE
    from inspector._internal.debuginfo import DEBUG_INFO_PATH
    from inspector._internal.kerasmeta import KERAS_METADATA_FILE
    from inspector._internal.modelfile import FINGERPRINT_FILE, MODEL_FILES

    return frozenset(
        {
            *MODEL_FILES,
            FINGERPRINT_FILE,
            KERAS_METADATA_FILE,
            DEBUG_INFO_PATH.as_posix(),
            INDEX_FILE.as_posix(),
        }
    )


def _file_digest(path: Path, size: int, *, whole: bool) -> bytes:
    flags = os.O_RDONLY | NO_FOLLOW | NON_BLOCKING
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        return f"unreadable {error.strerror}".encode()
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return b"replaced"  # swapped for something else since the walk saw it
        digest = hashlib.sha256()
        if whole:
            remaining = size
        else:
            head = os.read(descriptor, SNIFF_BYTES)
            remaining = extent_read(head, size) - len(head)
            digest.update(head)
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 2**20))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
        return digest.digest()
    except OSError as error:
        return f"unreadable {error.strerror}".encode()
    finally:
        os.close(descriptor)
