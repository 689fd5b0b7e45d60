"""Which function calls which: every function-valued attr of every node, in graphs and functions.

A node calls a function through an attr holding `AttrValue.func` (`f` of PartitionedCall,
`then_branch`, `body`, `map_func`, ...), through a list of them (`branches` of Case), through a func
nested in another func's attrs, or -- in graphs built the TF1 way -- by having a library function's
name as its op type. Which attrs hold functions is known from TensorFlow's own OpDefs -- the registry
snapshot of its releases and of the known op libraries -- so a known op's other attrs are never looked at
(the hot path of every load); an op it does not know (a custom op taking a function) has every attr value
read, so it is followed too. The model's `stripped_op_list` is never asked: it is the writer's claim, and
TensorFlow ignores it when loading (a model that declares `StatefulPartitionedCall` without its `f` would
otherwise hide every call; INS008 reports such a redefinition).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.protos import which_oneof
from inspector._internal.view import CallGraph

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt


class FunctionAttrs(NamedTuple):
    """Which attrs of which op types hold functions, for the op types whose OpDef is known."""

    by_op: Mapping[str, tuple[str, ...]]  # op type -> its func / list(func) attrs in OpDef order (if any)
    known: frozenset[str]  # every op type whose OpDef was read: its other attrs hold no function


#: No OpDef known: every attr of every node is read.
NOTHING_KNOWN = FunctionAttrs(MappingProxyType({}), frozenset())

#: The OpDef attr types whose values name functions.
FUNCTION_ATTR_TYPES = frozenset({"func", "list(func)"})

#: Which attrs hold functions for every op type a TensorFlow release or a known provider registers:
#: derived from the registry snapshot (`registry.derive_function_attrs`, written with it by
#: `scripts/snapshot_registry.py`; a test checks they agree), small enough to read on every load.
FUNCTION_ATTRS_FILE = Path(__file__).resolve().parents[1] / "data" / "function_attrs.json"


@cache
def shipped_function_attrs() -> FunctionAttrs:
    stored = json.loads(FUNCTION_ATTRS_FILE.read_bytes())
    return FunctionAttrs(
        MappingProxyType({op: tuple(names) for op, names in stored["function_attrs"].items()}),
        frozenset(stored["known"]),
    )


def called_functions(
    node_def: fmt.NodeDef, library: frozenset[str], function_attrs: FunctionAttrs = NOTHING_KNOWN
) -> tuple[str, ...]:
    """Names of the functions a NodeDef calls, in attr order, deduplicated."""
    op = node_def.op
    found: list[str] = [op] if op in library else []
    attrs = node_def.attr
    if op in function_attrs.known:
        # The hot path of every load (once per node): a known op with no function attr costs one lookup.
        # Several (If, While, Case) are read in OpDef order: a map's own order is the runtime's whim.
        for name in function_attrs.by_op.get(op, ()):
            if name in attrs:
                _collect(attrs[name], found)
        return _deduplicated(found)
    # An op no OpDef describes: every attr, by name (a deterministic order), and _collect only for attr
    # kinds that can hold a function.
    for name in sorted(attrs):
        value = attrs[name]
        kind = which_oneof(value, "value")
        # Most nodes carry list attrs (`_output_shapes`), few of them lists of functions.
        if kind == "func" or (kind == "list" and value.list.func):
            _collect(value, found)
    return _deduplicated(found)


def _deduplicated(found: list[str]) -> tuple[str, ...]:
    if not found:
        return ()
    return tuple(dict.fromkeys(found)) if len(found) > 1 else (found[0],)


def _collect(value: fmt.AttrValue, found: list[str]) -> None:
    kind = which_oneof(value, "value")
    if kind == "func":
        found.append(value.func.name)
        for name in sorted(value.func.attr):
            _collect(value.func.attr[name], found)
    elif kind == "list" and len(value.list.func):
        for func in value.list.func:
            found.append(func.name)
            for name in sorted(func.attr):
                _collect(func.attr[name], found)


def build_call_graph(calls_by_function: Mapping[str, Iterable[str]]) -> CallGraph:
    callees = {name: tuple(dict.fromkeys(called)) for name, called in calls_by_function.items()}
    callers: dict[str, list[str]] = {}
    for caller, called in callees.items():
        for callee in called:
            callers.setdefault(callee, []).append(caller)
    return CallGraph(
        callees=MappingProxyType(callees),
        callers=MappingProxyType({name: tuple(c) for name, c in callers.items()}),
    )


def tensor_node_name(tensor_name: str) -> str:
    """`^ctrl` / `name:0` / `name:output:0` (inside functions) -> the node's name."""
    return tensor_name.lstrip("^").split(":", 1)[0]
