"""Saving with the evidence switched on: debug info always, function aliases, and the other SaveOptions.

This is the only module of the package that needs the TensorFlow runtime, and it imports it inside the
functions that use it, so importing `inspector` stays fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from inspector._internal.errors import InspectorError, SaveError, TensorFlowMissingError

#: SaveOptions inspector sets itself; passing them through `options` would silently lose evidence.
_OWN_OPTIONS = frozenset({"save_debug_info", "function_aliases", "namespace_whitelist"})

VARIABLE_POLICIES = ("none", "save_variable_devices", "expand_distributed_variables")


def _tensorflow() -> Any:
    try:
        import tensorflow as tf
    except ImportError as error:
        raise TensorFlowMissingError("to save a model") from error
    return tf


def save(
    obj: Any,
    export_dir: str | Path,
    *,
    aliases: Mapping[str, Any] | None = None,
    signatures: Any = None,
    namespace_whitelist: Iterable[str] | None = None,
    io_device: str | None = None,
    variable_policy: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Path:
    """Save `obj` (a tf.Module or Keras model) as a SavedModel with `save_debug_info=True`.

    - `aliases`: alias -> a tf.function, a concrete function, or the name of an attribute of `obj`
      holding one. Every concrete function of that tf.function is recorded under the alias in
      `MetaInfoDef.function_aliases`.
    - `signatures`: as for `tf.saved_model.save`; a mapping's values may also be attribute names.
    - `namespace_whitelist`: namespaces TensorFlow checks the saved ops against (None: no check).
    - `io_device`, `variable_policy` (`save_variable_devices`, `expand_distributed_variables`) and any
      other `tf.saved_model.SaveOptions` field in `options` are passed through.

    Returns the export directory. Raises SaveError for aliases or signatures that name nothing or
    something that is not a function, and when TensorFlow refuses the save.

    >>> import inspector, tensorflow as tf
    >>> class Adder(tf.Module):
    ...     @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    ...     def add_one(self, x):
    ...         return x + 1.0
    >>> inspector.save(Adder(), "/tmp/adder", aliases={"add": "add_one"})  # doctest: +SKIP
    """
    tf = _tensorflow()
    extra = dict(options or {})
    clash = sorted(_OWN_OPTIONS & extra.keys())
    if clash:
        raise SaveError(f"pass {', '.join(clash)} as inspector.save arguments, not in options")
    function_aliases = {
        alias: _resolve_function(tf, obj, target, what=f"alias {alias!r}")
        for alias, target in (aliases or {}).items()
    }
    if isinstance(signatures, Mapping):
        signatures = {
            name: _resolve_function(tf, obj, target, what=f"signature {name!r}")
            for name, target in signatures.items()
        }
    elif isinstance(signatures, str):
        signatures = _resolve_function(tf, obj, signatures, what="the signature")
    if variable_policy is not None and variable_policy not in VARIABLE_POLICIES:
        raise SaveError(
            f"unknown variable policy {variable_policy!r}; choose one of {', '.join(VARIABLE_POLICIES)}"
        )
    try:
        save_options = tf.saved_model.SaveOptions(
            save_debug_info=True,
            function_aliases=function_aliases or None,
            namespace_whitelist=list(namespace_whitelist) if namespace_whitelist is not None else None,
            experimental_io_device=io_device,
            experimental_variable_policy=None if variable_policy == "none" else variable_policy,
            **extra,
        )
    except TypeError as error:
        raise SaveError(f"invalid SaveOptions: {error}") from error
    path = Path(export_dir)
    try:
        tf.saved_model.save(obj, str(path), signatures=signatures, options=save_options)
    except (ValueError, TypeError) as error:
        # TensorFlow's own refusals: a namespace outside the whitelist, a signature it cannot trace.
        raise SaveError(f"TensorFlow refused to save to {path}: {_first_line(error)}") from error
    return path


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _resolve_function(tf: Any, obj: Any, target: Any, what: str) -> Any:
    """An attribute name or a function -> the function, checked to be one TensorFlow can alias."""
    if isinstance(target, str):
        value: Any = obj
        for part in target.split("."):
            if not hasattr(value, part):
                raise SaveError(
                    f"{what} names attribute {target!r}, which {type(obj).__name__} does not have"
                )
            value = getattr(value, part)
        target = value
    if not _is_tf_function(tf, target):
        raise SaveError(
            f"{what} must be a tf.function or a concrete function, not {type(target).__name__}"
            " (decorate the method with @tf.function)"
        )
    return target


def _is_tf_function(tf: Any, value: Any) -> bool:
    kinds = tuple(
        kind
        for kind in (
            getattr(tf.types.experimental, "PolymorphicFunction", None),  # TF >= 2.14
            getattr(tf.types.experimental, "GenericFunction", None),  # TF 2.12, 2.13
            getattr(tf.types.experimental, "ConcreteFunction", None),
        )
        if kind is not None
    )
    return isinstance(value, kinds)


def load_factory(spec: str) -> Any:
    """`pkg.module:factory` -> the object the factory returns (imported with the working directory on
    sys.path, as `python -m` would). The factory is called with no arguments."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise SaveError(f"{spec!r} is not of the form PKG.MODULE:FACTORY")
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise SaveError(f"{spec}: no module named {error.name!r} (is it on PYTHONPATH?)") from error
        raise SaveError(f"{spec}: importing {module_name} failed: {error}") from error
    except Exception as error:
        raise SaveError(f"{spec}: importing {module_name} failed: {type(error).__name__}: {error}") from error
    factory: Any = module
    for part in attribute.split("."):
        if not hasattr(factory, part):
            raise SaveError(f"{spec}: module {module_name!r} has no attribute {attribute!r}")
        factory = getattr(factory, part)
    if not callable(factory):
        raise SaveError(f"{spec}: {attribute!r} is a {type(factory).__name__}, not a callable factory")
    try:
        return factory()
    except InspectorError:
        raise
    except Exception as error:
        raise SaveError(f"{spec}: the factory raised {type(error).__name__}: {_first_line(error)}") from error
