"""The `sources` category: paired ops whose creation site (file and line) moved."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from inspector._internal.diff.paired import NodeMatch
from inspector._internal.view import (
    SavedModelView,
)
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
    SourceSite,
)

if TYPE_CHECKING:
    pass


def sources(
    old: SavedModelView, new: SavedModelView, match: NodeMatch, where: tuple[str, str]
) -> list[Change]:
    """A paired function's ops whose creation site moved. Sites compare by file name and line, so the
    same checkout saved on two machines (different absolute paths) does not count as moved."""
    changes = []
    for node, other in match.matched():
        old_trace, new_trace = old.trace(node), new.trace(other)
        old_site = old_trace.creation_site if old_trace else None
        new_site = new_trace.creation_site if new_trace else None
        if (
            old_site is None
            or new_site is None
            or (old_site.file, old_site.line) == (new_site.file, new_site.line)
        ):
            continue
        if (PurePath(old_site.file).name, old_site.line) != (PurePath(new_site.file).name, new_site.line):
            changes.append(
                Change(
                    Category.SOURCES,
                    ChangeKind.CHANGED,
                    Aspect.SOURCE,
                    node.name,
                    old=SourceSite(old_site.file, old_site.line),
                    new=SourceSite(new_site.file, new_site.line),
                    old_function=where[0],
                    new_function=where[1],
                )
            )
    return changes
