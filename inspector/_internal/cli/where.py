"""`inspector where`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

from inspector._internal.cli.arguments import add_output_options, add_reading_options, model_argument
from inspector._internal.cli.output import Output, emit
from inspector._internal.render.words import EXIT_MEANINGS

EPILOG = f"""\
examples:
  inspector where model/ model.py:42               # ops with model.py line 42 on their creation stack
  inspector where model/ src/layers.py             # any line of that file
  inspector where model/ model.py:42 --innermost   # only ops created directly on that line

exit status: {EXIT_MEANINGS["where"]}.
"""


def declare(where_cmd: argparse.ArgumentParser) -> None:
    where_cmd.description = (
        "List the ops whose creation stack holds FILE:LINE (or any line of FILE). FILE matches "
        "recorded paths by suffix, so model.py:42 finds /home/ci/src/model.py:42."
    )
    where_cmd.epilog = EPILOG
    model_argument(where_cmd)
    where_cmd.add_argument(
        "location", metavar="FILE[:LINE]", help="source file (path suffix), optionally a line"
    )
    where_cmd.add_argument(
        "--innermost", action="store_true", help="only ops whose innermost user frame is that line"
    )
    add_reading_options(where_cmd, whitelist=False)
    add_output_options(where_cmd, "where")
    where_cmd.set_defaults(run=run)


class WhereOptions(NamedTuple):
    """`inspector where`'s command line, typed."""

    model: Path
    tags: tuple[str, ...] | None
    location: str  # FILE[:LINE], read by WhereQuery.parse
    innermost: bool
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> WhereOptions:
        return cls(args.model, args.tags, args.location, args.innermost, Output.from_args(args))


def run(args: argparse.Namespace) -> int:
    return where_line(WhereOptions.from_args(args))


def where_line(options: WhereOptions) -> int:
    from inspector._internal.loader import load
    from inspector._internal.tracing import where
    from inspector.results.traces import WhereQuery

    view = load(options.model, tags=options.tags)
    return emit(where(view, WhereQuery.parse(options.location, innermost=options.innermost)), options.output)
