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
import functools
import json
import operator
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from pathlib import PurePath
from typing import Any

from inspector import __version__
from inspector._internal.render import RenderOptions
from inspector.results.common import SCHEMA_VERSION, Result, json_fields

if typing.TYPE_CHECKING:
    from inspector.results import CommandResult
    from inspector.results.doctor import Diagnosis

_SCALARS = (str, int, float, bool, type(None))

#: Fields of the envelope, in order, before the command's `result`.
ENVELOPE_FIELDS = ("tool", "version", "kind", "schema_version", "model", "verdict", "exit_code", "result")


def to_jsonable(value: Any) -> Any:
    """Dataclasses and NamedTuples -> objects, tuples -> arrays, enums -> values, paths -> strings."""
    return _converter(value.__class__)(value)


@functools.cache
def _converter(cls: Any) -> Callable[[Any], Any]:
    """How a value of this type becomes JSON data, decided once per type: a large result holds 200k
    values of a handful of types, and asking each what it is costs more than converting it."""
    if issubclass(cls, Enum):
        if issubclass(cls, int):
            return lambda value: value.name.lower()  # IntEnum severities by name
        return lambda value: value.value
    if cls in _SCALARS or issubclass(cls, _SCALARS):
        return _same
    if _is_record(cls):
        return _record_converter(cls)
    if issubclass(cls, PurePath):
        return str
    if issubclass(cls, Mapping):
        return lambda value: {str(key): to_jsonable(item) for key, item in value.items()}
    if issubclass(cls, (list, tuple, frozenset, set)):
        return lambda value: [to_jsonable(item) for item in value]
    raise TypeError(f"cannot represent {cls.__name__} in JSON")


def _record_converter(cls: Any) -> Callable[[Any], Any]:
    """A record's fields read in one C call; only those whose declared type is not plain JSON already
    (str, int, tuples of them; json writes a tuple as an array) are converted further."""
    fields = json_fields(cls)
    read = operator.attrgetter(*fields) if len(fields) > 1 else (lambda value: (getattr(value, fields[0]),))
    richer = _fields_that_may_hold_records(cls)
    if not richer:
        return lambda value: dict(zip(fields, read(value), strict=True))

    def convert(value: Any) -> dict[str, Any]:
        data = dict(zip(fields, read(value), strict=True))
        for name in richer:
            data[name] = to_jsonable(data[name])
        return data

    return convert


def _same(value: Any) -> Any:
    return value


@functools.cache
def _is_record(cls: Any) -> bool:
    """A dataclass or a NamedTuple: written as an object of its JSON fields."""
    return dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields"))


# --- streaming --------------------------------------------------------------------------------------------

#: Records converted and written at once when a long array is streamed: memory holds this many, not 200k.
BATCH = 512
#: From this depth of nesting on, a value is written whole (a call tree's depth is the model's).
STREAM_DEPTH = 8


def stream(result: Result, *, compact: bool) -> Iterator[str]:
    """The envelope's JSON text in pieces, as one `json.dumps` of the whole would write it: the result's
    long arrays are converted and written a batch of records at a time, so that a 200k-op `where` never
    holds its document in memory, as data or as text."""
    head = envelope(result, {})
    del head["result"]
    text = _dump(head, compact).rstrip("\n")[:-1].rstrip()  # the head's fields, its `}` cut
    yield text + (',"result":' if compact else ',\n  "result": ')
    yield from _stream_object(result, 1, compact, skip=("model",))  # the model is the envelope's
    yield "}\n" if compact else "\n}\n"


#: Records looked at to decide whether a value holds a long array somewhere below it.
_LOOK_BUDGET = 4096


def _holds_long_array(value: Any) -> bool:
    """Whether a long array (more than BATCH items) lies within STREAM_DEPTH levels below `value`: only then is
    it streamed piece by piece; anything smaller is written whole, which is faster (20,000 signatures of
    a few fields each: 2x) and holds no more in memory. When the look runs out of budget: stream."""
    budget = _LOOK_BUDGET
    work = [(value, STREAM_DEPTH)]
    while work:
        item, levels = work.pop()
        budget -= 1
        if budget < 0:
            return True
        if isinstance(item, tuple) and not _is_record(item.__class__):
            if len(item) > BATCH:
                return True
            budget -= len(item)  # its records count against the budget, looked into or not
            if budget < 0:
                return True
            if levels:
                # A record of plain fields holds no array of records: only the others are looked into
                # (a `where` of 200k ops spent a second looking into every one of them).
                work.extend((element, levels - 1) for element in item if not _leaf_type(element.__class__))
        elif levels and _is_record(item.__class__):
            work.extend(
                (getattr(item, name), levels - 1) for name in _fields_that_may_hold_records(item.__class__)
            )
    return False


def _stream(value: Any, depth: int, compact: bool) -> Iterator[str]:
    if depth < STREAM_DEPTH and not _is_leaf(value) and _holds_long_array(value):
        yield from _stream_object(value, depth, compact)
    elif (
        depth < STREAM_DEPTH
        and isinstance(value, tuple)
        and value
        and _is_record(value[0].__class__)
        and _holds_long_array(value)
    ):
        yield from _stream_array(value, depth, compact)
    else:
        yield _text(to_jsonable(value), depth, compact)


