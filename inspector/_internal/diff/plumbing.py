"""The `plumbing` category: what a load's restore and a save run -- the saver's subgraph and every function
it calls, compared node by node (op, inputs, attrs, constants), one change per part."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.callgraph import tensor_node_name
from inspector._internal.diff.nodepairing import without_counters
from inspector._internal.protos import which_oneof
from inspector._internal.routes import loader_routes
from inspector._internal.view import (
    TOP_LEVEL,
    SavedModelView,
    node_key,
)
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
)

if TYPE_CHECKING:
    pass


from inspector._internal.diff.paired import Paired
from inspector._internal.diff.pairing import COUNTER

#: A plumbing change lists at most this many nodes on each side.
MAX_PLUMBING_NODES = 24


_SAVER_GRAPH = "saver graph"


def plumbing(paired: Paired) -> list[Change]:
    """The saver's subgraph and each function it runs: one change per part whose nodes differ."""
    old, new = paired.old, paired.new
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
            label = COUNTER.sub("", function)
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
        kind = which_oneof(value, "value")
        if kind == "shape" or (kind == "list" and len(value.list.shape)):
            continue  # the variables' shapes (`shape`, `_output_shapes`): said under variables, run nothing
        if kind == "func":
            attrs.append((key, f"fn:{COUNTER.sub('', value.func.name)}"))
        elif kind == "list" and len(value.list.func):
            attrs.append((key, f"fns:{','.join(COUNTER.sub('', f.name) for f in value.list.func)}"))
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
