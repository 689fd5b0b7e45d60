"""TensorFlow's generated protobuf classes, imported without starting the TensorFlow runtime
(`INSPECTOR_PROTOS=tensorflow`; inspector's own classes are the default, see `inspector._internal.protos`).

Importing `tensorflow.core.protobuf.saved_model_pb2` the ordinary way runs `tensorflow/__init__.py`,
which loads the C++ runtime and takes seconds. The generated `*_pb2` modules themselves only need
`google.protobuf`. So while they import, a temporary meta-path finder stands in for every
`tensorflow.*` *package*, creating an empty package module whose `__path__` is the installed folder:
the pb2 files are then found and executed as usual, but no package `__init__.py` runs.

Afterwards the stand-in packages are removed from `sys.modules` (the pb2 modules stay, registered once
in protobuf's descriptor pool), so a later `import tensorflow` in the same process -- a notebook that
reads a model and then trains -- imports the real packages and reuses the same pb2 modules. When
TensorFlow is already imported we simply use its modules.

We never copy TensorFlow's .proto files.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inspector._internal.errors import TensorFlowMissingError
from inspector._internal.protos import ProtoModules

_ROOT = "tensorflow"

# The module paths moved between TensorFlow versions: the first one that exists wins.
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "saved_model": ("tensorflow.core.protobuf.saved_model_pb2",),
    "graph_debug_info": (
        "tensorflow.core.framework.graph_debug_info_pb2",  # TF >= 2.13
        "tensorflow.core.protobuf.graph_debug_info_pb2",  # TF <= 2.12
    ),
    "fingerprint": ("tensorflow.core.protobuf.fingerprint_pb2",),  # TF >= 2.12
    "types": ("tensorflow.core.framework.types_pb2",),
    "graph": ("tensorflow.core.framework.graph_pb2",),
    "tensor_bundle": ("tensorflow.core.protobuf.tensor_bundle_pb2",),
}


class _PackageStandIn(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `tensorflow.*` packages and creates them empty, without running their `__init__.py`."""

    def __init__(self, root_folder: Path) -> None:
        self._root_folder = root_folder
        self.created: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _ROOT and not fullname.startswith(_ROOT + "."):
            return None
        folder = self._root_folder.joinpath(*fullname.split(".")[1:])
        if not folder.is_dir():
            return None  # a module file: the ordinary path finder imports it from the parent's __path__
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        spec.submodule_search_locations = [str(folder)]
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = types.ModuleType(spec.name)
        module.__path__ = list(spec.submodule_search_locations or [])
        self.created.append(spec.name)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: that is the point."""


def import_protos() -> ProtoModules:
    if _ROOT in sys.modules:
        return _collect()
    spec = importlib.util.find_spec(_ROOT)
    if spec is None or not spec.submodule_search_locations:
        raise TensorFlowMissingError("to read SavedModel protobufs")
    stand_in = _PackageStandIn(Path(next(iter(spec.submodule_search_locations))))
    sys.meta_path.insert(0, stand_in)
    try:
        return _collect()
    finally:
        sys.meta_path.remove(stand_in)
        for name in stand_in.created:
            sys.modules.pop(name, None)


def _collect() -> ProtoModules:
    found = {key: _first_importable(names) for key, names in _CANDIDATES.items()}

    def required(
        key: str,
    ) -> Any:  # TensorFlow's modules are untyped: the messages are inspector's, a test checks
        module = found[key]
        if module is None:
            raise TensorFlowMissingError(f"for its {key} protobuf definitions (found an incomplete install)")
        return module

    return ProtoModules(
        saved_model=required("saved_model"),
        graph_debug_info=required("graph_debug_info"),
        fingerprint=found["fingerprint"],
        types=required("types"),
        graph=required("graph"),
        tensor_bundle=found["tensor_bundle"],
    )


def _first_importable(names: tuple[str, ...]) -> Any | None:
    for name in names:
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    return None
