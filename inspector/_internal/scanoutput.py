"""`inspector scan` on one machine: the JSON-lines output (appended as models finish, resumed when it
holds some already), the progress bar, and the summary. The auditing itself is `inspector._internal.scanworkers`'s.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from inspector._internal.discover import Discovery, is_model_folder
from inspector._internal.errors import InspectorError, ReaderGone
from inspector._internal.fileio import NO_FOLLOW, NON_BLOCKING, output_problem, write_output
from inspector._internal.scanworkers import ScanOptions, line_of, scan, summary_of
from inspector.results.scan import ScanRecord, ScanStatus, ScanSummary


def run_scan(
    models: list[Path],
    discovery: Discovery,
    options: ScanOptions,
    jobs: int,
    output: Path | None,
    *,
    table: bool = False,
) -> int:
    """`table`: stdout is a person's terminal -- a row per model as it finishes, not its JSON record."""
    if output is not None:
        _check_output(output)
    if options.cache_dir is not None:
        _check_output(options.cache_dir, "--cache")  # before the cache folder is made
        _check_cache(options.cache_dir)
    done = _resume(output) if output is not None else {}
    todo = [model for model in models if str(model) not in done]
    statuses = Counter(done[str(model)] for model in models if str(model) in done)
    cached = 0
    started = time.monotonic()
    # A bar only where it has the terminal to itself: records going to the same terminal would tear it.
    bar = sys.stderr.isatty() and (output is not None or not sys.stdout.isatty())
    with _records(output) as sink, _progress(len(todo) if bar else 0) as advance:

        def on_record(record: ScanRecord) -> None:
            nonlocal cached
            statuses[record.status] += 1
            cached += record.cached
            _put(sink, row_of(record) if table else line_of(record), output)
            advance(record.status)

        if todo:  # as many workers as models at most: none started to idle
            scan(todo, options, min(jobs, len(todo)), on_record)
        summary = summary_of(
            statuses,
            models=len(models),
            audited=len(todo) - cached,
            cached=cached,
            discovery=discovery,
            started=started,
        )
        if not table:
            _put(sink, line_of(summary), output)
    sys.stderr.write(_said(summary) + "\n")
    return summary.exit_code


def row_of(record: ScanRecord) -> str:
    """A model as a table row for a person: its status, path, findings by severity, and the first finding
    (or what stopped it). Model strings are made visible: a path cannot draw on the terminal."""
    from inspector._internal.render.safe import visible

    counts = ", ".join(f"{n} {severity}" for severity, n in record.counts.items() if n)
    said = record.error or ""
    if not said and record.signature is not None and not record.signature.verified:
        said = "unsigned: " + "; ".join(record.signature.problems[:2])
    findings = (record.audit or {}).get("result", {}).get("findings", []) if record.audit else []
    if not said and findings:
        first = findings[0]
        said = f"{first.get('rule_id', '')} {first.get('message', '')}"
    cells = [f"{record.status.value:<8}", record.path, counts or ("cached" if record.cached else "")]
    line = "  ".join(cell for cell in cells if cell)
    if said:
        line += f"  — {said[:160]}"
    return visible(line)


def _put(sink: IO[str], text: str, output: Path | None) -> None:
    """One line, flushed: a record is on disk (or with the reader) as soon as its model is done."""
    try:
        sink.write(text + "\n")
        sink.flush()
    except BrokenPipeError:
        if output is None:
            raise ReaderGone from None  # `| head`: the reader has what it wanted
        raise
    except OSError as error:
        where = output if output is not None else "standard output"
        raise InspectorError(f"{where}: cannot write ({error.strerror or error})") from error


def _said(summary: ScanSummary) -> str:
    counts = ", ".join(f"{count} {status}" for status, count in summary.statuses.items() if count)
    parts = [f"inspector: {summary.models} models ({counts or 'none'})"]
    if summary.cached or summary.resumed:
        parts.append(f"{summary.cached} from the cache, {summary.resumed} already in the output")
    parts.append(f"{summary.seconds:.1f} s")
    if summary.walk.stopped:
        parts.append("the walk stopped at its entry limit: models beyond it were not looked for")
    if summary.walk.too_deep:
        parts.append(f"{len(summary.walk.too_deep)} folders too deep to walk")
    return "; ".join(parts)


