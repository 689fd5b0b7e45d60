"""Semantic diff of two SavedModels: what changed between the model shipped today and the candidate.

Concrete function names carry counters that change on every save (`__inference_serve_22` vs
`__inference_serve_57`), so functions are paired one to one (see `pair_functions`): the same name and body
first, then by alias (and input signature), object path, the signatures that call them (and then their
callees, call by call), the same name, structure (a hash of the body that ignores counters and constant
values), and name without its counter. What stays unpaired is added or removed. Everything else --
constants included, by digest -- is compared through that pairing.

TensorFlow's own plumbing -- the top-level graph (signature placeholders, variable handles, the saver) and
the checkpoint functions the saver runs (`inspector._internal.plumbing`, recognised by structure) -- mirrors the
signatures and variables, so its ops are left out of the op, attr and source comparisons. But what a load's
restore runs is code like any other: the `plumbing` category compares the saver's own subgraph and every
function it calls node by node (op, inputs, attrs, constants), one change per part, so an op added to a
restore function or a constant changed in a save function never diffs as identical.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, NamedTuple

from inspector._internal.callgraph import tensor_node_name
from inspector._internal.nodepairing import NodePairing, pair_nodes, without_counters
from inspector._internal.plumbing import plumbing_of, risky_op_counts
from inspector._internal.routes import loader_routes
from inspector._internal.tensors import TensorValue as ReadTensor
from inspector._internal.tensors import shortest_float32
from inspector._internal.view import (
    TOP_LEVEL,
    DebugInfoStatus,
    Node,
    SavedModelView,
    TensorSpec,
    Variable,
    namespace_of,
    node_key,
)
from inspector.results.common import ModelRef
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
    DiffResult,
    FunctionPair,
    SourceSite,
    TensorValue,
    Value,
)

if TYPE_CHECKING:
    from inspector._internal.checkpoint import BundleEntry, BundleIndex
    from inspector.results.report import AssetFile

_COUNTER = re.compile(r"_\d+$")

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
    return _COUNTER.sub("", function)


# --- pairing --------------------------------------------------------------------------------------------


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
    pairs: dict[str, FunctionPair] = {TOP_LEVEL: FunctionPair(TOP_LEVEL, TOP_LEVEL, "top-level graph")}
    taken: set[str] = {TOP_LEVEL}
    # Pairs whose callees were matched already: pairing only grows, so expanding a pair twice finds
    # nothing new, and without this a deep call chain would be walked once per round and per pair.
    expanded: set[tuple[str, str]] = set()

    def pair(old_name: str, new_name: str, by: str) -> None:
        if (
            old_name in pairs
            or new_name in taken
            or old_name not in old.functions
            or new_name not in new.functions
        ):
            return
        pairs[old_name] = FunctionPair(old_name, new_name, by)
        taken.add(new_name)

    def match(key_old: Mapping[str, Any], key_new: Mapping[str, Any], by: str) -> None:
        new_by_key: dict[Any, list[str]] = {}
        for name, key in key_new.items():
            if name not in taken and key is not None:
                new_by_key.setdefault(key, []).append(name)
        old_by_key: dict[Any, list[str]] = {}
        for name, key in key_old.items():
            if name not in pairs and key is not None:
                old_by_key.setdefault(key, []).append(name)
        for key in sorted(old_by_key, key=repr):
            for old_name, new_name in _one_to_one(old_by_key[key], new_by_key.get(key, [])):
                pair(old_name, new_name, by)
        for old_fn, pairing in list(pairs.items()):
            _pair_callees(old, new, old_fn, pairing.new, pair, pairs, expanded)

    # 1. the same name and body
    old_bodies, new_bodies = _function_defs(old), _function_defs(new)
    for name in sorted(old_bodies.keys() & new_bodies.keys()):
        if old_bodies[name].SerializeToString(deterministic=True) == new_bodies[name].SerializeToString(
            deterministic=True
        ):
            pair(name, name, "identical")
    # 2. the keys the model records: alias (aliases may be renamed: the object path or signature pairs
    # them then), object path, then the signatures that call them, call by call
    match(_alias_keys(old), _alias_keys(new), "alias")
    match(_object_keys(old), _object_keys(new), "object path")
    for name in sorted(set(old.signatures) & set(new.signatures)):
        for old_fn, new_fn in zip(
            old.signatures[name].functions, new.signatures[name].functions, strict=False
        ):
            _pair_call_trees(old, new, old_fn, new_fn, pair, pairs, expanded, f"signature {name}")
    for old_fn, pairing in list(pairs.items()):
        _pair_callees(old, new, old_fn, pairing.new, pair, pairs, expanded)
    # 3. the same name, 4. structure, 5. name without counter
    match({f: f for f in old.functions}, {f: f for f in new.functions}, "name")
    match(_structure_keys(old), _structure_keys(new), "structure")
    match({f: base_name(f) for f in old.functions}, {f: base_name(f) for f in new.functions}, "base name")
    return pairs


def _counter(function: str) -> int:
    match = _COUNTER.search(function)
    return int(match.group(0)[1:]) if match else -1


def _one_to_one(olds: list[str], news: list[str]) -> list[tuple[str, str]]:
    """Pair two groups that share a key: by base name first, in counter order, then what is left."""
    order = lambda name: (_counter(name), name)  # noqa: E731
    olds, news = sorted(olds, key=order), sorted(news, key=order)
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


def _function_defs(view: SavedModelView) -> dict[str, Any]:
    return {fn.name: fn.definition for fn in view.library_functions}


def _alias_keys(view: SavedModelView) -> dict[str, Any]:
    return {
        function: (alias, view.input_signatures.get(function))
        for function, alias in view.function_aliases.items()
        if function in view.functions
    }


def _object_keys(view: SavedModelView) -> dict[str, Any]:
    return {
        function: (paths[0].split(".")[0], view.input_signatures.get(function))
        for function, paths in view.object_paths.items()
        if paths and function in view.functions
    }


def _structure_keys(view: SavedModelView) -> dict[str, Any]:
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


def _pair_call_trees(
    old: SavedModelView,
    new: SavedModelView,
    old_fn: str,
    new_fn: str,
    pair: Any,
    pairs: Any,
    expanded: set[tuple[str, str]],
    by: str,
) -> None:
    pair(old_fn, new_fn, by)
    if pairs.get(old_fn) is not None and pairs[old_fn].new == new_fn:
        _pair_callees(old, new, old_fn, new_fn, pair, pairs, expanded)


def _pair_callees(
    old: SavedModelView,
    new: SavedModelView,
    old_fn: str,
    new_fn: str,
    pair: Any,
    pairs: Any,
    expanded: set[tuple[str, str]],
) -> None:
    """Callees of a paired function, matched by the node that calls them (node names survive re-saves)."""
    stack = [(old_fn, new_fn)]
    while stack:
        old_name, new_name = stack.pop()
        if (old_name, new_name) in expanded or old_name not in old.functions or new_name not in new.functions:
            continue
        expanded.add((old_name, new_name))
        new_nodes = (new.nodes[k] for k in new.functions[new_name].node_keys)
        new_calls = {node.name: node.calls for node in new_nodes}
        for key in old.functions[old_name].node_keys:
            node = old.nodes[key]
            if not node.calls or node.name not in new_calls:
                continue
            for old_callee, new_callee in zip(node.calls, new_calls[node.name], strict=False):
                pair(old_callee, new_callee, "caller")
                if pairs.get(old_callee) is not None and pairs[old_callee].new == new_callee:
                    stack.append((old_callee, new_callee))


# --- comparing ------------------------------------------------------------------------------------------


def diff(
    old: SavedModelView,
    new: SavedModelView,
    *,
    only: Iterable[Category] | None = None,
    ignore: Iterable[Category] = (),
    values: bool = False,
    strict_names: bool = False,
) -> DiffResult:
    """What changed from `old` to `new`, in the categories asked for. `values` reads the values of small
    changed variables from the checkpoint's data shards (only their bytes) to show them old → new; without
    it weights are compared by the checksums in the index alone."""
    wanted = tuple(c for c in (tuple(only) if only else tuple(Category)) if c not in set(ignore))
    pairs = pair_functions(old, new)
    forward = {o: p.new for o, p in pairs.items()}
    bodies = _function_bodies(old, new, forward, wanted)
    changes: list[Change] = []
    compare: dict[Category, Callable[[SavedModelView, SavedModelView, Mapping[str, str]], list[Change]]] = {
        Category.VERSIONS: _versions,
        Category.SIGNATURES: _signatures,
        Category.ALIASES: _aliases,
        Category.FUNCTIONS: _functions,
        Category.NAMESPACES: _namespaces,
        Category.RISKY_OPS: _risky_ops,
        Category.VARIABLES: _variables,
        Category.DEBUG_INFO: _debug_info,
        Category.PLUMBING: _plumbing,
        Category.WEIGHTS: partial(_weights, values=values),
        Category.ASSETS: _assets,
    }
    for category in wanted:
        changes.extend(bodies[category] if category in bodies else compare[category](old, new, forward))
    return DiffResult(
        ModelRef.of(old),
        ModelRef.of(new),
        wanted,
        tuple(changes),
        tuple(p for o, p in sorted(pairs.items()) if o != TOP_LEVEL),
        strict_names,
    )


def _changed(category: Category, aspect: Aspect, old: Value, new: Value, **subject: Any) -> list[Change]:
    """One CHANGED change when the values differ, none when they agree."""
    if old == new:
        return []
    return [Change(category, ChangeKind.CHANGED, aspect, old=old, new=new, **subject)]


def _versions(old: SavedModelView, new: SavedModelView, _: Mapping[str, str]) -> list[Change]:
    return [
        *_changed(
            Category.VERSIONS, Aspect.TENSORFLOW_VERSION, old.tensorflow_version, new.tensorflow_version
        ),
        *_changed(Category.VERSIONS, Aspect.PRODUCER, old.producer, new.producer),
        *_changed(Category.VERSIONS, Aspect.MIN_CONSUMER, old.min_consumer, new.min_consumer),
    ]


def _spec_value(spec: TensorSpec) -> TensorValue:
    return TensorValue(spec.dtype, spec.shape)


def _signatures(old: SavedModelView, new: SavedModelView, _: Mapping[str, str]) -> list[Change]:
    changes = []
    for name in sorted(set(old.signatures) | set(new.signatures)):
        before, after = old.signatures.get(name), new.signatures.get(name)
        if before is None:
            changes.append(Change(Category.SIGNATURES, ChangeKind.ADDED, Aspect.SIGNATURE, name))
            continue
        if after is None:
            changes.append(Change(Category.SIGNATURES, ChangeKind.REMOVED, Aspect.SIGNATURE, name))
            continue
        changes += _changed(
            Category.SIGNATURES, Aspect.SIGNATURE_METHOD, before.method_name, after.method_name, name=name
        )
        for aspect, old_side, new_side in (
            (Aspect.SIGNATURE_INPUT, before.inputs, after.inputs),
            (Aspect.SIGNATURE_OUTPUT, before.outputs, after.outputs),
        ):
            old_specs = {s.name: s for s in old_side}
            new_specs = {s.name: s for s in new_side}
            for key in sorted(set(old_specs) | set(new_specs)):
                if key not in old_specs:
                    changes.append(
                        Change(
                            Category.SIGNATURES,
                            ChangeKind.ADDED,
                            aspect,
                            name,
                            attr=key,
                            new=_spec_value(new_specs[key]),
                        )
                    )
                elif key not in new_specs:
                    changes.append(
                        Change(
                            Category.SIGNATURES,
                            ChangeKind.REMOVED,
                            aspect,
                            name,
                            attr=key,
                            old=_spec_value(old_specs[key]),
                        )
                    )
                else:
                    changes += _changed(
                        Category.SIGNATURES,
                        aspect,
                        _spec_value(old_specs[key]),
                        _spec_value(new_specs[key]),
                        name=name,
                        attr=key,
                    )
    return changes


def _aliases(old: SavedModelView, new: SavedModelView, forward: Mapping[str, str]) -> list[Change]:
    changes = []
    removed = sorted(set(old.aliases) - set(new.aliases))
    added = sorted(set(new.aliases) - set(old.aliases))
    renamed: dict[str, str] = {}
    for old_name in removed:
        behind = {forward.get(t.function) for t in old.aliases[old_name].targets if t.in_library}
        for new_name in added:
            if new_name not in renamed.values() and behind == {
                t.function for t in new.aliases[new_name].targets if t.in_library
            }:
                renamed[old_name] = new_name
                break
    for old_name, new_name in renamed.items():
        functions = tuple(t.function for t in new.aliases[new_name].targets if t.in_library)
        changes.append(
            Change(
                Category.ALIASES,
                ChangeKind.CHANGED,
                Aspect.ALIAS_NAME,
                new_name,
                old=old_name,
                new=new_name,
                functions=functions,
            )
        )
    for name in sorted((set(old.aliases) | set(new.aliases)) - set(renamed) - set(renamed.values())):
        before, after = old.aliases.get(name), new.aliases.get(name)
        if before is None:
            assert after is not None
            targets = tuple(t.function for t in after.targets)
            changes.append(Change(Category.ALIASES, ChangeKind.ADDED, Aspect.ALIAS, name, new=targets))
            continue
        if after is None:
            targets = tuple(t.function for t in before.targets)
            changes.append(Change(Category.ALIASES, ChangeKind.REMOVED, Aspect.ALIAS, name, old=targets))
            continue
        # Compare the functions behind the alias through the pairing, and their input signatures. An old
        # function without a counterpart is named as it was: it cannot equal any new name.
        old_set = tuple(sorted(forward.get(t.function, t.function) for t in before.targets if t.in_library))
        new_set = tuple(sorted(t.function for t in after.targets if t.in_library))
        changes += _changed(Category.ALIASES, Aspect.ALIAS_FUNCTIONS, old_set, new_set, name=name)
        old_inputs = tuple(sorted(t.input_signature or "?" for t in before.targets if t.in_library))
        new_inputs = tuple(sorted(t.input_signature or "?" for t in after.targets if t.in_library))
        changes += _changed(
            Category.ALIASES, Aspect.ALIAS_INPUT_SIGNATURES, old_inputs, new_inputs, name=name
        )
    return changes


def _functions(old: SavedModelView, new: SavedModelView, forward: Mapping[str, str]) -> list[Change]:
    paired_new = set(forward.values())
    removed = [
        Change(Category.FUNCTIONS, ChangeKind.REMOVED, Aspect.FUNCTION, f, old_function=f)
        for f in sorted(old.functions)
        if f not in forward
    ]
    added = [
        Change(Category.FUNCTIONS, ChangeKind.ADDED, Aspect.FUNCTION, f, new_function=f)
        for f in sorted(new.functions)
        if f not in paired_new
    ]
    # Every concrete function of the object graph can be called with its input signature: a changed one
    # is a change to the model's interface (an aliased function's is said under aliases, the function a
    # SignatureDef calls under signatures).
    # What it returns, likewise (a SignatureDef's outputs are said under signatures; aliases compare only
    # what their functions take).
    by_signature = {f for view in (old, new) for s in view.signatures.values() for f in s.functions}
    aliased = set(old.function_aliases) | set(new.function_aliases)
    interface = [
        Change(
            Category.FUNCTIONS,
            ChangeKind.CHANGED,
            aspect,
            n,
            old_function=o,
            new_function=n,
            old=before[o],
            new=after[n],
        )
        for o, n in sorted(forward.items())
        for aspect, before, after, said in (
            (Aspect.FUNCTION_SIGNATURE, old.input_signatures, new.input_signatures, by_signature | aliased),
            (Aspect.FUNCTION_OUTPUTS, old.output_signatures, new.output_signatures, by_signature),
        )
        if o in before and n in after and before[o] != after[n] and o not in said and n not in said
    ]
    return [*removed, *added, *interface]


def _paired(old: SavedModelView, new: SavedModelView, forward: Mapping[str, str]) -> list[tuple[str, str]]:
    """Paired functions whose bodies are compared here (the checkpoint plumbing's are compared under
    their own category: see the docstring)."""
    old_plumbing, new_plumbing = plumbing_of(old).functions, plumbing_of(new).functions
    return [
        (o, n)
        for o, n in sorted(forward.items())
        if o in old.functions
        and n in new.functions
        and o != TOP_LEVEL
        and o not in old_plumbing
        and n not in new_plumbing
    ]


@dataclass(frozen=True, slots=True)
class _NodeMatch:
    old: Mapping[str, Node]  # the old function's nodes by name
    new: Mapping[str, Node]
    pairing: NodePairing

    def matched(self) -> list[tuple[Node, Node]]:
        """Nodes present on both sides: by name, or renamed (`nodepairing`)."""
        return [(self.old[o], self.new[n]) for o, n in self.pairing.pairs]


def _match(old: SavedModelView, new: SavedModelView, old_fn: str, new_fn: str) -> _NodeMatch:
    """Which node of a paired function is which: by name, or renamed (`nodepairing`), the functions'
    arguments paired by position."""
    old_nodes = {node.name: node for node in (old.nodes[k] for k in old.functions[old_fn].node_keys)}
    new_nodes = {node.name: node for node in (new.nodes[k] for k in new.functions[new_fn].node_keys)}
    before, after = old.functions[old_fn], new.functions[new_fn]
    arguments = (
        [(a.name, b.name) for a, b in zip(before.inputs, after.inputs, strict=True)]
        if len(before.inputs) == len(after.inputs)
        else []
    )
    pairing = pair_nodes(
        [node.definition for node in old_nodes.values()],
        [node.definition for node in new_nodes.values()],
        arguments,
    )
    return _NodeMatch(old_nodes, new_nodes, pairing)


#: The categories read from each paired function's nodes: compared in one pass per function.
_PER_FUNCTION = (Category.OPS, Category.ATTRS, Category.SOURCES)


def _function_bodies(
    old: SavedModelView, new: SavedModelView, forward: Mapping[str, str], wanted: Iterable[Category]
) -> dict[Category, list[Change]]:
    """Ops, attrs and creation sites of every paired function, in one pass over its nodes: each
    function's nodes are made once, and let go before the next function's (a 200k-node model's are never
    all held at once)."""
    found: dict[Category, list[Change]] = {c: [] for c in _PER_FUNCTION if c in set(wanted)}
    sites = Category.SOURCES in found and (
        old.debug_info.status is DebugInfoStatus.PRESENT and new.debug_info.status is DebugInfoStatus.PRESENT
    )
    for old_fn, new_fn in _paired(old, new, forward):
        match = _match(old, new, old_fn, new_fn)
        where = _in(old_fn, new_fn)
        if Category.OPS in found:
            found[Category.OPS] += _ops(match, where)
        if Category.ATTRS in found:
            found[Category.ATTRS] += _attrs(match, where, forward)
        if sites:
            found[Category.SOURCES] += _sources(old, new, match, where)
    return found


def _in(old_fn: str, new_fn: str) -> tuple[str, str]:
    """The paired function on each side, as a change names it ("" for the top-level graph)."""
    return ("", "") if old_fn == TOP_LEVEL else (old_fn, new_fn)


def _ops(match: _NodeMatch, where: tuple[str, str]) -> list[Change]:
    """A paired function's op-type counts, its nodes added, removed, of another op or renamed."""
    changes: list[Change] = []
    old_nodes, new_nodes = match.old, match.new
    old_in, new_in = where
    counts_before = Counter(node.op for node in old_nodes.values())
    counts_after = Counter(node.op for node in new_nodes.values())
    for op in sorted(set(counts_before) | set(counts_after)):
        changes += _changed(
            Category.OPS,
            Aspect.OP_COUNT,
            counts_before[op],
            counts_after[op],
            name=op,
            old_function=old_in,
            new_function=new_in,
        )
    pairing = match.pairing
    for name in sorted(pairing.added):
        changes.append(
            Change(
                Category.OPS,
                ChangeKind.ADDED,
                Aspect.NODE,
                name,
                new=new_nodes[name].op,
                old_function=old_in,
                new_function=new_in,
            )
        )
    for name in sorted(pairing.removed):
        changes.append(
            Change(
                Category.OPS,
                ChangeKind.REMOVED,
                Aspect.NODE,
                name,
                old=old_nodes[name].op,
                old_function=old_in,
                new_function=new_in,
            )
        )
    for before, after in sorted(pairing.pairs):
        changes += _changed(
            Category.OPS,
            Aspect.NODE,
            old_nodes[before].op,
            new_nodes[after].op,
            name=before,
            old_function=old_in,
            new_function=new_in,
        )
    # Renamed only: the same op reading the same inputs, under a name whose counters changed.
    for before, after in sorted(pairing.renamed):
        changes.append(
            Change(
                Category.OPS,
                ChangeKind.CHANGED,
                Aspect.NODE_NAME,
                before,
                old=before,
                new=after,
                old_function=old_in,
                new_function=new_in,
            )
        )
    return changes


