"""Ask TensorFlow what a model runs: load it with TF2's loader and with the TF1 loader (the path of TF
Serving and the C++ LoadSavedModel), call every signature, restored function and alias, run the TF1
saver's save, and report which canaries fired, at load or at call.

    python tests/oracle.py MODEL [MODEL ...]     # prints one JSON object: {model: {loader: {...}}}

Run in a child process by tests/test_oracle.py: each model is copied into a fresh folder that becomes the
working directory, so the canaries' relative paths (fixtures/canaries.py) land there and nowhere else.
Every `EagerPyFunc` token in a model is given a Python callable that leaves `canary.pyfunc`, as a serving
process that defines the same function would run it.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow.python.ops import script_ops

MARKERS = ("canary.write", "canary.pyfunc", "canary.save", "canary.dump", "canary.calib")
#: What the asset case's served table must not be able to return: a word only the outside file holds.
SECRET = "secret-from-outside"
_KEEP: list[Any] = []  # the registry holds callables weakly


def _register_callbacks(model: Path) -> None:
    proto = saved_model_pb2.SavedModel.FromString((model / "saved_model.pb").read_bytes())
    nodes = [
        node
        for meta_graph in proto.meta_graphs
        for graph in (meta_graph.graph_def,)
        for node in (*graph.node, *(n for function in graph.library.function for n in function.node_def))
    ]
    for node in nodes:
        if node.op in ("EagerPyFunc", "PyFunc", "PyFuncStateless"):

            def fired(*args: Any) -> Any:
                Path("canary.pyfunc").write_text("fired")
                return args[0] if args else 0.0

            _KEEP.append(fired)
            script_ops._py_funcs._funcs[node.attr["token"].s.decode()] = fired


def _fired() -> list[str]:
    return sorted(marker for marker in MARKERS if Path(marker).exists())


def _value(spec: Any) -> Any:
    shape = [
        1 if dim is None else dim for dim in (spec.shape.as_list() if spec.shape.rank is not None else [])
    ]
    if spec.dtype == tf.string:
        return tf.fill(shape, SECRET)
    return tf.zeros(shape, spec.dtype)


def _call_concrete(function: Any) -> None:
    args, kwargs = function.structured_input_signature
    function(*[_value(spec) for spec in tf.nest.flatten(args)], **{k: _value(v) for k, v in kwargs.items()})


def _callables(root: Any) -> list[Any]:
    """Every restored function reachable through the object's attributes (breadth first, bounded)."""
    found, seen, queue = [], {id(root)}, [root]
    while queue and len(seen) < 2000:
        current = queue.pop(0)
        for value in list(vars(current).values()) if hasattr(current, "__dict__") else []:
            if id(value) in seen:
                continue
            seen.add(id(value))
            if hasattr(value, "concrete_functions") or hasattr(value, "structured_input_signature"):
                found.append(value)
            elif isinstance(value, tf.Module) or hasattr(value, "_trackable_children"):
                queue.append(value)
    return found


def _call(function: Any) -> str | None:
    try:
        concretes = getattr(function, "concrete_functions", None) or [function]
        for concrete in concretes:
            _call_concrete(concrete)
    except Exception as error:  # a canary may well break the call: what fired before still counts
        return f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
    return None


def _differentiate(function: Any) -> str | None:
    """A gradient tape over one call, as fine-tuning runs it: the gradient of every float output with
    respect to every float input (the model's gradient functions run here, and only here)."""
    try:
        for concrete in getattr(function, "concrete_functions", None) or [function]:
            args, kwargs = concrete.structured_input_signature
            inputs = [_value(spec) for spec in tf.nest.flatten(args)]
            named = {key: _value(spec) for key, spec in kwargs.items()}
            sources = [t for t in [*inputs, *named.values()] if t.dtype.is_floating]
            if not sources:
                continue
            with tf.GradientTape() as tape:
                for source in sources:
                    tape.watch(source)
                outputs = concrete(*inputs, **named)
            floats = [t for t in tf.nest.flatten(outputs) if hasattr(t, "dtype") and t.dtype.is_floating]
            if floats:
                tape.gradient(floats, sources)
    except Exception as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
    return None


