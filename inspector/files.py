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
