"""Which function calls which: every function-valued attr of every node, in graphs and functions.

A node calls a function through an attr holding `AttrValue.func` (`f` of PartitionedCall,
`then_branch`, `body`, `map_func`, ...), through a list of them (`branches` of Case), through a func
nested in another func's attrs, or -- in graphs built the TF1 way -- by having a library function's
name as its op type. We read attr values rather than a list of attr names, so an op we have never
heard of (a custom op taking a function) is followed too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from inspector.view import CallGraph


def called_functions(node_def: Any, library: frozenset[str]) -> tuple[str, ...]:
    """Names of the functions a NodeDef calls, in attr order, deduplicated."""
    # The hot path of every load (once per node): iterate the map's keys, which is much faster than
    # .values() on protobuf's map, and call into _collect only for attr kinds that can hold a function.
    found: list[str] = [node_def.op] if node_def.op in library else []
    attrs = node_def.attr
    for name in attrs:
        value = attrs[name]
        kind = value.WhichOneof("value")
        # Most nodes carry list attrs (`_output_shapes`), few of them lists of functions.
        if kind == "func" or (kind == "list" and value.list.func):
            _collect(value, found)
    if not found:
        return ()
    return tuple(dict.fromkeys(found)) if len(found) > 1 else (found[0],)


def _collect(value: Any, found: list[str]) -> None:
    kind = value.WhichOneof("value")
    if kind == "func":
        found.append(value.func.name)
        for nested in value.func.attr.values():
            _collect(nested, found)
    elif kind == "list" and len(value.list.func):
        for func in value.list.func:
            found.append(func.name)
            for nested in func.attr.values():
                _collect(nested, found)


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
