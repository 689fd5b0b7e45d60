"""The `assets` category: asset files added, removed or changed (SHA-256), with the ops that read them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.diff.paired import Paired
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
)

if TYPE_CHECKING:
    from inspector.results.report import AssetFile


def assets(paired: Paired) -> list[Change]:
    """Each file under assets/ and assets.extra/ added, removed or changed in its bytes: a vocabulary, a
    label map, a warmup file changes what the model serves whatever its graph says. The reason names the
    ops that read it (the new model's, or the old one's for a removed file)."""
    old, new = paired.old, paired.new
    from inspector._internal.assets import (
        asset_files,
    )  # reads the asset files: only a diff that compares them

    before = {item.path: item for item in asset_files(old)}
    after = {item.path: item for item in asset_files(new)}
    changes = []
    for path in sorted(before.keys() | after.keys()):
        was, now = before.get(path), after.get(path)
        if (
            was is not None
            and now is not None
            and (was.sha256, was.size) == (now.sha256, now.size)
            and was.sha256
        ):
            continue
        kind = ChangeKind.ADDED if was is None else ChangeKind.REMOVED if now is None else ChangeKind.CHANGED
        source = now if now is not None else was
        readers = source.readers if source is not None else ()
        changes.append(
            Change(
                Category.ASSETS,
                kind,
                Aspect.ASSET,
                path,
                old=_asset_text(was) if was is not None else None,
                new=_asset_text(now) if now is not None else None,
                reason=f"read by {', '.join(readers)}" if readers else "",
            )
        )
    return changes


def _asset_text(item: AssetFile) -> str:
    return (
        f"{item.size} bytes, sha256 {item.sha256[:16]}"
        if item.sha256
        else f"{item.size} bytes ({item.problem})"
    )
