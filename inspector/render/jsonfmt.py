"""JSON: one envelope for every command, then the result's data as it is.

    {"tool": "inspector", "version": "0.2.0", "kind": "audit", "schema_version": 2,
     "model": {"path": "model", "tags": ["serve"]}, "verdict": "failed", "exit_code": 1,
     "result": {...}}

`result` is a faithful dump of the result object (its fields, and the derived facts it names in
`JSON_DERIVED`), without the model it is about (that is the envelope's). The shape of each command's
document is the JSON Schema `inspector/schemas/<kind>.schema.json`, validated in the tests.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from inspector import __version__
from inspector.render import RenderOptions
from inspector.results.common import SCHEMA_VERSION, Result, json_fields

if TYPE_CHECKING:
    from inspector.results.doctor import Diagnosis

_SCALARS = (str, int, float, bool, type(None))

#: Fields of the envelope, in order, before the command's `result`.
ENVELOPE_FIELDS = ("tool", "version", "kind", "schema_version", "model", "verdict", "exit_code", "result")


def to_jsonable(value: Any) -> Any:
    """Dataclasses and NamedTuples -> objects, tuples -> arrays, enums -> values, paths -> strings."""
    if isinstance(value, _SCALARS) and not isinstance(value, Enum):
        return value
    if (dataclasses.is_dataclass(value) and not isinstance(value, type)) or (
        isinstance(value, tuple) and hasattr(value, "_fields")
    ):
        return {name: to_jsonable(getattr(value, name)) for name in json_fields(type(value))}
    if isinstance(value, Enum):
        return value.name.lower() if isinstance(value, int) else value.value  # IntEnum severities by name
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, frozenset, set)):
        return [to_jsonable(item) for item in value]
    raise TypeError(f"cannot represent {type(value).__name__} in JSON")


def envelope(result: Result, payload: dict[str, Any]) -> dict[str, Any]:
    """The document every command writes: who wrote it, about what, the verdict, then the payload."""
    payload = {key: value for key, value in payload.items() if key != "model"}
    return {
        "tool": "inspector",
        "version": __version__,
        "kind": result.kind,
        "schema_version": SCHEMA_VERSION,
        "model": to_jsonable(result.model),
        "verdict": result.verdict.value,
        "exit_code": result.verdict.exit_code,
        "result": payload,
    }


def _dump(document: dict[str, Any], compact: bool) -> str:
    """ASCII only: no raw control character from a model reaches a terminal."""
    if compact:
        return json.dumps(document, ensure_ascii=True, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _plain(result: Any, _options: RenderOptions) -> str:
    return _dump(envelope(result, to_jsonable(result)), compact=False)


# trace and where list ops one by one, 100k of them on a large model: their JSON is compact, because
# pretty-printing goes through json's pure-Python encoder and takes seconds at that size.
def _compact(result: Any, _options: RenderOptions) -> str:
    return _dump(envelope(result, to_jsonable(result)), compact=True)


def _diagnosis(result: Diagnosis, options: RenderOptions) -> str:
    payload = to_jsonable(result)
    if payload.get("load") and not options.verbose:
        payload["load"]["log"] = ""  # the child's log noise only with --verbose
    return _dump(envelope(result, payload), compact=False)


RENDERERS: dict[str, Callable[[Any, RenderOptions], str]] = {
    "report": _plain,
    "trace": _compact,
    "where": _compact,
    "audit": _plain,
    "diff": _plain,
    "doctor": _diagnosis,
    "symbolicate": _plain,
    "scrub": _plain,
}


def render(result: Result, options: RenderOptions | None = None) -> str:
    function: Callable[[Any, RenderOptions], str] = RENDERERS[result.kind]
    return function(result, options or RenderOptions())
