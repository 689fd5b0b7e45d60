"""Keras configs: what Keras's loaders rebuild -- and run -- from a model, read without TensorFlow or Keras
and without running any of it. One analysis for every layout a config comes in:

- `keras_metadata.pb` beside a tf_keras (Keras 2) SavedModel, which `tf_keras.models.load_model` reads
  (`tf.saved_model.load` ignores it): one entry per object, each a JSON string of the layer's class and
  config;
- the same JSON in each object's `user_object.metadata` inside saved_model.pb, where older tf_keras wrote it
  and which tf_keras still reads when keras_metadata.pb is missing or empty;
- a `.keras` file's `config.json` and an `.h5` file's `model_config` (`inspector._internal.filecontent` finds them).

A `Lambda` layer's config carries its function as base64 marshalled bytecode -- a list or tuple (Keras 2),
a bare string (tf_keras's `func_load` accepts one) or `{"class_name": "__lambda__", "config": {"code": ...}}`
(Keras 3) -- which the loader unmarshals and calls; a layer class registered under a `Package>Name` or
named by a module imports and runs that code. Here the bytecode is never unmarshalled (`marshal.loads` on
untrusted bytes is itself unsafe): the names it references are read from the marshal stream's string
objects, which is enough to say `exec`, `os`, `system`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector._internal.errors import InspectorError
from inspector._internal.fileio import model_part_problem, read_regular_file
from inspector._internal.view import KerasLayer, KerasMetadata

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


#: The loaders, as the findings name them.
TF_KERAS = "tf_keras.models.load_model"
KERAS = "keras.saving.load_model"


def read_keras_metadata(
    model_dir: Path,
    message_class: type[fmt.KerasSavedMetadata],
    object_graph: fmt.SavedObjectGraph | None = None,
) -> KerasMetadata | None:
    """What tf_keras's loader rebuilds from the model: keras_metadata.pb, or -- when that file is missing
    or holds no node, as tf_keras falls back -- the `user_object.metadata` of the object graph's nodes.
    None when the model has neither. Never raises for what the file holds."""
    path = model_dir / KERAS_METADATA_FILE
    problem = model_part_problem(model_dir, path)
    if problem is not None and problem != "does not exist":
        return KerasMetadata(path, problem, source=KERAS_METADATA_FILE, loader=TF_KERAS)
    nodes: list[tuple[str, str]] = []
    if problem is None:
        try:
            message = message_class()
            message.ParseFromString(read_regular_file(path, METADATA_LIMIT, "Keras metadata"))
        except InspectorError as error:
            return KerasMetadata(
                path, str(error).removeprefix(f"{path}: "), source=KERAS_METADATA_FILE, loader=TF_KERAS
            )
        except Exception as error:  # any parse failure means the same: not a SavedMetadata
            return KerasMetadata(
                path,
                f"cannot be parsed as Keras's SavedMetadata ({type(error).__name__})",
                source=KERAS_METADATA_FILE,
                loader=TF_KERAS,
            )
        nodes = [(node.node_path, node.metadata) for node in message.nodes]
        if nodes:
            return analyse_configs(path, KERAS_METADATA_FILE, TF_KERAS, nodes)
    legacy = _user_object_metadata(object_graph)
    if legacy:
        return analyse_configs(
            path.with_name("saved_model.pb"), "user_object.metadata in saved_model.pb", TF_KERAS, legacy
        )
    if problem is None:
        return KerasMetadata(path, None, source=KERAS_METADATA_FILE, loader=TF_KERAS)
    return None


def _user_object_metadata(object_graph: fmt.SavedObjectGraph | None) -> list[tuple[str, str]]:
    if object_graph is None:
        return []
    found = []
    for index, node in enumerate(object_graph.nodes):
        if node.WhichOneof("kind") == "user_object" and node.user_object.metadata:
            found.append((f"node {index} ({node.user_object.identifier})", node.user_object.metadata))
    return found


def analyse_configs(path: Path, source: str, loader: str, documents: list[tuple[str, str]]) -> KerasMetadata:
    """Every Lambda and custom class in Keras config documents ((where, JSON text) pairs) of one file."""
    budget = [MAX_JSON_ITEMS]
    version = ""
    lambdas: list[KerasLayer] = []
    custom: list[KerasLayer] = []
    for where, text in documents:
        if len(text) > NODE_JSON_LIMIT:
            return KerasMetadata(
                path, f"{where}: its JSON is over {NODE_JSON_LIMIT} bytes", source=source, loader=loader
            )
        try:
            document = json.loads(text) if text else {}
        except RecursionError:
            return KerasMetadata(
                path, f"{where}: its JSON is nested too deeply to read", source=source, loader=loader
            )
        except ValueError as error:
            return KerasMetadata(
                path, f"{where}: its JSON is invalid ({error})", source=source, loader=loader
            )
        if not isinstance(document, dict):
            continue
        if not version and isinstance(document.get("keras_version"), str):
            version = document["keras_version"]
        try:
            _layers(where, document, budget, lambdas, custom)
        except _OverBudget:
            return KerasMetadata(
                path, f"holds more than {MAX_JSON_ITEMS} JSON items: not read", source=source, loader=loader
            )
    return KerasMetadata(path, None, version, len(documents), _once(lambdas), _once(custom), source, loader)


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
        registered = _text(item, "registered_name")
        if class_name == "Lambda":
            layer = _lambda(node_path, name, module, config)
            if layer is not None:
                lambdas.append(layer)
        elif ">" in class_name or ">" in registered or (module and not _keras_module(module)):
            custom.append(KerasLayer(node_path, name, registered or class_name, module))


def _keras_module(module: str) -> bool:
    return any(module == own or module.startswith(own + ".") for own in KERAS_MODULES)


def _lambda(node_path: str, name: str, module: str, config: dict[str, Any]) -> KerasLayer | None:
    function = config.get("function")
    kind = _text(config, "function_type")
    function_module = _text(config, "module") or module
    if isinstance(function, dict) and function.get("class_name") == "__lambda__":
        inner = function.get("config")
        function = [inner.get("code")] if isinstance(inner, dict) else None  # Keras 3's lambda
        kind = kind or "lambda"
    if isinstance(function, dict) and isinstance(function.get("items"), list):
        function = function["items"]  # a tuple, as Keras serializes one
    if isinstance(function, list) and function and isinstance(function[0], str):
        code = _decoded(function[0])
        return KerasLayer(
            node_path, name, "Lambda", function_module, kind or "lambda", "", code, marshal_names(code)
        )
    if isinstance(function, str) and function and kind == "lambda":
        # tf_keras's func_load takes a bare base64 string as the code itself.
        code = _decoded(function)
        return KerasLayer(node_path, name, "Lambda", function_module, kind, "", code, marshal_names(code))
    if isinstance(function, dict) and isinstance(function.get("config"), str | dict):
        # Keras 3 names a function by its registered name or module: importing it runs that code.
        named = function.get("config")
        label = named if isinstance(named, str) else _text(named, "name") if isinstance(named, dict) else ""
        module_of = _text(function, "module") or function_module
        return KerasLayer(node_path, name, "Lambda", module_of, "function", label or "?")
    if isinstance(function, str) and function:
        return KerasLayer(node_path, name, "Lambda", function_module, kind or "function", function)
    return None


def _text(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    return value if isinstance(value, str) else ""


def _decoded(text: str) -> bytes:
    import base64  # a Lambda layer's bytecode: few models have one
    import binascii

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
