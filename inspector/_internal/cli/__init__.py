"""The command line: parse, load, analyse, render, choose the exit code. Nothing else lives here.

Exit codes, for every command: 0 all is well; 1 the command found what it looks for (ops outside the
whitelist); 2 bad input or usage -- one line on stderr, never a traceback; 3 a bug in inspector, named
as one in one line (`--debug` shows its traceback). Each result's verdict decides 0 or 1. A reader
that closes stdout early (`| head`) ends the command quietly with 141, the status SIGPIPE gives.

One module per command (`cli/audit.py`: its `declare(parser)`, its typed options `AuditOptions` with
`from_args`, and its `run(args)`, which hands the one to the other), imported only when that command runs
or help lists every option. Past `from_args` nothing reads argparse's Namespace. The options are
NamedTuples: one is made per run, and a dataclass would add its compiled methods to every start. `arguments.py` holds the
arguments several share, `output.py` what every command does with its result (`Output`, its options),
`parsing.py` argparse as inspector speaks it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, Protocol

from inspector._internal.cli.output import check_outputs, serving_version
from inspector._internal.cli.parsing import Formatter, Parser, VersionAction
from inspector._internal.errors import InspectorError, ReaderGone
from inspector._internal.render.safe import visible
from inspector.results.common import EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR


class CommandModule(Protocol):
    """What each command's module offers: `declare` adds its arguments and sets `run` as the default."""

    def declare(self, parser: argparse.ArgumentParser) -> None: ...


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if not argv:  # bare `inspector`: what it can do, not an error
        build_parser().print_help(sys.stdout)
        return 0
    command = _command_named(argv)
    parser = build_parser(only=command)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the command's own error, with its own help to point at
        (parser.commands[command] if command else parser).error(
            f"unrecognized arguments: {' '.join(unknown)}"
        )
    # A command is one pass over a model held in memory to the end: the cyclic garbage collector would
    # rescan its 100k+ objects again and again and free nothing (a tenth of a large report's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        serving_version(args)
        check_outputs(args)
        code: int = args.run(args)
    except InspectorError as error:
        fatal(str(error))
    except KeyboardInterrupt:
        fatal("interrupted")
    except ReaderGone:
        # The reader of stdout went away (`| head`): what it wanted it has. End as a writer killed by
        # SIGPIPE would, without an error line, and without Python's complaint when stdout is closed.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as error:
        # A part of the input the OS will not give us (permissions, a vanished file, an I/O error).
        where = error.filename if error.filename is not None else "the input"
        fatal(f"{where}: cannot be read ({error.strerror or error})")
    except RecursionError:
        # Only a model can nest this deep (our own walks are iterative): it is the input's fault.
        fatal(f"{args.model if hasattr(args, 'model') else 'the input'}: nested too deeply to read")
    except MemoryError:
        fatal("the input needs more memory than this machine has; it may be hostile")
    except Exception as error:  # the last line of defence: a bug is named as one, never a traceback
        if getattr(args, "debug", False):
            raise
        name = type(error).__name__
        detail = visible(str(error).splitlines()[0] if str(error).strip() else "")[:200]
        sys.stderr.write(
            f"inspector: internal error: {name}{': ' + detail if detail else ''} "
            f"(a bug in inspector, not in your input; rerun with --debug for the traceback)\n"
        )
        raise SystemExit(EXIT_INTERNAL_ERROR) from None
    finally:
        if collecting:
            gc.enable()
    return code


def _command_named(argv: Sequence[str]) -> str | None:
    """The command an argument list runs (the first word that is no option: the options before it take
    no value), or None when it names none or asks for the help that lists every command."""
    for arg in argv:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg if arg in _COMMANDS else None
    return None


def console() -> NoReturn:
    """The `inspector` command: `main`, then exit without tearing the process down. A large model is a
    million objects, and freeing them one by one at exit costs a tenth of a command's time for nothing:
    the output is flushed first, and the operating system takes the memory back at once."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away (`| head`)
            stream.flush()
    os._exit(code)


#: The status of a writer whose reader closed the pipe (128 + SIGPIPE), as shells report it.
EXIT_BROKEN_PIPE = 141


#: An error line quotes the input at times (a protobuf parser's complaint): it is cut to this length.
MAX_ERROR_LINE = 500


def fatal(message: str) -> NoReturn:
    """The one exit for bad input: a single line on stderr, exit status 2."""
    line = visible(message).replace("\\x0a", " ")
    if len(line) > MAX_ERROR_LINE:
        line = line[: MAX_ERROR_LINE - 1] + "…"
    sys.stderr.write(f"inspector: error: {line}\n")
    raise SystemExit(EXIT_BAD_INPUT)


def build_parser(only: str | None = None) -> Parser:
    """The command line. With `only`, the one command that will run, alone: a parser per command, let
    alone every command's options, costs each run milliseconds. Without it, every command is listed with
    its summary and its options are declared (help and completion show them)."""
    parser = Parser(
        prog="inspector",
        formatter_class=Formatter,
        description="Make TensorFlow SavedModels explain themselves: op stack traces, namespaces and "
        "function aliases, read statically (the model is never loaded or run).",
    )
    parser.add_argument(
        "--version", action=VersionAction, help="inspector's version, and the TensorFlow and protobuf found"
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error (exit status 3)"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=Parser)
    parser.commands = {}

    for name, summary in _COMMANDS.items():
        if only is not None and name != only:
            continue
        command_parser = commands.add_parser(name, help=summary, formatter_class=Formatter)
        parser.commands[name] = command_parser
        command: CommandModule = importlib.import_module(f"inspector._internal.cli.{name}")
        command.declare(command_parser)
    return parser


#: Every command: its summary, and its module (`declare` and `run`), in the order help lists them.
_COMMANDS: dict[str, str] = {
    "report": "the full report of a SavedModel",
    "save": "save a model with debug info and aliases, then report it",
    "trace": "creation stack traces of ops",
    "where": "which ops a source line created",
    "audit": "pre-release audit: whitelist, risky ops, registry, debug info, aliases, versions",
    "sign": "audit a model and, only when it passes, sign it with its audit record (model-signing)",
    "verify": "verify a signed model and its audit record, and audit it again with today's rules",
    "scan": "audit every SavedModel under folders or globs, one JSON line each",
    "rule": "print an audit rule's documentation",
    "config": "print the audit policy in effect and where each value came from",
    "completion": "print the shell's completion script",
    "diff": "what changed between two SavedModels",
    "doctor": "why a model fails to load, or will",
    "scrub": "copy a model with the paths in its debug info stripped",
    "symbolicate": "map a runtime error's nodes back to the code that created them",
}
