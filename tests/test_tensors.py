"""Tensor values as a diff shows them: digests that compare, small values shown, large ones counted."""

from __future__ import annotations

import struct
from typing import Any

from inspector._internal.protos import load_protos
from inspector._internal.tensors import differing_elements, read_tensor


def tensor(dtype: int, shape: list[int], **values: Any) -> Any:
    node = load_protos().graph.GraphDef().node.add()
    proto = node.attr["value"].tensor
    proto.dtype = dtype
    for size in shape:
        proto.tensor_shape.dim.add(size=size)
    for name, value in values.items():
        if name == "tensor_content":
            proto.tensor_content = value
        else:
            getattr(proto, name).extend(value)
    return proto


def test_a_float32_scalar_prints_as_written() -> None:
    value = read_tensor(tensor(1, [], float_val=[0.9]))
    assert value.text() == "0.9" and value.spec == "float32[]"


def test_a_repeated_last_value_fills_the_shape() -> None:
    value = read_tensor(tensor(3, [4], int_val=[7]))
    assert value.values == (7, 7, 7, 7) and value.text() == "[7, 7, 7, 7]"


def test_large_tensors_are_digested_and_their_differences_counted() -> None:
    before = tensor(1, [100], tensor_content=struct.pack("<100f", *range(100)))
    changed = list(range(100))
    changed[3] = changed[50] = -1
    after = tensor(1, [100], tensor_content=struct.pack("<100f", *changed))
    old, new = read_tensor(before), read_tensor(after)
    assert old.values is None and old.digest != new.digest
    assert old.text().startswith("float32[100] (sha256 ")
    assert differing_elements(old, new) == 2


def test_equal_tensors_have_equal_digests_and_strings_show_quoted() -> None:
    one, two = (read_tensor(tensor(7, [], string_val=[b"/tmp/x"])) for _ in range(2))
    assert one.digest == two.digest and one.text() == "'/tmp/x'"


def test_malformed_content_is_digested_not_decoded() -> None:
    value = read_tensor(tensor(1, [3], tensor_content=b"\x00\x01"))  # 2 bytes for three floats
    assert value.values is None and value.digest
