"""`inspector report`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from inspector._internal.render import OutputFormat
from inspector._internal.render.words import EXIT_MEANINGS

if TYPE_CHECKING:
    from inspector._internal.view import SavedModelView
from inspector._internal.cli.arguments import add_output_options, add_reading_options, model_argument
from inspector._internal.cli.output import emit, working

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
    add_output_options(report)
    report.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from inspector._internal.loader import load

    return emit_report(load(args.model, tags=args.tags), args)


def emit_report(view: SavedModelView, args: argparse.Namespace) -> int:
    from inspector._internal.reporting import build_report

    check = getattr(args, "verify_fingerprint", False)
    with working(args, "recomputing the fingerprint with TensorFlow", when=check):
        # The HTML page searches every op: only it pays for their index.
        index_ops = args.format == OutputFormat.HTML.value
        report = build_report(view, whitelist=args.whitelist, check_fingerprint=check, index_ops=index_ops)
    return emit(report, args)
