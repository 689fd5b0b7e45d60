"""The SavedModel file format: `savedmodel_format.proto`, the messages inspector reads, and their classes
(`savedmodel_format_pb2`), built in a descriptor pool of inspector's own. See the .proto's header."""

from __future__ import annotations

from functools import cache
from pathlib import Path

COMPILED = Path(__file__).resolve().parent / "savedmodel_format.desc"


@cache
def fields_not_read() -> frozenset[tuple[str, str]]:
    """(message, field) of every `reserved` name: fields TensorFlow writes that inspector does not read.
    Only a text-format model names them, so only its parse asks (and pays for descriptor_pb2)."""
    from google.protobuf import descriptor_pb2

    described = descriptor_pb2.FileDescriptorProto.FromString(COMPILED.read_bytes())
    found: set[tuple[str, str]] = set()
    pending = [(message, message.name) for message in described.message_type]
    while pending:
        message, name = pending.pop()
        found.update((name, field) for field in message.reserved_name)
        pending.extend((nested, f"{name}.{nested.name}") for nested in message.nested_type)
    return frozenset(found)
