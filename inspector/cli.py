"""The command line: parse, load, analyse, render, choose the exit code. Nothing else lives here.

Exit codes, for every command: 0 all is well; 1 the command found what it looks for (ops outside the
whitelist); 2 bad input or usage -- one line on stderr, never a traceback. An unexpected exception is a
bug in inspector and keeps its traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, assert_never

from inspector import __version__
from inspector.errors import InspectorError, SaveError
from inspector.loader import load
from inspector.render import OutputFormat, TextOptions, jsonfmt, markdown, text
from inspector.render.safe import visible
from inspector.report import Report, build_report
from inspector.save import load_factory, save
from inspector.view import SavedModelView

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_BAD_INPUT = 2

_EPILOG_REPORT = """\
examples:
  inspector report fixtures/models/module_aliases
  inspector report model/ --whitelist Acme --format markdown >> "$GITHUB_STEP_SUMMARY"
  inspector report model/saved_model.pb --format json --output report.json

exit status: 0 report written; 1 --whitelist given and ops miss it; 2 bad input.
"""

_EPILOG_SAVE = """\
examples:
  inspector save mypkg.models:build out/model --alias serve --signature serving_default=serve
  inspector save mypkg.models:build out/model --alias double=double_fn --whitelist Acme

FACTORY is called with no arguments and returns a tf.Module or Keras model; the working directory is
on the import path. The SavedModel is written with save_debug_info=True, then reported.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except InspectorError as error:
        fatal(str(error))
    except KeyboardInterrupt:
        fatal("interrupted")
    return code