def _attr_text(value: Any, forward: Mapping[str, str] | None = None) -> str:
    kind = value.WhichOneof("value")
    if kind == "func":
        name = value.func.name
        return forward.get(name, name) if forward is not None else name
    if kind == "list":
        if len(value.list.func):
            return "[" + ", ".join((forward or {}).get(f.name, f.name) for f in value.list.func) + "]"
        return str(
            list(value.list.type) or list(value.list.i) or list(value.list.s) or list(value.list.shape)
        )
    if kind == "type":
        return str(value.type)
    if kind == "shape":
        return "?" if value.shape.unknown_rank else str([d.size for d in value.shape.dim])
    return repr(getattr(value, kind)) if kind else ""


def _attrs(match: _NodeMatch, where: tuple[str, str], forward: Mapping[str, str]) -> list[Change]:
    """A paired function's nodes' attrs that matter, and its tensor-valued attrs."""
    from inspector._internal.objectgraph import dtype_name
    from inspector._internal.protos import load_protos

    types = load_protos().types
    changes = []
    for node, other in match.matched():
        if other.op != node.op:
            continue
        for attr in sorted(MEANINGFUL_ATTRS & (set(node.definition.attr) | set(other.definition.attr))):
            before = node.definition.attr.get(attr)
            now = other.definition.attr.get(attr)
            old_text = _attr_text(before, forward) if before is not None else UNSET
            new_text = _attr_text(now) if now is not None else UNSET
            if before is not None and before.WhichOneof("value") == "type":
                old_text = dtype_name(types, before.type)
            if now is not None and now.WhichOneof("value") == "type":
                new_text = dtype_name(types, now.type)
            changes += _changed(
                Category.ATTRS,
                Aspect.ATTR,
                old_text,
                new_text,
                name=node.name,
                attr=attr,
                old_function=where[0],
                new_function=where[1],
            )
        changes += _tensor_changes(node, other, where)
    return changes


