"""The `ops` category: a paired function's nodes added, removed, of another op type, or renamed."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
)

if TYPE_CHECKING:
    pass


from inspector._internal.diff.paired import NodeMatch, changed


def ops(match: NodeMatch, where: tuple[str, str]) -> list[Change]:
    """A paired function's op-type counts, its nodes added, removed, of another op or renamed."""
    changes: list[Change] = []
    old_nodes, new_nodes = match.old, match.new
    old_in, new_in = where
    counts_before = Counter(node.op for node in old_nodes.values())
    counts_after = Counter(node.op for node in new_nodes.values())
    for op in sorted(set(counts_before) | set(counts_after)):
        changes += changed(
            Category.OPS,
            Aspect.OP_COUNT,
            counts_before[op],
            counts_after[op],
            name=op,
            old_function=old_in,
            new_function=new_in,
        )
    pairing = match.pairing
    for name in sorted(pairing.added):
        changes.append(
            Change(
                Category.OPS,
                ChangeKind.ADDED,
                Aspect.NODE,
                name,
                new=new_nodes[name].op,
                old_function=old_in,
                new_function=new_in,
            )
        )
    for name in sorted(pairing.removed):
        changes.append(
            Change(
                Category.OPS,
                ChangeKind.REMOVED,
                Aspect.NODE,
                name,
                old=old_nodes[name].op,
                old_function=old_in,
                new_function=new_in,
            )
        )
    for before, after in sorted(pairing.pairs):
        changes += changed(
            Category.OPS,
            Aspect.NODE,
            old_nodes[before].op,
            new_nodes[after].op,
            name=before,
            old_function=old_in,
            new_function=new_in,
        )
    # Renamed only: the same op reading the same inputs, under a name whose counters changed.
    for before, after in sorted(pairing.renamed):
        changes.append(
            Change(
                Category.OPS,
                ChangeKind.CHANGED,
                Aspect.NODE_NAME,
                before,
                old=before,
                new=after,
                old_function=old_in,
                new_function=new_in,
            )
        )
    return changes
