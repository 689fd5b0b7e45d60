"""Auditing many models: each in a worker process under a time and a memory limit, one JSON record per
model, cached by the model's content and the rules' version.

    records = scan(find_models(["registry/"]), ScanOptions(policy=Policy()), jobs=2, on_record=print)

A worker is a long-lived child process (forked where the platform allows: no start-up per model) that
audits one model at a time. A model that overruns `timeout` has its worker killed and replaced (a
`timeout` record); a model that exhausts `max_memory_mb` fails its allocation inside the worker (an `oom`
record); a model the reader refuses is an `error` record. None of them stops the scan. `scan` (the
command) and `inspector.beam` (many machines) write the same records, built here.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from inspector import __version__
from inspector._internal.audit import Policy, audit_meta_graphs
from inspector._internal.contenthash import content_hash
from inspector._internal.errors import InspectorError, UndecodableError
from inspector.results.common import Verdict
from inspector.results.scan import (
    ScanRecord,
    ScanResult,
    ScanStatus,
    ScanSummary,
    SignatureRecord,
    WalkSummary,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from inspector._internal.discover import Discovery
    from inspector._internal.signing import Verifier

#: Bumped when a record's fields change meaning; adding a field keeps it.
RECORD_VERSION = 1
#: About what decoding a byte of saved_model.pb costs in memory (upb's messages, then the view's index):
#: when a decode fails under a memory limit and this much cannot be had, memory failed it, not the bytes.
DECODED_PER_BYTE = 8
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_MEMORY_MB = 4096


@dataclass(frozen=True)
class ScanOptions:
    """What every model of a scan is audited with: the audit's own options, and the limits."""

    policy: Policy
    baseline: frozenset[str] = frozenset()
    tags: tuple[str, ...] | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB  # 0: no limit
    cache_dir: Path | None = None
    # --require-signature: each model's signature (MODEL.sig beside it) is verified with this, every run
    # (the cache keys the audit by the model's content; the signature beside it is checked anew).
    verifier: Verifier | None = None

    def rules_version(self) -> str:
        """What a cached record depends on besides the model: inspector and its rules' code and data,
        the policy, the baseline and the tags; and the installed TensorFlow, which rules read."""
        digest = hashlib.sha256()
        for part in (__version__, RECORD_VERSION, repr(self.policy), sorted(self.baseline), self.tags):
            digest.update(repr(part).encode() + b"\0")
        for source in _rule_sources():
            digest.update(source)
        # The installed TensorFlow, whichever rules run: INS007 reads its version headers, INS004 picks the
        # snapshot release nearest to it (and --live-registry asks it). Read from its metadata, not imported.
        from inspector._internal.installed import tensorflow_distribution

        digest.update(repr(tensorflow_distribution()).encode())
        return digest.hexdigest()[:16]


def _rule_sources() -> Iterator[bytes]:
    """The audit's code and the data it reads (op catalogue, registry snapshot), in a stable order."""
    package = resources.files("inspector")
    stack = [package.joinpath("_internal", "audit"), package.joinpath("data")]
    files = []
    while stack:
        folder = stack.pop()
        for item in folder.iterdir():
            if item.is_dir():
                stack.append(item)
            elif item.name.endswith((".py", ".json", ".txt", ".toml", ".pb")):
                files.append(item)
    for item in sorted(files, key=lambda entry: str(entry)):
        yield str(item.name).encode() + b"\0" + item.read_bytes()
    for module in (
        "riskyops.py",
        "routes.py",
        "reach.py",
        "checkpointplumbing.py",
        "integrity.py",
        "callgraph.py",
        "nestedgraphs.py",
        "foldercontents.py",
    ):
        yield package.joinpath("_internal", module).read_bytes()


# --- one model ------------------------------------------------------------------------------------------


