"""The floor a reader of SavedModels stands on: import TensorFlow's generated protobuf classes (without the
runtime), parse saved_model.pb and the debug info, and touch every node of every function. No tool that
reads the format can be faster than this; `goals.py` measures inspector against it in the same rounds.

    python benchmarks/floor.py MODEL_DIR

It imports nothing of inspector: the generated `*_pb2` modules need only `google.protobuf`, so a finder
stands in for TensorFlow's packages while they import (no `tensorflow/__init__.py` runs), as
`inspector/_internal/tfprotos.py` does for inspector's `INSPECTOR_PROTOS=tensorflow`.
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


class _EmptyPackages(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Every `tensorflow.*` package as an empty module over its installed folder: its pb2 files import as
    usual, and no `__init__.py` runs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "tensorflow" and not fullname.startswith("tensorflow."):
            return None
        folder = self.root.joinpath(*fullname.split(".")[1:])
        if not folder.is_dir():
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        spec.submodule_search_locations = [str(folder)]
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return types.ModuleType(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__path__ = [str(self.root.joinpath(*module.__name__.split(".")[1:]))]


def _messages() -> tuple[type, type]:
    found = importlib.util.find_spec("tensorflow")
    if found is None or not found.submodule_search_locations:
        raise SystemExit("the floor needs TensorFlow installed (its generated protobuf classes)")
    sys.meta_path.insert(0, _EmptyPackages(Path(next(iter(found.submodule_search_locations)))))
    saved_model = importlib.import_module("tensorflow.core.protobuf.saved_model_pb2")
    for name in (
        "tensorflow.core.framework.graph_debug_info_pb2",
        "tensorflow.core.protobuf.graph_debug_info_pb2",
    ):
        try:
            debug_info = importlib.import_module(name)
            break
        except ImportError:
            continue
    return saved_model.SavedModel, debug_info.GraphDebugInfo


def floor(model: Path) -> int:
    """Parse and walk the model; the number of nodes touched."""
    saved_model_class, debug_info_class = _messages()
    saved_model = saved_model_class.FromString((model / "saved_model.pb").read_bytes())
    debug_file = model / "debug" / "saved_model_debug_info.pb"
    traces = 0
    if debug_file.is_file():
        debug = debug_info_class.FromString(debug_file.read_bytes())
        traces = len(debug.traces) + len(getattr(debug, "traces_by_id", ()))
    touched = 0
    for meta_graph in saved_model.meta_graphs:
        for node in meta_graph.graph_def.node:
            touched += len(node.name) > 0 and len(node.op) > 0
        for function in meta_graph.graph_def.library.function:
            for node in function.node_def:
                touched += len(node.name) > 0 and len(node.op) > 0
    return touched + min(traces, 0)


if __name__ == "__main__":
    print(floor(Path(sys.argv[1])))
