"""What every category compares: the two models and which function is which; and the helpers they share."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from inspector._internal.diff.nodepairing import NodePairing
from inspector._internal.nodetable import Node
from inspector._internal.tensors import TensorValue as ReadTensor
from inspector._internal.tensors import shortest_float32
from inspector._internal.view import TOP_LEVEL, SavedModelView
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
    FunctionPair,
    TensorValue,
    Value,
)


@dataclass
class Paired:
    """The two models and which function is which (`pairing.pair_functions`): what every category
    compares. `values`: the weights category reads small changed tensors' values, not only checksums."""

    old: SavedModelView
    new: SavedModelView
    pairs: Mapping[str, FunctionPair]
    values: bool = False

    @cached_property
    def forward(self) -> dict[str, str]:
        """Old function name -> the new one it is paired with."""
        return {old: pair.new for old, pair in self.pairs.items()}


@dataclass(frozen=True, slots=True)
class NodeMatch:
    old: Mapping[str, Node]  # the old function's nodes by name
    new: Mapping[str, Node]
    pairing: NodePairing

    def matched(self) -> list[tuple[Node, Node]]:
        """Nodes present on both sides: by name, or renamed (`nodepairing`)."""
        return [(self.old[o], self.new[n]) for o, n in self.pairing.pairs]


def changed(
    category: Category,
    aspect: Aspect,
    old: Value,
    new: Value,
    *,
    name: str = "",
    attr: str = "",
    old_function: str = "",
    new_function: str = "",
) -> list[Change]:
    """One CHANGED change when the values differ, none when they agree."""
    if old == new:
        return []
    change = Change(category, ChangeKind.CHANGED, aspect, name, old_function, new_function, attr, old, new)
    return [change]


def in_functions(old_fn: str, new_fn: str) -> tuple[str, str]:
    """The paired function on each side, as a change names it ("" for the top-level graph)."""
    return ("", "") if old_fn == TOP_LEVEL else (old_fn, new_fn)


#: An attr one side does not set.
UNSET = "(unset)"


def tensor_value(tensor: ReadTensor) -> TensorValue:
    values = None
    if tensor.values is not None:
        values = tuple(plain_value(value, tensor.dtype) for value in tensor.values)
    return TensorValue(tensor.dtype, tensor.shape, values, tensor.elements, tensor.digest)


def plain_value(value: object, dtype: str) -> float | int | str | bool:
    """A tensor element as JSON can hold it: float32 as the shortest float that reads back the same,
    bytes as text, non-finite floats by name (JSON has no infinity)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return float(shortest_float32(value)) if dtype in ("float32", "float16") else value
    if isinstance(value, (bool, int, str)):
        return value
    return str(value)
