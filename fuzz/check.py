"""One fuzz case: build the mutated model, run every command and format on it in this process, and
check each answer against what the README promises."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fuzz.mutate import build_case

#: The exit statuses the README documents: found nothing / found something / bad input. 3 (internal
#: error) is a bug, which is what the fuzzer hunts.
DOCUMENTED = {0, 1, 2}
CASE_SECONDS = 30

#: HTML our Markdown may render to. Anything else (an <img>, a <script>) came from a model string.
_ALLOWED_TAGS = frozenset(
    [
        "p",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "h1",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "code",
        "strong",
        "em",
        "pre",
        "br",
        "del",
        "blockquote",
        "hr",
    ]
)
_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)")

_LOG = (
    "tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:\n"
    "\tDetected at node 'mul' defined at (most recent call last):\n"
    "  [[{{node mul}}]] [Op:__inference_double_12]\n"
    "Op type not registered 'Acme>Scale' in binary running on host.\n"
)


@dataclass
class Outcome:
    seed: int
    source: str
    mutations: tuple[str, ...] = ()
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


#: One case in this many also scans its model: a worker process per scan costs more than the other
#: commands together, and what the scan adds (one record from a worker, whatever the model) needs no more.
SCAN_EVERY = 4


def _commands(model: Path, source: Path, scratch: Path, seed: int = 0) -> list[list[str]]:
    scanned = seed % SCAN_EVERY == 0
    return [
        ["report", str(model)],
        ["report", str(model), "--format", "json"],
        ["report", str(model), "--format", "markdown", "--whitelist", "Acme"],
        ["trace", str(model)],
        ["trace", str(model), "--op", "*", "--format", "markdown"],
        ["trace", str(model), "--op", "Mul", "--format", "json"],
        ["where", str(model), "module_aliases.py", "--format", "markdown"],
        ["where", str(model), "fixtures/builders/custom_ops.py:20", "--innermost"],
        ["audit", str(model), "--no-registry", "--format", "sarif"],
        ["audit", str(model), "--no-registry", "--format", "markdown"],
        ["audit", str(model), "--no-registry"],
        ["diff", str(source), str(model), "--format", "json"],
        ["diff", str(model), str(model), "--format", "markdown"],
        ["doctor", str(model), "--no-registry", "--format", "json"],
        ["symbolicate", str(model), str(scratch / "error.log")],
        ["scrub", str(model), str(scratch / "out"), "--strip-prefix", "fixtures/"],
        # In a worker process, under the limits: one record (whatever the model does), then the summary.
        *(
            [["scan", str(model), "--no-registry", "--timeout", "20", "--max-memory", "2048"]]
            if scanned
            else []
        ),
    ]


def tree_digest(folder: Path) -> dict[str, str]:
    """Every entry of a tree, links as links: what it is and what it holds (to prove nothing changed)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            relative = str(path.relative_to(folder))
            if path.is_symlink():
                found[relative] = f"link:{path.readlink()}"
            elif path.is_file():
                found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[relative] = "dir"
    return found


class _Timeout(Exception):
    pass


def _alarm(*_: Any) -> None:
    raise _Timeout


def _run(argv: list[str]) -> tuple[int, str, str, float]:
    from inspector._internal.cli import main

    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 2
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


def check_answer(argv: list[str], code: int, stdout: str, stderr: str) -> list[str]:
    problems = []
    name = " ".join(argv[:1] + argv[2:])
    if code not in DOCUMENTED:
        problems.append(f"{name}: exit {code}: {stderr.strip()[:300]}")
    if "Traceback" in stderr or "Traceback" in stdout:
        problems.append(f"{name}: a traceback")
    if code == 2 and stderr.count("\n") != 1:
        problems.append(f"{name}: the error is not one line: {stderr[:300]!r}")
    if code in (0, 1) and ("json" in argv or "sarif" in argv) and argv[0] != "scrub":
        try:
            json.loads(stdout)
        except ValueError as error:
            problems.append(f"{name}: invalid JSON ({error})")
    if argv[0] == "scan":
        problems += _scan_answer(name, argv[1], stdout)
    if code in (0, 1) and "markdown" in argv:
        from markdown_it import MarkdownIt

        html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(stdout)
        stray = {tag.lower() for tag in _TAG.findall(html)} - _ALLOWED_TAGS
        if stray:
            problems.append(f"{name}: Markdown renders HTML from the model: {sorted(stray)}")
    return problems


def _scan_answer(name: str, model: str, stdout: str) -> list[str]:
    try:
        lines = [json.loads(line) for line in stdout.splitlines()]
    except ValueError as error:
        return [f"{name}: a line that is not JSON ({error})"]
    kinds = [line.get("record") for line in lines]
    if kinds != ["model", "summary"] or lines[0].get("path") != model:
        return [f"{name}: not one record and a summary: {kinds}"]
    if lines[0]["status"] == "error" and "internal error" in (lines[0]["error"] or ""):
        return [f"{name}: {lines[0]['error'][:300]}"]
    return []


def run_case(seed: int, source: Path) -> Outcome:
    """Build and check one case; never raises (a crash of the checker is reported as a failure)."""
    outcome = Outcome(seed, str(source))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="inspector-fuzz-") as folder:
        scratch = Path(folder)
        model = scratch / "model"
        try:
            case = build_case(seed, source, model)
        except Exception as error:  # a mutation protobuf itself refuses to serialize: no case
            outcome.mutations = (f"(not built: {type(error).__name__})",)
            return outcome
        outcome.mutations = case.mutations
        (scratch / "error.log").write_text(_LOG)
        before = tree_digest(model)
        previous = signal.signal(signal.SIGALRM, _alarm)
        try:
            for argv in _commands(model, source, scratch, seed):
                signal.alarm(CASE_SECONDS)
                try:
                    code, stdout, stderr, _ = _run(argv)
                except _Timeout:
                    outcome.failures.append(f"{argv[0]}: no answer within {CASE_SECONDS} s")
                    continue
                except BaseException as error:  # what escapes main() is a traceback for a user
                    outcome.failures.append(f"{' '.join(argv[:1] + argv[2:])}: raised {type(error).__name__}")
                    continue
                finally:
                    signal.alarm(0)
                outcome.failures += check_answer(argv, code, stdout, stderr)
        finally:
            signal.signal(signal.SIGALRM, previous)
        if tree_digest(model) != before:
            outcome.failures.append("the input model was modified")
        leftovers = {p.name for p in scratch.iterdir()} - {"model", "out", "error.log"}
        if leftovers:
            outcome.failures.append(f"files written outside OUT: {sorted(leftovers)}")
    outcome.seconds = time.perf_counter() - start
    return outcome
