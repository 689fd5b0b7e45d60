"""The classes of the format's messages, for reading: built from `data/messages.desc`, the compiled form
of the declarations in `inspector.messages`, in a descriptor pool of inspector's own (TensorFlow's
classes, of the same names, live in the default pool).

Every command loads this; the declarations themselves are needed only to compile and to test them, so
they are not imported here (building them costs a command's start-up milliseconds).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

PACKAGE = "tensorflow"
COMPILED = "data/messages.desc"
#: Package data is read beside the modules (a wheel installs it there); importlib.resources would cost
#: every command a few milliseconds of imports for the same bytes.
PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def pool() -> Any:
    """A pool of inspector's own: TensorFlow's classes (same names) live in the default pool."""
    upb = upb_runtime()
    if upb is not None:
        own = upb.DescriptorPool()
    else:
        from google.protobuf import descriptor_pool

        own = descriptor_pool.DescriptorPool()
    own.AddSerializedFile((PACKAGE_DIR / COMPILED).read_bytes())
    return own


def message_class(name: str) -> Any:
    descriptor = pool().FindMessageTypeByName(f"{PACKAGE}.{name}")
    upb = upb_runtime()
    if upb is not None:
        from google.protobuf.message import Message

        # What message_factory.GetMessageClass makes on upb (upb makes the classes of the fields' messages
        # itself, when they are first read).
        return getattr(descriptor, "_concrete_class", None) or upb.MessageMeta(
            descriptor.name, (Message,), {"DESCRIPTOR": descriptor, "__module__": None}
        )
    from google.protobuf import message_factory

    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool()).GetPrototype(descriptor)  # type: ignore[attr-defined]


@cache
def upb_runtime() -> Any | None:
    """protobuf's C runtime, upb, when it is the one protobuf itself would use (its default since 4.21),
    to build the classes with directly: the public modules for it (descriptor_pool, message_factory)
    also import the pure-Python implementation, a fifth of a small model's report. None otherwise:
    the public route is taken (the pure-Python runtime, or an older protobuf's C++ one)."""
    chosen = os.environ.get("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "upb")
    try:
        from google.protobuf.internal import _api_implementation  # type: ignore[attr-defined]

        built_for = getattr(_api_implementation, "api_version", None)
    except ImportError:  # the usual case: no build-time choice
        built_for = None
    if chosen != "upb" or built_for in (0, 2):
        return None
    try:
        from google._upb import _message  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return _message if hasattr(_message, "MessageMeta") and hasattr(_message, "DescriptorPool") else None


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
