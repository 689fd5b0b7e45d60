"""The JSON Schema of each command's document, derived from its result type.

The schemas shipped in `inspector/schemas/<kind>.schema.json` are this module's output, checked in so
that a change to the JSON contract shows up in review as a change to a file (a test fails until they are
regenerated with `python -m inspector._internal.schema`). The tests validate every command's JSON against them.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from enum import Enum, IntEnum
from pathlib import Path, PurePath
from typing import Any

from inspector.results import RESULT_TYPES, SCHEMA_VERSION, ModelRef, Verdict
from inspector.results.common import json_fields

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
BASE_URI = "https://github.com/inspector-tf/inspector/schemas/"


class _Builder:
    """Walks type hints; each dataclass or NamedTuple becomes one entry of `$defs`."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def of(self, hint: Any) -> dict[str, Any]:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if hint is Any:
            return {}
        if hint is type(None) or hint is None:
            return {"type": "null"}
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer"}
        if hint is float:
            return {"type": "number"}
        if hint is str:
            return {"type": "string"}
        if isinstance(hint, type) and issubclass(hint, PurePath):
            return {"type": "string"}
        if isinstance(hint, type) and issubclass(hint, Enum):
            return self._enum(hint)
        if origin in (types.UnionType, typing.Union):
            return {"anyOf": [self.of(arg) for arg in args]}
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.of(args[0])}
            return {
                "type": "array",
                "prefixItems": [self.of(arg) for arg in args],
                "minItems": len(args),
                "maxItems": len(args),
            }
        if origin in (list, frozenset, set):
            return {"type": "array", "items": self.of(args[0])}
        if origin in (dict, typing.Mapping) or (
            origin is not None and getattr(origin, "__name__", "") == "Mapping"
        ):
            return {"type": "object", "additionalProperties": self.of(args[1])}
        if isinstance(hint, type) and (dataclasses.is_dataclass(hint) or hasattr(hint, "_fields")):
            return self._object(hint)
        raise TypeError(f"no JSON Schema for {hint!r}")

    def _enum(self, enum: type[Enum]) -> dict[str, Any]:
        # IntEnum members are written by name (severities), the others by value: as jsonfmt writes them.
        if issubclass(enum, IntEnum):
            return {"enum": [member.name.lower() for member in enum]}
        return {"enum": [member.value for member in enum]}

    def _object(self, cls: type, exclude: frozenset[str] = frozenset(), name: str = "") -> dict[str, Any]:
        name = name or cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # a placeholder: recursive types (a call tree) refer to themselves
            hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
            properties: dict[str, Any] = {}
            for field in json_fields(cls):
                if field in exclude:
                    continue
                if field in hints:
                    properties[field] = self.of(hints[field])
                else:  # a derived fact: its property's return type
                    getter = getattr(cls, field).fget
                    returned = typing.get_type_hints(getter, vars(sys.modules[cls.__module__]))["return"]
                    properties[field] = self.of(returned)
            described: dict[str, Any] = {"type": "object"}
            doc = (cls.__doc__ or "").strip()
            if doc and not doc.startswith(cls.__name__ + "("):  # not the dataclass's generated signature
                described["description"] = " ".join(doc.split())
            described |= {
                "properties": properties,
                "required": list(properties),
                "additionalProperties": False,
            }
            self.defs[name] = described
        return {"$ref": f"#/$defs/{name}"}


def schema_for(result_type: type) -> dict[str, Any]:
    """The JSON Schema of the document a command writes: the envelope and its result."""
    kind: str = vars(result_type)["kind"]  # every result type's ClassVar: its command
    builder = _Builder()
    payload = builder._object(result_type, exclude=frozenset({"model"}), name=result_type.__name__)
    model = builder.of(ModelRef)
    return {
        "$schema": DIALECT,
        "$id": f"{BASE_URI}{kind}.schema.json",
        "title": f"inspector {kind}",
        "description": f"The JSON document `inspector {kind} --format json` writes: the common envelope "
        "(tool, version, kind, schema_version, model, verdict, exit_code) and the command's result.",
        "type": "object",
        "properties": {
            "tool": {"const": "inspector"},
            "version": {"type": "string"},
            "kind": {"const": kind},
            "schema_version": {"const": SCHEMA_VERSION},
            "model": model,
            "verdict": {"enum": [verdict.value for verdict in Verdict]},
            "exit_code": {"enum": [0, 1]},
            "result": payload,
        },
        "required": ["tool", "version", "kind", "schema_version", "model", "verdict", "exit_code", "result"],
        "additionalProperties": False,
        "$defs": dict(sorted(builder.defs.items())),
    }


def scan_schema() -> dict[str, Any]:
    """The JSON Schema of one line `inspector scan` (or `inspector.beam`) writes: a model's record, or the
    summary that ends a scan, told apart by `record`."""
    from inspector.results.scan import ScanRecord, ScanSummary

    builder = _Builder()
    lines = [builder.of(ScanRecord), builder.of(ScanSummary)]
    for cls in (ScanRecord, ScanSummary):
        described = builder.defs[cls.__name__]
        described["properties"] = {"record": {"const": cls.record}, **described["properties"]}
        described["required"] = ["record", *described["required"]]
    return {
        "$schema": DIALECT,
        "$id": f"{BASE_URI}scan.schema.json",
        "title": "inspector scan",
        "description": "One JSON line of `inspector scan` or `python -m inspector.beam`: a model's record (its "
        "`audit` is the document audit.schema.json describes), or the summary that ends a scan.",
        "oneOf": lines,
        "$defs": dict(sorted(builder.defs.items())),
    }


def schemas() -> dict[str, dict[str, Any]]:
    """Every command's schema, by kind."""
    documents = {vars(result_type)["kind"]: schema_for(result_type) for result_type in RESULT_TYPES}
    return {**documents, "scan": scan_schema()}


def text_of(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=True) + "\n"


def main() -> None:
    """Regenerate the shipped schemas (after a deliberate change to a result type)."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for kind, schema in schemas().items():
        (SCHEMA_DIR / f"{kind}.schema.json").write_text(text_of(schema), encoding="utf-8")


if __name__ == "__main__":
    main()
