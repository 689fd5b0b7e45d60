"""Issue 37's table: each row measured with its floor (`floor.py`) and TensorFlow's `saved_model_cli` in
the same rounds, against its goal.

    python benchmarks/goals.py              # the models are made once, in benchmarks/out/
    python benchmarks/goals.py --repeat 7
    python benchmarks/goals.py --only where   # the rows whose label holds "where"

Each command runs cold in a child process; the commands of one row run once per round, alternating, so
they share the machine's noise; medians of the rounds and the child's peak memory are printed. A row says
MET or MISSED against its goal: the machine is shared and noisy, so read a miss by its ratio to the floor.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import ENV, inspector_cmd, measure_together, saved_model_cli  # noqa: E402


@dataclass(frozen=True)
class Goal:
    """A row: what runs, on which model, and what it must reach."""

    label: str
    model: str
    argv: tuple[str, ...]
    max_seconds: float | None = None  # wall time
    max_floor_ratio: float | None = None  # times the floor's wall time on the same model
    min_reference_ratio: float | None = None  # saved_model_cli's wall time over this one's
    max_peak_mib: float | None = None


GOALS = (
    Goal("ResNet50 report (text)", "resnet50", ("report",), max_floor_ratio=2.0, min_reference_ratio=25),
    Goal("ResNet50 report --format json", "resnet50", ("report", "--format", "json"), min_reference_ratio=35),
    Goal("40,000 findings: audit (text)", "aliases_40k", ("audit",), max_seconds=3, max_peak_mib=300),
    Goal(
        "40,000 findings: audit --format json",
        "aliases_40k",
        ("audit", "--format", "json"),
        max_seconds=3,
        max_peak_mib=300,
    ),
    Goal(
        "40,000 findings: audit --format sarif",
        "aliases_40k",
        ("audit", "--format", "sarif"),
        max_seconds=3,
        max_peak_mib=300,
    ),
    Goal("1M nodes: report --format json", "nodes_1m", ("report", "--format", "json"), max_seconds=4),
    Goal(
        "200k nodes: where (every op matches)",
        "nodes_200k_in_40_functions",
        ("where", "{model}", "model.py"),
        max_seconds=1,
    ),
)


def _models(out: Path) -> dict[str, Path]:
    """The rows' models, made once: ResNet50 (TensorFlow), the shapes (written directly), and a model of
    40,000 findings of one rule (40,000 aliases of absent functions)."""
    from benchmarks import shapes

    paths = {
        name: out / name for name in ("resnet50", "nodes_1m", "nodes_200k_in_40_functions", "aliases_40k")
    }
    if not paths["resnet50"].is_dir():
        generate = f"from benchmarks import models; models.resnet50(__import__('pathlib').Path({str(paths['resnet50'])!r}))"
        subprocess.run([sys.executable, "-c", generate], cwd=ROOT, env=ENV, check=True)
    for name in ("nodes_1m", "nodes_200k_in_40_functions"):
        if not paths[name].is_dir():
            blocks, per_block, chain = shapes.SHAPES[name]
            shapes.write(paths[name], blocks, per_block, chain)
    if not paths["aliases_40k"].is_dir():
        from benchmarks.hostile import many_findings

        many_findings(out)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--only", metavar="TEXT", help="only the rows whose label holds TEXT (e.g. where)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    paths = _models(args.out)
    missed = 0
    rows = []
    for goal in GOALS:
        if args.only and args.only not in goal.label:
            continue
        model = str(paths[goal.model])
        argv = [arg.replace("{model}", model) for arg in goal.argv]
        command = (
            inspector_cmd(argv[0], model, *argv[1:]) if "{model}" not in goal.argv else inspector_cmd(*argv)
        )
        commands = {goal.label: command, "floor": [sys.executable, str(HERE / "floor.py"), model]}
        if goal.min_reference_ratio is not None:
            commands["saved_model_cli show --all"] = [*saved_model_cli(), "show", "--all", "--dir", model]
        print(f"\n{goal.label} ({args.repeat} rounds)")
        found = measure_together(goal.model, commands, args.repeat)
        ours, floor = found[goal.label], found["floor"]
        reference = found.get("saved_model_cli show --all")
        checks = []
        if goal.max_seconds is not None:
            checks.append((f"< {goal.max_seconds:g} s", ours.median_s < goal.max_seconds))
        if goal.max_floor_ratio is not None:
            checks.append(
                (
                    f"<= {goal.max_floor_ratio:g}x floor",
                    ours.median_s <= goal.max_floor_ratio * floor.median_s,
                )
            )
        if goal.min_reference_ratio is not None and reference is not None:
            checks.append(
                (
                    f">= {goal.min_reference_ratio:g}x saved_model_cli",
                    reference.median_s / ours.median_s >= goal.min_reference_ratio,
                )
            )
        if goal.max_peak_mib is not None:
            checks.append((f"< {goal.max_peak_mib:g} MiB", ours.peak_rss_mib < goal.max_peak_mib))
        missed += sum(not ok for _, ok in checks)
        rows.append(
            (
                goal.label,
                ours.median_s,
                ours.median_s / floor.median_s,
                reference.median_s / ours.median_s if reference else None,
                ours.peak_rss_mib,
                ", ".join(f"{text} {'MET' if ok else 'MISSED'}" for text, ok in checks),
            )
        )
    print("\n| work | median | x floor | saved_model_cli / it | peak | goal |\n|---|---|---|---|---|---|")
    for label, seconds, to_floor, to_reference, peak, said in rows:
        versus = f"{to_reference:.1f}x" if to_reference is not None else ""
        print(f"| {label} | {seconds:.3f} s | {to_floor:.2f} | {versus} | {peak:.0f} MiB | {said} |")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