def audit_record(path: Path, options: ScanOptions, rules_version: str) -> ScanRecord:
    """The record of one model: read from the cache when its content and the rules are unchanged,
    otherwise audited (and cached). Never raises for the model's sake: a bad model is an `error` record."""
    started = time.monotonic()
    content = content_hash(path)
    for cache_file in _cache_files(options, content, rules_version):
        cached = _read_cached(cache_file, path)
        if cached is not None:
            return replace(_with_signature(cached, path, options), cached=True, seconds=_since(started))
    record = replace(_audited(path, options), content_hash=content, rules_version=rules_version)
    remember(record, options)
    return replace(_with_signature(record, path, options), seconds=_since(started))


def _with_signature(record: ScanRecord, path: Path, options: ScanOptions) -> ScanRecord:
    """The record with its model's signature checked (--require-signature): a model whose signature is
    missing or does not verify is `unsigned`, whatever its audit said (unless the audit could not run)."""
    if options.verifier is None:
        return record
    from inspector._internal.signing import check_signature, signature_beside

    try:
        check = check_signature(path, signature_beside(path), options.verifier)
        signature = SignatureRecord(check.verified, check.signed_by, check.problems())
    except InspectorError as error:
        signature = SignatureRecord(False, options.verifier.describe(), (str(error),))
    unsigned = not signature.verified and record.status in (ScanStatus.OK, ScanStatus.FINDINGS)
    status = ScanStatus.UNSIGNED if unsigned else record.status
    return replace(record, signature=signature, status=status, exit_code=status.exit_code)


def remember(record: ScanRecord, options: ScanOptions) -> None:
    """Cache a record under its model's content and the rules; a timeout or oom also under the limits it
    ran out of (a rerun with the same limits would only spend them again: the huge model every night)."""
    files = _cache_files(options, record.content_hash, record.rules_version or "")
    if files:
        _write_cached(files[1] if record.status.limited else files[0], record)


def with_content(record: ScanRecord, options: ScanOptions, rules_version: str) -> ScanRecord:
    """A record the parent made (its worker timed out or died) with the model's content hash, cached."""
    record = replace(record, content_hash=content_hash(Path(record.path)), rules_version=rules_version)
    remember(record, options)
    return record


def _audited(path: Path, options: ScanOptions) -> ScanRecord:
    from inspector._internal.loader import load_all
    from inspector._internal.render.jsonfmt import envelope, to_jsonable

    try:
        views = load_all(path, tags=options.tags)  # every meta graph, unless --tags picks one
        result = audit_meta_graphs(views, options.policy, options.baseline)
        # The document `audit --format json` writes, as data: the record is written as JSON once, whole.
        document = envelope(result, to_jsonable(result))
    except MemoryError:
        return error_record(path, ScanStatus.OOM, f"over the {options.max_memory_mb} MB memory limit")
    except UndecodableError as error:
        if options.max_memory_mb > 0 and not _could_allocate(DECODED_PER_BYTE * error.size):
            message = (
                f"{error.path}: {error.size} bytes could not be decoded within the "
                f"{options.max_memory_mb} MB memory limit"
            )
            return error_record(path, ScanStatus.OOM, message)
        return error_record(path, ScanStatus.ERROR, str(error))
    except InspectorError as error:
        return error_record(path, ScanStatus.ERROR, str(error))
    except RecursionError:  # only a model nests this deep (inspector's own walks are iterative)
        return error_record(path, ScanStatus.ERROR, f"{path}: nested too deeply to read")
    except Exception as error:  # a bug in inspector: this model's record says so, the scan goes on
        said = str(error).splitlines()[0][:200] if str(error).strip() else ""
        message = f"internal error: {type(error).__name__}{': ' + said if said else ''} (a bug in inspector)"
        return error_record(path, ScanStatus.ERROR, message)
    verdict = result.verdict
    status = {Verdict.FAILED: ScanStatus.FINDINGS, Verdict.INCOMPLETE: ScanStatus.ERROR}.get(
        verdict, ScanStatus.OK
    )
    return ScanRecord(
        path=str(path),
        status=status,
        verdict=verdict,
        exit_code=status.exit_code,
        findings=len(result.findings),
        counts={count.severity.label: count.findings for count in result.counts},
        error=f"{len(result.failed_rules)} rules could not run" if verdict is Verdict.INCOMPLETE else None,
        audit=document,
    )


