"""`inspector diff`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

from inspector._internal.cli.arguments import add_output_options, add_reading_options
from inspector._internal.cli.output import Output, emit
from inspector._internal.render.words import EXIT_MEANINGS

EPILOG = f"""\
categories: versions, signatures, aliases, functions, ops, attrs, namespaces, risky-ops, variables,
debug-info, sources (moved creation sites), plumbing (what the checkpoint restore and save run),
weights (variable values, by the checkpoint's checksums)

examples:
  inspector diff shipped/ candidate/
  inspector diff shipped/ candidate/ --stat
  inspector diff shipped/ candidate/ --only weights --values     # a changed bias: [0.0, 0.0] -> [0.5, 0.0]
  inspector diff shipped/ candidate/ --only signatures --only aliases --format json
  inspector diff shipped/ candidate/ --ignore sources --format markdown >> "$GITHUB_STEP_SUMMARY"

exit status: {EXIT_MEANINGS["diff"]}.
"""


def declare(diff_cmd: argparse.ArgumentParser) -> None:
    categories = (
        "versions",
        "signatures",
        "aliases",
        "functions",
        "ops",
        "attrs",
        "namespaces",
        "risky-ops",
        "variables",
        "debug-info",
        "sources",
        "plumbing",
        "weights",
    )
    diff_cmd.description = (
        "Compare two SavedModels semantically: functions are paired by alias, object path, "
        "signature and structure (their names' counters change on every save), then signatures, aliases, ops, "
        "attrs, namespaces, risky ops, variables, versions, debug info, creation sites and the checkpoint "
        "plumbing (what a load's restore runs) are compared."
    )
    diff_cmd.epilog = EPILOG
    diff_cmd.add_argument("old", type=Path, help="the model shipped today (directory or saved_model.pb)")
    diff_cmd.add_argument("new", type=Path, help="the candidate")
    diff_cmd.add_argument(
        "--only", action="append", choices=categories, metavar="CATEGORY", help="compare only these"
    )
    diff_cmd.add_argument(
        "--strict-names",
        action="store_true",
        help="count a node renamed only in its name's counters (dense_1 -> dense_5) as a difference; by "
        "default such renames are listed apart and the models are identical",
    )
    diff_cmd.add_argument(
        "--ignore", action="append", choices=categories, metavar="CATEGORY", help="skip these"
    )
    diff_cmd.add_argument("--stat", action="store_true", help="counts per category only")
    diff_cmd.add_argument(
        "--values",
        action="store_true",
        help="show changed weights of up to 8 numbers old -> new, read from the checkpoint's data shards "
        "(their bytes only); without it weights are compared by the checksums in variables.index",
    )
    add_reading_options(diff_cmd, whitelist=False)
    add_output_options(diff_cmd, "diff")
    diff_cmd.set_defaults(run=run)


class DiffOptions(NamedTuple):
    """`inspector diff`'s command line, typed."""

    old: Path
    new: Path
    only: tuple[str, ...]  # categories; empty: every one
    ignore: tuple[str, ...]
    values: bool
    strict_names: bool
    tags: tuple[str, ...] | None
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DiffOptions:
        return cls(
            args.old,
            args.new,
            tuple(args.only or ()),
            tuple(args.ignore or ()),
            args.values,
            args.strict_names,
            args.tags,
            Output.from_args(args),
        )


def run(args: argparse.Namespace) -> int:
    return compare(DiffOptions.from_args(args))


def compare(options: DiffOptions) -> int:
    from inspector._internal import api

    result = api.diff(
        options.old,
        options.new,
        only=options.only or None,
        ignore=options.ignore,
        values=options.values,
        strict_names=options.strict_names,
        tags=options.tags,
    )
    return emit(result, options.output)
