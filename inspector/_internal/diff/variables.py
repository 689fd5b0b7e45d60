"""The `variables` category: variables added, removed, or of another shape, dtype or device."""

from __future__ import annotations

import re
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


from inspector._internal.diff.paired import Paired, changed

_NAME_COUNTER = re.compile(r"_\d+(?=/|$)")


def variable_groups(view: SavedModelView) -> dict[str, tuple[TensorValue, ...]]:
    """Variables grouped by checkpoint name without name-scope counters -> their sorted specs.

    Neither object paths nor exact names identify a variable across saves: Keras 3 lists a model's
    variables under `_all_variables.N` in an order that changes from one export to the next (and lists
    each weight twice, under two object-graph nodes), and layer names carry process-wide counters
    (`seed_generator_7`). The name without its counters (`lstm/lstm_cell/kernel`) is stable; layers that
    share it are compared as a group.

    Unless its exact name cannot tell its weights apart: jax2tf's `tf.nest.map_structure(tf.Variable,
    params)` names every variable `Variable`. Variables that share an exact name but are different weights
    (another dtype, shape or checksum: not one weight tracked twice) are each their own group, named by
    their object path (`Variable (params.w1)`), so a diff says which one changed.
    """
    keys = variable_keys(view)
    groups: dict[str, list[TensorValue]] = {}
    for variable in view.variables:
        groups.setdefault(keys[variable], []).append(TensorValue(variable.dtype, variable.shape))
    return {key: tuple(sorted(specs, key=repr)) for key, specs in groups.items()}


def variable_keys(view: SavedModelView) -> dict[Variable, str]:
    """Each variable's group (see `variable_groups`)."""
    checksums = {variable: entry.crc32c for variable, entry in checkpoint_entries(view)}
    by_name: dict[str, list[Variable]] = {}
    for variable in view.variables:
        by_name.setdefault(variable.name, []).append(variable)
    keys = {}
    for name, variables in by_name.items():
        weights = {(v.dtype, v.shape, checksums.get(v)) for v in variables}
        for variable in variables:
            if not name:
                keys[variable] = variable.object_path
            elif len(weights) > 1:
                keys[variable] = f"{name} ({variable.object_path})"
            else:
                keys[variable] = _NAME_COUNTER.sub("", name)
    return keys


def variables(paired: Paired) -> list[Change]:
    old, new = paired.old, paired.new
    before, after = variable_groups(old), variable_groups(new)
    changes = _variable_devices(old, new)
    for key in sorted(set(before) | set(after)):
        if key not in before:
            changes.append(Change(Category.VARIABLES, ChangeKind.ADDED, Aspect.VARIABLE, key, new=after[key]))
        elif key not in after:
            changes.append(
                Change(Category.VARIABLES, ChangeKind.REMOVED, Aspect.VARIABLE, key, old=before[key])
            )
        else:
            changes += changed(Category.VARIABLES, Aspect.VARIABLE, before[key], after[key], name=key)
    return changes


def _variable_devices(old: SavedModelView, new: SavedModelView) -> list[Change]:
    """Variable groups on both sides whose devices differ (`SaveOptions.experimental_variable_policy`)."""

    def devices(view: SavedModelView) -> dict[str, tuple[str, ...]]:
        keys = variable_keys(view)
        found: dict[str, set[str]] = {}
        for variable in view.variables:
            found.setdefault(keys[variable], set()).add(variable.device)
        return {key: tuple(sorted(d or "(none)" for d in places)) for key, places in found.items()}

    before, after = devices(old), devices(new)
    return [
        Change(
            Category.VARIABLES,
            ChangeKind.CHANGED,
            Aspect.VARIABLE_DEVICE,
            key,
            old=before[key],
            new=after[key],
        )
        for key in sorted(set(before) & set(after))
        if before[key] != after[key]
    ]


def bundle_index(view: SavedModelView) -> BundleIndex | None:
    from inspector._internal.checkpoint import INDEX_FILE, CheckpointIndexError, read_bundle_index

    try:
        return read_bundle_index(view.path / INDEX_FILE)
    except (CheckpointIndexError, OSError):
        return None


def _object_path(variable: Variable) -> str:
    return variable.object_path


def checkpoint_entries(view: SavedModelView) -> list[tuple[Variable, BundleEntry]]:
    """Each variable with its entry in the checkpoint index, in object-path order (a TF2 variable's key is
    its object path, a TF1 one's its name); [] when the index cannot be read."""
    index = bundle_index(view)
    if index is None:
        return []
    entries = {entry.name: entry for entry in index.entries}
    found = []
    for variable in sorted(view.variables, key=_object_path):
        key = (
            variable.name
            if variable.origin == "graph"
            else variable.object_path.replace(".", "/") + "/.ATTRIBUTES/VARIABLE_VALUE"
        )
        if key in entries:
            found.append((variable, entries[key]))
    return found
