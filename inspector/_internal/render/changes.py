"""How a diff's changes read: the subject of a change, its detail and its values, for every format.

Imported by the diff pages only (the results of other commands never need these words, nor the diff's
result types this module reads).
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePath

from inspector.results.diff import Aspect, Change, SourceSite, TensorValue, Value


def functions_label(change: Change) -> str:
    """The paired function a change is inside: one name when both sides share it, else `old → new`."""
    old, new = change.old_function, change.new_function
    if not old and not new:
        return "(top-level graph)"
    return new if old == new or not old else old if not new else f"{old} → {new}"


_SUBJECT_SUFFIX = {
    Aspect.SIGNATURE_METHOD: "method",
    Aspect.ALIAS_FUNCTIONS: "functions",
    Aspect.ALIAS_INPUT_SIGNATURES: "input signatures",
    Aspect.OP_COUNT: "count",
    Aspect.FUNCTION_SIGNATURE: "input signature",
    Aspect.FUNCTION_OUTPUTS: "outputs",
}

_FIXED_SUBJECT = {
    Aspect.TENSORFLOW_VERSION: "tensorflow_version",
    Aspect.PRODUCER: "producer",
    Aspect.MIN_CONSUMER: "min_consumer",
    Aspect.ALIAS_NAME: "alias name",
    Aspect.DEBUG_INFO: "debug info",
}

_IN_FUNCTION = frozenset({Aspect.OP_COUNT, Aspect.NODE, Aspect.NODE_NAME, Aspect.ATTR, Aspect.SOURCE})


def change_subject(change: Change) -> str:
    """What changed, in words: `serving_default input x`, `__inference_f_12: MatMul count`."""
    aspect = change.aspect
    if aspect in _FIXED_SUBJECT:
        return _FIXED_SUBJECT[aspect]
    if aspect is Aspect.SIGNATURE_INPUT:
        return f"{change.name} input {change.attr}"
    if aspect is Aspect.SIGNATURE_OUTPUT:
        return f"{change.name} output {change.attr}"
    subject = change.name
    if aspect is Aspect.ATTR:
        subject = f"{change.name} {change.attr}"
    elif aspect is Aspect.NODE and change.old is not None and change.new is not None:
        subject = f"{change.name} op"
    elif aspect is Aspect.NODE_NAME:
        subject = "renamed"  # the names are its values: old → new
    elif aspect in _SUBJECT_SUFFIX:
        subject = f"{change.name} {_SUBJECT_SUFFIX[aspect]}"
    if aspect in _IN_FUNCTION:
        return f"{functions_label(change)}: {subject}"
    return subject


def change_detail(change: Change) -> str:
    """What else a change needs said: why it matters, how much of a tensor differs, where it moved."""
    if change.aspect is Aspect.ALIAS_NAME:
        return f"renamed; names {', '.join(change.functions)}"
    if (
        change.aspect is Aspect.SOURCE
        and isinstance(change.old, SourceSite)
        and isinstance(change.new, SourceSite)
    ):
        return f"now created at {_site_name(change.new)}, was {_site_name(change.old)}"
    if isinstance(change.old, TensorValue) and isinstance(change.new, TensorValue) and change.old.digest:
        was, now = tensor_spec(change.old), tensor_spec(change.new)
        if change.old.values is not None and change.new.values is not None:
            return was if was == now else f"{was} → {now}"
        if was != now:
            return f"shape {was} → {now}"
        if change.differing_elements is not None:
            return f"{was}: {change.differing_elements} of {change.old.elements} elements differ"
        return f"{was}: values differ"
    return change.reason


def _site_name(site: SourceSite) -> str:
    return f"{PurePath(site.file).name}:{site.line}"


def tensor_spec(value: TensorValue) -> str:
    """`float32[2, 3]`, `float32[None, 3]` (a dimension of unknown size), `float32[]` (a scalar),
    `float32[?]` (an unknown rank): the notation of every page."""
    if value.shape is None:
        return f"{value.dtype}[?]"
    return f"{value.dtype}[{', '.join('None' if d is None else str(d) for d in value.shape)}]"


def value_text(value: Value | None) -> str:
    """A changed value as text: counts and names as they are, tensors by spec or values, sites as file:line."""
    match value:
        case None:
            return ""
        case bool() | int():
            return str(value)
        case str():
            return value
        case SourceSite():
            return f"{value.file}:{value.line}"
        case TensorValue():
            return _tensor_text(value)
        case tuple():
            if all(isinstance(item, TensorValue) for item in value):
                if any(isinstance(item, TensorValue) and item.values is not None for item in value):
                    return "; ".join(_tensor_text(item) for item in value if isinstance(item, TensorValue))
                counts = Counter(tensor_spec(item) for item in value if isinstance(item, TensorValue))
                return "; ".join(spec if n == 1 else f"{n} × {spec}" for spec, n in sorted(counts.items()))
            return ", ".join(str(item) for item in value)
    raise TypeError(f"no text for {type(value).__name__}")


def _tensor_text(value: TensorValue) -> str:
    if value.values is not None:
        shown = [repr(v) if isinstance(v, str) else str(v) for v in value.values]
        return shown[0] if value.shape == () else "[" + ", ".join(shown) + "]"
    if value.digest:
        return f"{tensor_spec(value)} (sha256 {value.digest[:12]})"
    return tensor_spec(value)  # a spec only: a signature's tensor, a variable