#: An attr one side does not set.
UNSET = "(unset)"


def _tensor_value(tensor: ReadTensor) -> TensorValue:
    values = None
    if tensor.values is not None:
        values = tuple(_plain(value, tensor.dtype) for value in tensor.values)
    return TensorValue(tensor.dtype, tensor.shape, values, tensor.elements, tensor.digest)


def _plain(value: Any, dtype: str) -> float | int | str | bool:
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


def _tensor_changes(node: Node, other: Node, where: tuple[str, str]) -> list[Change]:
    """Tensor-valued attrs (a Const's `value`, ...) compared by digest: a threshold moved from 0.5 to
    0.9 changes what the model computes as surely as a new op does."""
    from inspector._internal.tensors import differing_elements, read_tensor

    changes = []
    before_attrs, after_attrs = node.definition.attr, other.definition.attr
    for attr in sorted(set(before_attrs) | set(after_attrs)):
        before, now = before_attrs.get(attr), after_attrs.get(attr)
        is_tensor = [v is not None and v.WhichOneof("value") == "tensor" for v in (before, now)]
        if not any(is_tensor):
            continue
        if not all(is_tensor):
            changes += _changed(
                Category.ATTRS,
                Aspect.ATTR,
                UNSET if before is None else "(not a tensor)" if not is_tensor[0] else "tensor",
                UNSET if now is None else "(not a tensor)" if not is_tensor[1] else "tensor",
                name=node.name,
                attr=attr,
                old_function=where[0],
                new_function=where[1],
            )
            continue
        assert before is not None and now is not None
        if before == now:  # the same message: no tensor to read (most of a re-save's constants)
            continue
        was, becomes = read_tensor(before.tensor), read_tensor(now.tensor)
        if was.digest == becomes.digest:
            continue
        differ = None
        if (was.values is None or becomes.values is None) and was.spec == becomes.spec:
            differ = differing_elements(was, becomes)
        changes.append(
            Change(
                Category.ATTRS,
                ChangeKind.CHANGED,
                Aspect.ATTR,
                node.name,
                attr=attr,
                old=_tensor_value(was),
                new=_tensor_value(becomes),
                differing_elements=differ,
                old_function=where[0],
                new_function=where[1],
            )
        )
    return changes


