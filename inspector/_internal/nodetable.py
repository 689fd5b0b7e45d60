"""The view's nodes: every function's NodeDefs held as columns (keys, op types, trace ids) in one table,
each `Node` made only when it is read, so a 200k-node model costs little more than parsing it."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, ItemsView, Iterable, Iterator, Mapping, Sequence, ValuesView
from itertools import filterfalse
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

from inspector._internal.view import namespace_of

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt


class Node(NamedTuple):
    """One op: a NodeDef of the top-level graph or of a library function."""

    key: str  # node@function, the key TensorFlow's debug info uses
    name: str
    op: str
    function: str  # the enclosing function's name, TOP_LEVEL for the top-level graph
    calls: tuple[str, ...]  # functions named by its function-valued attrs (f, body, then_branch, ...)
    trace_id: int | None
    definition: fmt.NodeDef  # for attrs and inputs; read-only

    @property
    def namespace(self) -> str | None:
        return namespace_of(self.op)

    @property
    def device(self) -> str:
        """Read on demand: few commands look, and reading it for every node would slow every load."""
        return self.definition.device

    @property
    def inputs(self) -> tuple[str, ...]:
        """Data inputs (`name:output:0`) and control inputs (`^name`), copied on demand: most
        commands never look, and copying them for every node would slow every load."""
        return tuple(self.definition.input)


class NodeBlock(NamedTuple):
    """The nodes of one function, as the table stores them: where they start in its columns, and the
    function's NodeDefs (a Node's `definition` is fetched from here when the Node is made)."""

    function: str
    start: int
    node_defs: Sequence[fmt.NodeDef]  # the function's repeated NodeDef field; read-only


class NodeTable(Mapping[str, Node]):
    """Every node of the model by key, stored as columns and made into a `Node` only when asked for.

    A large model has hundreds of thousands of nodes and most commands look at a few of them (a
    report counts; `trace KEY` finds one): the loader reads each node's name and op type once into
    the columns, and a `Node` costs its construction only when a command reads it. Iteration follows
    the model's order; a key the model repeats (no valid model does) names the last node of that key,
    as a dict built node by node would.
    """

    __slots__ = ("_blocks", "_calls", "_functions", "_index", "_keys", "_ops", "_starts", "_trace_ids")

    def __init__(
        self,
        keys: list[str],
        ops: list[str],
        trace_ids: list[int | None],
        blocks: list[NodeBlock],
        calls: Mapping[int, tuple[str, ...]],
    ) -> None:
        self._keys = keys
        self._ops = ops
        self._trace_ids = trace_ids
        self._blocks = blocks
        self._starts = [block.start for block in blocks]
        self._calls = calls  # by position: only the nodes that call functions
        self._index = dict(zip(keys, range(len(keys)), strict=True))
        self._functions: list[str] | None = None

    def __getitem__(self, key: str) -> Node:
        position = self._index[key]
        return self._make(self._blocks[bisect_right(self._starts, position) - 1], position)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"<NodeTable of {len(self)} nodes>"

    def values(self) -> ValuesView[Node]:
        return _NodeValues(self)

    def items(self) -> ItemsView[str, Node]:
        return _NodeItems(self)

    def identities(self, keys: Iterable[str]) -> Iterator[tuple[str, str, str, str]]:
        """(key, name, op type, function) of each node: what a listing of 200k ops shows, without
        making a Node for each. Every column is read in bulk: map runs in C."""
        listed: Sequence[str] = keys if isinstance(keys, (list, tuple)) else list(keys)
        positions = list(map(self._index.__getitem__, listed))
        functions = list(map(self._function_column().__getitem__, positions))
        # A key is `name@function` (a top-level one the bare name): the name is the key less that suffix.
        suffixes = {function: f"@{function}" if function else "" for function in set(functions)}
        names = map(str.removesuffix, listed, map(suffixes.__getitem__, functions))
        return zip(listed, names, map(self._ops.__getitem__, positions), functions, strict=True)

    def _function_column(self) -> list[str]:
        """Each node's function, by position: made the first time a listing asks (most commands never
        do), then kept."""
        if self._functions is None:
            column: list[str] = []
            ends = [*self._starts[1:], len(self._keys)]
            for block, end in zip(self._blocks, ends, strict=True):
                column += [block.function] * (end - block.start)
            self._functions = column
        return self._functions

    def trace_ids(self) -> set[int]:
        """The trace ids the nodes name: one pass in C."""
        return {trace_id for trace_id in set(self._trace_ids) if trace_id is not None}

    def unknown(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` that name no node: one pass in C over 200k debug-info keys, keeping only the
        few that miss (a set of all of them first would cost a third more)."""
        return set(filterfalse(self._index.__contains__, keys))

    def _node(self, position: int) -> Node:
        block = self._blocks[bisect_right(self._starts, position) - 1]
        return self._make(block, position)

    def _make(self, block: NodeBlock, position: int) -> Node:
        key = self._keys[position]
        function = block.function
        # The fields in order, built as the tuple a Node is (NamedTuple's own __new__ is one call more).
        return _new_node(
            Node,
            (
                key,
                key[: len(key) - len(function) - 1] if function else key,
                self._ops[position],
                function,
                self._calls.get(position, ()),
                self._trace_ids[position],
                block.node_defs[position - block.start],
            ),
        )

    def _walk(self) -> Iterator[Node]:
        """Every node in order, block by block: no lookup per node."""
        if len(self._index) != len(self._keys):  # a repeated key: each key once, as the index has it
            yield from map(self._node, self._index.values())
            return
        ends = [*self._starts[1:], len(self._keys)]
        for block, end in zip(self._blocks, ends, strict=True):
            for position in range(block.start, end):
                yield self._make(block, position)


_new_node = tuple.__new__

Value = TypeVar("Value", bound=Hashable)


class Grouped(Mapping[Value, tuple[str, ...]], Generic[Value]):
    """Node keys grouped by a column of the node table (op types, trace ids), in the model's order;
    grouped the first time it is read. Each grouping is a pass in Python over every node (a tenth of a
    second on 200k), and most commands read one of the two."""

    __slots__ = ("_groups", "_keys", "_values")

    def __init__(self, keys: Sequence[str], values: Sequence[Value | None]) -> None:
        self._keys = keys
        self._values: Sequence[Value | None] = values
        self._groups: dict[Value, tuple[str, ...]] | None = None

    def _grouped(self) -> dict[Value, tuple[str, ...]]:
        if self._groups is None:
            lists: dict[Value, list[str]] = {}
            for key, value in zip(self._keys, self._values, strict=True):
                if value is not None:
                    found = lists.get(value)
                    if found is None:
                        lists[value] = [key]
                    else:
                        found.append(key)
            self._groups = {value: tuple(keys) for value, keys in lists.items()}
        return self._groups

    def __getitem__(self, value: Value) -> tuple[str, ...]:
        return self._grouped()[value]

    def __contains__(self, value: object) -> bool:
        return value in self._grouped()

    def __iter__(self) -> Iterator[Value]:
        return iter(self._grouped())

    def __len__(self) -> int:
        return len(self._grouped())

    def __repr__(self) -> str:
        return f"<{len(self)} groups of node keys>"


class _NodeValues(ValuesView[Node]):
    _mapping: NodeTable

    def __iter__(self) -> Iterator[Node]:
        return self._mapping._walk()


class _NodeItems(ItemsView[str, Node]):
    _mapping: NodeTable

    def __iter__(self) -> Iterator[tuple[str, Node]]:
        return ((node.key, node) for node in self._mapping._walk())
