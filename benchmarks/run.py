"""Time `inspector report` against TensorFlow's `saved_model_cli show --all`, in one run.

    python benchmarks/run.py                 # generate the models once (benchmarks/out/), then measure
    python benchmarks/run.py --repeat 7      # more runs per command
    python benchmarks/run.py --json out.json # also write the numbers

Every command runs as a child process, cold, as a user would run it; each is run --repeat times
(default 5) and the median wall time is reported, with the child's peak resident memory. Machines are
shared and noisy: compare the ratios of one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "NO_COLOR": "1", "COLUMNS": "120"}


@dataclass(frozen=True)
class Timing:
    model: str
    command: str
    median_s: float
    runs_s: list[float]
    peak_rss_mib: float


def measure(model: str, label: str, argv: list[str], repeat: int) -> Timing:
    runs, peaks = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{stderr[-2000:]}")
        runs.append(elapsed)
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    timing = Timing(model, label, statistics.median(runs), [round(r, 3) for r in runs], max(peaks))
    print(f"  {label:<36} median {timing.median_s:7.3f} s   peak {timing.peak_rss_mib:7.1f} MiB", flush=True)
    return timing


def inspector_cmd(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("inspector")
    return [str(script) if script.exists() else "inspector", *args]


def saved_model_cli() -> list[str]:
    script = Path(sys.executable).with_name("saved_model_cli")
    found = str(script) if script.exists() else shutil.which("saved_model_cli")
    if not found:
        raise SystemExit("saved_model_cli not found: install TensorFlow in this environment")
    return [found]


def _line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--json", type=Path, help="also write the timings as JSON")
    parser.add_argument(
        "--reference-on-synthetic",
        action="store_true",
        help="also time saved_model_cli on the 100k-node model (slow)",
    )
    args = parser.parse_args()

    # This process stays small and never imports TensorFlow or inspector: a child's peak RSS is
    # measured with wait4, and we want it to be the command's own, not the parent's inherited one.
    print("generating models (once; kept in benchmarks/out/) ...", flush=True)
    paths = {
        "resnet50": args.out / "resnet50",
        "resnet50_again": args.out / "resnet50_again",
        "synthetic": args.out / "synthetic",
    }
    for name, path in paths.items():
        generate = f"from benchmarks import models; models.{name}(__import__('pathlib').Path({str(path)!r}))"
        subprocess.run([sys.executable, "-c", generate], cwd=ROOT, env=ENV, check=True)
        summary = subprocess.run(
            inspector_cmd("report", str(path), "--format", "json"), capture_output=True, env=ENV, check=True
        )
        counts = json.loads(summary.stdout)["overview"]["counts"]
        print(f"{name}: {counts['nodes']} nodes, {counts['functions']} functions, {path}")

    timings: list[Timing] = []
    ratios: dict[str, float] = {}
    for name, path in paths.items():
        if name == "resnet50_again":
            print(f"\nresnet50 vs resnet50_again ({args.repeat} runs each)")
            diff_args = inspector_cmd("diff", str(paths["resnet50"]), str(path))
            timings.append(measure("resnet50", "inspector diff (two ResNet50s)", diff_args, args.repeat))
            continue
        print(f"\n{name} ({args.repeat} runs each)")
        text = measure(name, "inspector report (text)", inspector_cmd("report", str(path)), args.repeat)
        as_json = measure(
            name,
            "inspector report --format json",
            inspector_cmd("report", str(path), "--format", "json"),
            args.repeat,
        )
        timings += [text, as_json]
        if name == "synthetic":
            # One lookup each, as a user debugging a large model would run them.
            timings.append(
                measure(
                    name,
                    "inspector trace NODE-KEY",
                    inspector_cmd("trace", str(path), "mul_1234@*"),
                    args.repeat,
                )
            )
            call_line = _line_of(HERE / "models.py", "x = block(x)")
            timings.append(
                measure(
                    name,
                    "inspector where FILE:LINE --innermost",
                    inspector_cmd("where", str(path), f"models.py:{call_line}", "--innermost"),
                    args.repeat,
                )
            )
            # The worst case: a line on the stack of every one of the 104k ops.
            timings.append(
                measure(
                    name,
                    "inspector where (all ops match)",
                    inspector_cmd("where", str(path), f"models.py:{call_line}"),
                    args.repeat,
                )
            )
        if name == "resnet50" or args.reference_on_synthetic:
            reference = measure(
                name,
                "saved_model_cli show --all",
                [*saved_model_cli(), "show", "--dir", str(path), "--all"],
                args.repeat,
            )
            timings.append(reference)
            ratios[f"{name}: saved_model_cli / inspector text"] = reference.median_s / text.median_s
            ratios[f"{name}: saved_model_cli / inspector json"] = reference.median_s / as_json.median_s

    print("\nratios (higher = inspector faster)")
    for label, ratio in ratios.items():
        print(f"  {label:<48} {ratio:6.1f}x")
    if args.json:
        args.json.write_text(
            json.dumps({"timings": [asdict(t) for t in timings], "ratios": ratios}, indent=2)
        )


if __name__ == "__main__":
    main()
