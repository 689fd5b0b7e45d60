"""The protobuf classes the reader parses with: inspector's own (the default), or TensorFlow's.

By default the messages declared in `inspector/messages.py` are used: a SavedModel is read with protobuf alone,
and TensorFlow need not be installed. `INSPECTOR_PROTOS=tensorflow` (or `load_protos("tensorflow")`)
uses TensorFlow's generated classes instead -- the tests read every model both ways and compare.

TensorFlow's classes are imported by `inspector.tfprotos`, without starting TensorFlow's runtime, and only
when asked for: its import machinery costs every other command milliseconds.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProtoModules:
    """The generated modules the reader needs; `fingerprint` is None on TensorFlow < 2.12."""

    saved_model: Any
    graph_debug_info: Any
    fingerprint: Any | None
    types: Any
    graph: Any
    tensor_bundle: Any | None


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
    from inspector.message_classes import modules

    own = modules()
    return ProtoModules(
        saved_model=own.saved_model,
        graph_debug_info=own.graph_debug_info,
        fingerprint=own.fingerprint,
        types=own.types,
        graph=own.graph,
        tensor_bundle=own.tensor_bundle,
    )


def _tensorflows() -> ProtoModules:
    from inspector.tfprotos import import_protos

    return import_protos()
