"""Why a SavedModel fails to load -- or will: static checks first, then an optional isolated load.

Static checks read files only: op types the installed TensorFlow does not register, missing or truncated
variable files (from the checkpoint index, without TensorFlow), missing assets, versions, a
saved_model.pb near protobuf's 2 GiB limit, and missing or stale debug info (which weakens every other
diagnosis). `try_load` loads the model with TensorFlow in a child process with a timeout -- the only
place inspector runs a model -- and turns the error it raises into a diagnosis: the op, node and function
it names, the signatures that reach them, the line of code that created them, and the fix.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from inspector.checkpoint import INDEX_FILE, CheckpointIndexError, read_bundle_index
from inspector.coverage import coverage
from inspector.installed import (
    VersionGap,
    installed_tensorflow,
    needs_registration,
    op_registry,
    version_gaps,
)
from inspector.loader import PROTOBUF_LIMIT
from inspector.providers import registration_fix
from inspector.results.common import ModelRef
from inspector.results.doctor import Diagnosis, LoadAttempt, LoadOutcome, Problem, ProblemKind
from inspector.view import TOP_LEVEL, DebugInfoStatus, SavedModelView, namespace_of

DEFAULT_TIMEOUT = 120.0
#: Share of protobuf's 2 GiB message limit above which saved_model.pb gets a warning.
SIZE_WARNING_FRACTION = 0.8


# --- static checks --------------------------------------------------------------------------------------


def diagnose(
    view: SavedModelView,
    *,
    try_load: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    op_libraries: Sequence[str] = (),
    imports: Sequence[str] = (),
    registry: bool = True,
    python: str | None = None,
) -> Diagnosis:
    notices: list[str] = []
    problems = [
        *_files(view),
        *_versions(view, notices),
        *_debug_info(view),
    ]
    unregistered = _unregistered(view, notices) if registry else []
    if not registry:
        notices.append("op registry check skipped (--no-registry)")
    load = None
    if try_load:
        load, registered_in_child = _try_load(view, timeout, op_libraries, imports, python)
        # Ops that the libraries or imports given to the load registered are not problems.
        unregistered = [p for p in unregistered if not registered_in_child.get(p.op_type, False)]
        problems += unregistered
        if load.outcome is not LoadOutcome.LOADED:
            problems += [p for p in explain_load_error(view, load) if p not in problems]
    else:
        problems += unregistered
        if op_libraries or imports or python:
            notices.append("--op-library, --import and --python take effect with --try-load")
    return Diagnosis(ModelRef(view.path, view.tags), tuple(problems), load, tuple(notices))


def _files(view: SavedModelView) -> list[Problem]:
    problems = []
    size = view.model_file.stat().st_size
    if size > SIZE_WARNING_FRACTION * PROTOBUF_LIMIT:
        problems.append(
            Problem(
                ProblemKind.FILE_SIZE,
                False,
                f"{view.model_file.name} is {size / 2**30:.2f} GiB, close to protobuf's 2 GiB limit for one message",
                "move large constants into variables or assets, so they are saved outside the graph",
                file=str(view.model_file),
            )
        )
    problems += _checkpoint(view)
    for asset in view.meta_graph_def.asset_file_def:
        path = view.path / "assets" / asset.filename
        if not path.is_file():
            problems.append(
                Problem(
                    ProblemKind.MISSING_FILE,
                    True,
                    f"asset {asset.filename!r} (tensor {asset.tensor_info.name}) is missing",
                    f"copy the asset back to {path}, or re-export the model",
                    file=str(path),
                )
            )
    return problems


def _checkpoint(view: SavedModelView) -> list[Problem]:
    index_path = view.path / INDEX_FILE
    if not index_path.is_file():
        if not view.variables:
            return []
        return [
            Problem(
                ProblemKind.MISSING_FILE,
                True,
                f"the model has {len(view.variables)} variables but no {INDEX_FILE}",
                "copy the whole SavedModel directory, variables/ included",
                file=str(index_path),
            )
        ]
    try:
        index = read_bundle_index(index_path)
    except (CheckpointIndexError, OSError) as error:
        return [
            Problem(
                ProblemKind.CORRUPT_FILE,
                True,
                f"the variables index cannot be read: {error}",
                "copy variables/ again from the original export",
                file=str(index_path),
            )
        ]
    problems = []
    for shard, needed in sorted(index.required_sizes().items()):
        path = index.shard_path(view.path, shard)
        if not path.is_file():
            problems.append(
                Problem(
                    ProblemKind.MISSING_FILE,
                    True,
                    f"variables data shard {path.name} is missing ({shard + 1} of {index.num_shards})",
                    "copy the whole variables/ directory from the original export",
                    file=str(path),
                )
            )
        elif path.stat().st_size < needed:
            problems.append(
                Problem(
                    ProblemKind.TRUNCATED_FILE,
                    True,
                    f"variables data shard {path.name} is truncated: {path.stat().st_size} bytes, the index needs {needed}",
                    "copy the file again (an interrupted upload or download truncates it)",
                    file=str(path),
                )
            )
    return problems


def _versions(view: SavedModelView, notices: list[str]) -> list[Problem]:
    installed = installed_tensorflow()
    if installed is None:
        notices.append("TensorFlow is not installed: versions were not compared")
        return []
    fix = f"load it with TensorFlow {view.tensorflow_version or 'at least as new as the writer'}, or re-export it"
    messages = {
        VersionGap.MIN_CONSUMER: (
            True,
            f"the model needs GraphDef version {view.min_consumer}; TensorFlow {installed.version} here reads up "
            f"to {installed.producer} (written by TensorFlow {view.tensorflow_version or '?'}): TF Serving and "
            "tf.compat.v1 loaders refuse it (tf.saved_model.load may still load it)",
            fix,
        ),
        VersionGap.PRODUCER: (
            False,
            f"written by a newer TensorFlow ({view.tensorflow_version or '?'}, GraphDef {view.producer}) than "
            f"TensorFlow {installed.version} here (GraphDef {installed.producer}): newer ops or attrs may be unknown",
            fix,
        ),
        VersionGap.MIN_PRODUCER: (
            True,
            f"GraphDef producer {view.producer} is older than TensorFlow {installed.version} here reads "
            f"(minimum {installed.min_producer})",
            "re-export the model with a newer TensorFlow",
        ),
    }
    return [
        Problem(ProblemKind.VERSION, blocker, message, gap_fix, file=str(view.model_file))
        for blocker, message, gap_fix in (
            messages[gap] for gap in version_gaps(view.producer, view.min_consumer, installed)
        )
    ]


def _debug_info(view: SavedModelView) -> list[Problem]:
    info = view.debug_info
    fix = "save with save_debug_info=True (inspector save does) so every diagnosis can name the code"
    if info.status is DebugInfoStatus.MISSING:
        return [
            Problem(
                ProblemKind.DEBUG_INFO,
                False,
                "no debug info: diagnoses cannot name the code that created ops",
                fix,
                file=str(info.path),
            )
        ]
    if info.status is DebugInfoStatus.CORRUPT:
        return [
            Problem(
                ProblemKind.DEBUG_INFO,
                False,
                f"the debug info is corrupt: {info.problem}",
                fix,
                file=str(info.path),
            )
        ]
    stale = coverage(view).stale_keys
    if stale:
        return [
            Problem(
                ProblemKind.DEBUG_INFO,
                False,
                f"{len(stale)} debug-info keys name functions absent from the model: it may come from another save",
                fix,
                file=str(info.path),
            )
        ]
    return []


def _unregistered(view: SavedModelView, notices: list[str]) -> list[Problem]:
    registry = op_registry()
    if isinstance(registry, str):
        notices.append(registry)
        return []
    problems = []
    for op_type in sorted(view.nodes_by_op):
        if not needs_registration(op_type, view.functions) or registry.knows(op_type):
            continue
        problems.append(op_problem(view, ProblemKind.UNREGISTERED_OP, op_type))
    return problems


def op_problem(view: SavedModelView, kind: ProblemKind, op_type: str, node_name: str = "") -> Problem:
    """A problem about an op type (or one node of it), located through the view."""
    keys = list(view.nodes_by_op.get(op_type, ()))
    if node_name:
        # Error messages name nodes as the loaded graph has them, often inside an inlined call:
        # `StatefulPartitionedCall/NcclAllReduce` is node `NcclAllReduce` of the saved function.
        named = [
            k for k in keys if node_name == view.nodes[k].name or node_name.endswith("/" + view.nodes[k].name)
        ]
        keys = named or keys
    nodes = [view.nodes[k] for k in keys]
    functions = tuple(sorted({n.function for n in nodes}))
    signatures = tuple(sorted({s for f in functions for s in view.signatures_reaching(f)}))
    aliases = tuple(sorted({view.function_aliases[f] for f in functions if f in view.function_aliases}))
    where = (
        ", ".join("(top-level graph)" if f == TOP_LEVEL else f for f in functions)
        or "no function of this model"
    )
    if kind is ProblemKind.UNREGISTERED_OP:
        message = f"op type {op_type} is not registered in this TensorFlow; it is used in {where}"
        fix = registration_fix(view, op_type) + " before loading the model"
    else:
        message = f"no kernel for {op_type} on this machine's devices; it is used in {where}"
        fix = (
            "run on a device that has a kernel for it (a GPU build?), or load the library that registers one"
        )
    namespace = namespace_of(op_type)
    if namespace:
        message += f" (namespace {namespace})"
    return Problem(
        kind,
        True,
        message,
        fix,
        op_type=op_type,
        node_key=keys[0] if len(keys) == 1 else "",
        functions=functions,
        signatures=signatures,
        aliases=aliases,
        sources=view.creation_sites(keys),
    )


# --- the isolated load ----------------------------------------------------------------------------------

_MARKER = "@@inspector-doctor@@"

# Runs in the child: set up what the user asked for, ask the registry, load, and report one JSON line.
_CHILD = r"""
import importlib, json, sys, time, traceback
request = json.loads(sys.stdin.read())
report = {"stage": "importing tensorflow", "registered": {}}
def emit():
    sys.stdout.write("\n" + request["marker"] + json.dumps(report) + "\n")
    sys.stdout.flush()
