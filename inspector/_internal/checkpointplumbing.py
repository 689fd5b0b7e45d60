"""TensorFlow's own checkpoint plumbing, recognised by its shape: the ops that save and restore the
model's variables where the loader or the Saver says, not where the model's author says.

A checkpoint op (SaveV2, RestoreV2, MergeV2Checkpoints, ...) is plumbing when all of these hold:
- it sits in the TF1 Saver's own subgraph (what `saver_def`'s save and restore ops run) or in a
  function only that subgraph calls (TF2 writes `__inference__traced_save_*` and `_traced_restore_*`
  there) -- a function any other route reaches (a signature, the object graph, an init op) is not
  plumbing, whatever it is called;
- every path it reads or writes is built from the Saver's filename input -- which the loader or the
  Saver feeds -- or from the function's own argument that every caller feeds from it, through the ops
  TensorFlow builds checkpoint paths with (StringJoin, ShardedFilename, Pack, Identity), the filename
  first, any constant joined after it a plain suffix (no `..`, not absolute).

Anything else in that subgraph -- a WriteFile, a RestoreV2 of a constant path -- is not plumbing: it runs
at load like the rest of the restore, and the audit says so.

A TF1 graph can hold more savers than `saver_def` names: a Builder's second meta graph is the first one's
graph grown by a second Saver (`save_1/`), so it carries both subgraphs. Another saver's checkpoint op at
the top level is plumbing too when every path it reads or writes is built, the same way, from a filename
placeholder of its own: one no signature takes as an input, that only path-building and checkpoint ops
read, and that no load route runs (then whoever runs it feeds the path, as with `saver_def`'s own).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from inspector._internal.callgraph import tensor_node_name
from inspector._internal.nodetable import Node
from inspector._internal.reach import Reachability, reachability
from inspector._internal.routes import Routes, loader_routes
from inspector._internal.view import TOP_LEVEL, SavedModelView, node_key, split_node_key

#: Checkpoint op types, and the inputs of each that name files.
PATH_INPUTS = {
    "SaveV2": (0,),
    "RestoreV2": (0,),
    "MergeV2Checkpoints": (0, 1),
    "Save": (0,),
    "SaveSlices": (0,),
    "Restore": (0,),
    "RestoreSlice": (0,),
}
CHECKPOINT_OPS = frozenset(PATH_INPUTS)
#: The Saver's filename input: a placeholder the loader (or saver.save) feeds.
_FEEDABLE = frozenset({"Placeholder", "PlaceholderWithDefault"})
_CALLS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})
#: How far back a path is followed: TensorFlow's own chains are four ops long.
_MAX_PATH_DEPTH = 16
#: Steps of path following the whole model may ask for (TensorFlow's plumbing of a model with a thousand
#: variables needs a few thousand): past it, nothing is exempt -- every checkpoint op is a finding.
MAX_WIRING_STEPS = 500_000


class _OverBudget(Exception):
    """The model's plumbing asks for more path following than any real one does."""


class Plumbing(NamedTuple):
    """What of a model is TensorFlow's checkpoint plumbing."""

    saver_nodes: frozenset[str]  # the top-level nodes the Saver's save and restore run
    functions: frozenset[str]  # the functions only those nodes (and these functions) call
    exempt: frozenset[str]  # node keys of checkpoint ops wired the way TensorFlow wires them


def saver_parts(view: SavedModelView, routes: Routes, reach: Reachability) -> frozenset[str]:
    """The functions only the Saver's save and restore call: where TensorFlow's checkpoint plumbing lives,
    by the graph's structure (which of their ops really are plumbing takes `find_plumbing`'s wiring
    check). The Saver's top-level nodes are `routes.saver_nodes`."""
    graph = view.call_graph
    called = graph.reachable_from([c for name in routes.saver_nodes for c in view.nodes[name].calls])
    # A call may name a function the library lacks (a hostile model's): it has no body to be plumbing.
    return frozenset(
        name for name in called - reach.outside_saver if name in view.functions and name != TOP_LEVEL
    )


def find_plumbing(view: SavedModelView, routes: Routes, reach: Reachability) -> Plumbing:
    saver = view.saver
    if saver is None:
        return Plumbing(frozenset(), frozenset(), frozenset())
    saver_nodes = routes.saver_nodes
    functions = saver_parts(view, routes, reach)
    filename = view.nodes.get(saver.filename_node)
    exempt = set()
    try:
        wiring = _Wiring(
            view, functions, saver.filename_node if filename and filename.op in _FEEDABLE else None
        )
        for name in saver_nodes:
            if wiring.is_plumbing(TOP_LEVEL, name):
                exempt.add(name)
        for function in functions:
            for key in view.functions[function].node_keys:
                if wiring.is_plumbing(function, view.nodes[key].name):
                    exempt.add(key)
        exempt |= _other_savers(view, routes, exempt)
    except _OverBudget:
        exempt.clear()
    return Plumbing(saver_nodes, functions, frozenset(exempt))


