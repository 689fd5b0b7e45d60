"""JSON: a faithful dump of a result object, with its schema version first.

The shape is documented by the JSON Schema files in `inspector/schemas/` (validated in the tests).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from enum import Enum
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from inspector.report import Report

if TYPE_CHECKING:  # annotations only: `inspector report` should not import the trace analysis
    from inspector.audit.model import AuditResult
    from inspector.diff import DiffResult
    from inspector.doctor import Diagnosis
    from inspector.symbolicate import SymbolicateResult
    from inspector.traces import TraceResult, WhereResult

_SCALARS = (str, int, float, bool, type(None))


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The fields a dataclass or NamedTuple class contributes to JSON (repr=False fields are internal)."""
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls) if f.repr)
    return tuple(cls._fields)  # type: ignore[attr-defined]


def to_jsonable(value: Any) -> Any:
    """Dataclasses and NamedTuples -> objects, tuples -> arrays, enums -> values, paths -> strings."""
    if isinstance(value, _SCALARS) and not isinstance(value, Enum):
        return value
    if (dataclasses.is_dataclass(value) and not isinstance(value, type)) or (
        isinstance(value, tuple) and hasattr(value, "_fields")
    ):
        return {name: to_jsonable(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, Enum):
        return value.name.lower() if isinstance(value, int) else value.value  # IntEnum severities by name
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, frozenset, set)):
        return [to_jsonable(item) for item in value]
    raise TypeError(f"cannot represent {type(value).__name__} in JSON")


def _document(kind: str, body: dict[str, Any], *, compact: bool = False, **extra: Any) -> str:
    """A JSON document: tool and kind first, ASCII only (no raw control character reaches a terminal)."""
    document = {"tool": "inspector", "kind": kind, **extra, **body}
    if compact:
        return json.dumps(document, ensure_ascii=True, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def render_report(report: Report) -> str:
    return _document("report", to_jsonable(report))


# trace and where list ops one by one, 100k of them on a large model: their JSON is compact, because
# pretty-printing goes through json's pure-Python encoder and takes seconds at that size.


def render_trace(result: TraceResult) -> str:
    return _document("trace", to_jsonable(result), compact=True)


def render_where(result: WhereResult) -> str:
    return _document("where", to_jsonable(result), compact=True)


def render_audit(result: AuditResult) -> str:
    return _document("audit", to_jsonable(result), failed=result.failed)


def render_diff(result: DiffResult, stat: bool = False) -> str:
    body = to_jsonable(result)
    if stat:
        body["changes"] = {c.value: result.count(c) for c in result.categories}
    return _document("diff", body, identical=result.identical)


def render_diagnosis(result: Diagnosis, verbose: bool = False) -> str:
    body = to_jsonable(result)
    if body.get("load") and not verbose:
        body["load"]["log"] = ""  # the child's log noise only with --verbose
    return _document("doctor", body, blocked=result.blocked)


def render_symbolicate(result: SymbolicateResult) -> str:
    return _document("symbolicate", to_jsonable(result), names=result.names, unresolved=result.unresolved)