def _could_allocate(size: int) -> bool:
    """Whether this process may allocate `size` bytes more (under its memory limit)."""
    try:
        probe = bytearray(size)
    except MemoryError:
        return False
    del probe
    return True


def error_record(path: Path | str, status: ScanStatus, message: str) -> ScanRecord:
    return ScanRecord(str(path), status, None, status.exit_code, 0, {}, message)


def line_of(item: ScanRecord | ScanSummary) -> str:
    """One JSON line: `record` first, then the fields; ASCII only (no model string reaches a terminal raw)."""
    from inspector._internal.render.jsonfmt import to_jsonable

    return json.dumps({"record": item.record, **to_jsonable(item)}, ensure_ascii=True, separators=(",", ":"))


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def _cache_files(options: ScanOptions, content: str | None, rules_version: str) -> list[Path]:
    """Where a model's record is cached: under its content and the rules; and, for a model that ran out
    of time or memory, under those and the limits too. None without a cache, or for a model too large to
    hash."""
    if options.cache_dir is None or content is None:
        return []
    limits = f"timeout {options.timeout:g} memory {options.max_memory_mb}"
    keys = [f"{content} {rules_version}", f"{content} {rules_version} {limits}"]
    digests = [hashlib.sha256(key.encode()).hexdigest() for key in keys]
    return [options.cache_dir / digest[:2] / f"{digest}.json" for digest in digests]


def _read_cached(path: Path, model: Path) -> ScanRecord | None:
    """A cached record as `model`'s, or None when there is none (or it is unreadable or of another
    shape: then the model is audited again)."""
    from inspector._internal.fileio import read_regular_file

    try:
        if path.is_symlink():
            return None
        data = json.loads(read_regular_file(path, 256 * 2**20, "cached record"))
        verdict = data["verdict"]
        return ScanRecord(
            path=str(model),
            status=ScanStatus(data["status"]),
            verdict=None if verdict is None else Verdict(verdict),
            exit_code=int(data["exit_code"]),
            findings=int(data["findings"]),
            counts=dict(data["counts"]),
            error=data["error"],
            content_hash=data["content_hash"],
            rules_version=data["rules_version"],
            audit=data["audit"],
        )
    except (InspectorError, ValueError, OSError, KeyError, TypeError):
        return None


def _write_cached(path: Path, record: ScanRecord) -> None:
    """Atomically, never through a link: a new file beside it, renamed into place. A cache that cannot
    be written costs a rerun time, never a record. What is the run's (path, cached, seconds) stays out."""
    from inspector._internal.fileio import write_output

    with contextlib.suppress(OSError):
        if path.parent.is_symlink():
            return
        path.parent.mkdir(exist_ok=True)
        write_output(path, [line_of(replace(record, path="", cached=False, seconds=0.0))])


# --- many models, in workers ------------------------------------------------------------------------------


def _worker_main(connection: Any, options: ScanOptions, rules_version: str, parent: int) -> None:
    """A worker: limits set once, then one model per request until the parent closes the pipe or dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the scan stops
    _die_with(parent)
    limit_memory(options.max_memory_mb)
    # Imported before the first model's clock starts (a spawned worker starts from nothing).
    import inspector._internal.loader
    import inspector._internal.render.jsonfmt  # noqa: F401

    connection.send(READY)
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        record = audit_record(Path(request), options, rules_version)
        try:
            connection.send(record)
        except OSError:  # the parent is gone: nobody to answer
            return
        if record.status is ScanStatus.OOM:
            return  # after a failed allocation, start afresh
        # The command runs with the cyclic collector off (one model, then exit); a worker audits hundreds,
        # so the cycles one model leaves are freed before the next: the young generation only, as a full
        # collection would walk every module's objects each time (it made a scan twice as slow).
        gc.collect(0)


def _die_with(parent: int) -> None:
    """End when the parent does, however it ends (killed, `| head`, an exit that skips cleanup). A forked
    worker also holds the pipes of the workers forked before it, so none of them would see its pipe close:
    on Linux the kernel sends the signal; elsewhere the worker sees its pipe close or fails to answer."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl here (macOS, Windows)
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(0)