try:
    import tensorflow as tf
    for library in request["op_libraries"]:
        report["stage"] = "loading op library " + library
        tf.load_op_library(library)
    for module in request["imports"]:
        report["stage"] = "importing " + module
        importlib.import_module(module)
    from tensorflow.python.framework import op_def_registry
    report["registered"] = {op: op_def_registry.get(op) is not None for op in request["op_types"]}
    report["stage"] = "loading the model"
    start = time.perf_counter()
    tf.saved_model.load(request["path"], tags=request["tags"])
    report.update(outcome="loaded", seconds=time.perf_counter() - start)
except BaseException as error:
    report.update(outcome="failed", error_type=type(error).__name__, error_message=str(error))
emit()
"""


def _try_load(
    view: SavedModelView,
    timeout: float,
    op_libraries: Sequence[str],
    imports: Sequence[str],
    python: str | None = None,
) -> tuple[LoadAttempt, dict[str, bool]]:
    """Load in a child process: inspector's own interpreter, or `python` -- the serving environment's,
    which has the packages the model needs (the child's code uses only the standard library and
    TensorFlow, so any Python with TensorFlow runs it)."""
    libraries = tuple(str(Path(lib).resolve()) for lib in op_libraries)
    request = {
        "marker": _MARKER,
        "path": str(view.path),
        "tags": list(view.tags) or None,
        "op_libraries": list(libraries),
        "imports": list(imports),
        "op_types": sorted(view.nodes_by_op),
    }

    def attempt(
        outcome: LoadOutcome, seconds: float, log: str, error_type: str = "", error: str = ""
    ) -> LoadAttempt:
        return LoadAttempt(
            outcome, seconds, timeout, error_type, error, libraries, tuple(imports), log, python or ""
        )

    start = time.perf_counter()
    # Its own session (process group), so a hang is killed together with everything it started.
    child = subprocess.Popen(
        [python or sys.executable, "-c", _CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    readers = [_BoundedReader(child.stdout), _BoundedReader(child.stderr)]
    try:
        child.stdin.write(json.dumps(request).encode())
        child.stdin.close()
    except OSError:
        pass  # it died before reading: its exit status and output say why
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(child)
        child.wait()
        stdout, stderr = (reader.text(grace=1.0) for reader in readers)
        return attempt(LoadOutcome.TIMEOUT, time.perf_counter() - start, stderr), {}
    # A grandchild that left the process group may hold the pipes open: wait a moment, not forever.
    stdout, stderr = (reader.text(grace=2.0) for reader in readers)
    elapsed = time.perf_counter() - start
    report = _report(stdout)
    if report is None:
        detail = f"exit status {child.returncode}"
        if child.returncode < 0:
            detail = f"killed by signal {signal.Signals(-child.returncode).name}"
        return attempt(LoadOutcome.CRASHED, elapsed, stderr, error=f"the loading process died ({detail})"), {}
    raw_registered = report.get("registered")
    registered = (
        {str(k): bool(v) for k, v in raw_registered.items()} if isinstance(raw_registered, dict) else {}
    )
    if report.get("outcome") == "loaded":
        seconds = report.get("seconds")
        return attempt(
            LoadOutcome.LOADED, float(seconds) if isinstance(seconds, (int, float)) else elapsed, stderr
        ), registered
    message = str(report.get("error_message", ""))
    stage = str(report.get("stage", ""))
    if stage != "loading the model":
        message = f"while {stage}: {message}"
    return attempt(
        LoadOutcome.FAILED, elapsed, stderr, str(report.get("error_type", "")), message
    ), registered


class _BoundedReader:
    """Drains one of the child's pipes in a thread, keeping the first and the last OUTPUT_KEEP bytes:
    a model that logs gigabytes costs this much memory, and the verdict line (last) is kept."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._head = bytearray()
        self._tail: collections.deque[bytes] = collections.deque()
        self._tail_size = 0
        self._dropped = 0
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        with contextlib.suppress(OSError, ValueError), self._stream:
            while chunk := self._stream.read1(65536):
                room = OUTPUT_KEEP - len(self._head)
                if room > 0:
                    self._head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self._tail.append(chunk)
                    self._tail_size += len(chunk)
                    while self._tail_size - len(self._tail[0]) >= OUTPUT_KEEP:
                        self._tail_size -= len(self._tail[0])
                        self._dropped += len(self._tail.popleft())

    def text(self, grace: float) -> str:
        self._thread.join(grace)
        tail = b"".join(self._tail)
        middle = f"\n[... {self._dropped} bytes of output not kept ...]\n".encode() if self._dropped else b""
        return (bytes(self._head) + middle + tail).decode("utf-8", errors="replace")


