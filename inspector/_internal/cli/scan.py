"""`inspector scan`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.cli.arguments import add_reading_options
from inspector._internal.errors import InspectorError
from inspector._internal.policyargs import add_policy_options, add_verifier_options, policy_of, verifier_of
from inspector._internal.render.words import EXIT_MEANINGS

if TYPE_CHECKING:
    from inspector._internal.scanworkers import ScanOptions

EPILOG = f"""\
examples:
  inspector scan registry/ -o audits.jsonl                # every model under registry/
  inspector scan 'models/*/export' --jobs 4 --timeout 60
  inspector scan registry/ -o audits.jsonl --cache ~/.cache/inspector   # a rerun audits only what changed
  inspector scan registry/ --whitelist Acme --fail-on warning           # the audit's options, per model
  jq -r 'select(.status != "ok") | [.status, .path] | @tsv' audits.jsonl

exit status: {EXIT_MEANINGS["scan"]}.
"""


def declare(scan_cmd: argparse.ArgumentParser) -> None:
    scan_cmd.description = (
        "Audit every SavedModel found under the given folders or globs (a recursive walk that follows no "
        "link), each in a worker process under a time and a memory limit, and write one JSON line per model: "
        "its path, status (ok, findings, error, timeout, oom), verdict, counts and audit document, or the "
        "error. A summary line ends the output. Models already in --output are skipped (a scan resumes), and "
        "with --cache a model whose content and rules are unchanged is not audited again."
    )
    scan_cmd.epilog = EPILOG
    scan_cmd.add_argument(
        "targets", nargs="+", metavar="PATH_OR_GLOB", help="a folder of models, a model, or a glob"
    )
    scan_cmd.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help=f"models audited at once, each in its own worker process (default: the cores, {os.cpu_count() or 1})",
    )
    scan_cmd.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="stop a model's worker after this long: a `timeout` record (default 120)",
    )
    scan_cmd.add_argument(
        "--max-memory",
        type=int,
        default=4096,
        metavar="MB",
        help="memory a worker may allocate: past it, an `oom` record (default 4096; 0: no limit)",
    )
    scan_cmd.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="keep each record under the model's content hash and the rules' version; reuse it when both match",
    )
    scan_cmd.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE.jsonl",
        help="append the records to FILE, skipping models it already holds (default: stdout)",
    )
    scan_cmd.add_argument(
        "--format",
        choices=("table", "jsonl"),
        help="stdout as a table of a row per model (the default on a terminal) or JSON lines (the default "
        "elsewhere, and always with --output)",
    )
    add_policy_options(scan_cmd)
    scan_cmd.add_argument(
        "--require-signature",
        action="store_true",
        help="verify each model's signature (MODEL.sig beside it, from `inspector sign`) and its audit record: "
        "a model without one, or whose signature does not verify, is `unsigned` (exit 1); the signer is recorded",
    )
    add_verifier_options(scan_cmd)
    add_reading_options(scan_cmd, whitelist=False)
    scan_cmd.set_defaults(run=run)


class ScanCommand(NamedTuple):
    """`inspector scan`'s command line, typed: what to look for, how many workers, where the records go,
    and each model's audit (`scanworkers.ScanOptions`)."""

    targets: tuple[str, ...]
    jobs: int
    output: Path | None
    table: bool  # a table for a person, not JSON lines
    each: ScanOptions

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ScanCommand:
        from inspector._internal.audit import read_baseline
        from inspector._internal.scanworkers import ScanOptions

        if args.jobs < 1:
            raise InspectorError(f"--jobs must be at least 1, not {args.jobs}")
        if args.timeout <= 0:
            raise InspectorError(f"--timeout must be positive, not {args.timeout:g}")
        if not args.require_signature and (args.public_key or args.certificate_chain or args.identity):
            raise InspectorError(
                "--public-key, --certificate-chain and --identity verify signatures: give --require-signature"
            )
        if args.max_memory < 0:
            raise InspectorError(f"--max-memory must be 0 (no limit) or more, not {args.max_memory}")
        each = ScanOptions(
            policy=policy_of(args),
            baseline=read_baseline(args.baseline),
            tags=args.tags,
            timeout=args.timeout,
            max_memory_mb=args.max_memory,
            cache_dir=args.cache,
            verifier=verifier_of(args) if args.require_signature else None,
        )
        chosen = args.format
        table = args.output is None and (chosen == "table" or (chosen is None and sys.stdout.isatty()))
        return cls(tuple(args.targets), args.jobs, args.output, table, each)


def run(args: argparse.Namespace) -> int:
    return scan_models(ScanCommand.from_args(args))


def scan_models(command: ScanCommand) -> int:
    from inspector._internal.discover import Discovery, find_models
    from inspector._internal.scanoutput import run_scan

    discovery = Discovery()
    models = list(find_models(command.targets, discovery))
    return run_scan(models, discovery, command.each, command.jobs, command.output, table=command.table)