def _check_output(path: Path, option: str = "--output") -> None:
    """Never inside a model (the scan's or any other): inspector does not write into what it reads. One
    look at the output's own folders, however many models the scan holds."""
    absolute = Path(os.path.normpath(path.absolute()))
    for folder in absolute.parents:
        if is_model_folder(folder):
            raise InspectorError(
                f"{path}: is inside the model {folder}: inspector never modifies what it reads ({option})"
            )


def _check_cache(cache: Path) -> None:
    if cache.is_symlink() or (cache.exists() and not cache.is_dir()):
        raise InspectorError(f"{cache}: not a folder (--cache; inspector does not write through links)")
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InspectorError(f"{cache}: cannot make the cache folder ({error.strerror or error})") from error


def _resume(output: Path) -> dict[str, ScanStatus]:
    """The models an earlier run of the same output recorded, with their status, read a line at a time (a
    registry's records run to gigabytes: only the paths are kept). Lines that are not a model's record (a
    summary, a line cut short when a run was stopped, a model recorded twice) are dropped from the file."""
    problem = output_problem(output, [])
    if problem:
        raise InspectorError(f"{output}: {problem} (--output)")
    if not output.exists():
        return {}
    done: dict[str, ScanStatus] = {}
    dropped = 0
    with _lines(output) as lines:
        for line in lines:
            found = _recorded_model(line)
            if found is None or found[0] in done:
                dropped += 1
            else:
                done[found[0]] = found[1]
    if dropped:
        with _lines(output) as lines:  # again, keeping each model's first whole record
            seen: set[str] = set()

            def kept() -> Iterator[str]:
                for line in lines:
                    found = _recorded_model(line)
                    if found is not None and found[0] not in seen:
                        seen.add(found[0])
                        yield line

            write_output(output, kept())
    return done


@contextmanager
def _lines(path: Path) -> Iterator[Iterator[str]]:
    """A records file's lines, the file opened as a regular file and never through a link."""
    flags = os.O_RDONLY | NO_FOLLOW | NON_BLOCKING
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise InspectorError(f"{path}: cannot be read ({error.strerror or error}) (--output)") from error
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise InspectorError(f"{path}: not a regular file (--output)")
    with os.fdopen(descriptor, encoding="utf-8", errors="replace", newline="\n") as handle:
        yield iter(handle)


_STATUSES = {status.value: status for status in ScanStatus}


def _recorded_model(line: str) -> tuple[str, ScanStatus] | None:
    """A whole line holding a model's record: its path and status (not a summary, not a line a stopped
    run cut short)."""
    if not line.endswith("\n"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("record") != "model":
        return None
    path, status = record.get("path"), record.get("status")
    if not isinstance(path, str) or not isinstance(status, str) or status not in _STATUSES:
        return None
    return path, _STATUSES[status]


@contextmanager
def _records(output: Path | None) -> Iterator[IO[str]]:
    if output is None:
        yield sys.stdout
        return
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | NO_FOLLOW
    try:
        descriptor = os.open(output, flags, 0o666)
    except OSError as error:
        raise InspectorError(f"{output}: cannot write ({error.strerror or error}) (--output)") from error
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        yield handle


@contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A bar of `total` models on stderr (rich, refreshed on each record: no thread, so workers forked
    meanwhile inherit none); nothing for 0."""
    if total == 0:
        yield lambda _status: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[said]}"),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        auto_refresh=False,
        transient=True,
    )
    seen: Counter[str] = Counter()
    with progress:
        task = progress.add_task("scan", total=total, said="")

        def advance(status: str) -> None:
            seen[status] += 1
            said = " ".join(f"{count} {name}" for name, count in sorted(seen.items()))
            progress.update(task, advance=1, said=said)
            progress.refresh()

        yield advance
