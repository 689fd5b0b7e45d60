"""Graphs serialized inside string constants -- a tf.data dataset's graph, rebuilt at run time by
`DatasetFromGraph` -- decoded so their ops are seen like any other: by the audit (`audit.scope`) and by
a page's op search (`report.op_index`).

A model decides how many carriers there are, how deep they nest and how big each blob is, so the work is
bounded by construction: a work list, not recursion; each distinct blob decoded once; at most
MAX_NESTING levels, MAX_BLOB_BYTES a blob and MAX_NESTED_NODES nodes in all (per budget).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.callgraph import tensor_node_name
from inspector._internal.protos import load_protos
from inspector._internal.view import TOP_LEVEL, SavedModelView, node_key

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt

#: Nested graphs are decoded at most this deep, and blobs larger than this are not decoded.
MAX_NESTING = 4
MAX_BLOB_BYTES = 64 * 2**20
#: All nested graphs of a model together: more nodes than this are not scanned (and the audit says so).
MAX_NESTED_NODES = 500_000

#: Ops whose string input is a serialized GraphDef, and the index of that input.
GRAPH_CARRIERS = {"DatasetFromGraph": 0}


class NestedOp(NamedTuple):
    """An op of a nested graph. A NamedTuple, as the view's nodes are: there can be 500k of them."""

    definition: fmt.NodeDef
    function: str  # TOP_LEVEL of the nested graph, or a function of its library
    nesting: tuple[str, ...]  # node keys of the carriers it sits in, outermost first

    @property
    def key(self) -> str:
        return node_key(self.definition.name, self.function)


class Undecoded(NamedTuple):
    """A carrier whose graph could not be decoded: `carrier` None for the outermost one."""

    carrier: NestedOp | None
    problem: str


class Budget:
    """Work a model can ask of the scan, shared by every carrier of one model: each distinct blob is
    decoded once (a blob read by ten carriers per level, four levels deep, would otherwise be decoded
    10^4 times), and all nested graphs together hold at most MAX_NESTED_NODES nodes."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.nodes = 0


def is_carrier(op_type: str) -> bool:
    return op_type in GRAPH_CARRIERS


class Neighbours:
    """The NodeDefs of a function by name, where a carrier looks up its constant: made once per
    function, not once per carrier."""

    def __init__(self, view: SavedModelView) -> None:
        self._view = view
        self._of: dict[str, dict[str, fmt.NodeDef]] = {}

    def of(self, function: str) -> Mapping[str, fmt.NodeDef]:
        found = self._of.get(function)
        if found is None:
            nodes = self._view.nodes
            keys = self._view.functions[function].node_keys
            found = self._of[function] = {nodes[k].name: nodes[k].definition for k in keys}
        return found


def decode_carrier(
    carrier_key: str, carrier_def: fmt.NodeDef, neighbours: Mapping[str, fmt.NodeDef], budget: Budget
) -> tuple[list[NestedOp], list[Undecoded]]:
    """The ops of the graph a carrier rebuilds from a string constant (`neighbours`: the nodes of its
    function, by name), and of the carriers inside it, from a work list: the model decides how deep
    they nest."""
    ops: list[NestedOp] = []
    undecoded: list[Undecoded] = []
    work: list[tuple[NestedOp | None, fmt.NodeDef, tuple[str, ...], Mapping[str, fmt.NodeDef]]] = [
        (None, carrier_def, (carrier_key,), neighbours)
    ]
    while work:
        current, definition, nesting, around = work.pop()
        blob = _const_bytes(around, definition)
        problem = ""
        if blob is None:
            problem = "its graph is computed at run time, not a constant: it cannot be inspected statically"
        elif len(nesting) > MAX_NESTING:
            problem = f"nested deeper than {MAX_NESTING} levels: not decoded"
        elif len(blob) > MAX_BLOB_BYTES:
            problem = f"{len(blob)} bytes is over the {MAX_BLOB_BYTES}-byte limit: not decoded"
        if blob is None or problem:
            undecoded.append(Undecoded(current, problem))
            continue
        import hashlib  # OpenSSL's bindings cost a start 3 ms; few models carry a graph in a constant

        digest = hashlib.sha256(blob).digest()
        if digest in budget.seen:
            continue  # the same graph, already scanned through another carrier
        budget.seen.add(digest)
        nested = load_protos().graph.GraphDef()
        try:
            nested.ParseFromString(blob)
        except Exception as error:  # any parse failure means the same thing: the bytes are not a graph
            undecoded.append(Undecoded(current, f"not a serialized GraphDef ({type(error).__name__})"))
            continue
        parts = [(TOP_LEVEL, nested.node)] + [(f.signature.name, f.node_def) for f in nested.library.function]
        size = sum(len(node_defs) for _, node_defs in parts)
        if budget.nodes + size > MAX_NESTED_NODES:
            undecoded.append(
                Undecoded(current, f"nested graphs over the {MAX_NESTED_NODES}-node budget: not scanned")
            )
            continue
        budget.nodes += size
        for function, node_defs in parts:
            by_name: dict[str, fmt.NodeDef] | None = None
            for node_def in node_defs:
                op = NestedOp(node_def, function, nesting)
                ops.append(op)
                if node_def.op in GRAPH_CARRIERS:
                    if by_name is None:
                        by_name = {n.name: n for n in node_defs}
                    work.append((op, node_def, (*nesting, op.key), by_name))
    return ops, undecoded


def nested_ops(view: SavedModelView, budget: Budget | None = None) -> tuple[list[NestedOp], list[Undecoded]]:
    """Every nested op of a model, carrier by carrier (each carrier's function indexed by name once)."""
    budget = budget or Budget()
    ops: list[NestedOp] = []
    undecoded: list[Undecoded] = []
    neighbours = Neighbours(view)
    for op_type in GRAPH_CARRIERS:
        for key in view.nodes_by_op.get(op_type, ()):
            carrier = view.nodes[key]
            found, failed = decode_carrier(key, carrier.definition, neighbours.of(carrier.function), budget)
            ops += found
            undecoded += failed
    return ops, undecoded


def _const_bytes(neighbours: Mapping[str, fmt.NodeDef], carrier_def: fmt.NodeDef) -> bytes | None:
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
