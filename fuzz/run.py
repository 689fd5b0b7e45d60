"""Run the fuzzer and print its figures.

    python -m fuzz.run --cases 10000            # the long run (2 workers; about an hour here)
    python -m fuzz.run --cases 200 --seed 7     # a quick one from another seed
    python -m fuzz.run --replay 1234            # one case, with its mutations and failures

Each case is a seeded mutation of one of the source models (fixtures and corpus) run through every
command and format in a worker process that is capped in memory (--memory, default 1 GiB of address
space beyond what it starts with) and watched for time (--timeout per case): a case that exceeds either
is a failure (a hang, or a blown memory), and the worker is replaced. Exit status 1 when any case failed.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures import canaries, catalog  # noqa: E402

#: Small models of every kind: both debug-info layouts, custom ops, risky ops, Keras 2 and 3, TF1; and
#: canary models (fixtures/canaries.py) whose plumbing, init ops, resources and assets an attacker edited.
SOURCES = (
    *(
        catalog.get(name).path
        for name in (
            "module_aliases",
            "custom_ops",
            "legacy_traces",
            "risky_ops",
            "versioned_v2",
            "threshold_05",
            "k2_215",
            "tf1_two_graphs",
        )
    ),
    *(
        canaries.MODELS / name
        for name in ("restore_function", "resource_initialize", "main_op", "asset_outside")
    ),
)


def _worker(memory: int) -> None:
    """Read `seed` lines on stdin, answer one JSON line per case on stdout."""
    import resource

    from fuzz.check import run_case

    if memory:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        used = _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (used + memory, hard))
    for line in sys.stdin:
        seed = int(line)
        outcome = run_case(seed, SOURCES[seed % len(SOURCES)])
        record = {
            "seed": seed,
            "source": Path(outcome.source).name,
            "failures": outcome.failures,
            "mutations": list(outcome.mutations),
            "seconds": round(outcome.seconds, 3),
        }
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def _address_space() -> int:
    with open("/proc/self/statm") as statm:  # noqa: PTH123 - a proc file, read once
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


class _Worker:
    def __init__(self, memory: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fuzz.run", "--worker", "--memory", str(memory)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        self.seed: int | None = None
        self.started = 0.0

    def give(self, seed: int) -> None:
        assert self.process.stdin is not None
        self.seed, self.started = seed, time.monotonic()
        self.process.stdin.write(f"{seed}\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def run(cases: int, first_seed: int, workers: int, timeout: float, memory: int) -> int:
    pending = list(range(first_seed, first_seed + cases))
    pending.reverse()
    pool = [_Worker(memory) for _ in range(workers)]
    results: list[dict[str, object]] = []
    start = time.monotonic()
    for worker in pool:
        if pending:
            worker.give(pending.pop())
    while any(worker.seed is not None for worker in pool):
        streams = {worker.process.stdout: worker for worker in pool if worker.seed is not None}
        ready, _, _ = select.select(list(streams), [], [], 1.0)
        for stream in ready:
            worker = streams[stream]
            line = stream.readline() if stream else ""
            if not line:  # the worker died: out of memory, or a crash in native code
                results.append(
                    _lost(worker, f"the worker died (exit {worker.process.poll()}): memory or a crash")
                )
                pool[pool.index(worker)] = worker = _replace(worker, memory)
            else:
                results.append(json.loads(line))
            worker.seed = None
            if pending:
                worker.give(pending.pop())
        now = time.monotonic()
        for index, worker in enumerate(pool):
            if worker.seed is not None and now - worker.started > timeout:
                results.append(_lost(worker, f"no answer within {timeout:.0f} s: a hang"))
                pool[index] = replacement = _replace(worker, memory)
                if pending:
                    replacement.give(pending.pop())
        done = len(results)
        if done and done % 500 == 0:
            print(f"  {done}/{cases} cases, {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    for worker in pool:
        worker.stop()
    return _report(results, time.monotonic() - start, workers)


def _lost(worker: _Worker, why: str) -> dict[str, object]:
    assert worker.seed is not None
    return {"seed": worker.seed, "source": SOURCES[worker.seed % len(SOURCES)].name, "failures": [why]}


def _replace(worker: _Worker, memory: int) -> _Worker:
    worker.stop()
    return _Worker(memory)


def _report(results: list[dict[str, object]], seconds: float, workers: int) -> int:
    failed = [r for r in results if r["failures"]]
    kinds: Counter[str] = Counter()
    for result in failed:
        for failure in result["failures"]:  # type: ignore[attr-defined]
            text = str(failure)
            kinds[
                "hang"
                if "a hang" in text or "no answer" in text
                else "memory or crash"
                if "worker died" in text
                else "traceback"
                if "traceback" in text or "raised" in text
                else "exit status"
                if "exit" in text
                else "invalid JSON"
                if "JSON" in text
                else "Markdown HTML"
                if "Markdown" in text
                else "write outside OUT or to the input"
                if "outside OUT" in text or "modified" in text
                else "other"
            ] += 1
    print(f"cases: {len(results)} in {seconds:.0f} s with {workers} workers")
    from fuzz.check import SCAN_EVERY, _commands

    count = len(_commands(Path("model"), Path("source"), Path("scratch")))
    print(
        f"commands per case: {count} (every command, text/JSON/Markdown/SARIF; scan, in its worker, in one case of {SCAN_EVERY})"
    )
    print(f"failed cases: {len(failed)}")
    for kind in (
        "traceback",
        "hang",
        "memory or crash",
        "write outside OUT or to the input",
        "exit status",
        "invalid JSON",
        "Markdown HTML",
        "other",
    ):
        print(f"  {kind}: {kinds.get(kind, 0)}")
    for result in failed[:20]:
        print(f"seed {result['seed']} ({result['source']}): {result['failures']}")
    if failed:
        print(f"replay one with: python -m fuzz.run --replay {failed[0]['seed']}")
    return 1 if failed else 0


def replay(seed: int) -> int:
    from fuzz.check import run_case

    outcome = run_case(seed, SOURCES[seed % len(SOURCES)])
    print(f"seed {seed} on {outcome.source}")
    for mutation in outcome.mutations:
        print(f"  mutation: {mutation}")
    for failure in outcome.failures:
        print(f"  FAILED: {failure}")
    return 1 if outcome.failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="the first seed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case (all its commands)")
    parser.add_argument("--memory", type=int, default=2**30, help="bytes of address space a worker may add")
    parser.add_argument("--replay", type=int, help="run one case and show it")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.memory)
        return
    if args.replay is not None:
        raise SystemExit(replay(args.replay))
    raise SystemExit(run(args.cases, args.seed, args.workers, args.timeout, args.memory))


if __name__ == "__main__":
    main()
