"""Which node of a paired function is which, across two saves: by name, and else by name without its
counters when the graph agrees.

Name scopes are made unique with counters (`dense`, `dense_1`; Keras 3: `sequential_1_1`): an unnamed
model built twice in one process, or after another one, names every node anew. Such nodes are paired
when their names are equal without the counters, their op types are equal, each such group holds as
many nodes on both sides (taken in the function's order), and every input of the old node is, through
the pairing, the matching input of the new one. A pair the graph does not confirm is dropped, and so are
the pairs that depended on it: what remains is renamed, never guessed. The rest are added or removed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt


@dataclass(frozen=True, slots=True)
class NodePairing:
    pairs: tuple[tuple[str, str], ...]  # (old name, new name): the same node on both sides
    removed: tuple[str, ...]  # old names with no counterpart
    added: tuple[str, ...]

    @property
    def renamed(self) -> tuple[tuple[str, str], ...]:
        return tuple((old, new) for old, new in self.pairs if old != new)


def without_counters(name: str) -> str:
    """Each `/`-separated component without the counters a name scope adds at its end: `dense_1` and
    `sequential_1_1` become `dense` and `sequential`. A scan from each component's end, linear in the
    name (the regex `(?:_[0-9]+)+(?=/|$)` backtracks quadratically on `_1_1_1...x`, a model's to write)."""
    return "/".join(_stripped(component) for component in name.split("/"))


def _stripped(component: str) -> str:
    end = len(component)
    while True:
        start = end
        while start > 0 and "0" <= component[start - 1] <= "9":
            start -= 1
        if start == end or start == 0 or component[start - 1] != "_":
            return component[:end]
        end = start - 1


def pair_nodes(
    old: Sequence[fmt.NodeDef], new: Sequence[fmt.NodeDef], arguments: Sequence[tuple[str, str]] = ()
) -> NodePairing:
    """Pair two functions' NodeDefs (in their functions' order). `arguments`: the functions' arguments,
    old and new name by position, which nodes read like nodes (a renamed input renames them too)."""
    old_by_name = {node.name: node for node in old}
    new_by_name = {node.name: node for node in new}
    pairing = {name: name for name in old_by_name if name in new_by_name}
    candidates = _candidates(
        [n for n in old if n.name not in pairing], [n for n in new if n.name not in pairing]
    )
    references = {**dict(arguments), **pairing, **candidates}
    _confirm(candidates, references, old_by_name, new_by_name)
    pairing.update(candidates)
    paired_new = set(pairing.values())
    return NodePairing(
        tuple((o.name, pairing[o.name]) for o in old if o.name in pairing),
        tuple(o.name for o in old if o.name not in pairing),
        tuple(n.name for n in new if n.name not in paired_new),
    )


def _candidates(old: Iterable[fmt.NodeDef], new: Iterable[fmt.NodeDef]) -> dict[str, str]:
    """Unmatched nodes grouped by (name without counters, op type); groups as large on both sides are
    paired in order."""
    groups_old: dict[tuple[str, str], list[str]] = defaultdict(list)
    groups_new: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node in old:
        groups_old[(without_counters(node.name), node.op)].append(node.name)
    for node in new:
        groups_new[(without_counters(node.name), node.op)].append(node.name)
    candidates: dict[str, str] = {}
    for key, names in groups_old.items():
        others = groups_new.get(key, [])
        if len(others) == len(names):
            candidates.update(zip(names, others, strict=True))
    return candidates


def _confirm(
    candidates: dict[str, str],
    references: dict[str, str],
    old: dict[str, fmt.NodeDef],
    new: dict[str, fmt.NodeDef],
) -> None:
    """Drop each candidate whose inputs do not map onto its counterpart's, and then the candidates that
    read from it: a work list, each candidate dropped at most once (no recursion, no repeated passes)."""
    consumers: dict[str, list[str]] = defaultdict(list)
    for name in candidates:
        for source in _sources(old[name].input):
            consumers[source].append(name)
    work = list(candidates)
    while work:
        name = work.pop()
        if name not in candidates:
            continue
        mapped = [_mapped(reference, references) for reference in old[name].input]
        if mapped != list(new[candidates[name]].input):
            del references[name]
            del candidates[name]
            work.extend(consumers.get(name, ()))


def _sources(inputs: Iterable[str]) -> Iterator[str]:
    for reference in inputs:
        yield reference.removeprefix("^").partition(":")[0]


def _mapped(reference: str, references: dict[str, str]) -> str:
    """An input reference (`node:out:0`, `^node`, or a function argument) with its node renamed. A node
    with no counterpart keeps its old name, which the new side does not have: the node reading it is not
    confirmed."""
    control = reference.startswith("^")
    node, colon, port = reference.removeprefix("^").partition(":")
    if node in references:
        node = references[node]
    return ("^" if control else "") + node + colon + port
