"""`inspector scrub`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

from inspector._internal.cli.arguments import add_output_options, model_argument
from inspector._internal.cli.output import Output, emit
from inspector._internal.render.words import EXIT_MEANINGS

EPILOG = f"""\
examples:
  inspector scrub model/ public/ --strip-prefix /home/alice/src/
  inspector scrub model/ public/ --relative-to "$CI_PROJECT_DIR"
  inspector trace public/ --op MatMul --source-root =.     # read the relative paths from this checkout

exit status: {EXIT_MEANINGS["scrub"]}.
"""


def declare(scrub_cmd: argparse.ArgumentParser) -> None:
    scrub_cmd.description = (
        "Write a copy of a SavedModel whose debug info no longer names the saving machine's "
        "folders: PREFIX is removed from recorded paths (or paths become relative to DIR). Every other file "
        "is copied byte for byte; the input is never modified; the copy is verified by reading it back."
    )
    scrub_cmd.epilog = EPILOG
    model_argument(scrub_cmd)
    scrub_cmd.add_argument("out", type=Path, help="the directory to write the copy to (new or empty)")
    how = scrub_cmd.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--strip-prefix", action="append", metavar="PREFIX", help="remove this path prefix (repeatable)"
    )
    how.add_argument("--relative-to", type=Path, metavar="DIR", help="make paths under DIR relative to it")
    add_output_options(scrub_cmd, "scrub")
    scrub_cmd.set_defaults(run=run)


class ScrubOptions(NamedTuple):
    """`inspector scrub`'s command line, typed."""

    model: Path
    out: Path
    strip_prefixes: tuple[str, ...]
    relative_to: Path | None
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ScrubOptions:
        prefixes = tuple(args.strip_prefix or ())
        return cls(args.model, args.out, prefixes, args.relative_to, Output.from_args(args))


def run(args: argparse.Namespace) -> int:
    return scrub_copy(ScrubOptions.from_args(args))


def scrub_copy(options: ScrubOptions) -> int:
    from inspector._internal.scrub import scrub

    result = scrub(
        options.model, options.out, strip_prefixes=options.strip_prefixes, relative_to=options.relative_to
    )
    return emit(result, options.output)
