"""INS012 keras-metadata: Python code that Keras's loaders run, carried or named by a Keras config --
`keras_metadata.pb`, `user_object.metadata` in saved_model.pb, a `.keras` file's config.json, an `.h5`
file's model_config (found by content anywhere in the folder, archives included).

Why it matters: a model saved by tf_keras (`model.save(dir)`, Keras 2) keeps its layers' configs in
`keras_metadata.pb`, and `tf_keras.models.load_model` rebuilds the layers from them -- before any op runs,
and with none of the graph's checks. A `Lambda` layer's function is stored there as marshalled Python
bytecode: loading unmarshals and calls it, so it can do anything the loading process can (modelscan and
ModelAudit flag these too). A Lambda that names a function imports it from its module; a layer of a class
that is not Keras's own (`Package>Name`, or another module) runs that class's code. `tf.saved_model.load`
ignores the file; Keras users do not.

The bytecode is never unmarshalled: the names it references are read from its bytes, so a finding can say
`exec`, `os`, `system`. A Lambda with bytecode is an error, critical when it references a name that runs
code, opens files, processes or the network; a function imported by name, or a class that is not Keras's,
is a warning; a file Keras cannot read is an error (the loader would read it, and what it says is unknown).

Example: `Lambda layer 'evil' (root.layer-1) carries marshalled Python bytecode that
tf_keras.models.load_model runs; it references __import__, os, system`.

Fix: replace the Lambda with a layer class (registered, in a package you install), or export the model
with `model.export()` / `tf.saved_model.save`, which writes no Python code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from inspector._internal.audit.context import AuditContext
from inspector._internal.foldercontents import FolderContents
from inspector._internal.kerasmeta import KERAS, TF_KERAS, analyse_configs
from inspector._internal.view import KerasLayer, KerasMetadata
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS012",
    "keras-metadata",
    "Python code that Keras's loader runs, in or named by keras_metadata.pb",
    __doc__ or "",
    Severity.ERROR,
)

#: Names whose presence in a Lambda's code means it can run code, open files or processes, or talk out.
DANGEROUS_NAMES = frozenset(
    {
        "exec",
        "eval",
        "compile",
        "__import__",
        "__builtins__",
        "builtins",
        "open",
        "getattr",
        "setattr",
        "globals",
        "locals",
        "os",
        "posix",
        "nt",
        "system",
        "popen",
        "spawn",
        "subprocess",
        "Popen",
        "run",
        "check_output",
        "sys",
        "socket",
        "shutil",
        "importlib",
        "import_module",
        "runpy",
        "pty",
        "ctypes",
        "pickle",
        "marshal",
        "urllib",
        "requests",
        "http",
        "webbrowser",
    }
)


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    if context.view.keras is not None:
        yield from _config_findings(context.view.keras)
    yield from folder_findings(context.scope.folder.contents(), context.view.path)


def folder_findings(contents: FolderContents, folder: Path) -> Iterator[Finding]:
    """The findings of the Keras configs found by content in a folder (or in one Keras file): a `.keras`
    file's config.json, an `.h5` file's model_config, wherever they are."""
    for item in contents.files:
        if item.kind == "keras-config":
            keras = analyse_configs(
                folder / item.path.split("!", 1)[0],
                item.path,
                _loader(item.loader),
                [("model config", item.config)],
            )
            yield from _config_findings(keras)


def _loader(name: str) -> str:
    return TF_KERAS if name == "tf_keras" else KERAS


def _config_findings(keras: KerasMetadata) -> Iterator[Finding]:
    if keras.problem is not None:
        yield Finding(
            INFO.id,
            Severity.ERROR,
            f"{keras.source} {keras.problem}: {keras.loader} reads it, and what it would rebuild cannot be "
            "checked",
            "re-export the model, or load it with tf.saved_model.load, which ignores the file",
            Location(file=str(keras.path)),
            identity=f"unreadable:{keras.source}",
            kind="unreadable",
        )
        return
    for layer in keras.lambdas:
        yield _lambda_finding(keras, layer)
    for layer in keras.custom:
        where = f" from module {layer.module}" if layer.module else ""
        yield Finding(
            INFO.id,
            Severity.WARNING,
            f"layer {layer.name!r} ({layer.node_path}) is of class {layer.class_name!r}{where}, not Keras's own: "
            f"{keras.loader} runs that class's code{_in(keras)}{_written_by(keras)}",
            "make sure the class comes from a package you trust and install, or export with model.export()",
            Location(file=str(keras.path)),
            identity=f"class:{layer.node_path}:{layer.class_name}:{layer.module}",
            kind="custom-class",
            evidence=(f"class {layer.class_name}", f"module {layer.module}"),
        )


def _lambda_finding(keras: KerasMetadata, layer: KerasLayer) -> Finding:
    location = Location(file=str(keras.path))
    if not layer.bytecode:
        return Finding(
            INFO.id,
            Severity.WARNING,
            f"Lambda layer {layer.name!r} ({layer.node_path}) calls {layer.function!r}"
            f"{f' from module {layer.module}' if layer.module else ''}: {keras.loader} imports it"
            f"{_in(keras)}{_written_by(keras)}",
            "make sure the module is one you trust and install, or replace the Lambda with a layer class",
            location,
            identity=f"lambda-function:{layer.node_path}:{layer.module}:{layer.function}",
            kind="lambda-function",
            evidence=(f"function {layer.module}.{layer.function}",),
        )
    dangerous = [name for name in layer.bytecode_names if name in DANGEROUS_NAMES]
    names = ", ".join(layer.bytecode_names[:24]) or "no names"
    digest = hashlib.sha256(layer.bytecode).hexdigest()[:16]
    return Finding(
        INFO.id,
        Severity.CRITICAL if dangerous else Severity.ERROR,
        f"Lambda layer {layer.name!r} ({layer.node_path}) carries marshalled Python bytecode that "
        f"{keras.loader} runs{_safe_mode(keras)}; it references {names}"
        + (f" (runs code, files, processes or the network: {', '.join(dangerous)})" if dangerous else "")
        + _in(keras)
        + _written_by(keras),
        "replace the Lambda with a layer class, or export with model.export() / tf.saved_model.save",
        location,
        identity=f"lambda:{layer.node_path}:{digest}",
        kind="lambda-bytecode",
        evidence=(f"bytecode sha256 {digest}", *(f"name {name}" for name in dangerous)),
    )


def _in(keras: KerasMetadata) -> str:
    return "" if keras.source == "keras_metadata.pb" else f" (in {keras.source})"


def _safe_mode(keras: KerasMetadata) -> str:
    # Keras 3 refuses a lambda unless safe_mode=False -- which a user who wants the model passes.
    return " with safe_mode=False" if keras.loader == KERAS else ""


def _written_by(keras: KerasMetadata) -> str:
    return f" (written by Keras {keras.keras_version})" if keras.keras_version else ""
