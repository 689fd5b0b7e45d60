"""The `weights` category: variables whose values differ, by the checkpoint's checksums (or values)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector._internal.view import (
    SavedModelView,
    Variable,
)
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
    TensorValue,
)

if TYPE_CHECKING:
    from inspector._internal.checkpoint import BundleEntry, BundleIndex


from inspector._internal.diff.paired import Paired, plain_value
from inspector._internal.diff.variables import (
    bundle_index,
    checkpoint_entries,
    variable_groups,
    variable_keys,
)

#: `--values` shows the values of a changed variable of at most this many elements (a threshold, a bias).
SHOWN_VALUES = 8


def weights(paired: Paired) -> list[Change]:
    """Variable groups of the same specs on both sides whose values differ: each tensor's entry in
    `variables.index` holds the crc32c of its bytes, so no data file is read. A group is compared as a
    multiset of checksums (Keras lists a model's variables in another order on every export).

    With `values`, a changed tensor of at most SHOWN_VALUES fixed-size elements is read from its data
    shard (those bytes only) and shown old → new."""
    old, new, values = paired.old, paired.new, paired.values
    before, after = _stored_tensors(old), _stored_tensors(new)
    specs_before, specs_after = variable_groups(old), variable_groups(new)
    changes = []
    for key in sorted(set(before) & set(after)):
        old_sums, new_sums = _sums(before[key]), _sums(after[key])
        if old_sums == new_sums or specs_before.get(key) != specs_after.get(key):
            continue  # the same values, or a changed shape the variables category already says
        if values:
            old_value, new_value = _read_values(old, before[key]), _read_values(new, after[key])
        else:
            specs = specs_before[key]
            old_value = tuple(spec._replace(digest="crc32c " + " ".join(old_sums)) for spec in specs)
            new_value = tuple(spec._replace(digest="crc32c " + " ".join(new_sums)) for spec in specs)
        changes.append(
            Change(
                Category.WEIGHTS,
                ChangeKind.CHANGED,
                Aspect.WEIGHT,
                key,
                old=old_value,
                new=new_value,
                reason="values differ",
            )
        )
    return changes


def _sums(stored: _StoredGroup) -> tuple[str, ...]:
    return tuple(sorted(f"{entry.crc32c:08x}" for _, entry in stored.tensors))


@dataclass(frozen=True, slots=True)
class _StoredGroup:
    """A variable group's tensors in the checkpoint: each variable with its entry in the index."""

    index: BundleIndex
    tensors: tuple[tuple[Variable, BundleEntry], ...]


def _stored_tensors(view: SavedModelView) -> dict[str, _StoredGroup]:
    """Variable group -> its variables' entries in the checkpoint index, in object-path order; {} when
    the index cannot be read (INS011 says why). A TF2 variable's checkpoint key is its object path; a
    TF1 one's its name."""
    index = bundle_index(view)
    if index is None:
        return {}
    keys = variable_keys(view)
    found: dict[str, list[tuple[Variable, BundleEntry]]] = {}
    for variable, entry in checkpoint_entries(view):
        found.setdefault(keys[variable], []).append((variable, entry))
    return {group: _StoredGroup(index, tuple(tensors)) for group, tensors in found.items()}


def _read_values(view: SavedModelView, stored: _StoredGroup) -> tuple[TensorValue, ...]:
    """Each tensor of a group as its spec and checksum, with its values when it is small enough."""
    from inspector._internal.checkpoint import read_small_values

    shown = []
    for variable, entry in stored.tensors:
        read = read_small_values(view.path, stored.index, entry, SHOWN_VALUES)
        shown.append(
            TensorValue(
                variable.dtype,
                variable.shape,
                None if read is None else tuple(plain_value(value, variable.dtype) for value in read),
                None if entry.shape is None else math.prod(entry.shape),
                f"crc32c {entry.crc32c:08x}",
            )
        )
    return tuple(shown)
