"""JSON: a faithful dump of a result object, with its schema version first.

The shape is documented by the JSON Schema files in `inspector/schemas/` (validated in the tests).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from enum import Enum
from pathlib import PurePath
from typing import Any

from inspector.report import Report
from inspector.traces import TraceResult, WhereResult


def to_jsonable(value: Any) -> Any:
    """Dataclasses and NamedTuples -> objects, tuples -> arrays, enums -> values, paths -> strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: to_jsonable(getattr(value, name)) for name in value._fields}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    return value


def render_report(report: Report) -> str:
    document = {"tool": "inspector", "kind": "report", **to_jsonable(report)}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def render_trace(result: TraceResult) -> str:
    document = {"tool": "inspector", "kind": "trace", **to_jsonable(result)}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def render_where(result: WhereResult) -> str:
    document = {"tool": "inspector", "kind": "where", **to_jsonable(result)}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