def _namespaces(old: SavedModelView, new: SavedModelView, _: Mapping[str, str]) -> list[Change]:
    def namespaced(view: SavedModelView) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for op in view.nodes_by_op:
            namespace = namespace_of(op)
            if namespace is not None:
                found.setdefault(namespace, set()).add(op)
        return found

    before, after = namespaced(old), namespaced(new)
    changes = []
    for namespace in sorted(set(before) | set(after)):
        old_ops, new_ops = before.get(namespace, set()), after.get(namespace, set())
        if not old_ops:
            changes.append(
                Change(
                    Category.NAMESPACES,
                    ChangeKind.ADDED,
                    Aspect.NAMESPACE,
                    namespace,
                    new=tuple(sorted(new_ops)),
                )
            )
        elif not new_ops:
            changes.append(
                Change(
                    Category.NAMESPACES,
                    ChangeKind.REMOVED,
                    Aspect.NAMESPACE,
                    namespace,
                    old=tuple(sorted(old_ops)),
                )
            )
        else:
            for op in sorted(new_ops - old_ops):
                changes.append(Change(Category.NAMESPACES, ChangeKind.ADDED, Aspect.NAMESPACED_OP, op))
            for op in sorted(old_ops - new_ops):
                changes.append(Change(Category.NAMESPACES, ChangeKind.REMOVED, Aspect.NAMESPACED_OP, op))
    return changes


