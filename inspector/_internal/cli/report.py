"""`inspector report`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.render import OutputFormat
from inspector._internal.render.words import EXIT_MEANINGS

if TYPE_CHECKING:
    from inspector._internal.view import SavedModelView
from inspector._internal.cli.arguments import add_output_options, add_reading_options, model_argument
from inspector._internal.cli.output import Output, emit, working

EPILOG = f"""\
examples:
  inspector report fixtures/models/module_aliases
  inspector report model/ --whitelist Acme --format markdown >> "$GITHUB_STEP_SUMMARY"
  inspector report model/saved_model.pb --format json --output report.json

exit status: {EXIT_MEANINGS["report"]}.
"""


def declare(report: argparse.ArgumentParser) -> None:
    report.description = (
        "Report what a SavedModel holds: overview, signatures, aliases, namespaces, op types, "
        "the function call tree, and the creation traces of ops outside --whitelist."
    )
    report.epilog = EPILOG
    model_argument(report)
    report.add_argument(
        "--verify-fingerprint",
        action="store_true",
        help="recompute fingerprint.pb from the files with TensorFlow (imports it; nothing is loaded)",
    )
    add_reading_options(report)
    add_output_options(report, "report")
    report.set_defaults(run=run)


class ReportOptions(NamedTuple):
    """`inspector report`'s command line, typed."""

    model: Path
    tags: tuple[str, ...] | None
    whitelist: tuple[str, ...] | None
    verify_fingerprint: bool
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ReportOptions:
        whitelist = tuple(args.whitelist) if args.whitelist is not None else None
        return cls(args.model, args.tags, whitelist, args.verify_fingerprint, Output.from_args(args))


def run(args: argparse.Namespace) -> int:
    return report(ReportOptions.from_args(args))


def report(options: ReportOptions) -> int:
    from inspector._internal.loader import load

    view = load(options.model, tags=options.tags)
    return emit_report(view, options.whitelist, options.verify_fingerprint, options.output)


def emit_report(
    view: SavedModelView, whitelist: tuple[str, ...] | None, check_fingerprint: bool, output: Output
) -> int:
    from inspector._internal.reporting import build_report

    with working("recomputing the fingerprint with TensorFlow", when=check_fingerprint, quiet=output.quiet):
        # The HTML page searches every op: only it pays for their index.
        index_ops = output.format is OutputFormat.HTML
        report = build_report(
            view, whitelist=whitelist, check_fingerprint=check_fingerprint, index_ops=index_ops
        )
    return emit(report, output)
