"""The `debug-info` category: whether the model carries its creation traces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector.results.diff import (
    Aspect,
    Category,
    Change,
)

if TYPE_CHECKING:
    pass


from inspector._internal.diff.paired import Paired, changed


def debug_info(paired: Paired) -> list[Change]:
    old, new = paired.old, paired.new
    return changed(
        Category.DEBUG_INFO, Aspect.DEBUG_INFO, old.debug_info.status.value, new.debug_info.status.value
    )
