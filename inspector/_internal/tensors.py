"""Tensor values stored in a model (`Const` nodes' `value`, any tensor-valued attr), read without numpy
or TensorFlow: a digest to compare them by, and the values themselves when they are few.

A TensorProto holds its values either packed in `tensor_content` (raw little-endian bytes) or in the
typed repeated field of its dtype (`float_val`, `int_val`, ...), where a shorter list than the shape
needs means "repeat the last value" (TensorFlow writes `tf.zeros([1000])` as one 0.0). The two spellings of
one tensor are rare in practice (one TensorFlow writes one value one way) and digest differently here:
the digest never decodes more than the file stores.
"""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as formats

#: One element of a decoded tensor: what struct.unpack or a typed field hands back.
Element = int | float | bool | bytes

#: How many values a summary keeps; larger tensors are compared by digest and counted, never listed.
SMALL = 8
#: Tensors up to this many elements are decoded to count the elements that differ; larger ones are
#: compared by digest only (a changed 10M-element constant says "changed", not "37 of 10M differ").
COUNTABLE = 1_000_000

# DataType number -> (name, struct format of one element in tensor_content, typed field)
_DTYPES: dict[int, tuple[str, str, str]] = {
    1: ("float32", "f", "float_val"),
    2: ("float64", "d", "double_val"),
    3: ("int32", "i", "int_val"),
    4: ("uint8", "B", "int_val"),
    5: ("int16", "h", "int_val"),
    6: ("int8", "b", "int_val"),
    7: ("string", "", "string_val"),
    9: ("int64", "q", "int64_val"),
    10: ("bool", "?", "bool_val"),
    17: ("uint16", "H", "int_val"),
    19: ("float16", "e", "half_val"),
    22: ("uint32", "I", "uint32_val"),
    23: ("uint64", "Q", "uint64_val"),
}


@dataclass(frozen=True, slots=True)
class TensorValue:
    dtype: str
    shape: tuple[int, ...] | None  # None: unknown
    elements: int
    digest: str
    values: tuple[Element, ...] | None  # every element, for small decodable tensors (at most SMALL)
    proto: formats.TensorProto | None = field(repr=False, compare=False, default=None)  # read-only

    @property
    def spec(self) -> str:
        if self.shape is None:
            return f"{self.dtype}[?]"
        return f"{self.dtype}[{', '.join(map(str, self.shape))}]"

    def text(self) -> str:
        """`0.5`, `[1, 2, 3]`, or for large tensors their spec and digest prefix."""
        if self.values is not None:
            shown = [_show(v, self.dtype) for v in self.values]
            return shown[0] if self.shape == () else "[" + ", ".join(shown) + "]"
        return f"{self.spec} (sha256 {self.digest[:12]})"

    def all_values(self) -> tuple[Element, ...] | None:
        """Every element, decoded on demand; None when not decodable or over COUNTABLE elements."""
        if self.values is not None:
            return self.values
        if self.proto is None or self.shape is None:
            return None
        _, fmt, typed = _DTYPES.get(self.proto.dtype, ("", "", ""))
        return _decode(self.proto, fmt, typed, self.elements) if typed else None


def _show(value: Element, dtype: str) -> str:
    if isinstance(value, bytes):
        return repr(value.decode("utf-8", errors="backslashreplace"))
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if dtype in ("float32", "float16"):
            return shortest_float32(value)
        return repr(value)
    return str(value)


def shortest_float32(value: float) -> str:
    """0.9f is stored as 0.8999999761581421: print the shortest text that reads back as the same float32,
    as TensorFlow and numpy do."""
    stored = struct.unpack("<f", struct.pack("<f", value))[0]
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == stored:
            return text if any(c in text for c in ".einf") else text + ".0"
    return repr(value)


def read_tensor(tensor: formats.TensorProto) -> TensorValue:
    """Summarize a TensorProto; never raises for malformed content (it is then digested as bytes)."""
    shape: tuple[int, ...] | None
    if tensor.tensor_shape.unknown_rank or any(d.size < 0 for d in tensor.tensor_shape.dim):
        shape = None
    else:
        shape = tuple(d.size for d in tensor.tensor_shape.dim)
    elements = math.prod(shape) if shape is not None else 0
    name, fmt, typed = _DTYPES.get(tensor.dtype, (f"dtype#{tensor.dtype}", "", ""))
    prefix = f"{name}{shape}".encode() + b"\x00"
    values = None
    if shape is not None and typed and elements <= SMALL:
        values = _decode(tensor, fmt, typed, elements)
    if tensor.tensor_content:
        digest = hashlib.sha256(prefix + tensor.tensor_content).hexdigest()
    elif typed and shape is not None:
        # The typed field, with a trailing run of one value trimmed to one (TensorFlow's own shorthand
        # for "repeat the last value"), so the digest never costs more than the stored values.
        stored = list(getattr(tensor, typed))
        while len(stored) > 1 and stored[-1] == stored[-2]:
            stored.pop()
        digest = hashlib.sha256(prefix + _pack(fmt, stored)).hexdigest()
    else:
        digest = hashlib.sha256(prefix + tensor.SerializeToString(deterministic=True)).hexdigest()
    return TensorValue(name, shape, elements, digest, values, tensor)


def _pack(fmt: str, values: list[Element]) -> bytes:
    if fmt:
        try:
            return struct.pack(f"<{len(values)}{fmt}", *values)
        except (struct.error, OverflowError):
            pass
    return b"\x1f".join(v if isinstance(v, bytes) else repr(v).encode() for v in values)


def _decode(tensor: formats.TensorProto, fmt: str, typed: str, elements: int) -> tuple[Element, ...] | None:
    if elements > COUNTABLE:
        return None
    content = tensor.tensor_content
    if content:
        if not fmt or len(content) != struct.calcsize(fmt) * elements:
            return None
        return struct.unpack(f"<{elements}{fmt}", content)
    stored = list(getattr(tensor, typed))
    if typed == "half_val":
        # float16 values are stored as their bit patterns in an int field.
        stored = [struct.unpack("<e", struct.pack("<H", bits & 0xFFFF))[0] for bits in stored]
    if not stored:
        return (_zero(typed),) * elements
    if len(stored) > elements:
        return None
    return tuple(stored) + (stored[-1],) * (elements - len(stored))


def _zero(typed: str) -> Element:
    zeros: dict[str, Element] = {"string_val": b"", "bool_val": False, "float_val": 0.0, "double_val": 0.0}
    return zeros.get(typed, 0.0 if typed == "half_val" else 0)


def differing_elements(old: TensorValue, new: TensorValue) -> int | None:
    """How many elements differ between two tensors of one shape; None when that cannot be counted."""
    if old.shape != new.shape:
        return None
    before, after = old.all_values(), new.all_values()
    if before is None or after is None:
        return None
    # NaN != NaN, but an unchanged NaN is not a change.
    return sum(1 for a, b in zip(before, after, strict=True) if a != b and not (a != a and b != b))
