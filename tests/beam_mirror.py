"""A Beam FileSystem of its own scheme, `mirror://PATH`, that reads the local PATH: what the pipeline
treats as a remote filesystem (gs://, s3://), exercised here without a cloud. Importing this module
registers it (Beam finds FileSystem subclasses by their scheme)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apache_beam.io.filesystem import FileMetadata
from apache_beam.io.localfilesystem import LocalFileSystem

PREFIX = "mirror://"


def local(path: str) -> str:
    return path.removeprefix(PREFIX)


class MirrorFileSystem(LocalFileSystem):  # type: ignore[misc]
    @classmethod
    def scheme(cls) -> str:
        return "mirror"

    def join(self, basepath: str, *paths: str) -> str:
        return PREFIX + str(Path(local(basepath)).joinpath(*paths))

    def split(self, path: str) -> tuple[str, str]:
        found = Path(local(path)).absolute()
        return PREFIX + str(found.parent), found.name

    def _url_dirname(self, url: str) -> str:
        return PREFIX + str(Path(local(url)).parent)

    def _list(self, dir_or_prefix: str) -> Iterator[FileMetadata]:
        for folder, _, files in os.walk(local(dir_or_prefix)):
            for name in files:
                path = Path(folder) / name
                yield self._metadata(PREFIX + str(path), path)

    def exists(self, path: str) -> bool:
        return Path(local(path)).exists()

    def size(self, path: str) -> int:
        return Path(local(path)).stat().st_size

    def metadata(self, path: str) -> FileMetadata:
        return self._metadata(path, Path(local(path)))

    def open(self, path: str, *args: Any, **kwargs: Any) -> Any:
        return super().open(local(path), *args, **kwargs)

    @staticmethod
    def _metadata(name: str, path: Path) -> FileMetadata:
        info = path.stat()
        return FileMetadata(name, info.st_size, info.st_mtime)
