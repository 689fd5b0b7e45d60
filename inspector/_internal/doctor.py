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
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector._internal.providers import registration_fix
from inspector._internal.tferrors import LoadFailure, missing_kernels, read_load_error, unregistered_op_types
from inspector._internal.view import INIT_OP_SIGNATURE, TOP_LEVEL, Frame, SavedModelView, namespace_of
from inspector.results.audit import Finding, Reach, Severity
from inspector.results.common import ModelRef
from inspector.results.doctor import Diagnosis, LoadAttempt, LoadOutcome, Problem, ProblemKind

DEFAULT_TIMEOUT = 120.0


# --- static checks --------------------------------------------------------------------------------------


def diagnose(
    view: SavedModelView,
    *,
    try_load: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    op_libraries: Sequence[str] = (),
    imports: Sequence[str] = (),
    registry: bool = True,
    live_registry: bool = False,
    python: str | None = None,
    allow_risky_load: bool = False,
) -> Diagnosis:
    static, notices = static_problems(view, registry=registry, live_registry=live_registry)
    unregistered = [p for p in static if p.kind is ProblemKind.UNREGISTERED_OP]
    problems = [p for p in static if p.kind is not ProblemKind.UNREGISTERED_OP]
    load = None
    risky = [] if not try_load or allow_risky_load else risky_at_load(view)
    if risky:
        # Loading runs them on this machine: the audit's verdict decides, before any child process starts.
        load = LoadAttempt(
            LoadOutcome.REFUSED,
            0.0,
            timeout,
            error_message=f"loading runs {len(risky)} risky op{'s' if len(risky) != 1 else ''} "
            "(file, Python, network or process) on this machine; --allow-risky-load loads it anyway",
            python=python or "",
        )
        problems += [_problem_of(view, finding, [finding], ProblemKind.RISKY_LOAD) for finding in risky]
        problems += unregistered
    elif try_load:
        load, child = _try_load(view, timeout, op_libraries, imports, python)
        # Ops that the libraries or imports given to the load registered are not problems.
        unregistered = [p for p in unregistered if not child.registered.get(p.op_type, False)]
        problems += unregistered
        problems += xla_module_problems(view, child)
        if load.outcome is not LoadOutcome.LOADED:
            # The load error names what the static checks found already (an unregistered op): one problem.
            known = {(p.kind, p.op_type) for p in problems if p.op_type}
            problems += [
                p
                for p in explain_load_error(view, load)
                if p not in problems and not (p.op_type and (p.kind, p.op_type) in known)
            ]
    else:
        problems += unregistered
        if op_libraries or imports or python:
            notices.append("--op-library, --import and --python take effect with --try-load")
    return Diagnosis(ModelRef.of(view), tuple(problems), load, tuple(notices))


#: XlaCallModule versions the TensorFlow releases run whose `call_module_maximum_supported_version` the
#: child cannot ask (measured: TF 2.13 refuses version 10, "Must be <= 5").
XLA_CALL_MODULE_MAX = {"2.13": 5}
#: TensorFlow's device types -> the XlaCallModule platforms that run on them.
_PLATFORMS = {"CPU": ("CPU",), "GPU": ("CUDA", "ROCM"), "TPU": ("TPU",)}


def xla_module_problems(view: SavedModelView, child: ChildReport) -> list[Problem]:
    """jax2tf / orbax modules the loading TensorFlow cannot run: a serialization version above its maximum,
    or platforms none of its devices are. The load passes; the first call fails."""
    from inspector._internal.xlamodules import xla_modules

    modules = xla_modules(view)
    if not modules or not child.tensorflow:
        return []
    line = ".".join(child.tensorflow.split(".")[:2])
    most = (
        child.xla_call_module_max if child.xla_call_module_max is not None else XLA_CALL_MODULE_MAX.get(line)
    )
    runs_on = {platform for device in child.devices for platform in _PLATFORMS.get(device, ())}
    problems = []
    for module in modules:
        if most is not None and module.version > most:
            problems.append(
                Problem(
                    ProblemKind.XLA_MODULE,
                    True,
                    f"{module.node_key} is an XlaCallModule of serialization version {module.version}; TensorFlow "
                    f"{child.tensorflow} runs versions up to {most}: the model loads, and its first call fails",
                    "serve it with a newer TensorFlow, or export it again with a jax2tf serialization version "
                    f"up to {most}",
                    op_type="XlaCallModule",
                    node_key=module.node_key,
                    functions=(module.function,),
                )
            )
        if runs_on and module.platforms and not runs_on & set(module.platforms):
            problems.append(
                Problem(
                    ProblemKind.XLA_MODULE,
                    True,
                    f"{module.node_key} was lowered for {', '.join(module.platforms)}; this TensorFlow has "
                    f"{', '.join(child.devices)}: its first call fails",
                    "export it again for this platform (jax2tf's native_serialization_platforms)",
                    op_type="XlaCallModule",
                    node_key=module.node_key,
                    functions=(module.function,),
                )
            )
    return problems