#: How much of each of the loading process's output streams is kept, at its start and at its end.
OUTPUT_KEEP = 1 * 2**20


def _kill(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def _report(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(_MARKER):
            try:
                value = json.loads(line[len(_MARKER) :])
            except json.JSONDecodeError:
                return None
            return value if isinstance(value, dict) else None
    return None


# --- reading TensorFlow's error messages ----------------------------------------------------------------

_NOT_REGISTERED = re.compile(r"Op type not registered '(?P<op>[^']+)'")
_NO_KERNEL = re.compile(
    r"No OpKernel was registered to support Op '(?P<op>[^']+)'(?: used by \{\{node (?P<node>[^}]+)\}\})?"
)
_NO_FILE = re.compile(
    r"(?:Failed to find any matching files for |^)(?P<path>\S+?)(?:;| )?\s*No such file or directory|Failed to find any matching files for (?P<pattern>\S+)",
    re.M,
)
_TRUNCATED = re.compile(r"Read less bytes than requested|truncated|Data loss|DataLossError|corrupted", re.I)
_CORRUPT_PROTO = re.compile(
    r"Error parsing message|Unable to parse|DecodeError|SavedModel file does not exist", re.I
)
_VERSION = re.compile(r"(?:GraphDef )?min(?:imum)? consumer|producer version|is above current", re.I)


def explain_load_error(view: SavedModelView, load: LoadAttempt) -> list[Problem]:
    """Turn the load's outcome into problems, located through the view where the message names ops."""
    if load.outcome is LoadOutcome.TIMEOUT:
        return [
            Problem(
                ProblemKind.TIMEOUT,
                True,
                f"loading did not finish within {load.timeout:g} s and was killed",
                "raise --timeout if the model is simply large; otherwise look for init-op work (tables, asset "
                "reads) or an op library that blocks at load (--verbose shows the child's log)",
            )
        ]
    message = load.error_message
    found: list[Problem] = []
    for match in _NOT_REGISTERED.finditer(message):
        found.append(op_problem(view, ProblemKind.UNREGISTERED_OP, match.group("op")))
    for match in _NO_KERNEL.finditer(message):
        found.append(
            op_problem(view, ProblemKind.MISSING_KERNEL, match.group("op"), match.group("node") or "")
        )
    if found:
        return _unique(found)
    first_line = message.strip().splitlines()[0] if message.strip() else load.error_type or "unknown error"
    if load.outcome is LoadOutcome.CRASHED:
        return [Problem(ProblemKind.LOAD_ERROR, True, message, "run with --verbose to see the child's log")]
    missing = _NO_FILE.search(message)
    if missing:
        path = missing.group("path") or missing.group("pattern") or ""
        return [
            Problem(
                ProblemKind.MISSING_FILE,
                True,
                f"TensorFlow could not find {path}: {first_line}",
                "copy the whole SavedModel directory, variables/ and assets/ included",
                file=path,
            )
        ]
    if _TRUNCATED.search(message):
        return [
            Problem(
                ProblemKind.TRUNCATED_FILE,
                True,
                f"a variables file is truncated or corrupt: {first_line}",
                "copy variables/ again from the original export",
            )
        ]
    if _CORRUPT_PROTO.search(message):
        return [
            Problem(
                ProblemKind.CORRUPT_FILE,
                True,
                first_line,
                "copy saved_model.pb again, or re-export the model",
            )
        ]
    if _VERSION.search(message):
        return [
            Problem(
                ProblemKind.VERSION, True, first_line, "load it with the TensorFlow that wrote it, or newer"
            )
        ]
    return [
        Problem(
            ProblemKind.LOAD_ERROR,
            True,
            f"{load.error_type or 'error'}: {first_line}",
            "see the full message with --verbose",
        )
    ]


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen: list[Problem] = []
    for problem in problems:
        if problem not in seen:
            seen.append(problem)
    return seen


def unreadable(model_file: Path, problem: str) -> Diagnosis:
    """The diagnosis for a saved_model.pb that cannot even be read: nothing else can be checked."""
    return Diagnosis(
        ModelRef(model_file.parent),
        (
            Problem(
                ProblemKind.CORRUPT_FILE,
                True,
                f"{model_file.name} cannot be read: {problem}",
                "copy the file again from the original export (an interrupted copy truncates it), or re-export",
                file=str(model_file),
            ),
        ),
    )
