"""The protobuf classes the reader parses with: inspector's own (the default), or TensorFlow's.

By default the classes of `inspector/format/savedmodel_format.proto` are used: a SavedModel is read with
protobuf alone, and TensorFlow need not be installed. `INSPECTOR_PROTOS=tensorflow` (or
`load_protos("tensorflow")`) uses TensorFlow's generated classes instead -- the tests read every model both
ways and compare. Both are typed as inspector's (the same messages: a test checks every field).

TensorFlow's classes are imported by `inspector._internal.tfprotos`, without starting TensorFlow's runtime, and only
when asked for: its import machinery costs every other command milliseconds.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from google.protobuf.message import Message

    from inspector.format import savedmodel_format_pb2 as fmt


class SavedModelMessages(Protocol):
    @property
    def SavedModel(self) -> type[fmt.SavedModel]: ...


class DebugInfoMessages(Protocol):
    @property
    def GraphDebugInfo(self) -> type[fmt.GraphDebugInfo]: ...


class FingerprintMessages(Protocol):
    @property
    def FingerprintDef(self) -> type[fmt.FingerprintDef]: ...


class TypeNames(Protocol):
    @property
    def DataType(self) -> type[fmt.DataType]: ...


class GraphMessages(Protocol):
    @property
    def GraphDef(self) -> type[fmt.GraphDef]: ...


class BundleMessages(Protocol):
    @property
    def BundleHeaderProto(self) -> type[fmt.BundleHeaderProto]: ...

    @property
    def BundleEntryProto(self) -> type[fmt.BundleEntryProto]: ...


class ProtoModules(NamedTuple):
    """The generated modules the reader needs, grouped as TensorFlow's are; `fingerprint` is None on
    TensorFlow < 2.12. inspector's own module serves as every one of them."""

    saved_model: SavedModelMessages
    graph_debug_info: DebugInfoMessages
    fingerprint: FingerprintMessages | None
    types: TypeNames
    graph: GraphMessages
    tensor_bundle: BundleMessages | None


_lock = threading.Lock()
_cache: dict[str, ProtoModules] = {}  # a process-wide import cache, like sys.modules itself

#: Where the message classes come from: inspector's own definitions, or the installed TensorFlow's.
SOURCES = ("inspector", "tensorflow")


def load_protos(source: str | None = None) -> ProtoModules:
    """The message classes to parse with (built or imported once per process)."""
    chosen = source or os.environ.get("INSPECTOR_PROTOS") or "inspector"
    if chosen not in SOURCES:
        raise ValueError(f"INSPECTOR_PROTOS={chosen!r}: choose one of {', '.join(SOURCES)}")
    with _lock:
        if chosen not in _cache:
            _cache[chosen] = _own() if chosen == "inspector" else _tensorflows()
        return _cache[chosen]


def _own() -> ProtoModules:
    from inspector.format import savedmodel_format_pb2 as own

    return ProtoModules(own, own, own, own, own, own)


def _tensorflows() -> ProtoModules:
    from inspector._internal.tfprotos import import_protos

    return import_protos()


def which_oneof(message: Message, group: str) -> str | None:
    """The field of a oneof that is set (None: none is), typed: protobuf's stub says Any."""
    field: str | None = message.WhichOneof(group)
    return field
