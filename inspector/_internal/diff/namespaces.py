"""The `namespaces` category: op namespaces (`Namespace>Op`) added or removed, with their ops."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.diff.paired import Paired
from inspector._internal.view import (
    SavedModelView,
    namespace_of,
)
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
)

if TYPE_CHECKING:
    pass


def namespaces(paired: Paired) -> list[Change]:
    old, new = paired.old, paired.new

    def namespaced(view: SavedModelView) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for op in view.nodes_by_op:
            namespace = namespace_of(op)
            if namespace is not None:
                found.setdefault(namespace, set()).add(op)
        return found

    before, after = namespaced(old), namespaced(new)
    changes = []
    for namespace in sorted(set(before) | set(after)):
        old_ops, new_ops = before.get(namespace, set()), after.get(namespace, set())
        if not old_ops:
            changes.append(
                Change(
                    Category.NAMESPACES,
                    ChangeKind.ADDED,
                    Aspect.NAMESPACE,
                    namespace,
                    new=tuple(sorted(new_ops)),
                )
            )
        elif not new_ops:
            changes.append(
                Change(
                    Category.NAMESPACES,
                    ChangeKind.REMOVED,
                    Aspect.NAMESPACE,
                    namespace,
                    old=tuple(sorted(old_ops)),
                )
            )
        else:
            for op in sorted(new_ops - old_ops):
                changes.append(Change(Category.NAMESPACES, ChangeKind.ADDED, Aspect.NAMESPACED_OP, op))
            for op in sorted(old_ops - new_ops):
                changes.append(Change(Category.NAMESPACES, ChangeKind.REMOVED, Aspect.NAMESPACED_OP, op))
    return changes