def plumbing_of(view: SavedModelView) -> Plumbing:
    """The pipeline up to plumbing, for a reader that needs nothing else of it (diff, report)."""
    routes = loader_routes(view)
    return find_plumbing(view, routes, reachability(view, routes))


#: What a saver's filename placeholder feeds in TensorFlow's Saver subgraph: path building and checkpoints.
_FILENAME_READERS = frozenset(
    {"Identity", "StringJoin", "ShardedFilename", "Pack", "StaticRegexFullMatch", *_FEEDABLE, *PATH_INPUTS}
)


def _other_savers(view: SavedModelView, routes: Routes, exempt: set[str]) -> set[str]:
    """Top-level checkpoint ops of savers `saver_def` does not name, each wired to its own filename
    placeholder (see the module's docstring)."""
    top = view.functions[TOP_LEVEL].node_keys
    saver_nodes = routes.saver_nodes
    checkpoints = [
        key
        for key in top
        if view.nodes[key].op in PATH_INPUTS and key not in exempt and key not in saver_nodes
    ]
    if not checkpoints:
        return set()
    at_load = routes.load_nodes
    fed_by_requests = {
        tensor_node_name(spec.tensor_name)
        for signature in view.signatures.values()
        for spec in signature.inputs
    }
    readers: dict[str, set[str]] = {}
    for key in top:
        for tensor in view.nodes[key].definition.input:
            readers.setdefault(tensor_node_name(tensor), set()).add(view.nodes[key].op)
    candidates = [
        key
        for key in top
        if view.nodes[key].op in _FEEDABLE
        and key not in fed_by_requests
        and key not in at_load
        and readers.get(key, set()) <= _FILENAME_READERS
    ]
    found: set[str] = set()
    for candidate in candidates:
        wiring = _Wiring(view, frozenset(), candidate)
        found.update(
            key
            for key in checkpoints
            if key not in at_load and key not in found and wiring.is_plumbing(TOP_LEVEL, key)
        )
    return found


