"""Which function is which across two saves: concrete function names carry counters that change on every
save, so functions are paired one to one by the strongest evidence first (see `pair_functions`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING

from inspector._internal.view import (
    TOP_LEVEL,
    SavedModelView,
)
from inspector.results.diff import (
    FunctionPair,
)

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt

    pass


COUNTER = re.compile(r"_\d+$")


#: Attrs that name the functions a node calls: compared through the pairing, not by name.
FUNCTION_ATTRS = frozenset({"f", "then_branch", "else_branch", "body", "cond", "branches"})


#: Attrs whose change alters what a node computes, and is worth a line of its own.
MEANINGFUL_ATTRS = (
    frozenset(
        {
            "T",
            "dtype",
            "DstT",
            "SrcT",
            "out_type",
            "Tidx",
            "shape",
            "padding",
            "strides",
            "dilations",
            "ksize",
            "data_format",
            "transpose_a",
            "transpose_b",
            "adj_x",
            "adj_y",
            "keep_dims",
            "axis",
        }
    )
    | FUNCTION_ATTRS
)


def base_name(function: str) -> str:
    """`__inference_serve_57` -> `__inference_serve`."""
    return COUNTER.sub("", function)


def pair_functions(old: SavedModelView, new: SavedModelView) -> dict[str, FunctionPair]:
    """Old function name -> its pair in the new model: a one-to-one matching, the same for the same input.

    Rounds, strongest evidence first; each pairs only functions no earlier round paired, and pairing a
    function pairs its callees through the nodes that call them:
    1. the same name and the same body (a model against itself, or an unchanged function);
    2. alias and input signature; object path and input signature; the signatures that call them;
    3. the same name (the body changed);
    4. structure (a hash of the body that ignores counters and constant values);
    5. the name without its counter.
    Where a key is shared by several functions on each side (Keras exports carry ~100
    `__inference_internal_grad_fn_*` with one structure), they are paired in counter order, which is
    the order TensorFlow traced them in: same base name first, then the rest.
    """
    pairing = _Pairing(old, new)
    # 1. the same name and body
    old_bodies, new_bodies = _function_defs(old), _function_defs(new)
    for name in sorted(old_bodies.keys() & new_bodies.keys()):
        if old_bodies[name].SerializeToString(deterministic=True) == new_bodies[name].SerializeToString(
            deterministic=True
        ):
            pairing.pair(name, name, "identical")
    # 2. the keys the model records: alias (aliases may be renamed: the object path or signature pairs
    # them then), object path, then the signatures that call them, call by call
    pairing.match(_alias_keys(old), _alias_keys(new), "alias")
    pairing.match(_object_keys(old), _object_keys(new), "object path")
    for name in sorted(set(old.signatures) & set(new.signatures)):
        for old_fn, new_fn in zip(
            old.signatures[name].functions, new.signatures[name].functions, strict=False
        ):
            pairing.pair_call_tree(old_fn, new_fn, f"signature {name}")
    pairing.expand_all()
    # 3. the same name, 4. structure, 5. name without counter
    pairing.match({f: f for f in old.functions}, {f: f for f in new.functions}, "name")
    pairing.match(_structure_keys(old), _structure_keys(new), "structure")
    pairing.match(
        {f: base_name(f) for f in old.functions}, {f: base_name(f) for f in new.functions}, "base name"
    )
    return pairing.pairs


class _Pairing:
    """The pairing as it grows, round by round: one-to-one, and each pair's callees paired through the
    nodes that call them."""

    def __init__(self, old: SavedModelView, new: SavedModelView) -> None:
        self.old, self.new = old, new
        self.pairs: dict[str, FunctionPair] = {
            TOP_LEVEL: FunctionPair(TOP_LEVEL, TOP_LEVEL, "top-level graph")
        }
        self.taken: set[str] = {TOP_LEVEL}
        # Pairs whose callees were matched already: pairing only grows, so expanding a pair twice finds
        # nothing new, and without this a deep call chain would be walked once per round and per pair.
        self.expanded: set[tuple[str, str]] = set()

    def pair(self, old_name: str, new_name: str, by: str) -> bool:
        """Pair the two unless either is paired already or missing; whether they are paired now."""
        if (
            old_name not in self.pairs
            and new_name not in self.taken
            and old_name in self.old.functions
            and new_name in self.new.functions
        ):
            self.pairs[old_name] = FunctionPair(old_name, new_name, by)
            self.taken.add(new_name)
        found = self.pairs.get(old_name)
        return found is not None and found.new == new_name

    def match(self, key_old: Mapping[str, Hashable], key_new: Mapping[str, Hashable], by: str) -> None:
        """Pair the unpaired functions that share a key, then their callees."""
        new_by_key: dict[Hashable, list[str]] = {}
        for name, key in key_new.items():
            if name not in self.taken and key is not None:
                new_by_key.setdefault(key, []).append(name)
        old_by_key: dict[Hashable, list[str]] = {}
        for name, key in key_old.items():
            if name not in self.pairs and key is not None:
                old_by_key.setdefault(key, []).append(name)
        for key in sorted(old_by_key, key=repr):
            for old_name, new_name in _one_to_one(old_by_key[key], new_by_key.get(key, [])):
                self.pair(old_name, new_name, by)
        self.expand_all()

    def expand_all(self) -> None:
        for old_fn, paired in list(self.pairs.items()):
            self.pair_callees(old_fn, paired.new)

    def pair_call_tree(self, old_fn: str, new_fn: str, by: str) -> None:
        if self.pair(old_fn, new_fn, by):
            self.pair_callees(old_fn, new_fn)

    def pair_callees(self, old_fn: str, new_fn: str) -> None:
        """Callees of a paired function, matched by the node that calls them (node names survive
        re-saves); iterative, whatever the depth of the call chain."""
        old, new = self.old, self.new
        stack = [(old_fn, new_fn)]
        while stack:
            old_name, new_name = stack.pop()
            if (
                (old_name, new_name) in self.expanded
                or old_name not in old.functions
                or new_name not in new.functions
            ):
                continue
            self.expanded.add((old_name, new_name))
            new_nodes = (new.nodes[k] for k in new.functions[new_name].node_keys)
            new_calls = {node.name: node.calls for node in new_nodes}
            for key in old.functions[old_name].node_keys:
                node = old.nodes[key]
                if not node.calls or node.name not in new_calls:
                    continue
                for old_callee, new_callee in zip(node.calls, new_calls[node.name], strict=False):
                    if self.pair(old_callee, new_callee, "caller"):
                        stack.append((old_callee, new_callee))


def _counter(function: str) -> int:
    match = COUNTER.search(function)
    return int(match.group(0)[1:]) if match else -1


def _counter_order(function: str) -> tuple[int, str]:
    return _counter(function), function


def _one_to_one(olds: list[str], news: list[str]) -> list[tuple[str, str]]:
    """Pair two groups that share a key: by base name first, in counter order, then what is left."""
    olds, news = sorted(olds, key=_counter_order), sorted(news, key=_counter_order)
    pairs: list[tuple[str, str]] = []
    by_base: dict[str, list[str]] = {}
    for name in news:
        by_base.setdefault(base_name(name), []).append(name)
    left_old = []
    for name in olds:
        candidates = by_base.get(base_name(name))
        if candidates:
            pairs.append((name, candidates.pop(0)))
        else:
            left_old.append(name)
    paired_new = {new for _, new in pairs}
    left_new = [name for name in news if name not in paired_new]
    pairs.extend(zip(left_old, left_new, strict=False))
    return pairs


def _function_defs(view: SavedModelView) -> dict[str, fmt.FunctionDef]:
    return {fn.name: fn.definition for fn in view.library_functions if fn.definition is not None}


def _alias_keys(view: SavedModelView) -> dict[str, Hashable]:
    return {
        function: (alias, view.input_signatures.get(function))
        for function, alias in view.function_aliases.items()
        if function in view.functions
    }


def _object_keys(view: SavedModelView) -> dict[str, Hashable]:
    return {
        function: (paths[0].split(".")[0], view.input_signatures.get(function))
        for function, paths in view.object_paths.items()
        if paths and function in view.functions
    }


def _structure_keys(view: SavedModelView) -> dict[str, Hashable]:
    return {name: _structure_hash(view, name) for name in view.functions if name != TOP_LEVEL}


def _structure_hash(view: SavedModelView, function: str) -> str:
    digest = hashlib.sha256()
    for key in view.functions[function].node_keys:
        node = view.nodes[key]
        digest.update(
            f"{node.name}\x1f{node.op}\x1f{','.join(base_name(c) for c in node.calls)}\x1e".encode()
        )
        for name in sorted(node.definition.attr):
            if name in MEANINGFUL_ATTRS and name not in FUNCTION_ATTRS:
                digest.update(
                    name.encode() + node.definition.attr[name].SerializeToString(deterministic=True)
                )
    return digest.hexdigest()
