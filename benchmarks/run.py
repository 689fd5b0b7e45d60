"""Time every command against TensorFlow's `saved_model_cli show --all`, on models of several shapes.

    python benchmarks/run.py                 # generate the models once (benchmarks/out/), then measure
    python benchmarks/run.py --repeat 7      # more rounds
    python benchmarks/run.py --quick         # without the 1M-node model
    python benchmarks/run.py --json out.json # also write the numbers

Every command runs as a child process, cold, as a user would run it. The commands of one comparison run
in rounds -- each once per round, alternating -- so they share the machine's noise; the median wall time
of the rounds is reported, with the child's peak resident memory. Models: a ResNet50 and a 104k-node
model traced by TensorFlow (`models.py`), and models of chosen shapes written directly (`shapes.py`):
200k nodes in few big functions, many small ones, a deep call chain, 40 functions, and 10k / 100k / 1M
nodes for scaling. Machines are shared and noisy: compare the ratios of one run.
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


def _run_once(argv: list[str]) -> tuple[float, float]:
    """Wall time and the child's peak resident memory (MiB) of one cold run."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{stderr[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024  # KiB on Linux


def measure_together(model: str, commands: dict[str, list[str]], repeat: int) -> dict[str, Timing]:
    """Every command once per round, round after round: the commands of one comparison share the
    machine's noise, so their ratio holds even when the absolute times drift."""
    runs: dict[str, list[float]] = {label: [] for label in commands}
    peaks: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(repeat):
        for label, argv in commands.items():
            elapsed, peak = _run_once(argv)
            runs[label].append(elapsed)
            peaks[label].append(peak)
    timings = {}
    for label in commands:
        timing = Timing(
            model,
            label,
            statistics.median(runs[label]),
            [round(r, 3) for r in runs[label]],
            max(peaks[label]),
        )
        print(
            f"  {label:<40} median {timing.median_s:7.3f} s   peak {timing.peak_rss_mib:7.1f} MiB", flush=True
        )
        timings[label] = timing
    return timings


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
        "--reference-repeat", type=int, default=3, help="rounds against saved_model_cli on 200k nodes (slow)"
    )
    parser.add_argument("--quick", action="store_true", help="leave out the 1M-node model")
    args = parser.parse_args()

    # This process stays small and never imports TensorFlow or inspector: a child's peak RSS is
    # measured with wait4, and we want it to be the command's own, not the parent's inherited one.
    print("generating models (once; kept in benchmarks/out/) ...", flush=True)
    paths = {
        "resnet50": args.out / "resnet50",
        "resnet50_again": args.out / "resnet50_again",
        "synthetic": args.out / "synthetic",
        "synthetic_200k": args.out / "synthetic_200k",
    }
    for name, path in paths.items():
        generate = f"from benchmarks import models; models.{name}(__import__('pathlib').Path({str(path)!r}))"
        subprocess.run([sys.executable, "-c", generate], cwd=ROOT, env=ENV, check=True)
        summary = subprocess.run(
            inspector_cmd("report", str(path), "--format", "json"), capture_output=True, env=ENV, check=True
        )
        counts = json.loads(summary.stdout)["result"]["overview"]["counts"]
        print(f"{name}: {counts['nodes']} nodes, {counts['functions']} functions, {path}")

    from benchmarks import shapes

    for name, (blocks, per_block, chain) in shapes.SHAPES.items():
        if name == "nodes_1m" and args.quick:
            continue
        path = args.out / name
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"from benchmarks import shapes; shapes.write(__import__('pathlib').Path({str(path)!r}), {blocks}, {per_block}, {chain})",
            ],
            cwd=ROOT,
            env=ENV,
            check=True,
        )
        paths[name] = path

    timings: list[Timing] = []
    ratios: dict[str, float] = {}
    reference = [*saved_model_cli(), "show", "--all", "--dir"]

    print(f"\nresnet50, every command ({args.repeat} rounds)")
    resnet = str(paths["resnet50"])
    found = measure_together(
        "resnet50",
        {
            "saved_model_cli show --all": [*reference, resnet],
            "inspector report": inspector_cmd("report", resnet),
            "inspector report --format json": inspector_cmd("report", resnet, "--format", "json"),
            "inspector audit": inspector_cmd("audit", resnet),
            "inspector doctor": inspector_cmd("doctor", resnet),
            "inspector trace (every traced op)": inspector_cmd("trace", resnet, "--format", "json"),
            "inspector diff (two ResNet50s)": inspector_cmd("diff", resnet, str(paths["resnet50_again"])),
        },
        args.repeat,
    )
    timings += found.values()
    base = found["saved_model_cli show --all"].median_s
    for label in (
        "inspector report",
        "inspector report --format json",
        "inspector audit",
        "inspector doctor",
    ):
        ratios[f"resnet50: saved_model_cli / {label}"] = base / found[label].median_s

    print(f"\nsynthetic (TensorFlow-traced, 104k nodes) ({args.repeat} rounds)")
    synthetic = str(paths["synthetic"])
    call_line = _line_of(HERE / "models.py", "x = block(x)")
    timings += measure_together(
        "synthetic",
        {
            "inspector report --format json": inspector_cmd("report", synthetic, "--format", "json"),
            "inspector trace NODE-KEY": inspector_cmd("trace", synthetic, "mul_1234@*"),
            "inspector where FILE:LINE --innermost": inspector_cmd(
                "where", synthetic, f"models.py:{call_line}", "--innermost"
            ),
            "inspector where (all ops match)": inspector_cmd("where", synthetic, f"models.py:{call_line}"),
        },
        args.repeat,
    ).values()

    traced = str(paths["synthetic_200k"])
    print(
        f"\nTF-traced, 200k nodes in 40 functions, against saved_model_cli ({args.reference_repeat} rounds)"
    )
    found = measure_together(
        "synthetic_200k",
        {
            "saved_model_cli show --all": [*reference, traced],
            "inspector report": inspector_cmd("report", traced),
            "inspector report --format json": inspector_cmd("report", traced, "--format", "json"),
            "inspector trace NODE-KEY --format json": inspector_cmd(
                "trace", traced, "mul_1234@*", "--format", "json"
            ),
            "inspector where FILE:LINE --innermost --format json": inspector_cmd(
                "where", traced, f"models.py:{call_line}", "--innermost", "--format", "json"
            ),
            "inspector where FILE:LINE (all 200k ops match) --format json": inspector_cmd(
                "where", traced, f"models.py:{call_line}", "--format", "json"
            ),
        },
        args.reference_repeat,
    )
    timings += found.values()
    base = found["saved_model_cli show --all"].median_s
    ratios["TF-traced 200k: saved_model_cli / inspector report"] = base / found["inspector report"].median_s
    ratios["TF-traced 200k: saved_model_cli / inspector report --format json"] = (
        base / found["inspector report --format json"].median_s
    )
    ratios["TF-traced 200k: saved_model_cli peak memory / inspector report's"] = (
        found["saved_model_cli show --all"].peak_rss_mib / found["inspector report"].peak_rss_mib
    )

    big = str(paths["nodes_200k_in_40_functions"])
    print(f"\n200k nodes in 40 functions, against saved_model_cli ({args.reference_repeat} rounds)")
    found = measure_together(
        "nodes_200k_in_40_functions",
        {
            "saved_model_cli show --all": [*reference, big],
            "inspector report": inspector_cmd("report", big),
            "inspector report --format json": inspector_cmd("report", big, "--format", "json"),
            "inspector trace NODE-KEY": inspector_cmd("trace", big, "mul_1234@*"),
            "inspector where FILE:LINE": inspector_cmd("where", big, "model.py:42"),
            "inspector audit": inspector_cmd("audit", big),
        },
        args.reference_repeat,
    )
    timings += found.values()
    base = found["saved_model_cli show --all"].median_s
    ratios["200k nodes: saved_model_cli / inspector report"] = base / found["inspector report"].median_s
    ratios["200k nodes: saved_model_cli peak memory / inspector report's"] = (
        found["saved_model_cli show --all"].peak_rss_mib / found["inspector report"].peak_rss_mib
    )

    print(f"\nshapes and scaling: inspector report --format json ({args.repeat} rounds)")
    scaling = {
        name: inspector_cmd("report", str(paths[name]), "--format", "json")
        for name in shapes.SHAPES
        if name in paths
    }
    for name, argv in scaling.items():
        timings += measure_together(name, {f"{name}: report --format json": argv}, args.repeat).values()

    print("\nratios (higher = inspector faster)")
    for label, ratio in ratios.items():
        print(f"  {label:<48} {ratio:6.1f}x")
    if args.json:
        args.json.write_text(
            json.dumps({"timings": [asdict(t) for t in timings], "ratios": ratios}, indent=2)
        )


if __name__ == "__main__":
    main()