def fatal(message: str) -> NoReturn:
    """The one exit for bad input: a single line on stderr, exit status 2."""
    line = visible(message).replace("\\x0a", " ")
    sys.stderr.write(f"inspector: error: {line}\n")
    raise SystemExit(EXIT_BAD_INPUT)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        fatal(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="inspector",
        description="Make TensorFlow SavedModels explain themselves: op stack traces, namespaces and "
        "function aliases, read statically (the model is never loaded or run).",
    )
    parser.add_argument("--version", action="version", version=f"inspector {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)

    report = commands.add_parser(
        "report",
        help="the full report of a SavedModel",
        description="Report what a SavedModel holds: overview, signatures, aliases, namespaces, op types, "
        "the function call tree, and the creation traces of ops outside --whitelist.",
        epilog=_EPILOG_REPORT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("model", type=Path, help="SavedModel directory, or its saved_model.pb / .pbtxt")
    _add_reading_options(report)
    _add_output_options(report)
    report.set_defaults(run=_run_report)

    save = commands.add_parser(
        "save",
        help="save a model with debug info and aliases, then report it",
        description="Build a model with FACTORY and save it as a SavedModel with save_debug_info=True, "
        "function aliases and the other SaveOptions; then print its report.",
        epilog=_EPILOG_SAVE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    save.add_argument(
        "factory", metavar="PKG.MODULE:FACTORY", help="callable returning the tf.Module / Keras model"
    )
    save.add_argument("out", type=Path, help="export directory to write")
    save.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="NAME[=ATTR]",
        help="record every concrete function of the tf.function at attribute ATTR (default: NAME) as alias "
        "NAME (repeatable)",
    )
    save.add_argument(
        "--signature",
        action="append",
        default=[],
        metavar="NAME=ATTR",
        help="export the tf.function at attribute ATTR as signature NAME (repeatable)",
    )
    save.add_argument(
        "--whitelist",
        action="append",
        metavar="NS",
        help="namespaces TensorFlow allows in the saved ops (repeatable); also flags others in the report",
    )
    save.add_argument(
        "--io-device", metavar="DEVICE", help="device for saving variables, e.g. /job:localhost"
    )
    save.add_argument(
        "--variable-policy",
        choices=("none", "save_variable_devices", "expand_distributed_variables"),
        help="TensorFlow's experimental_variable_policy",
    )
    _add_output_options(save)
    save.set_defaults(run=_run_save, tags=None)
    return parser


def _add_reading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tags",
        type=lambda text: tuple(t for t in text.split(",") if t),
        metavar="TAG[,TAG]",
        help="meta graph to read when the model holds several (e.g. serve or serve,gpu)",
    )
    parser.add_argument(
        "--whitelist",
        action="append",
        metavar="NS",
        help="allowed op namespaces (repeatable); ops in other namespaces are flagged with their traces",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        type=OutputFormat,
        choices=list(OutputFormat),
        default=OutputFormat.TEXT,
        help="output format (default: text)",
    )
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    colour = parser.add_mutually_exclusive_group()
    colour.add_argument("--color", dest="color", action="store_true", default=None, help="force colour")
    colour.add_argument("--no-color", dest="color", action="store_false", help="never colour")


def _run_report(args: argparse.Namespace) -> int:
    view = load(args.model, tags=args.tags)
    return _emit_report(view, args)


def _run_save(args: argparse.Namespace) -> int:
    os.environ.setdefault(
        "TF_CPP_MIN_LOG_LEVEL", "2"
    )  # keep TensorFlow's C++ start-up chatter off the report
    from inspector.loader import load

    if args.out.exists() and any(args.out.iterdir()) if args.out.is_dir() else args.out.exists():
        raise SaveError(f"{args.out}: already exists and is not empty; choose a new export directory")
    aliases = {}
    for entry in args.alias:
        name, _, attribute = entry.partition("=")
        if not name:
            raise SaveError(f"--alias {entry!r}: the alias name is empty")
        aliases[name] = attribute or name
    signatures = {}
    for entry in args.signature:
        name, sep, attribute = entry.partition("=")
        if not sep or not name or not attribute:
            raise SaveError(f"--signature {entry!r} is not of the form NAME=ATTR")
        signatures[name] = attribute
    # The factory's and TensorFlow's own prints would otherwise interleave with the report on stdout.
    with contextlib.redirect_stdout(sys.stderr):
        model = load_factory(args.factory)
        save(
            model,
            args.out,
            aliases=aliases,
            signatures=signatures or None,
            namespace_whitelist=args.whitelist,
            io_device=args.io_device,
            variable_policy=args.variable_policy,
        )
    view = load(args.out)
    empty = sorted(name for name in aliases if name not in view.aliases)
    if empty:
        sys.stderr.write(
            f"inspector: warning: alias {', '.join(empty)} covers no concrete function: call the tf.function "
            "or give it an input_signature before saving\n"
        )
    return _emit_report(view, args)


def _emit_report(view: SavedModelView, args: argparse.Namespace) -> int:
    report = build_report(view, whitelist=args.whitelist)
    _write(_render_report(report, args), args)
    return EXIT_FOUND if report.whitelist_violated else EXIT_OK


def _render_report(report: Report, args: argparse.Namespace) -> str:
    fmt: OutputFormat = args.format
    if fmt is OutputFormat.TEXT:
        return text.render_report(report, _text_options(args))
    if fmt is OutputFormat.JSON:
        return jsonfmt.render_report(report)
    if fmt is OutputFormat.MARKDOWN:
        return markdown.render_report(report)
    assert_never(fmt)


def _text_options(args: argparse.Namespace) -> TextOptions:
    """Colour on a terminal unless NO_COLOR or TERM=dumb (never into --output unless --color); width
    from COLUMNS, else the terminal, else 100."""
    to_terminal = args.output is None and sys.stdout.isatty()
    color = args.color
    if color is None:
        color = to_terminal and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = 100
    if to_terminal:
        with contextlib.suppress(OSError, ValueError):
            width = os.get_terminal_size(sys.stdout.fileno()).columns
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        width = int(columns)
    return TextOptions(color=bool(color), width=max(60, width))


def _write(text: str, args: argparse.Namespace) -> None:
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InspectorError(f"{args.output}: cannot write ({error.strerror or error})") from error
