"""The per-function categories (`ops`, `attrs`, `sources`) in one pass over each paired function's nodes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from inspector._internal.checkpointplumbing import plumbing_of
from inspector._internal.diff.nodepairing import pair_nodes
from inspector._internal.view import (
    TOP_LEVEL,
    DebugInfoStatus,
    SavedModelView,
)
from inspector.results.diff import (
    Category,
    Change,
)

if TYPE_CHECKING:
    pass


from inspector._internal.diff.attrs import attrs
from inspector._internal.diff.ops import ops
from inspector._internal.diff.paired import NodeMatch, Paired, in_functions
from inspector._internal.diff.sources import sources


def _paired(old: SavedModelView, new: SavedModelView, forward: Mapping[str, str]) -> list[tuple[str, str]]:
    """Paired functions whose bodies are compared here (the checkpoint plumbing's are compared under
    their own category: see the docstring)."""
    old_plumbing, new_plumbing = plumbing_of(old).functions, plumbing_of(new).functions
    return [
        (o, n)
        for o, n in sorted(forward.items())
        if o in old.functions
        and n in new.functions
        and o != TOP_LEVEL
        and o not in old_plumbing
        and n not in new_plumbing
    ]


def _match(old: SavedModelView, new: SavedModelView, old_fn: str, new_fn: str) -> NodeMatch:
    """Which node of a paired function is which: by name, or renamed (`nodepairing`), the functions'
    arguments paired by position."""
    old_nodes = {node.name: node for node in (old.nodes[k] for k in old.functions[old_fn].node_keys)}
    new_nodes = {node.name: node for node in (new.nodes[k] for k in new.functions[new_fn].node_keys)}
    before, after = old.functions[old_fn], new.functions[new_fn]
    arguments = (
        [(a.name, b.name) for a, b in zip(before.inputs, after.inputs, strict=True)]
        if len(before.inputs) == len(after.inputs)
        else []
    )
    pairing = pair_nodes(
        [node.definition for node in old_nodes.values()],
        [node.definition for node in new_nodes.values()],
        arguments,
    )
    return NodeMatch(old_nodes, new_nodes, pairing)


#: The categories read from each paired function's nodes: compared in one pass per function.
PER_FUNCTION = (Category.OPS, Category.ATTRS, Category.SOURCES)


def function_bodies(paired: Paired, wanted: Iterable[Category]) -> dict[Category, list[Change]]:
    """Ops, attrs and creation sites of every paired function, in one pass over its nodes: each
    function's nodes are made once, and let go before the next function's (a 200k-node model's are never
    all held at once)."""
    old, new, forward = paired.old, paired.new, paired.forward
    found: dict[Category, list[Change]] = {c: [] for c in PER_FUNCTION if c in set(wanted)}
    sites = Category.SOURCES in found and (
        old.debug_info.status is DebugInfoStatus.PRESENT and new.debug_info.status is DebugInfoStatus.PRESENT
    )
    for old_fn, new_fn in _paired(old, new, forward):
        match = _match(old, new, old_fn, new_fn)
        where = in_functions(old_fn, new_fn)
        if Category.OPS in found:
            found[Category.OPS] += ops(match, where)
        if Category.ATTRS in found:
            found[Category.ATTRS] += attrs(match, where, forward)
        if sites:
            found[Category.SOURCES] += sources(old, new, match, where)
    return found