def _risky_ops(old: SavedModelView, new: SavedModelView, _: Mapping[str, str]) -> list[Change]:
    from inspector._internal.riskyops import CATALOGUE

    before, after = risky_op_counts(old), risky_op_counts(new)
    changes = []
    for op in sorted(set(before) | set(after)):
        if after[op] == before[op]:
            continue
        if not before[op]:
            kind = ChangeKind.ADDED
        elif not after[op]:
            kind = ChangeKind.REMOVED
        else:
            kind = ChangeKind.CHANGED
        changes.append(
            Change(
                Category.RISKY_OPS,
                kind,
                Aspect.RISKY_OP,
                op,
                old=before[op] or None,
                new=after[op] or None,
                reason=CATALOGUE[op].reason if after[op] > before[op] else "",
            )
        )
    return changes


_NAME_COUNTER = re.compile(r"_\d+(?=/|$)")


def _variable_groups(view: SavedModelView) -> dict[str, tuple[TensorValue, ...]]:
    """Variables grouped by checkpoint name without name-scope counters -> their sorted specs.

    Neither object paths nor exact names identify a variable across saves: Keras 3 lists a model's
    variables under `_all_variables.N` in an order that changes from one export to the next (and lists
    each weight twice, under two object-graph nodes), and layer names carry process-wide counters
    (`seed_generator_7`). The name without its counters (`lstm/lstm_cell/kernel`) is stable; layers that
    share it are compared as a group.

    Unless its exact name cannot tell its weights apart: jax2tf's `tf.nest.map_structure(tf.Variable,
    params)` names every variable `Variable`. Variables that share an exact name but are different weights
    (another dtype, shape or checksum: not one weight tracked twice) are each their own group, named by
    their object path (`Variable (params.w1)`), so a diff says which one changed.
    """
    keys = _variable_keys(view)
    groups: dict[str, list[TensorValue]] = {}
    for variable in view.variables:
        groups.setdefault(keys[variable], []).append(TensorValue(variable.dtype, variable.shape))
    return {key: tuple(sorted(specs, key=repr)) for key, specs in groups.items()}


def _variable_keys(view: SavedModelView) -> dict[Variable, str]:
    """Each variable's group (see `_variable_groups`)."""
    checksums = {variable: entry.crc32c for variable, entry in _checkpoint_entries(view)}
    by_name: dict[str, list[Variable]] = {}
    for variable in view.variables:
        by_name.setdefault(variable.name, []).append(variable)
    keys = {}
    for name, variables in by_name.items():
        weights = {(v.dtype, v.shape, checksums.get(v)) for v in variables}
        for variable in variables:
            if not name:
                keys[variable] = variable.object_path
            elif len(weights) > 1:
                keys[variable] = f"{name} ({variable.object_path})"
            else:
                keys[variable] = _NAME_COUNTER.sub("", name)
    return keys


def _variables(old: SavedModelView, new: SavedModelView, _: Mapping[str, str]) -> list[Change]:
    before, after = _variable_groups(old), _variable_groups(new)
    changes = _variable_devices(old, new)
    for key in sorted(set(before) | set(after)):
        if key not in before:
            changes.append(Change(Category.VARIABLES, ChangeKind.ADDED, Aspect.VARIABLE, key, new=after[key]))
        elif key not in after:
            changes.append(
                Change(Category.VARIABLES, ChangeKind.REMOVED, Aspect.VARIABLE, key, old=before[key])
            )
        else:
            changes += _changed(Category.VARIABLES, Aspect.VARIABLE, before[key], after[key], name=key)
    return changes


def _variable_devices(old: SavedModelView, new: SavedModelView) -> list[Change]:
    """Variable groups on both sides whose devices differ (`SaveOptions.experimental_variable_policy`)."""

    def devices(view: SavedModelView) -> dict[str, tuple[str, ...]]:
        keys = _variable_keys(view)
        found: dict[str, set[str]] = {}
        for variable in view.variables:
            found.setdefault(keys[variable], set()).add(variable.device)
        return {key: tuple(sorted(d or "(none)" for d in places)) for key, places in found.items()}

    before, after = devices(old), devices(new)
    return [
        Change(
            Category.VARIABLES,
            ChangeKind.CHANGED,
            Aspect.VARIABLE_DEVICE,
            key,
            old=before[key],
            new=after[key],
        )
        for key in sorted(set(before) & set(after))
        if before[key] != after[key]
    ]