#: The audit rules about loading, and the problem each one's findings are. The doctor's static checks
#: are these rules' findings: one wording and one severity, whichever command reports them.
LOAD_RULES = {
    "INS011": None,  # model files: the finding's own kind (missing-file, truncated-file, ...)
    "INS007": ProblemKind.VERSION,
    "INS004": ProblemKind.UNREGISTERED_OP,
    "INS005": ProblemKind.DEBUG_INFO,  # never a blocker: it weakens every other diagnosis
}
#: Rules whose errors keep the model from loading.
BLOCKING_RULES = frozenset({"INS011", "INS007", "INS004"})


def static_problems(
    view: SavedModelView, *, registry: bool, live_registry: bool = False
) -> tuple[list[Problem], list[str]]:
    """The load rules' findings as problems (an op type's findings as one problem), and their notices."""
    from inspector._internal.audit import Policy, run_rules
    from inspector._internal.audit.rules import RULES

    chosen = [module for module in RULES if module.INFO.id in LOAD_RULES]
    chosen.sort(key=lambda module: list(LOAD_RULES).index(module.INFO.id))
    findings, notices = run_rules(view, Policy(registry=registry, live_registry=live_registry), chosen)
    problems: list[Problem] = []
    by_op: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule_id == "INS004":
            by_op.setdefault(finding.location.op_type, []).append(finding)
            continue
        problems.append(_problem_of(view, finding, [finding]))
    problems += [_problem_of(view, group[0], group) for _, group in sorted(by_op.items())]
    return problems, [notice.message for notice in notices]


def risky_at_load(view: SavedModelView) -> list[Finding]:
    """The audit's INS002 findings that a loader runs at load and that are errors or worse: what
    `--try-load` would run on this machine."""
    from inspector._internal.audit import Policy, run_rules
    from inspector._internal.audit.rules import RULES

    [risky_ops] = [module for module in RULES if module.INFO.id == "INS002"]
    findings, _ = run_rules(view, Policy(registry=False), [risky_ops])
    return [f for f in findings if f.location.reach is Reach.LOAD and f.severity >= Severity.ERROR]


