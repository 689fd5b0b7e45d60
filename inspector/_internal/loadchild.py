"""The program `doctor --try-load` runs in a child process: set up what the user asked for, ask the op
registry, load the model with TensorFlow, and report one JSON line after a marker.

Run by path (`python loadchild.py`, the request on stdin), never imported by inspector: it uses the
standard library and TensorFlow alone, so any Python with TensorFlow runs it (`--python`, a serving
environment's interpreter), whatever else that environment lacks. Keep its syntax to Python 3.8's.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any


def main() -> None:
    request = json.loads(sys.stdin.read())
    # sys.path[0] is this file's folder, inspector's own modules: the caller's working directory takes its
    # place, so `--import` finds the user's modules as `python -c 'import MODULE'` run there would.
    sys.path[0] = request["cwd"]
    report: dict[str, Any] = {"stage": "importing tensorflow", "registered": {}}
    try:
        _load(request, report)
    except BaseException as error:  # the child's one job is to say what happened, whatever it was
        report.update(outcome="failed", error_type=type(error).__name__, error_message=str(error))
    sys.stdout.write("\n" + request["marker"] + json.dumps(report) + "\n")
    sys.stdout.flush()


def _load(request: dict[str, Any], report: dict[str, Any]) -> None:
    import tensorflow as tf

    for library in request["op_libraries"]:
        report["stage"] = "loading op library " + library
        tf.load_op_library(library)
    for module in request["imports"]:
        report["stage"] = "importing " + module
        importlib.import_module(module)
    from tensorflow.python.framework import op_def_registry

    report["registered"] = {op: op_def_registry.get(op) is not None for op in request["op_types"]}
    report["tensorflow"] = tf.__version__
    report["devices"] = sorted({device.device_type for device in tf.config.list_physical_devices()})
    report["xla_call_module_max"] = _xla_call_module_max()
    report["stage"] = "loading the model"
    start = time.perf_counter()
    tf.saved_model.load(request["path"], tags=request["tags"])
    report.update(outcome="loaded", seconds=time.perf_counter() - start)


def _xla_call_module_max() -> int | None:
    """The newest XlaCallModule version this TensorFlow runs, where it says (2.12's does not)."""
    try:
        from tensorflow.compiler.tf2xla.python import xla

        return int(xla.call_module_maximum_supported_version())
    except Exception:
        return None


if __name__ == "__main__":
    main()
