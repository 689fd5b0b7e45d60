"""The `risky-ops` category: risky op types (the audit's catalogue) whose count changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.checkpointplumbing import risky_op_counts
from inspector._internal.diff.paired import Paired
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
)

if TYPE_CHECKING:
    pass


def risky_ops(paired: Paired) -> list[Change]:
    old, new = paired.old, paired.new
    from inspector._internal.riskyops import CATALOGUE

    before, after = risky_op_counts(old), risky_op_counts(new)
    changes = []
    for op in sorted(set(before) | set(after)):
        if after[op] == before[op]:
            continue
        if not before[op]:
            kind = ChangeKind.ADDED
        elif not after[op]:
            kind = ChangeKind.REMOVED
        else:
            kind = ChangeKind.CHANGED
        changes.append(
            Change(
                Category.RISKY_OPS,
                kind,
                Aspect.RISKY_OP,
                op,
                old=before[op] or None,
                new=after[op] or None,
                reason=CATALOGUE[op].reason if after[op] > before[op] else "",
            )
        )
    return changes