class _Wiring:
    """Which inputs carry a path built from the Saver's filename."""

    def __init__(self, view: SavedModelView, functions: frozenset[str], filename_node: str | None) -> None:
        self._view = view
        self._functions = functions
        self._filename = filename_node
        self._steps = 0
        self._safe_arguments: set[tuple[str, int]] = set()
        self._sites = self._index_call_sites()
        self._arguments_fed_from_filename()

    def is_plumbing(self, function: str, name: str) -> bool:
        node = self._view.nodes[node_key(name, function)]
        indices = PATH_INPUTS.get(node.op)
        if indices is None:
            return False
        inputs = _data_inputs(node.definition.input)
        return all(i < len(inputs) and self._from_filename(function, inputs[i], 0) for i in indices)

    def _arguments_fed_from_filename(self) -> set[tuple[str, int]]:
        """(function, argument index) pairs that every caller feeds a path built from the filename: the
        largest such set, found by striking out the arguments some call feeds otherwise, until none is."""
        safe = {
            (function, index)
            for function in self._functions
            for index in range(len(self._view.functions[function].inputs))
        }
        self._safe_arguments = safe  # what _from_filename trusts while the set shrinks
        changed = True
        while changed:
            changed = False
            for function, index in sorted(safe):
                if not all(
                    self._feeds_path(caller, node, function, index)
                    for caller, node in self._call_sites(function)
                ):
                    safe.discard((function, index))
                    changed = True
        return safe

    def _feeds_path(self, caller: str, node: Node, function: str, index: int) -> bool:
        """Whether a call of `function` passes a path led by the filename as argument `index`: only a
        plain call (PartitionedCall and its stateful twin, or the function's name as op type) maps its
        inputs to the arguments one to one."""
        if not ((node.op in _CALLS and node.calls == (function,)) or node.op == function):
            return False
        inputs = _data_inputs(node.definition.input)
        return index < len(inputs) and self._from_filename(caller, inputs[index], 0)

    def _index_call_sites(self) -> dict[str, list[tuple[str, Node]]]:
        """Every call of a plumbing function, by callee: one pass over the callers' nodes (the fixpoint
        below asks for each function's call sites again and again)."""
        view = self._view
        callers = {
            caller for function in self._functions for caller in view.call_graph.callers.get(function, ())
        }
        sites: dict[str, list[tuple[str, Node]]] = {}
        for caller in sorted(callers):
            for key in view.functions[caller].node_keys:
                node = view.nodes[key]
                for callee in set(node.calls) & self._functions:
                    sites.setdefault(callee, []).append((caller, node))
        return sites

    def _call_sites(self, function: str) -> Iterator[tuple[str, Node]]:
        return iter(self._sites.get(function, ()))

    def _from_filename(self, function: str, tensor: str, depth: int) -> bool:
        """Whether `tensor` (an input of a node in `function`) is a path led by the Saver's filename."""
        self._steps += 1
        if self._steps > MAX_WIRING_STEPS:
            raise _OverBudget
        if depth > _MAX_PATH_DEPTH:
            return False
        name = tensor_node_name(tensor)
        if function == TOP_LEVEL:
            if name == self._filename:
                return True
        else:
            arguments = [argument.name for argument in self._view.functions[function].inputs]
            if name in arguments:
                return (function, arguments.index(name)) in self._safe_arguments
        node = self._view.nodes.get(node_key(name, function))
        if node is None:
            return False
        inputs = _data_inputs(node.definition.input)
        if not inputs:
            return False
        if node.op in ("Identity", "ShardedFilename", "StringJoin"):
            head = self._from_filename(function, inputs[0], depth + 1)
            return head and all(self._plain_suffix(function, tail, depth + 1) for tail in inputs[1:])
        if node.op == "Pack":
            return all(self._from_filename(function, item, depth + 1) for item in inputs)
        return False

    def _plain_suffix(self, function: str, tensor: str, depth: int) -> bool:
        """What TensorFlow joins after the filename: numbers (shard counts), short relative suffixes
        (`_temp/part`), a Select between them -- nothing that climbs out or starts again at the root."""
        if depth > _MAX_PATH_DEPTH:
            return False
        if self._from_filename(function, tensor, depth):
            return True
        node = self._view.nodes.get(node_key(tensor_node_name(tensor), function))
        if node is None:
            return False
        if node.op == "Const":
            tensor_value = node.definition.attr["value"].tensor
            return all(_plain(bytes(value)) for value in tensor_value.string_val)
        if node.op in ("Select", "SelectV2"):
            inputs = _data_inputs(node.definition.input)
            return len(inputs) == 3 and all(self._plain_suffix(function, v, depth + 1) for v in inputs[1:])
        if node.op == "Identity":
            inputs = _data_inputs(node.definition.input)
            return bool(inputs) and self._plain_suffix(function, inputs[0], depth + 1)
        return False


def _plain(value: bytes) -> bool:
    text = value.replace(b"\\", b"/")
    return (
        len(text) <= 256
        and not text.startswith(b"/")
        and b".." not in text.split(b"/")
        and b"\x00" not in text
    )


def _data_inputs(inputs: Iterable[str]) -> list[str]:
    return [name for name in inputs if not name.startswith("^")]


def risky_op_counts(view: SavedModelView) -> Counter[str]:
    """How many nodes of each op type the risky-op catalogue lists, leaving out TensorFlow's own
    checkpoint ops (known by how they are wired, not by their names)."""
    from inspector._internal.riskyops import CATALOGUE

    exempt = plumbing_of(view).exempt
    counts = Counter(
        {
            op: sum(key not in exempt for key in keys)
            for op, keys in view.nodes_by_op.items()
            if op in CATALOGUE
        }
    )
    return +counts  # op types whose every node is TensorFlow's own: none left


def risky_op_types_outside_the_saver(view: SavedModelView) -> tuple[str, ...]:
    """The catalogue's op types with a node outside the Saver's save and restore (its top-level nodes
    and the functions only they call): what a report points the audit at. Coarser than the audit's
    wiring check, which also judges ops inside the Saver's reach, and a tenth of its cost."""
    from inspector._internal.riskyops import CATALOGUE

    routes = loader_routes(view)
    saver_nodes, functions = routes.saver_nodes, saver_parts(view, routes, reachability(view, routes))
    found = set()
    for op in view.nodes_by_op:
        if op not in CATALOGUE:
            continue
        for key in view.nodes_by_op[op]:
            name, function = split_node_key(key)
            if not (function in functions or (function == TOP_LEVEL and name in saver_nodes)):
                found.add(op)
                break
    return tuple(sorted(found))
