"""`inspector scan` over a registry of 1,000 models, and the Beam pipeline over the same registry.

    python benchmarks/scan.py              # builds benchmarks/out/registry once, then times the scans
    python benchmarks/scan.py --no-beam    # without the Beam run

The registry: every fixture and corpus model, copied (hard links) and made distinct by a file in
assets.extra/ (so each copy has its own content hash and a cold cache stays cold), until 987 models; then
13 hostile ones: the shapes of benchmarks/hostile.py, a corrupt, a truncated and an empty saved_model.pb,
one that is a link, one that is a FIFO, and a 1M-node model over the timeout.

Timed, each in a child process, wall time and the peak memory of the largest process of the run (the
scan or one of its workers): a scan with 1 job and with 2, a scan that fills an empty cache, the rerun
that reads it, and Beam's DirectRunner. Every run must give each model exactly one record, and Beam the
same (path, status, verdict) as the scan.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import hostile  # noqa: E402
import shapes  # noqa: E402

from fixtures import catalog  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
REGISTRY = OUT / "registry"
MODELS = 1000
TIMEOUT = "3"
HOSTILE_SHAPES = (
    hostile.deep_chain,
    hostile.nested_blobs,
    hostile.hostile_names,
    hostile.wide_signature,
    hostile.many_signatures,
    hostile.many_aliases,
    hostile.repeated_handles,
)


def build_registry(registry: Path = REGISTRY) -> Path:
    """The 1,000 models (kept between runs: built again when missing)."""
    done = registry / ".complete"
    if done.exists():
        return registry
    shutil.rmtree(registry, ignore_errors=True)
    # Model folders only (a TF Serving base path holds several: a scan finds each, one record apiece).
    sources = [
        fixture.path
        for fixture in (*catalog.FIXTURES, *catalog.CORPUS)
        if (fixture.path / "saved_model.pb").is_file() or (fixture.path / "saved_model.pbtxt").is_file()
    ]
    # The copies share their bytes through hard links -- to a private copy of each source, never to the
    # committed fixtures (a hard link is a finding: the fixtures' own audits would change while it exists).
    private = registry.parent / f".{registry.name}-sources"
    shutil.rmtree(private, ignore_errors=True)
    staged = []
    for source in sources:
        shutil.copytree(source, private / source.name)
        staged.append(private / source.name)
    plain = MODELS - 13
    for index in range(plain):
        source = staged[index % len(staged)]
        target = registry / "team" / f"{source.name}-{index:04d}"
        shutil.copytree(source, target, copy_function=os.link)
        variant = target / "assets.extra" / "variant.txt"
        variant.parent.mkdir(exist_ok=True)
        variant.write_text(f"copy {index}\n")
    bad = registry / "hostile"
    bad.mkdir(parents=True)
    for make in HOSTILE_SHAPES:
        make(bad)
    model_file = catalog.get("custom_ops").path / "saved_model.pb"
    for name, content in (
        ("corrupt", b"\x0a\xff\xff\xff\xff not a protobuf"),
        ("truncated", model_file.read_bytes()[: model_file.stat().st_size // 2]),
        ("empty", b""),
    ):
        (bad / name).mkdir()
        (bad / name / "saved_model.pb").write_bytes(content)
    (bad / "linked").mkdir()
    (bad / "linked" / "saved_model.pb").symlink_to(model_file)
    (bad / "fifo").mkdir()
    os.mkfifo(bad / "fifo" / "saved_model.pb")
    shapes.write(bad / "huge", blocks=100, nodes_per_block=10_000)
    done.write_text("")
    return registry


def measure(argv: list[str]) -> tuple[float, int, str, str]:
    """Wall time, the largest process's peak memory (bytes), stdout and stderr of one run in a child that
    reports its own children's peak (the scan's workers are waited for, so they count)."""
    probe = (
        "import resource, subprocess, sys; "
        "run = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stdout.write(run.stdout); sys.stderr.write(run.stderr); "
        "sys.stderr.write('\\nPEAK %d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    peak_line = [line for line in run.stderr.splitlines() if line.startswith("PEAK ")]
    peak = int(peak_line[-1].split()[1]) * 1024 if peak_line else 0
    return elapsed, peak, run.stdout, run.stderr


def records_of(text: str) -> list[dict[str, Any]]:
    return [
        r for r in (json.loads(line) for line in text.splitlines() if line.strip()) if r["record"] == "model"
    ]


def one_each(records: list[dict[str, Any]], expected: int) -> None:
    paths = [r["path"] for r in records]
    assert len(paths) == len(set(paths)) == expected, (len(paths), len(set(paths)), expected)


def inspector(*args: str | Path) -> list[str]:
    return [str(Path(sys.executable).parent / "inspector"), *map(str, args)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-beam", action="store_true")
    args = parser.parse_args()
    registry = build_registry()
    cache = OUT / "scan-cache"
    shutil.rmtree(cache, ignore_errors=True)
    rows: list[tuple[str, float, int, Counter[str]]] = []
    reference: list[dict[str, Any]] = []
    runs = [
        ("scan, 1 job", inspector("scan", registry, "-j", "1", "--timeout", TIMEOUT)),
        ("scan, 2 jobs", inspector("scan", registry, "-j", "2", "--timeout", TIMEOUT)),
        (
            "scan, 2 jobs, filling the cache",
            inspector("scan", registry, "-j", "2", "--timeout", TIMEOUT, "--cache", cache),
        ),
        (
            "scan, 2 jobs, from the cache",
            inspector("scan", registry, "-j", "2", "--timeout", TIMEOUT, "--cache", cache),
        ),
    ]
    for label, argv in runs:
        elapsed, peak, out, _ = measure(argv)
        records = records_of(out)
        one_each(records, MODELS)
        reference = reference or records
        rows.append((label, elapsed, peak, Counter(r["status"] for r in records)))
        print(
            f"{label}: {elapsed:.1f} s, {MODELS / elapsed:.0f} models/s, peak {peak / 2**20:.0f} MiB",
            flush=True,
        )
    if not args.no_beam:
        for workers in (1, 2):
            target = OUT / "beam-records" / "records"
            shutil.rmtree(target.parent, ignore_errors=True)
            argv = [sys.executable, "-m", "inspector.beam", "--input", str(registry), "--output", str(target)]
            argv += ["--timeout", TIMEOUT, "--direct_num_workers", str(workers)]
            if workers > 1:
                argv += ["--direct_running_mode", "multi_processing"]
            elapsed, peak, _, _ = measure(argv)
            records = [
                json.loads(line)
                for path in target.parent.glob("records-*")
                for line in path.read_text().splitlines()
            ]
            one_each(records, MODELS)
            same = sorted((r["path"], r["status"], r["verdict"]) for r in records) == sorted(
                (r["path"], r["status"], r["verdict"]) for r in reference
            )
            assert same, "Beam's records differ from scan's"
            label = f"Beam DirectRunner, {workers} worker{'s' if workers > 1 else ''}"
            rows.append((label, elapsed, peak, Counter(r["status"] for r in records)))
            print(
                f"{label}: {elapsed:.1f} s, records identical to scan's (path, status, verdict)", flush=True
            )
    print()
    print("| run | wall time | models/s | peak memory (largest process) | statuses |")
    print("| --- | --- | --- | --- | --- |")
    for label, elapsed, peak, statuses in rows:
        said = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        print(f"| {label} | {elapsed:.1f} s | {MODELS / elapsed:.0f} | {peak / 2**20:.0f} MiB | {said} |")
    cold, warm = rows[2][1], rows[3][1]
    print(f"\nthe rerun from the cache: {cold / warm:.1f}x faster than the run that filled it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
