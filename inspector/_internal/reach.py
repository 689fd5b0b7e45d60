"""What TensorFlow's loaders run of a SavedModel, and when: the routes by which a model's code runs, each
decided by the structure the loaders read -- never by what a function or node is called, which is the
model author's to choose.

The loaders, as TensorFlow 2.12 to 2.21 behave (tests/test_oracle.py plants canary ops at every route
below, loads each model with both loaders and checks that what ran is what this module says):

TF2, `tf.saved_model.load` / `load_partial` (Keras's loaders build on it):
- at load: every function a restored resource holds (it creates and initializes each resource, and runs
  `_destroy_resource` when the loaded object goes), and the save and restore functions of the object
  graph's `saveable_objects` (the checkpoint restore calls them). A model without an object graph is
  loaded the TF1 way, below.
- at call: every concrete function the object graph holds (`loaded.f(...)`), the signatures, and the
  aliases (`LoadOptions(experimental_load_function_aliases=True)`).
- at gradient: every gradient function of the library -- `registered_gradients` (a `@tf.custom_gradient`
  saved with `experimental_custom_gradients`, the default) and `gradient` -- which the loader registers and
  `tape.gradient` over a loaded function runs: the path of anyone fine-tuning the model. Registration is
  for the whole process, so every one counts, whichever node names its op type.

TF1, `tf.compat.v1.saved_model.loader.load` -- also the path of TF Serving and of the C++ `LoadSavedModel`,
whichever TensorFlow wrote the model:
- at load: the op the `__saved_model_init_op` signature names, or else the op of the
  `saved_model_main_op` collection, or else of `legacy_init_op` (all three count: which one a loader
  picks is arranged by the author), with everything it depends on; and `saver_def.restore_op_name` with
  everything it depends on (that is how TF2's `__inference__traced_restore_*` runs).
- at call: the signatures; `saver_def.save_tensor_name` when a program saves through the TF1 Saver.

An op's reach is the strongest of its routes. What no route reaches never runs. Not seen here: Python
code a loader imports by a name the model carries (Keras layer classes, `registered_name`, registered
savers), which runs before any op.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from inspector._internal.routes import Routes
from inspector._internal.view import INIT_OP_SIGNATURE, TOP_LEVEL, SavedModelView
from inspector.results.levels import Reach

#: Strongest first: an op's reach is the first of these that any of its routes has.
STRENGTH = (Reach.LOAD, Reach.SIGNATURE, Reach.OBJECT, Reach.GRADIENT, Reach.UNREACHABLE)
#: An op lists at most this many of the routes that reach it (a Keras model has hundreds of object paths).
MAX_ROUTES_SHOWN = 8


class FunctionReach(NamedTuple):
    """The strongest way an op can run, and the routes that make it run, strongest first."""

    reach: Reach
    reached_by: tuple[str, ...]


class Reachability(NamedTuple):
    """The reach of every function, and of the top-level nodes that a load route runs."""

    functions: Mapping[str, FunctionReach]  # every library function, and TOP_LEVEL (its default)
    top_level: Mapping[str, FunctionReach]  # top-level node name -> reach, where stronger than the default
    outside_saver: frozenset[str]  # functions a route other than the TF1 Saver's save and restore reaches

    def of(self, function: str, node_name: str) -> FunctionReach:
        if function == TOP_LEVEL:
            found = self.top_level.get(node_name)
            if found is not None:
                return found
        return self.functions[function]


def reachability(view: SavedModelView, roots: Routes) -> Reachability:
    graph = view.call_graph
    routes: dict[str, dict[Reach, list[str]]] = {}  # function -> reach -> routes
    # Every function some route other than the Saver's own save and restore reaches (plumbing's question).
    otherwise: set[str] = set()

    def add(functions: Iterable[str], reach: Reach, via: str, *, saver: bool = False) -> None:
        reached = graph.reachable_from(list(functions))
        if not saver:
            otherwise.update(reached)
        for function in reached:
            if function != TOP_LEVEL:
                routes.setdefault(function, {}).setdefault(reach, []).append(via)

    def calls_of(nodes: Iterable[str]) -> list[str]:
        return [called for name in nodes for called in view.nodes[name].calls]

    saver_nodes = roots.saver_nodes
    top_level: dict[str, list[str]] = {}
    for via, nodes in roots.at_load.items():
        # A call from a node the Saver runs is the Saver's (an init op may depend on the restore too).
        add(calls_of(nodes & saver_nodes), Reach.LOAD, via, saver=True)
        add(calls_of(nodes - saver_nodes), Reach.LOAD, via)
        for name in nodes:
            top_level.setdefault(name, []).append(via)
    for function, holders in view.restored_functions.items():
        for holder in holders:
            add([function], Reach.LOAD, f"{holder} (tf.saved_model.load)")
    for name, signature in view.signatures.items():
        if name != INIT_OP_SIGNATURE:
            add(signature.functions, Reach.SIGNATURE, name)
    for function, paths in view.object_paths.items():
        if paths:  # an object no path from the root reaches is not one a caller can get to
            add([function], Reach.OBJECT, f"object {paths[0]}")
        else:  # ... but it is the object graph's, not plumbing only the Saver runs
            otherwise.update(graph.reachable_from([function]))
    for function, alias in view.function_aliases.items():
        add([function], Reach.OBJECT, f"alias {alias}")
    add(
        calls_of(roots.saver_save),
        Reach.OBJECT,
        "saver_def.save_tensor_name (a TF1 Saver's save)",
        saver=True,
    )
    for function, registrations in view.gradient_functions.items():
        for via in registrations:
            add([function], Reach.GRADIENT, f"{via} (tape.gradient)")

    functions = {TOP_LEVEL: FunctionReach(Reach.SIGNATURE, ())}  # a TF1 session can run any of its nodes
    for name in view.functions:
        if name != TOP_LEVEL:
            functions[name] = _strongest(routes.get(name, {}))
    load_nodes = {name: FunctionReach(Reach.LOAD, _shown(vias)) for name, vias in top_level.items()}
    return Reachability(MappingProxyType(functions), MappingProxyType(load_nodes), frozenset(otherwise))


def _strongest(by_reach: Mapping[Reach, list[str]]) -> FunctionReach:
    for reach in STRENGTH:
        if reach in by_reach:
            vias = [via for strength in STRENGTH for via in by_reach.get(strength, ())]
            return FunctionReach(reach, _shown(vias))
    return FunctionReach(Reach.UNREACHABLE, ())


def _shown(vias: Iterable[str]) -> tuple[str, ...]:
    unique = tuple({via: None for via in vias})  # once each, in order
    if len(unique) <= MAX_ROUTES_SHOWN:
        return unique
    return (*unique[:MAX_ROUTES_SHOWN], f"and {len(unique) - MAX_ROUTES_SHOWN} more")
