"""The classes of savedmodel_format.proto, as protoc's generated module would offer them, but built in a
descriptor pool of inspector's own: TensorFlow's classes of the same names live in the default pool, and
both may be loaded in one process. The types are in savedmodel_format_pb2.pyi, which protoc writes.

Built through protobuf's public API (descriptor_pool, message_factory.GetMessageClass), from the compiled
savedmodel_format.desc, so the reader needs protobuf and not the protoc compiler or TensorFlow.
"""

from __future__ import annotations

from google.protobuf import any_pb2, descriptor_pool, message_factory

from inspector.format import COMPILED

_pool = descriptor_pool.DescriptorPool()
_pool.AddSerializedFile(any_pb2.DESCRIPTOR.serialized_pb)  # the .proto imports protobuf's Any
#: Read beside this module (a wheel installs it there): importlib.resources would cost every command imports
#: for the same bytes.
DESCRIPTOR = _pool.AddSerializedFile(COMPILED.read_bytes())


class _EnumType:
    """An enum's names and numbers, with the methods of a generated enum wrapper (`DataType.Name(1)`)."""

    def __init__(self, descriptor: descriptor_pool.descriptor.EnumDescriptor) -> None:
        self.DESCRIPTOR = descriptor
        self._by_number = {value.number: value.name for value in descriptor.values}
        self._by_name = {value.name: value.number for value in descriptor.values}

    def Name(self, number: int) -> str:
        try:
            return self._by_number[number]
        except KeyError:
            raise ValueError(
                f"enum {self.DESCRIPTOR.name} has no name defined for value {number!r}"
            ) from None

    def Value(self, name: str) -> int:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"enum {self.DESCRIPTOR.name} has no value defined for name {name!r}") from None

    def keys(self) -> list[str]:
        return list(self._by_name)

    def values(self) -> list[int]:
        return list(self._by_name.values())

    def items(self) -> list[tuple[str, int]]:
        return list(self._by_name.items())

    def __getattr__(self, name: str) -> int:
        try:
            return self._by_name[name]
        except KeyError:
            raise AttributeError(name) from None


def _publish() -> None:
    """Every top-level message, enum and enum value as a name of this module, as protoc's module has them."""
    names = globals()
    for name, message in DESCRIPTOR.message_types_by_name.items():
        names[name] = message_factory.GetMessageClass(message)
    for name, enum in DESCRIPTOR.enum_types_by_name.items():
        names[name] = _EnumType(enum)
        names.update({value.name: value.number for value in enum.values})


_publish()
