"""The loaders' roots: where TensorFlow's loaders start running a SavedModel's code, read once from the
structure they read -- the first step of the audit's pipeline (routes -> reach -> plumbing -> scope).

What each loader runs is documented in `inspector._internal.reach`, which follows the call graph from these roots.
Here: the top-level nodes the TF1 loader runs at load (each route with everything it depends on, as a
session runs what a fetched op depends on), and the TF1 Saver's own save and restore subgraphs, kept apart
so that `inspector._internal.checkpointplumbing` can tell TensorFlow's checkpoint plumbing from the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from inspector._internal.callgraph import tensor_node_name
from inspector._internal.view import INIT_OP_SIGNATURE, SavedModelView

#: The route label of the TF1 Saver's restore, among the load routes.
RESTORE_ROUTE = "saver_def.restore_op_name (TF1 loader, TF Serving)"


class Routes(NamedTuple):
    """The top-level nodes each loader route runs."""

    at_load: Mapping[str, frozenset[str]]  # route label -> top-level node names; the restore among them
    saver_restore: frozenset[str]  # what saver_def.restore_op_name runs (also a load route)
    saver_save: frozenset[str]  # what saver_def.save_tensor_name runs (a program saving through the Saver)

    @property
    def saver_nodes(self) -> frozenset[str]:
        return self.saver_restore | self.saver_save

    @property
    def load_nodes(self) -> frozenset[str]:
        return frozenset().union(*self.at_load.values())


def loader_routes(view: SavedModelView) -> Routes:
    at_load: dict[str, frozenset[str]] = {}
    init = view.signatures.get(INIT_OP_SIGNATURE)
    if init is not None:
        names = [tensor_node_name(spec.tensor_name) for spec in init.outputs]
        at_load[f"{INIT_OP_SIGNATURE} (TF1 loader, TF Serving)"] = top_level_closure(view, names)
    for key, collected in view.init_collections.items():
        at_load[f"collection {key} (TF1 loader, TF Serving)"] = top_level_closure(view, collected)
    restore: frozenset[str] = frozenset()
    save: frozenset[str] = frozenset()
    if view.saver is not None:
        if view.saver.restore_node:
            restore = at_load[RESTORE_ROUTE] = top_level_closure(view, [view.saver.restore_node])
        if view.saver.save_node:
            save = top_level_closure(view, [view.saver.save_node])
    return Routes(MappingProxyType(at_load), restore, save)


def top_level_closure(view: SavedModelView, roots: Iterable[str]) -> frozenset[str]:
    """The top-level nodes a run of `roots` executes: the roots and, transitively, their data and control
    inputs (TensorFlow runs what a fetched op depends on). Names that are not nodes are left out."""
    seen: set[str] = set()
    stack = [name for name in roots if name]
    while stack:
        name = stack.pop()
        if name in seen or name not in view.nodes:  # top-level keys are the bare node names
            continue
        seen.add(name)
        stack.extend(tensor_node_name(i) for i in view.nodes[name].definition.input)
    return frozenset(seen)