def tensorflow_missing(python: str | None) -> bool:
    """Whether the interpreter that would load the model has no TensorFlow (found without importing it)."""
    if python is None:
        import importlib.util

        return importlib.util.find_spec("tensorflow") is None
    probe = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('tensorflow') else 3)"
    try:
        result = subprocess.run([python, "-c", probe], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return True
    return result.returncode != 0


def _problem_of(
    view: SavedModelView, finding: Finding, group: list[Finding], kind: ProblemKind | None = None
) -> Problem:
    kind = kind or LOAD_RULES[finding.rule_id] or ProblemKind(finding.kind)
    functions = tuple(sorted({f.location.function for f in group if f.location.function}))
    # From the view, not from the finding's words: its routes name init ops, resources and savers too.
    signatures = sorted(
        {
            name
            for function in functions
            for name in view.signatures_reaching(function)
            if name != INIT_OP_SIGNATURE
        }
    )
    aliases = sorted(
        {view.function_aliases[function] for function in functions if function in view.function_aliases}
    )
    sources: dict[tuple[str, int], Frame] = {}
    for f in group:
        if f.location.source is not None:
            sources.setdefault((f.location.source.file, f.location.source.line), f.location.source)
    keys = {f.location.node_key for f in group if f.location.node_key}
    return Problem(
        kind,
        (finding.rule_id in BLOCKING_RULES or kind is ProblemKind.RISKY_LOAD)
        and finding.severity >= Severity.ERROR,
        finding.message,
        finding.fix,
        file=finding.location.file,
        op_type=finding.location.op_type,
        node_key=next(iter(keys)) if len(keys) == 1 else "",
        functions=functions,
        signatures=tuple(signatures),
        aliases=tuple(aliases),
        sources=tuple(sources.values()),
        rule_id=finding.rule_id,
        severity=finding.severity,
    )


def op_problem(view: SavedModelView, kind: ProblemKind, op_type: str, node_name: str = "") -> Problem:
    """A problem about an op type (or one node of it), located through the view."""
    keys = list(view.nodes_by_op.get(op_type, ()))
    if node_name:
        # Error messages name nodes as the loaded graph has them, often inside an inlined call:
        # `StatefulPartitionedCall/NcclAllReduce` is node `NcclAllReduce` of the saved function.
        named = [
            key
            for key, name, _, _ in view.nodes.identities(keys)
            if node_name == name or node_name.endswith("/" + name)
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

#: The child's program, run by path: a module file, so ruff and mypy read it like the rest.
_CHILD = Path(__file__).with_name("loadchild.py")


def _try_load(
    view: SavedModelView,
    timeout: float,
    op_libraries: Sequence[str],
    imports: Sequence[str],
    python: str | None = None,
) -> tuple[LoadAttempt, ChildReport]:
    """Load in a child process: inspector's own interpreter, or `python` -- the serving environment's,
    which has the packages the model needs (the child's code uses only the standard library and
    TensorFlow, so any Python with TensorFlow runs it)."""
    libraries = tuple(str(Path(lib).resolve()) for lib in op_libraries)
    request = {
        "marker": _MARKER,
        "cwd": str(Path.cwd()),  # where --import looks for the user's modules first, as Python would
        "path": str(view.path.absolute()),
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
    with tempfile.TemporaryDirectory(prefix="inspector-try-load-") as scratch:
        return _attempt_in(scratch, python, request, timeout, attempt, start)


@dataclass(frozen=True, slots=True)
class ChildReport:
    """What the loading child says of its TensorFlow, besides the load."""

    registered: dict[str, bool] = field(default_factory=dict)  # op type -> registered there
    tensorflow: str = ""
    devices: tuple[str, ...] = ()  # device types: CPU, GPU, TPU
    xla_call_module_max: int | None = None  # the highest XlaCallModule version it runs, when it says


def _child_report(report: dict[str, Any], registered: dict[str, bool]) -> ChildReport:
    devices = report.get("devices")
    most = report.get("xla_call_module_max")
    return ChildReport(
        registered,
        str(report.get("tensorflow") or ""),
        tuple(str(d) for d in devices) if isinstance(devices, list) else (),
        most if isinstance(most, int) else None,
    )


#: The environment a loading child keeps: what finds Python, its packages and native libraries -- never the
#: caller's tokens and secrets (a load-time ReadFile of /proc/self/environ would put them in the page).
_CHILD_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONPATH", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES")


def _attempt_in(
    scratch: str,
    python: str | None,
    request: dict[str, Any],
    timeout: float,
    attempt: Callable[..., LoadAttempt],
    start: float,
) -> tuple[LoadAttempt, ChildReport]:
    """The load, in a fresh empty working directory that is also its HOME (whatever the model writes
    there is thrown away with it), with a minimal environment."""
    env = {name: os.environ[name] for name in _CHILD_ENV if name in os.environ}
    env.update({"PYTHONUNBUFFERED": "1", "HOME": scratch, "TMPDIR": scratch})
    # Its own session (process group), so a hang is killed together with everything it started.
    child = subprocess.Popen(
        [python or sys.executable, str(_CHILD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
        cwd=scratch,
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
        return attempt(LoadOutcome.TIMEOUT, time.perf_counter() - start, stderr), ChildReport()
    # A grandchild that left the process group may hold the pipes open: wait a moment, not forever.
    stdout, stderr = (reader.text(grace=2.0) for reader in readers)
    elapsed = time.perf_counter() - start
    report = _report(stdout)
    if report is None:
        detail = f"exit status {child.returncode}"
        if child.returncode < 0:
            detail = f"killed by signal {signal.Signals(-child.returncode).name}"
        return attempt(
            LoadOutcome.CRASHED, elapsed, stderr, error=f"the loading process died ({detail})"
        ), ChildReport()
    raw_registered = report.get("registered")
    registered = (
        {str(k): bool(v) for k, v in raw_registered.items()} if isinstance(raw_registered, dict) else {}
    )
    said = _child_report(report, registered)
    if report.get("outcome") == "loaded":
        seconds = report.get("seconds")
        return attempt(
            LoadOutcome.LOADED, float(seconds) if isinstance(seconds, (int, float)) else elapsed, stderr
        ), said
    message = str(report.get("error_message", ""))
    stage = str(report.get("stage", ""))
    if stage != "loading the model":
        message = f"while {stage}: {message}"
    return attempt(LoadOutcome.FAILED, elapsed, stderr, str(report.get("error_type", "")), message), said


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
    for op_type in unregistered_op_types(message):
        found.append(op_problem(view, ProblemKind.UNREGISTERED_OP, op_type))
    for missing_kernel in missing_kernels(message):
        found.append(
            op_problem(view, ProblemKind.MISSING_KERNEL, missing_kernel.op_type, missing_kernel.node)
        )
    if found:
        return _unique(found)
    first_line = message.strip().splitlines()[0] if message.strip() else load.error_type or "unknown error"
    if load.outcome is LoadOutcome.CRASHED:
        return [Problem(ProblemKind.LOAD_ERROR, True, message, "run with --verbose to see the child's log")]
    reading = read_load_error(message)
    if reading.failure is LoadFailure.MISSING_FILE:
        path = reading.path
        return [
            Problem(
                ProblemKind.MISSING_FILE,
                True,
                f"TensorFlow could not find {path}: {first_line}",
                "copy the whole SavedModel directory, variables/ and assets/ included",
                file=path,
            )
        ]
    if reading.failure is LoadFailure.TRUNCATED_FILE:
        return [
            Problem(
                ProblemKind.TRUNCATED_FILE,
                True,
                f"a variables file is truncated or corrupt: {first_line}",
                "copy variables/ again from the original export",
            )
        ]
    if reading.failure is LoadFailure.CORRUPT_FILE:
        return [
            Problem(
                ProblemKind.CORRUPT_FILE,
                True,
                first_line,
                "copy saved_model.pb again, or re-export the model",
            )
        ]
    if reading.failure is LoadFailure.VERSION:
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