#: `--values` shows the values of a changed variable of at most this many elements (a threshold, a bias).
SHOWN_VALUES = 8


def _weights(
    old: SavedModelView, new: SavedModelView, _: Mapping[str, str], *, values: bool = False
) -> list[Change]:
    """Variable groups of the same specs on both sides whose values differ: each tensor's entry in
    `variables.index` holds the crc32c of its bytes, so no data file is read. A group is compared as a
    multiset of checksums (Keras lists a model's variables in another order on every export).

    With `values`, a changed tensor of at most SHOWN_VALUES fixed-size elements is read from its data
    shard (those bytes only) and shown old → new."""
    before, after = _stored_tensors(old), _stored_tensors(new)
    specs_before, specs_after = _variable_groups(old), _variable_groups(new)
    changes = []
    for key in sorted(set(before) & set(after)):
        old_sums, new_sums = _sums(before[key]), _sums(after[key])
        if old_sums == new_sums or specs_before.get(key) != specs_after.get(key):
            continue  # the same values, or a changed shape the variables category already says
        if values:
            old_value, new_value = _read_values(old, before[key]), _read_values(new, after[key])
        else:
            specs = specs_before[key]
            old_value = tuple(replace(spec, digest="crc32c " + " ".join(old_sums)) for spec in specs)
            new_value = tuple(replace(spec, digest="crc32c " + " ".join(new_sums)) for spec in specs)
        changes.append(
            Change(
                Category.WEIGHTS,
                ChangeKind.CHANGED,
                Aspect.WEIGHT,
                key,
                old=old_value,
                new=new_value,
                reason="values differ",
            )
        )
    return changes


def _sums(stored: _StoredGroup) -> tuple[str, ...]:
    return tuple(sorted(f"{entry.crc32c:08x}" for _, entry in stored.tensors))


@dataclass(frozen=True, slots=True)
class _StoredGroup:
    """A variable group's tensors in the checkpoint: each variable with its entry in the index."""

    index: BundleIndex
    tensors: tuple[tuple[Variable, BundleEntry], ...]


def _stored_tensors(view: SavedModelView) -> dict[str, _StoredGroup]:
    """Variable group -> its variables' entries in the checkpoint index, in object-path order; {} when
    the index cannot be read (INS011 says why). A TF2 variable's checkpoint key is its object path; a
    TF1 one's its name."""
    index = _bundle_index(view)
    if index is None:
        return {}
    keys = _variable_keys(view)
    found: dict[str, list[tuple[Variable, BundleEntry]]] = {}
    for variable, entry in _checkpoint_entries(view):
        found.setdefault(keys[variable], []).append((variable, entry))
    return {group: _StoredGroup(index, tuple(tensors)) for group, tensors in found.items()}


def _bundle_index(view: SavedModelView) -> BundleIndex | None:
    from inspector._internal.checkpoint import INDEX_FILE, CheckpointIndexError, read_bundle_index

    try:
        return read_bundle_index(view.path / INDEX_FILE)
    except (CheckpointIndexError, OSError):
        return None


def _checkpoint_entries(view: SavedModelView) -> list[tuple[Variable, BundleEntry]]:
    """Each variable with its entry in the checkpoint index, in object-path order (a TF2 variable's key is
    its object path, a TF1 one's its name); [] when the index cannot be read."""
    index = _bundle_index(view)
    if index is None:
        return []
    entries = {entry.name: entry for entry in index.entries}
    found = []
    for variable in sorted(view.variables, key=lambda v: v.object_path):
        key = (
            variable.name
            if variable.origin == "graph"
            else variable.object_path.replace(".", "/") + "/.ATTRIBUTES/VARIABLE_VALUE"
        )
        if key in entries:
            found.append((variable, entries[key]))
    return found


def _read_values(view: SavedModelView, stored: _StoredGroup) -> tuple[TensorValue, ...]:
    """Each tensor of a group as its spec and checksum, with its values when it is small enough."""
    from inspector._internal.checkpoint import read_small_values

    shown = []
    for variable, entry in stored.tensors:
        read = read_small_values(view.path, stored.index, entry, SHOWN_VALUES)
        shown.append(
            TensorValue(
                variable.dtype,
                variable.shape,
                None if read is None else tuple(_plain(value, variable.dtype) for value in read),
                None if entry.shape is None else math.prod(entry.shape),
                f"crc32c {entry.crc32c:08x}",
            )
        )
    return tuple(shown)


def _assets(old: SavedModelView, new: SavedModelView, _: Mapping[str, str]) -> list[Change]:
    """Each file under assets/ and assets.extra/ added, removed or changed in its bytes: a vocabulary, a
    label map, a warmup file changes what the model serves whatever its graph says. The reason names the
    ops that read it (the new model's, or the old one's for a removed file)."""
    from inspector._internal.assets import (
        asset_files,
    )  # reads the asset files: only a diff that compares them

    before = {item.path: item for item in asset_files(old)}
    after = {item.path: item for item in asset_files(new)}
    changes = []
    for path in sorted(before.keys() | after.keys()):
        was, now = before.get(path), after.get(path)
        if (
            was is not None
            and now is not None
            and (was.sha256, was.size) == (now.sha256, now.size)
            and was.sha256
        ):
            continue
        kind = ChangeKind.ADDED if was is None else ChangeKind.REMOVED if now is None else ChangeKind.CHANGED
        source = now if now is not None else was
        readers = source.readers if source is not None else ()
        changes.append(
            Change(
                Category.ASSETS,
                kind,
                Aspect.ASSET,
                path,
                old=_asset_text(was) if was is not None else None,
                new=_asset_text(now) if now is not None else None,
                reason=f"read by {', '.join(readers)}" if readers else "",
            )
        )
    return changes


def _asset_text(item: AssetFile) -> str:
    return (
        f"{item.size} bytes, sha256 {item.sha256[:16]}"
        if item.sha256
        else f"{item.size} bytes ({item.problem})"
    )


