"""The `attrs` category: a paired node's meaningful attrs and constants (by digest) that changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from inspector._internal.diff.paired import UNSET, NodeMatch, changed, tensor_value
from inspector._internal.diff.pairing import MEANINGFUL_ATTRS
from inspector._internal.nodetable import Node
from inspector._internal.protos import which_oneof
from inspector.results.diff import Aspect, Category, Change, ChangeKind

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt


def _attr_text(value: fmt.AttrValue, forward: Mapping[str, str] | None = None) -> str:
    kind = which_oneof(value, "value")
    if kind == "func":
        name = value.func.name
        return forward.get(name, name) if forward is not None else name
    if kind == "list":
        if len(value.list.func):
            return "[" + ", ".join((forward or {}).get(f.name, f.name) for f in value.list.func) + "]"
        listed: tuple[Sequence[object], ...] = (value.list.type, value.list.i, value.list.s, value.list.shape)
        return str(next((list(values) for values in listed if len(values)), []))
    if kind == "type":
        return str(value.type)
    if kind == "shape":
        return "?" if value.shape.unknown_rank else str([d.size for d in value.shape.dim])
    if not kind:
        return ""
    scalar: object = getattr(value, kind)  # s, i, f, b, tensor, placeholder: their repr
    return repr(scalar)


def attrs(match: NodeMatch, where: tuple[str, str], forward: Mapping[str, str]) -> list[Change]:
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
            if before is not None and which_oneof(before, "value") == "type":
                old_text = dtype_name(types, before.type)
            if now is not None and which_oneof(now, "value") == "type":
                new_text = dtype_name(types, now.type)
            changes += changed(
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


def _tensor_changes(node: Node, other: Node, where: tuple[str, str]) -> list[Change]:
    """Tensor-valued attrs (a Const's `value`, ...) compared by digest: a threshold moved from 0.5 to
    0.9 changes what the model computes as surely as a new op does."""
    from inspector._internal.tensors import differing_elements, read_tensor

    changes = []
    before_attrs, after_attrs = node.definition.attr, other.definition.attr
    for attr in sorted(set(before_attrs) | set(after_attrs)):
        before, now = before_attrs.get(attr), after_attrs.get(attr)
        is_tensor = [v is not None and which_oneof(v, "value") == "tensor" for v in (before, now)]
        if not any(is_tensor):
            continue
        if not all(is_tensor):
            changes += changed(
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
                old=tensor_value(was),
                new=tensor_value(becomes),
                differing_elements=differ,
                old_function=where[0],
                new_function=where[1],
            )
        )
    return changes