READY = "ready"
#: How long a new worker may take to start (spawning one imports inspector afresh).
START_TIMEOUT = 120.0


def limit_memory(megabytes: int) -> None:
    """Cap the data this process may allocate: an allocation past it fails (MemoryError), so a huge or
    hostile model ends its own audit, not the machine. RLIMIT_DATA counts heap and anonymous maps only,
    not the shared libraries every Python maps."""
    if megabytes <= 0:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the timeout still holds
        return

    which = getattr(resource, "RLIMIT_DATA", resource.RLIMIT_AS)
    _, hard = resource.getrlimit(which)
    wanted = megabytes * 2**20
    resource.setrlimit(which, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


class Worker:
    """A worker process: forked where the platform allows (no start-up per model), else spawned; a host
    that runs threads of its own (a Beam runner) asks for `spawn`, as a fork copies their locks."""

    def __init__(
        self, options: ScanOptions, rules_version: str, start_method: Literal["fork", "spawn"] | None = None
    ) -> None:
        import multiprocessing

        if start_method is None:
            start_method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context = (
            multiprocessing.get_context("fork")
            if start_method == "fork"
            else multiprocessing.get_context("spawn")
        )
        self.options, self.rules_version = options, rules_version
        self.start_method: Literal["fork", "spawn"] = start_method
        self.connection: Connection
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, options, rules_version, os.getpid()), daemon=True
        )
        self.process.start()
        child.close()
        self.path: Path | None = None
        self.deadline = 0.0
        self.started = 0.0
        self.ready = False

    def give(self, path: Path) -> None:
        if not self.ready:  # a model's time starts when its worker can take it
            try:
                started = self.connection.poll(START_TIMEOUT) and self.connection.recv() == READY
            except (EOFError, OSError):
                started = False
            if not started:
                raise InspectorError(f"a worker process did not start within {START_TIMEOUT:g} s")
            self.ready = True
        self.path, self.started = path, time.monotonic()
        self.deadline = self.started + self.options.timeout
        with contextlib.suppress(OSError):  # a worker gone since its last model: answer() says how
            self.connection.send(str(path))

    def answer(self) -> ScanRecord:
        """The record of the model given, once the worker has answered (or died: then it says how)."""
        assert self.path is not None
        try:
            record: ScanRecord = self.connection.recv()
        except (EOFError, OSError):
            died = replace(_died(self, self.options), seconds=_since(self.started))
            record = with_content(died, self.options, self.rules_version)
        return record

    def timed_out(self) -> ScanRecord:
        assert self.path is not None
        message = f"not finished in {self.options.timeout:g} s: its worker was stopped"
        record = replace(error_record(self.path, ScanStatus.TIMEOUT, message), seconds=_since(self.started))
        return with_content(record, self.options, self.rules_version)

    def healthy(self, record: ScanRecord) -> bool:
        """Fit for the next model: alive, and not after a failed allocation."""
        return record.status is not ScanStatus.OOM and bool(self.process.is_alive())

    def replacement(self) -> Worker:
        self.stop()
        return Worker(self.options, self.rules_version, self.start_method)

    def audit(self, path: Path) -> tuple[ScanRecord, Worker]:
        """One model, waited for: its record, and the worker to use next (this one, or a new one when
        this one timed out or died)."""
        worker = self if self.process.is_alive() else self.replacement()  # died between models
        worker.give(path)
        if worker.connection.poll(worker.options.timeout):
            record = worker.answer()
            return record, (worker if worker.healthy(record) else worker.replacement())
        return worker.timed_out(), worker.replacement()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


