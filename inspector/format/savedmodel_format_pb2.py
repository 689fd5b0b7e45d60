"""The classes of savedmodel_format.proto, as protoc's generated module would offer them, but built in a
descriptor pool of inspector's own: TensorFlow's classes of the same names live in the default pool, and
both may be loaded in one process. The types are in savedmodel_format_pb2.pyi, which protoc writes.

Built through protobuf's public API (descriptor_pool, message_factory.GetMessageClass), from the compiled
savedmodel_format.desc, so the reader needs protobuf and not the protoc compiler or TensorFlow.
"""

from __future__ import annotations

from google.protobuf import any_pb2, descriptor_pool, message_factory
from google.protobuf.internal import enum_type_wrapper

from inspector.format import COMPILED

_pool = descriptor_pool.DescriptorPool()
_pool.AddSerializedFile(any_pb2.DESCRIPTOR.serialized_pb)  # the .proto imports protobuf's Any
#: Read beside this module (a wheel installs it there): importlib.resources would cost every command imports
#: for the same bytes.
DESCRIPTOR = _pool.AddSerializedFile(COMPILED.read_bytes())


def _publish() -> None:
    """Every top-level message, enum and enum value as a name of this module, as protoc's module has them."""
    names = globals()
    for name, message in DESCRIPTOR.message_types_by_name.items():
        names[name] = message_factory.GetMessageClass(message)
    for name, enum in DESCRIPTOR.enum_types_by_name.items():
        # protoc's own modules wrap each enum in this class (its stub: `DataType(int, metaclass=EnumTypeWrapper)`)
        names[name] = enum_type_wrapper.EnumTypeWrapper(enum)
        names.update({value.name: value.number for value in enum.values})


_publish()
