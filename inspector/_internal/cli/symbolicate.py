"""`inspector symbolicate`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NamedTuple

from inspector._internal.cli.arguments import add_output_options, add_reading_options
from inspector._internal.cli.output import Output, emit
from inspector._internal.errors import InspectorError
from inspector._internal.render.words import EXIT_MEANINGS

EPILOG = f"""\
examples:
  python serve.py 2> error.log; inspector symbolicate model/ error.log
  pbpaste | inspector symbolicate model/
  inspector symbolicate model/ error.log --format json

exit status: {EXIT_MEANINGS["symbolicate"]}.
"""


def declare(symbolicate_cmd: argparse.ArgumentParser) -> None:
    symbolicate_cmd.description = (
        "Read a TensorFlow error raised by a loaded model (which prints `<stack traces "
        "unavailable>` and the loader's function names), find the nodes it names in the saved model, and "
        "print under each error line the creation trace of each node, from the debug info."
    )
    symbolicate_cmd.epilog = EPILOG
    symbolicate_cmd.add_argument("model", type=Path, help="the SavedModel that raised the error")
    symbolicate_cmd.add_argument(
        "log", nargs="?", default="-", help="file holding the error text; - (default) reads stdin"
    )
    add_reading_options(symbolicate_cmd, whitelist=False)
    add_output_options(symbolicate_cmd, "symbolicate")
    symbolicate_cmd.set_defaults(run=run)


class SymbolicateOptions(NamedTuple):
    """`inspector symbolicate`'s command line, typed."""

    model: Path
    tags: tuple[str, ...] | None
    log: str  # a file, or - for standard input
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SymbolicateOptions:
        return cls(args.model, args.tags, args.log, Output.from_args(args))


def run(args: argparse.Namespace) -> int:
    return map_log(SymbolicateOptions.from_args(args))


def map_log(options: SymbolicateOptions) -> int:
    from inspector._internal.fileio import LOG_LIMIT
    from inspector._internal.loader import load
    from inspector._internal.symbolicate import symbolicate

    if options.log == "-":
        log = sys.stdin.read(LOG_LIMIT + 1)
        if len(log) > LOG_LIMIT:
            raise InspectorError(f"the log on standard input is over the {LOG_LIMIT}-character limit")
    else:
        from inspector._internal.fileio import read_regular_file

        log = read_regular_file(Path(options.log), LOG_LIMIT, "log").decode("utf-8", errors="replace")
    view = load(options.model, tags=options.tags)
    return emit(symbolicate(view, log), options.output)