def scan(
    models: Iterable[Path],
    options: ScanOptions,
    jobs: int,
    on_record: Callable[[ScanRecord], None],
) -> None:
    """Audit each model in one of `jobs` workers; `on_record` gets each model's record as it finishes
    (in the order they finish)."""
    from multiprocessing.connection import wait

    rules_version = options.rules_version()
    pending = iter(models)
    idle: list[Worker] = [Worker(options, rules_version) for _ in range(max(1, jobs))]
    busy: dict[Connection, Worker] = {}
    exhausted = False
    try:
        while True:
            while idle and not exhausted:
                path = next(pending, None)
                if path is None:
                    exhausted = True
                    break
                worker = idle.pop()
                if not worker.process.is_alive():  # died between models: no model of its own to blame
                    worker = worker.replacement()
                worker.give(path)
                busy[worker.connection] = worker
            if not busy:
                return
            soonest = min(worker.deadline for worker in busy.values())
            # A worker is back among the idle before its record is handed on: if handing it on fails
            # (the reader of stdout left), the `finally` stops it with the others.
            for ready in wait(list(busy), timeout=max(0.0, soonest - time.monotonic())):
                worker = busy.pop(cast("Connection", ready))  # wait() hands back what it was given
                record = worker.answer()
                idle.append(worker if worker.healthy(record) else worker.replacement())
                on_record(record)
            now = time.monotonic()
            for connection, worker in list(busy.items()):
                if now >= worker.deadline:
                    del busy[connection]
                    record = worker.timed_out()
                    idle.append(worker.replacement())
                    on_record(record)
    finally:
        for worker in [*idle, *busy.values()]:
            worker.stop()


def scan_models(
    models: list[Path],
    discovery: Discovery,
    options: ScanOptions,
    jobs: int,
    on_record: Callable[[ScanRecord], None] | None = None,
) -> ScanResult:
    """`scan` collected: every model's record (in the order they finished) and the summary, for a caller
    that wants them in hand rather than written as they come (the Python API)."""
    records: list[ScanRecord] = []
    started = time.monotonic()

    def take(record: ScanRecord) -> None:
        records.append(record)
        if on_record is not None:
            on_record(record)

    if models:  # as many workers as models at most: none started to idle
        scan(models, options, min(jobs, len(models)), take)
    summary = summary_of(
        Counter(record.status for record in records),
        models=len(models),
        audited=sum(not record.cached for record in records),
        cached=sum(record.cached for record in records),
        discovery=discovery,
        started=started,
    )
    return ScanResult(tuple(records), summary)


def summary_of(
    statuses: Counter[ScanStatus],
    *,
    models: int,
    audited: int,
    cached: int,
    discovery: Discovery,
    started: float,
) -> ScanSummary:
    """The scan's last line; models neither audited nor cached were resumed from an earlier output."""
    return ScanSummary(
        models=models,
        audited=audited,
        cached=cached,
        resumed=models - audited - cached,
        statuses={status.value: statuses.get(status, 0) for status in ScanStatus},
        # A walk cut short is never "all ok": what was not looked for was not passed (exit 2).
        exit_code=max(
            [*(status.exit_code for status in statuses), 2 if discovery.too_deep or discovery.stopped else 0]
        ),
        seconds=_since(started),
        walk=WalkSummary(
            discovery.entries, discovery.links_skipped, tuple(discovery.too_deep[:100]), discovery.stopped
        ),
    )


def _died(worker: Worker, options: ScanOptions) -> ScanRecord:
    """A worker that ended without answering: killed by the kernel or a library's abort (most often an
    allocation past the limit that C++ code could not turn into an exception), or a crash."""
    assert worker.path is not None
    worker.process.join(5)
    code = worker.process.exitcode
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
    if options.max_memory_mb > 0 and code in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV):
        message = f"its worker died ({how}) under the {options.max_memory_mb} MB memory limit"
        return error_record(worker.path, ScanStatus.OOM, message)
    return error_record(worker.path, ScanStatus.ERROR, f"its worker died ({how})")
