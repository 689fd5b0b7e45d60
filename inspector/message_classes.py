"""The classes of the format's messages, for reading: built from `data/messages.desc`, the compiled form
of the declarations in `inspector.messages`, in a descriptor pool of inspector's own (TensorFlow's
classes, of the same names, live in the default pool).

Every command loads this; the declarations themselves are needed only to compile and to test them, so
they are not imported here (building them costs a command's start-up milliseconds).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from google.protobuf import descriptor_pool, message_factory

PACKAGE = "tensorflow"
COMPILED = "data/messages.desc"
#: Package data is read beside the modules (a wheel installs it there); importlib.resources would cost
#: every command a few milliseconds of imports for the same bytes.
PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def pool() -> descriptor_pool.DescriptorPool:
    """A pool of inspector's own: TensorFlow's classes (same names) live in the default pool."""
    own = descriptor_pool.DescriptorPool()
    own.AddSerializedFile((PACKAGE_DIR / COMPILED).read_bytes())
    return own


def message_class(name: str) -> Any:
    descriptor = pool().FindMessageTypeByName(f"{PACKAGE}.{name}")
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool()).GetPrototype(descriptor)  # type: ignore[attr-defined]


class _Enum:
    """`DataType.Name(number)` and `DataType.Value(name)`, as a generated enum wrapper offers them."""

    def __init__(self, values: dict[str, int]) -> None:
        self._by_number = {number: name for name, number in values.items()}
        self._by_name = dict(values)

    def Name(self, number: int) -> str:
        try:
            return self._by_number[number]
        except KeyError:
            raise ValueError(f"enum DataType has no name defined for value {number!r}") from None

    def Value(self, name: str) -> int:
        return self._by_name[name]


@cache
def modules() -> SimpleNamespace:
    """The messages grouped as the reader asks for them (as TensorFlow's generated modules group them)."""
    return SimpleNamespace(
        saved_model=SimpleNamespace(SavedModel=message_class("SavedModel")),
        graph_debug_info=SimpleNamespace(GraphDebugInfo=message_class("GraphDebugInfo")),
        fingerprint=SimpleNamespace(FingerprintDef=message_class("FingerprintDef")),
        types=SimpleNamespace(DataType=_Enum(_enum_values("DataType"))),
        graph=SimpleNamespace(GraphDef=message_class("GraphDef")),
        tensor_bundle=SimpleNamespace(
            BundleHeaderProto=message_class("BundleHeaderProto"),
            BundleEntryProto=message_class("BundleEntryProto"),
        ),
    )


def _enum_values(name: str) -> dict[str, int]:
    return {value.name: value.number for value in pool().FindEnumTypeByName(f"{PACKAGE}.{name}").values}