def tf2(model: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"load": [], "call": [], "gradient": [], "unload": [], "errors": []}
    try:
        loaded = tf.saved_model.load(
            str(model), options=tf.saved_model.LoadOptions(experimental_load_function_aliases=True)
        )
    except Exception as error:
        result["errors"].append(f"load: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
        result["load"] = _fired()
        return result
    result["load"] = _fired()
    functions = [*loaded.signatures.values(), *_callables(loaded)]
    aliases = getattr(loaded, "function_aliases", {}) or {}
    for alias in aliases.values():
        functions.extend(alias if isinstance(alias, list) else [alias])
    for function in functions:
        problem = _call(function)
        if problem:
            result["errors"].append(f"call: {problem}")
    outputs = (
        loaded.signatures["serving_default"](words=tf.constant([SECRET])) if _asks_words(loaded) else None
    )
    if outputs is not None and int(outputs["ids"].numpy()[0]) >= 0:
        result["call"].append("asset.outside")
    result["call"] = sorted(set(result["call"]) | (set(_fired()) - set(result["load"])))
    for function in functions:
        problem = _differentiate(function)
        if problem:
            result["errors"].append(f"gradient: {problem}")
    result["gradient"] = sorted(set(_fired()) - set(result["load"]) - set(result["call"]))
    del loaded, functions, aliases
    gc.collect()  # a restored resource's destroyer runs when the loaded object goes
    seen = set(result["load"]) | set(result["call"]) | set(result["gradient"])
    result["unload"] = sorted(set(_fired()) - seen)
    return result


def _asks_words(loaded: Any) -> bool:
    signature = loaded.signatures.get("serving_default")
    return signature is not None and "words" in signature.structured_input_signature[1]


def tf1(model: Path) -> dict[str, Any]:
    """The TF1 loader on every meta graph the model holds (TF Serving's --saved_model_tags picks any), each
    in a session of its own; what fired is merged by phase."""
    proto = saved_model_pb2.SavedModel.FromString((model / "saved_model.pb").read_bytes())
    merged: dict[str, Any] = {"load": [], "call": [], "unload": [], "errors": []}
    for meta_graph in proto.meta_graphs:
        ran = _tf1_graph(model, list(meta_graph.meta_info_def.tags))
        for phase, markers in ran.items():
            merged[phase] = (
                sorted(set(merged[phase]) | set(markers)) if phase != "errors" else [*merged[phase], *markers]
            )
    return merged


def _tf1_graph(model: Path, tags: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {"load": [], "call": [], "unload": [], "errors": []}
    already = set(_fired())  # an earlier meta graph's canaries
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as session:
        try:
            meta = tf.compat.v1.saved_model.loader.load(session, tags, str(model))
        except Exception as error:
            result["errors"].append(f"load: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
            result["load"] = sorted(set(_fired()) - already)
            return result
        result["load"] = sorted(set(_fired()) - already)
        for name, signature in meta.signature_def.items():
            if name == "__saved_model_init_op":
                continue
            feeds = {}
            for info in signature.inputs.values():
                tensor = graph.get_tensor_by_name(info.name)
                shape = [
                    1 if dim is None else dim
                    for dim in (tensor.shape.as_list() if tensor.shape.rank is not None else [])
                ]
                feeds[tensor] = tf.compat.v1.make_ndarray(
                    tf.make_tensor_proto(SECRET if tensor.dtype == tf.string else 0, tensor.dtype, shape)
                )
            fetches = {key: info.name for key, info in signature.outputs.items()}
            try:
                outputs = session.run(fetches, feeds)
            except Exception as error:
                result["errors"].append(
                    f"call {name}: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
                )
                continue
            if "ids" in outputs and int(outputs["ids"].reshape(-1)[0]) >= 0:
                result["call"].append("asset.outside")
        saver = meta.saver_def
        if saver.save_tensor_name:
            Path("tf1-save").mkdir(exist_ok=True)
            try:
                session.run(saver.save_tensor_name, {saver.filename_tensor_name: "tf1-save/checkpoint"})
            except Exception as error:
                result["errors"].append(f"save: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
    result["call"] = sorted(set(result["call"]) | (set(_fired()) - set(result["load"]) - already))
    return result


def keras(model: Path) -> dict[str, Any]:
    """Keras 2's loader, which rebuilds layers from keras_metadata.pb (a Lambda's code among them)."""
    result: dict[str, Any] = {"load": [], "call": [], "unload": [], "errors": []}
    import tf_keras

    try:
        loaded = tf_keras.models.load_model(str(model))
    except Exception as error:
        result["errors"].append(f"load: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
        result["load"] = _fired()
        return result
    result["load"] = _fired()
    try:
        loaded.predict(tf.zeros([1, *loaded.input_shape[1:]]), verbose=0)
    except Exception as error:
        result["errors"].append(f"call: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
    result["call"] = sorted(set(_fired()) - set(result["load"]))
    return result


def _keras_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("tf_keras") is not None


def main(models: list[str]) -> None:
    report: dict[str, Any] = {}
    home = Path.cwd()
    for model in map(Path, models):
        _register_callbacks(model)
        report[model.name] = {}
        loaders = [tf2, tf1]
        if (model / "keras_metadata.pb").exists() and _keras_available():
            loaders.append(keras)
        for loader in loaders:
            with tempfile.TemporaryDirectory(prefix="inspector-oracle-") as scratch:
                copy = Path(scratch) / "model"
                shutil.copytree(model, copy)
                outside = Path(scratch) / "outside-vocabulary.txt"  # what ../../ from assets/ reaches
                outside.write_text(SECRET + "\n")
                os.chdir(scratch)
                try:
                    report[model.name][loader.__name__] = loader(copy)
                finally:
                    os.chdir(home)
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1:])
