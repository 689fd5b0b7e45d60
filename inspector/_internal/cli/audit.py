"""`inspector audit`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.cli.arguments import (
    add_output_options,
    add_reading_options,
    model_argument,
)
from inspector._internal.cli.output import Output, emit, working, write
from inspector._internal.errors import InspectorError
from inspector._internal.policyargs import add_policy_options, policy_of
from inspector._internal.render import OutputFormat
from inspector._internal.render.words import EXIT_MEANINGS

if TYPE_CHECKING:
    from inspector._internal.audit import Policy

EPILOG = f"""\
examples:
  inspector audit model/ --whitelist Acme
  inspector audit model/ --format sarif --source-root . -o audit.sarif   # code scanning: relative URIs
  inspector audit model/ --quiet                                      # the verdict and the findings only
  inspector audit model/ --all                                        # every finding, not 20 per rule
  inspector audit model/ --live-registry --verify-fingerprint         # with the installed TensorFlow
  inspector audit model/ --format markdown >> "$GITHUB_STEP_SUMMARY"
  inspector audit model/ --format concise                             # a line per finding
  inspector audit model/ --format github                              # pull-request annotations
  inspector audit model/ --write-baseline audit-baseline.json         # accept today's findings
  inspector audit model/ --baseline audit-baseline.json               # fail only on new ones

policy in pyproject.toml (the command line wins):
  [tool.inspector.audit]
  whitelist = ["Acme"]
  deny = ["StringFormat"]
  allow = ["PrintV2"]
  fail-on = "warning"
  require-aliases = ["serve"]
  min-trace-coverage = 80
  registry = true            # false: skip the op registry check
  live-registry = false      # true: the installed TensorFlow's registry, not the shipped snapshot
  verify-fingerprint = false # true: recompute fingerprint.pb with TensorFlow

exit status: {EXIT_MEANINGS["audit"]}.
"""


def declare(audit_cmd: argparse.ArgumentParser) -> None:
    audit_cmd.description = (
        "Audit a SavedModel statically, before it ships or after it arrives: namespaced ops "
        "outside the whitelist, risky ops (file, Python, network, ...) wherever they hide, ops the installed "
        "TensorFlow does not know, debug info, aliases and versions. The model is never loaded or run."
    )
    audit_cmd.epilog = EPILOG
    model_argument(audit_cmd)
    add_policy_options(audit_cmd)
    audit_cmd.add_argument(
        "--max-results",
        type=int,
        default=5000,
        metavar="N",
        help="SARIF: write at most N results, the most severe (default 5000); the log says how many were left out",
    )
    listed = audit_cmd.add_mutually_exclusive_group()
    listed.add_argument(
        "--max-per-rule",
        type=int,
        default=20,
        metavar="N",
        help="text, Markdown and HTML: list each rule's first N findings and count the rest (default 20); "
        "JSON and SARIF hold every finding",
    )
    listed.add_argument(
        "--all",
        dest="max_per_rule",
        action="store_const",
        const=None,
        help="list every finding of every rule (--max-per-rule without a limit)",
    )
    audit_cmd.add_argument(
        "--statistics", action="store_true", help="print how many findings each rule has, not the findings"
    )
    audit_cmd.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when findings fail --fail-on (bad input still exits 2)",
    )
    audit_cmd.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="record every current finding in FILE"
    )
    audit_cmd.add_argument(
        "--source-root",
        "--relative-to",
        dest="sarif_root",
        type=Path,
        metavar="DIR",
        help="SARIF: the source checkout; recorded paths under it (and relative ones) become URIs relative "
        "to it, so code scanning places alerts on the repository's files",
    )
    add_reading_options(audit_cmd, whitelist=False)
    add_output_options(audit_cmd, "audit")
    audit_cmd.set_defaults(run=run)


class AuditOptions(NamedTuple):
    """`inspector audit`'s command line, typed: the policy made of the policy file and the options over
    it (`policyargs.policy_of`), the limits checked."""

    model: Path
    tags: tuple[str, ...] | None
    policy: Policy
    baseline: Path | None
    statistics: bool
    exit_zero: bool
    write_baseline: Path | None
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> AuditOptions:
        policy = policy_of(args)
        output = Output.from_args(args)
        page = output.page
        if page.max_results < 1:
            raise InspectorError(f"--max-results must be at least 1, not {page.max_results}")
        if page.max_per_rule is not None and page.max_per_rule < 1:
            raise InspectorError(
                f"--max-per-rule must be at least 1, not {page.max_per_rule} (--all lists every finding)"
            )
        if args.statistics and output.format is not OutputFormat.TEXT:
            raise InspectorError(
                f"--statistics prints text; it cannot be written as {output.format.value} (drop --format)"
            )
        if page.source_root is not None and not page.source_root.is_dir():
            raise InspectorError(f"{page.source_root}: not a directory (--source-root)")
        return cls(
            args.model,
            args.tags,
            policy,
            args.baseline,
            args.statistics,
            args.exit_zero,
            args.write_baseline,
            output,
        )


def run(args: argparse.Namespace) -> int:
    return audit_model(AuditOptions.from_args(args))


def audit_model(options: AuditOptions) -> int:
    import dataclasses

    from inspector._internal import api
    from inspector._internal.audit import baseline_document
    from inspector._internal.fileio import write_output

    policy = options.policy
    slow = (policy.registry and policy.live_registry) or policy.verify_fingerprint
    with working("importing TensorFlow", when=slow, quiet=options.output.quiet):
        # Every meta graph unless --tags picks one; a .keras / .h5 file for what Keras runs from it.
        result = api.audit(options.model, policy, baseline=options.baseline, tags=options.tags)
    if options.write_baseline is not None:
        try:
            write_output(options.write_baseline, [baseline_document(result)])
        except OSError as error:
            raise InspectorError(
                f"{options.write_baseline}: cannot write ({error.strerror or error})"
            ) from error
        sys.stderr.write(f"inspector: recorded {len(result.findings)} findings in {options.write_baseline}\n")
        result = dataclasses.replace(result, baseline_recorded=True)
    if options.exit_zero:
        # ruff's --exit-zero: findings do not fail the run (a rule that could not run still does); every
        # format says the verdict and that the exit status was forced.
        result = dataclasses.replace(result, exit_zero=True)
    if options.statistics:
        from inspector._internal.render.listings import statistics

        write([statistics(result)], options.output.file)
        return result.exit_code
    return emit(result, options.output)
