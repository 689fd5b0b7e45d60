"""The bounded walk over a model's folder that the audit, the asset hashes and the content hash share:
every entry, folder by folder in name order, never through a link (a module of its own: the report walks
the folder without the archive readers `foldercontents` needs)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

#: The walk's bounds: more entries, or deeper, than any real model has.
MAX_ENTRIES = 10_000
MAX_DEPTH = 32


class FolderWalk:
    """Every entry under a model's folder, folder by folder in name order, never through a link: its
    path, its path relative to the folder (with `/`) and its lstat. Bounded by MAX_ENTRIES entries and
    MAX_DEPTH levels; `truncated` says, once the walk is done, whether a bound cut it short. The audit's
    look at a folder (`scan_folder`) and the scan's content hash walk the same entries."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self.truncated = False

    def __iter__(self) -> Iterator[tuple[str, str, os.stat_result]]:
        prefix = len(str(self.model_dir).rstrip(os.sep)) + 1  # entry.path: the folder, a separator, names
        stack: list[tuple[str, int]] = [(str(self.model_dir), 0)]
        entries = 0
        while stack:
            folder, depth = stack.pop()
            try:
                children = sorted(os.scandir(folder), key=lambda entry: entry.name)
            except OSError:
                continue
            for entry in children:
                entries += 1
                if entries > MAX_ENTRIES:
                    self.truncated = True
                    return
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # gone since the folder was listed
                if stat.S_ISDIR(info.st_mode):
                    if depth + 1 >= MAX_DEPTH:
                        self.truncated = True
                        continue
                    stack.append((entry.path, depth + 1))
                relative = entry.path[prefix:]
                yield entry.path, relative if os.sep == "/" else relative.replace(os.sep, "/"), info
