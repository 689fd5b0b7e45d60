"""What the audit looks at: every op of the model -- top-level graph, every library function, and graphs
serialized inside string constants, recursively -- each with when it can run (`inspector.reach`: at load,
from a signature, when a caller calls it, never), the code that made it, and whether it is TensorFlow's
own checkpoint plumbing (`inspector.plumbing`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from inspector.callgraph import tensor_node_name
from inspector.plumbing import Plumbing, find_plumbing
from inspector.protos import load_protos
from inspector.reach import FunctionReach, Reachability, reachability
from inspector.view import TOP_LEVEL, SavedModelView, Trace, node_key

#: Nested graphs are decoded at most this deep, and blobs larger than this are not decoded.
MAX_NESTING = 4
MAX_BLOB_BYTES = 64 * 2**20
#: All nested graphs of a model together: more nodes than this are not scanned (and the audit says so).
MAX_NESTED_NODES = 500_000

#: Ops whose string input is a serialized GraphDef, and the index of that input.
GRAPH_CARRIERS = {"DatasetFromGraph": 0}


# A NamedTuple, as the view's nodes are: there is one per op, 200k on a large model, and a frozen
# dataclass costs several times more to make.
class OpSite(NamedTuple):
    """One op the rules look at."""

    op_type: str
    node_key: str
    function: str
    reach: FunctionReach
    nesting: tuple[str, ...]  # carriers of the serialized graph it sits in, outermost first
    trace: Trace | None  # its creation stack; for a nested op, its carrier's
    definition: Any  # the NodeDef


@dataclass(frozen=True, slots=True)
class UndecodedBlob:
    """A graph carrier whose serialized graph could not be decoded (or was too deep or too large)."""

    carrier: OpSite
    problem: str


@dataclass(frozen=True, slots=True)
class Scope:
    view: SavedModelView
    reach: Reachability
    plumbing: Plumbing
    sites: tuple[OpSite, ...]
    undecoded: tuple[UndecodedBlob, ...]


def build_scope(view: SavedModelView) -> Scope:
    reach = reachability(view)
    sites: list[OpSite] = []
    undecoded: list[UndecodedBlob] = []
    budget = _NestedBudget()
    neighbours_of: dict[str, dict[str, Any]] = {}  # per function, built once: not once per carrier
    for node in view.nodes.values():
        site = OpSite(
            node.op,
            node.key,
            node.function,
            reach.of(node.function, node.name),
            (),
            view.trace(node),
            node.definition,
        )
        sites.append(site)
        if node.op in GRAPH_CARRIERS:
            neighbours = neighbours_of.get(node.function)
            if neighbours is None:
                keys = view.functions[node.function].node_keys
                neighbours = neighbours_of[node.function] = {
                    other.name: other.definition for other in (view.nodes[k] for k in keys)
                }
            _scan_carrier(site, neighbours, sites, undecoded, budget)
    return Scope(view, reach, find_plumbing(view), tuple(sites), tuple(undecoded))


class _NestedBudget:
    """Work a model can ask of the nested-graph scan, bounded: each distinct blob is decoded once (a
    blob read by ten carriers per level, four levels deep, would otherwise be decoded 10^4 times), and
    all nested graphs together hold at most MAX_NESTED_NODES nodes."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.nodes = 0


def _scan_carrier(
    carrier: OpSite,
    neighbours: Mapping[str, Any],
    sites: list[OpSite],
    undecoded: list[UndecodedBlob],
    budget: _NestedBudget,
) -> None:
    """Decode the graph a carrier op rebuilds from a string constant and add its ops; carriers inside
    it are handled the same way, from a work list (the model decides how deep they nest)."""
    work: list[tuple[OpSite, Mapping[str, Any], int]] = [(carrier, neighbours, 1)]
    while work:
        current, around, depth = work.pop()
        blob = _const_bytes(around, current.definition)
        problem = ""
        if blob is None:
            problem = "its graph is computed at run time, not a constant: it cannot be inspected statically"
        elif depth > MAX_NESTING:
            problem = f"nested deeper than {MAX_NESTING} levels: not decoded"
        elif len(blob) > MAX_BLOB_BYTES:
            problem = f"{len(blob)} bytes is over the {MAX_BLOB_BYTES}-byte limit: not decoded"
        if blob is None or problem:
            undecoded.append(UndecodedBlob(current, problem))
            continue
        digest = hashlib.sha256(blob).digest()
        if digest in budget.seen:
            continue  # the same graph, already scanned through another carrier
        budget.seen.add(digest)
        nested = load_protos().graph.GraphDef()
        try:
            nested.ParseFromString(blob)
        except Exception as error:  # any parse failure means the same thing: the bytes are not a graph
            undecoded.append(UndecodedBlob(current, f"not a serialized GraphDef ({type(error).__name__})"))
            continue
        parts = [(TOP_LEVEL, nested.node)] + [(f.signature.name, f.node_def) for f in nested.library.function]
        size = sum(len(node_defs) for _, node_defs in parts)
        if budget.nodes + size > MAX_NESTED_NODES:
            undecoded.append(
                UndecodedBlob(current, f"nested graphs over the {MAX_NESTED_NODES}-node budget: not scanned")
            )
            continue
        budget.nodes += size
        nesting = (*current.nesting, current.node_key)
        for function, node_defs in parts:
            by_name: dict[str, Any] | None = None
            for node_def in node_defs:
                key = node_key(node_def.name, function)
                # Nested ops have no debug info of their own: the carrier's creation stack stands in.
                site = OpSite(node_def.op, key, function, current.reach, nesting, current.trace, node_def)
                sites.append(site)
                if node_def.op in GRAPH_CARRIERS:
                    if by_name is None:
                        by_name = {n.name: n for n in node_defs}
                    work.append((site, by_name, depth + 1))


def _const_bytes(neighbours: Mapping[str, Any], carrier_def: Any) -> bytes | None:
    """The string constant feeding the carrier's graph input, through Identity nodes."""
    index = GRAPH_CARRIERS[carrier_def.op]
    data_inputs = [i for i in carrier_def.input if not i.startswith("^")]
    if index >= len(data_inputs):
        return None
    name = tensor_node_name(data_inputs[index])
    for _ in range(8):
        node = neighbours.get(name)
        if node is None:
            return None
        if node.op == "Const":
            tensor = node.attr["value"].tensor
            return bytes(tensor.string_val[0]) if len(tensor.string_val) == 1 else None
        if node.op != "Identity" or not node.input:
            return None
        name = tensor_node_name(node.input[0])
    return None
