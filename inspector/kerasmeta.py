"""`keras_metadata.pb`: what a tf_keras (Keras 2) SavedModel tells Keras's loader to rebuild, read without
TensorFlow or Keras -- and without running any of it.

`tf_keras.models.load_model` reads this file (`tf.saved_model.load` ignores it): one entry per object,
with a JSON string holding the layer's class and config. A `Lambda` layer's config carries its function
as base64 marshalled bytecode, which the loader unmarshals and calls; a layer class registered under a
`Package>Name` or named by a module imports and runs that code. Here the bytecode is never unmarshalled
(`marshal.loads` on untrusted bytes is itself unsafe): the names it references are read from the
marshal stream's string objects, which is enough to say `exec`, `os`, `system`.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector.errors import InspectorError
from inspector.files import model_part_problem, read_regular_file
from inspector.view import KerasLayer, KerasMetadata

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt

KERAS_METADATA_FILE = "keras_metadata.pb"
#: Far above a real file (a large Keras 2 model's is a few MB), and small enough that its JSON parsed
#: stays well under a GiB of memory.
METADATA_LIMIT = 32 * 2**20
#: One layer's JSON, and the items of all the JSON walked: past them the file is reported, not read.
NODE_JSON_LIMIT = 16 * 2**20
MAX_JSON_ITEMS = 2_000_000
#: A Lambda's bytecode, decoded: a real one is a few KB.
MAX_BYTECODE = 4 * 2**20
MAX_NAMES = 200

#: Modules whose layers are Keras's own.
KERAS_MODULES = ("keras", "tf_keras", "tensorflow.python.keras", "tensorflow.keras")


def read_keras_metadata(model_dir: Path, message_class: type[fmt.KerasSavedMetadata]) -> KerasMetadata | None:
    """The file's facts, or None when the model has none. Never raises for what the file holds."""
    path = model_dir / KERAS_METADATA_FILE
    problem = model_part_problem(model_dir, path)
    if problem == "does not exist":
        return None
    if problem is not None:
        return KerasMetadata(path, problem)
    try:
        message = message_class()
        message.ParseFromString(read_regular_file(path, METADATA_LIMIT, "Keras metadata"))
    except InspectorError as error:
        return KerasMetadata(path, str(error).removeprefix(f"{path}: "))
    except Exception as error:  # any parse failure means the same: not a SavedMetadata
        return KerasMetadata(path, f"cannot be parsed as Keras's SavedMetadata ({type(error).__name__})")
    budget = [MAX_JSON_ITEMS]
    version = ""
    lambdas: list[KerasLayer] = []
    custom: list[KerasLayer] = []
    for node in message.nodes:
        if len(node.metadata) > NODE_JSON_LIMIT:
            return KerasMetadata(path, f"{node.node_path}: its JSON is over {NODE_JSON_LIMIT} bytes")
        try:
            document = json.loads(node.metadata) if node.metadata else {}
        except RecursionError:
            return KerasMetadata(path, f"{node.node_path}: its JSON is nested too deeply to read")
        except ValueError as error:
            return KerasMetadata(path, f"{node.node_path}: its JSON is invalid ({error})")
        if not isinstance(document, dict):
            continue
        if not version and isinstance(document.get("keras_version"), str):
            version = document["keras_version"]
        try:
            _layers(node.node_path, document, budget, lambdas, custom)
        except _OverBudget:
            return KerasMetadata(path, f"holds more than {MAX_JSON_ITEMS} JSON items: not read")
    return KerasMetadata(path, None, version, len(message.nodes), _once(lambdas), _once(custom))


def _once(layers: list[KerasLayer]) -> tuple[KerasLayer, ...]:
    """Each layer once: a model's config repeats its layers' configs, so the last (the layer's own node,
    which comes after the model's) names it."""
    by_identity = {(x.name, x.class_name, x.module, x.function, x.bytecode): x for x in layers}
    return tuple(by_identity.values())


class _OverBudget(Exception):
    pass


def _layers(
    node_path: str,
    document: dict[str, Any],
    budget: list[int],
    lambdas: list[KerasLayer],
    custom: list[KerasLayer],
) -> None:
    """Every layer config in a node's JSON (a model's config nests its layers): walked with a work list."""
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise _OverBudget
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        # The compile config names Keras's own optimizers as `Custom>Adam`: no layer is rebuilt from it.
        stack.extend(value for key, value in item.items() if key != "training_config")
        class_name = item.get("class_name")
        config = item.get("config")
        if not isinstance(class_name, str) or not isinstance(config, dict):
            continue
        module, name = _text(item, "module"), _text(config, "name")
        if class_name == "Lambda":
            layer = _lambda(node_path, name, module, config)
            if layer is not None:
                lambdas.append(layer)
        elif ">" in class_name or (module and not module.startswith(KERAS_MODULES)):
            custom.append(KerasLayer(node_path, name, class_name, module))


def _lambda(node_path: str, name: str, module: str, config: dict[str, Any]) -> KerasLayer | None:
    function = config.get("function")
    kind = _text(config, "function_type")
    function_module = _text(config, "module") or module
    if isinstance(function, dict) and isinstance(function.get("items"), list):
        function = function["items"]  # a tuple, as Keras serializes one
    if isinstance(function, list) and function and isinstance(function[0], str):
        code = _decoded(function[0])
        return KerasLayer(
            node_path, name, "Lambda", function_module, kind or "lambda", "", code, marshal_names(code)
        )
    if isinstance(function, str) and function:
        return KerasLayer(node_path, name, "Lambda", function_module, kind or "function", function)
    return None


def _text(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    return value if isinstance(value, str) else ""


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text[: MAX_BYTECODE * 4 // 3 + 8], validate=False)[:MAX_BYTECODE]
    except (binascii.Error, ValueError):
        return text.encode("utf-8", "replace")[:MAX_BYTECODE]


#: Marshal's string types (the FLAG_REF bit cleared): short ASCII with a one-byte length; ASCII, Unicode
#: and interned strings with a four-byte one.
_SHORT = frozenset(b"zZ")
_LONG = frozenset(b"aAut")


def marshal_names(code: bytes) -> tuple[str, ...]:
    """The identifiers among the string objects of a marshal stream, in order, each once: a code object's
    names, variable names and constants, read without unmarshalling anything."""
    found: dict[str, None] = {}
    position = 0
    end = len(code)
    while position < end - 1 and len(found) < MAX_NAMES:
        kind = code[position] & 0x7F
        if kind in _SHORT:
            length, start = code[position + 1], position + 2
        elif kind in _LONG and position + 5 <= end:
            length, start = int.from_bytes(code[position + 1 : position + 5], "little"), position + 5
        else:
            position += 1
            continue
        text = code[start : start + length]
        if 0 < length <= 128 and len(text) == length and _identifier(text):
            found[text.decode("ascii")] = None
            position = start + length
            continue
        position += 1
    return tuple(found)


def _identifier(text: bytes) -> bool:
    return text.isascii() and text.decode("ascii").replace(".", "_").isidentifier()