def _debug_info(old: SavedModelView, new: SavedModelView, _: Mapping[str, str]) -> list[Change]:
    return _changed(
        Category.DEBUG_INFO, Aspect.DEBUG_INFO, old.debug_info.status.value, new.debug_info.status.value
    )


def _sources(
    old: SavedModelView, new: SavedModelView, match: _NodeMatch, where: tuple[str, str]
) -> list[Change]:
    """A paired function's ops whose creation site moved. Sites compare by file name and line, so the
    same checkout saved on two machines (different absolute paths) does not count as moved."""
    changes = []
    for node, other in match.matched():
        old_trace, new_trace = old.trace(node), new.trace(other)
        old_site = old_trace.creation_site if old_trace else None
        new_site = new_trace.creation_site if new_trace else None
        if (
            old_site is None
            or new_site is None
            or (old_site.file, old_site.line) == (new_site.file, new_site.line)
        ):
            continue
        if (PurePath(old_site.file).name, old_site.line) != (PurePath(new_site.file).name, new_site.line):
            changes.append(
                Change(
                    Category.SOURCES,
                    ChangeKind.CHANGED,
                    Aspect.SOURCE,
                    node.name,
                    old=SourceSite(old_site.file, old_site.line),
                    new=SourceSite(new_site.file, new_site.line),
                    old_function=where[0],
                    new_function=where[1],
                )
            )
    return changes


# --- the checkpoint plumbing ----------------------------------------------------------------------------

#: A plumbing change lists at most this many nodes on each side.
MAX_PLUMBING_NODES = 24
_SAVER_GRAPH = "saver graph"


def _plumbing(old: SavedModelView, new: SavedModelView, _: Mapping[str, str]) -> list[Change]:
    """The saver's subgraph and each function it runs: one change per part whose nodes differ."""
    before, after = _plumbing_parts(old), _plumbing_parts(new)
    changes = []
    for label in sorted(set(before) | set(after)):
        old_part, new_part = before.get(label), after.get(label)
        old_fn, role, old_nodes = old_part or ("", "", {})
        new_fn, new_role, new_nodes = new_part or ("", "", {})
        gone, came = _named_differences(
            [old_nodes[form] for form in sorted(old_nodes.keys() - new_nodes.keys())],
            [new_nodes[form] for form in sorted(new_nodes.keys() - old_nodes.keys())],
        )
        if old_part is None:
            kind = ChangeKind.ADDED
        elif new_part is None:
            kind = ChangeKind.REMOVED
        elif gone or came:
            kind = ChangeKind.CHANGED
        else:
            continue
        changes.append(
            Change(
                Category.PLUMBING,
                kind,
                Aspect.PLUMBING,
                label,
                old_function=old_fn,
                new_function=new_fn,
                old=_capped(gone) if old_part is not None else None,
                new=_capped(came) if new_part is not None else None,
                reason=(role or new_role) + _writers(old, new),
            )
        )
    return changes


def _writers(old: SavedModelView, new: SavedModelView) -> str:
    """When the two models were written by different TensorFlow releases: the likely cause of a plumbing
    change (TF 2.14 added `debug_name` to the saver's VarHandleOps; 2.18 changed `config_proto`)."""
    if old.tensorflow_version == new.tensorflow_version or not (
        old.tensorflow_version and new.tensorflow_version
    ):
        return ""
    return (
        f"; written by TensorFlow {old.tensorflow_version} → {new.tensorflow_version}: each release writes its "
        "own plumbing, so a change here may be the writer's, not the model's"
    )