def _stream_object(value: Any, depth: int, compact: bool, skip: tuple[str, ...] = ()) -> Iterator[str]:
    names = [name for name in json_fields(value.__class__) if name not in skip]
    if not names:
        yield "{}"
        return
    indent = "" if compact else "\n" + "  " * (depth + 1)
    for index, name in enumerate(names):
        yield ("{" if index == 0 else ",") + indent + _key(name, compact)
        yield from _stream(getattr(value, name), depth + 1, compact)
    yield ("" if compact else "\n" + "  " * depth) + "}"


def _stream_array(items: tuple[Any, ...], depth: int, compact: bool) -> Iterator[str]:
    indent = "" if compact else "\n" + "  " * (depth + 1)
    separator = "," + indent
    batch: list[Any] = []
    first = True

    def flush() -> Iterator[str]:
        nonlocal first
        if batch:
            # One C-encoded list of the batch, its brackets cut: the items as the whole array holds them.
            text = _text(batch, depth, compact)[1:-1].strip("\n ")
            yield ("[" + indent if first else separator) + text
            first = False
            batch.clear()

    for item in items:
        cls = item.__class__
        if _leaf_type(cls) or _is_leaf(item) or not _holds_long_array(item):
            batch.append(_converter(cls)(item))
            if len(batch) >= BATCH:
                yield from flush()
            continue
        yield from flush()
        yield "[" + indent if first else separator
        first = False
        yield from _stream(item, depth + 1, compact)
    yield from flush()
    yield ("" if compact else "\n" + "  " * depth) + "]"


@functools.cache
def _leaf_type(cls: Any) -> bool:
    """Every value of this type is a leaf: not a record, or a record whose fields are all plain."""
    return not _is_record(cls) or not _fields_that_may_hold_records(cls)


def _is_leaf(value: Any) -> bool:
    """Not a record, or a record none of whose fields holds records: written whole (in a batch of its
    kind when an array holds it)."""
    cls = value.__class__
    if not _is_record(cls):
        return True
    for name in _fields_that_may_hold_records(cls):
        field = getattr(value, name)
        if _is_record(field.__class__) or (
            isinstance(field, tuple) and field and _is_record(field[0].__class__)
        ):
            return False
    return True


@functools.cache
def _fields_that_may_hold_records(cls: type) -> tuple[str, ...]:
    """The JSON fields of a record type whose declared type is not made of plain values (`str`,
    `tuple[str, ...]`, `int | None`): only those are looked into, once per value."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that names a type only the type checker imports: look at all
        return json_fields(cls)
    return tuple(name for name in json_fields(cls) if name not in hints or not _plain_hint(hints[name]))


def _plain_hint(hint: Any) -> bool:
    if hint in _SCALARS:
        return True
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple or isinstance(hint, types.UnionType):
        return all(arg is Ellipsis or _plain_hint(arg) for arg in args)
    return False


@functools.cache
def _key(name: str, compact: bool) -> str:
    return json.dumps(name) + (":" if compact else ": ")


#: JSON text of a string, in C, as json.dumps(ensure_ascii=True) writes it (without its per-call setup).
_ASCII_STRING = json.encoder.encode_basestring_ascii


def _text(data: Any, depth: int, compact: bool) -> str:
    """JSON text of converted data, indented for where it sits in the document."""
    cls = data.__class__
    if cls is str:  # most leaves of a large document: skip json.dumps's setup, a third of its cost
        return str(_ASCII_STRING(data))
    if cls is int or data is None or cls is bool:
        return (
            "null" if data is None else ("true" if data is True else "false" if data is False else str(data))
        )
    if compact:
        return json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    text = json.dumps(data, indent=2, ensure_ascii=True)
    return text.replace("\n", "\n" + "  " * depth) if depth else text


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
        "exit_code": result.exit_code,
        "result": payload,
    }


def _dump(document: dict[str, Any], compact: bool) -> str:
    """ASCII only: no raw control character from a model reaches a terminal."""
    if compact:
        return json.dumps(document, ensure_ascii=True, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _indented_pieces(result: Result, _options: RenderOptions) -> Iterator[str]:
    return stream(result, compact=False)


# trace and where list ops one by one, 100k of them on a large model: their JSON is compact (indenting
# makes a 30 MB document larger still).
def _compact_pieces(result: Result, _options: RenderOptions) -> Iterator[str]:
    return stream(result, compact=True)


def _plain(result: Result, options: RenderOptions) -> str:
    return "".join(_indented_pieces(result, options))


def _compact(result: Result, options: RenderOptions) -> str:
    return "".join(_compact_pieces(result, options))


def _diagnosis(result: Diagnosis, options: RenderOptions) -> str:
    payload = to_jsonable(result)
    if payload.get("load") and not options.verbose:
        payload["load"]["log"] = ""  # the child's log noise only with --verbose
    return _dump(envelope(result, payload), compact=False)


def render(result: CommandResult, options: RenderOptions | None = None) -> str:
    """The command's JSON document: the doctor's with the child's log only under --verbose, a trace's and
    a where's compact (one line per op), every other indented."""
    chosen = options or RenderOptions()
    if result.kind == "doctor":
        return _diagnosis(result, chosen)
    if result.kind == "trace" or result.kind == "where":
        return _compact(result, chosen)
    return _plain(result, chosen)


def pieces(result: CommandResult, options: RenderOptions) -> Iterator[str]:
    """`render`'s document in pieces as they are made, for a large result; the doctor's is edited before
    it is written (and is small), so it comes whole."""
    if result.kind == "doctor":
        return iter((_diagnosis(result, options),))
    if result.kind == "trace" or result.kind == "where":
        return _compact_pieces(result, options)
    return _indented_pieces(result, options)