def _named_differences(
    gone: list[_PlumbingNode], came: list[_PlumbingNode]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The nodes on each side, a node present on both (its name without counters and its op) said with
    what changed in it: `w (VarHandleOp): attr debug_name added`."""
    waiting: dict[tuple[str, str], list[_PlumbingNode]] = {}
    for node in gone:
        waiting.setdefault((node.name, node.op), []).append(node)
    new_side = []
    for node in came:
        twins = waiting.get((node.name, node.op))
        if not twins:
            new_side.append(node.shown)
            continue
        before = twins.pop(0)
        new_side.append(f"{node.shown}: {_what_changed(before, node)}")
    return tuple(node.shown for node in gone), tuple(new_side)


def _what_changed(before: _PlumbingNode, after: _PlumbingNode) -> str:
    old_attrs, new_attrs = dict(before.attrs), dict(after.attrs)
    said = [f"attr {key} added" for key in sorted(new_attrs.keys() - old_attrs.keys())]
    said += [f"attr {key} removed" for key in sorted(old_attrs.keys() - new_attrs.keys())]
    said += [
        f"attr {key} changed"
        for key in sorted(old_attrs.keys() & new_attrs.keys())
        if old_attrs[key] != new_attrs[key]
    ]
    if before.wiring != after.wiring:
        said.append("inputs changed")
    return ", ".join(said) or "changed"


def _plumbing_parts(view: SavedModelView) -> dict[str, tuple[str, str, dict[str, _PlumbingNode]]]:
    """label -> (function, what runs it, node forms): the top-level nodes the saver's save and restore run,
    and every function they reach, labelled without counters. The forms are compared as multisets (each
    node's form a key, repeated forms suffixed with their count) so a re-save that orders the variables
    differently compares equal, while an added op or a changed constant does not."""
    saver = view.saver
    if saver is None:
        return {}
    routes = loader_routes(view)
    restore, save = routes.saver_restore, routes.saver_save
    parts: dict[str, tuple[str, str, dict[str, _PlumbingNode]]] = {}
    if restore | save:
        parts[_SAVER_GRAPH] = (
            "",
            "the TF1 saver's own subgraph",
            _forms(view, TOP_LEVEL, sorted(restore | save)),
        )
    graph = view.call_graph
    for role, closure in (
        ("runs at load: saver_def.restore_op_name", restore),
        ("runs when a TF1 Saver saves", save),
    ):
        for function in sorted(graph.reachable_from([c for name in closure for c in view.nodes[name].calls])):
            label = _COUNTER.sub("", function)
            if function == TOP_LEVEL or function not in view.functions or label in parts:
                continue  # the first role names a function: restore before save
            names = [view.nodes[k].name for k in view.functions[function].node_keys]
            parts[label] = (function, role, _forms(view, function, names))
    return parts


class _PlumbingNode(NamedTuple):
    """A node of the plumbing as a change shows it, and what of it was compared."""

    shown: str  # `name (Op)`, or with a short string constant's value
    name: str  # without counters
    op: str
    attrs: tuple[tuple[str, str], ...]  # attr -> its compared value
    wiring: str  # the ops feeding its inputs and control inputs


def _forms(view: SavedModelView, function: str, names: list[str]) -> dict[str, _PlumbingNode]:
    """Each node's form, numbered within its repeats (`form#2`), -> how the node reads."""
    arguments = {a.name for a in view.functions[function].inputs} if function != TOP_LEVEL else set()
    seen: Counter[str] = Counter()
    forms = {}
    for name in names:
        form, node = _plumbing_form(view, function, name, arguments)
        seen[form] += 1
        forms[f"{form}#{seen[form]}"] = node
    return forms


def _plumbing_form(
    view: SavedModelView, function: str, name: str, arguments: set[str]
) -> tuple[str, _PlumbingNode]:
    """A node as the plumbing comparison sees it -- its op, the op of what feeds each input (an argument
    is `arg`), every attr but shapes (function names without counters, a string constant's values sorted,
    other values by digest) -- and as a change shows it: name, op and, for a short string constant, value.
    Node names and the order of a save's variables are left out: re-saves renumber and reorder them."""
    definition = view.nodes[node_key(name, function)].definition

    def source(tensor: str) -> str:
        producer = tensor_node_name(tensor)
        if producer in arguments:
            return "arg"
        found = view.nodes.get(node_key(producer, function))
        return found.op if found is not None else "?"

    attrs: list[tuple[str, str]] = []
    for key in sorted(definition.attr):
        value = definition.attr[key]
        kind = value.WhichOneof("value")
        if kind == "shape" or (kind == "list" and len(value.list.shape)):
            continue  # the variables' shapes (`shape`, `_output_shapes`): said under variables, run nothing
        if kind == "func":
            attrs.append((key, f"fn:{_COUNTER.sub('', value.func.name)}"))
        elif kind == "list" and len(value.list.func):
            attrs.append((key, f"fns:{','.join(_COUNTER.sub('', f.name) for f in value.list.func)}"))
        elif kind == "s" and key in ("shared_name", "debug_name"):
            # A variable's names: the layer's name scope, whose counters a re-save renumbers.
            attrs.append((key, f"name:{_without_counters_bytes(value.s).hex()}"))
        elif kind == "tensor" and value.tensor.string_val:
            # Serialized blobs (the checkpoint's object graph) change with the variables' order: their size.
            # The checkpoint keys name variables by scope: without their counters, as the variables compare.
            strings = sorted(
                _without_counters_bytes(bytes(v)) if len(v) <= 512 else _blob_names(bytes(v))
                for v in value.tensor.string_val
            )
            attrs.append((key, f"strings:{hashlib.sha256(repr(strings).encode()).hexdigest()[:16]}"))
        else:
            digest = hashlib.sha256(value.SerializeToString(deterministic=True)).hexdigest()[:16]
            attrs.append((key, digest))
    inputs = [source(i) for i in definition.input if not i.startswith("^")]
    controls = sorted(source(i) for i in definition.input if i.startswith("^"))
    wiring = ",".join(inputs) + "|" + ",".join(controls)
    form = "|".join((definition.op, wiring, ";".join(f"{key}={value}" for key, value in attrs)))
    shown = f"{name} ({definition.op})"
    if definition.op == "Const":
        values = list(definition.attr["value"].tensor.string_val)
        if 0 < len(values) <= 2 and all(len(v) <= 80 for v in values):
            shown = f"{name} (Const {', '.join(repr(bytes(v).decode('utf-8', 'replace')) for v in values)})"
        elif len(values) == 1:  # a serialized blob (the checkpoint's object graph): its size tells them apart
            shown = f"{name} (Const, a {len(values[0]):,}-byte string)"
    return form, _PlumbingNode(shown, without_counters(name), definition.op, tuple(attrs), wiring)


#: A serialized message's fields read for its names: past these, its size stands in.
_MAX_BLOB_FIELDS = 200_000


def _blob_names(blob: bytes) -> bytes:
    """A serialized message (the checkpoint's object graph) by the names it holds, counters removed, sorted:
    its text fields read from the wire format, nested messages included, without its schema. The same
    objects under renumbered names compare equal; the size would not (a longer counter, a longer blob)."""
    names: list[bytes] = []
    pending = [memoryview(blob)]  # views, not copies: a hostile blob nesting deep costs no memory per level
    fields = 0
    while pending:
        data = pending.pop()
        position = 0
        while position < len(data):
            fields += 1
            if fields > _MAX_BLOB_FIELDS:
                return f"<{len(blob)} bytes>".encode()
            try:
                key, position = _wire_varint(data, position)
                kind = key & 7
                if kind == 0:
                    _, position = _wire_varint(data, position)
                elif kind == 1:
                    position += 8
                elif kind == 5:
                    position += 4
                elif kind == 2:
                    length, position = _wire_varint(data, position)
                    chunk = data[position : position + length]
                    if len(chunk) != length:
                        raise ValueError("cut short")
                    position += length
                    text = bytes(chunk) if length <= 1024 else b""
                    if text and text.isascii() and text.decode("ascii").isprintable():
                        names.append(_without_counters_bytes(text))
                    else:
                        pending.append(chunk)
                else:
                    raise ValueError("not a wire type")
            except (ValueError, IndexError):
                break  # not a message (raw bytes): what was read of it counts
    return b"\x00".join(sorted(names)) or f"<{len(blob)} bytes>".encode()


def _wire_varint(data: bytes | memoryview, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _without_counters_bytes(value: bytes) -> bytes:
    return without_counters(value.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def _capped(items: tuple[str, ...]) -> tuple[str, ...]:
    if len(items) <= MAX_PLUMBING_NODES:
        return tuple(items)
    return (*items[:MAX_PLUMBING_NODES], f"and {len(items) - MAX_PLUMBING_NODES} more")
