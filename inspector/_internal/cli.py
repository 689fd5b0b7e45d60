"""The command line: parse, load, analyse, render, choose the exit code. Nothing else lives here.

Exit codes, for every command: 0 all is well; 1 the command found what it looks for (ops outside the
whitelist); 2 bad input or usage -- one line on stderr, never a traceback; 3 a bug in inspector, named
as one in one line (`--debug` shows its traceback). Each result's verdict decides 0 or 1. A reader
that closes stdout early (`| head`) ends the command quietly with 141, the status SIGPIPE gives.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from inspector import __version__
from inspector._internal.errors import InspectorError, ReaderGone
from inspector._internal.policyargs import add_policy_options, policy_of
from inspector._internal.render import OutputFormat, RenderOptions
from inspector._internal.render.safe import visible
from inspector._internal.render.words import EXIT_MEANINGS
from inspector.results.common import EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR

if TYPE_CHECKING:
    from inspector._internal.view import SavedModelView
    from inspector.results import CommandResult

#: The formats every command writes; `audit` adds SARIF. (A test checks these against the renderers.)
COMMON_FORMATS = (OutputFormat.TEXT, OutputFormat.JSON, OutputFormat.MARKDOWN, OutputFormat.HTML)
#: The formats of a command whose result is located items (findings, problems, ops): a line each.
LINE_FORMATS = (OutputFormat.CONCISE, OutputFormat.GITHUB)
AUDIT_FORMATS = (*COMMON_FORMATS, OutputFormat.SARIF, *LINE_FORMATS)
LOCATED_FORMATS = (*COMMON_FORMATS, *LINE_FORMATS)

_EPILOG_REPORT = f"""\
examples:
  inspector report fixtures/models/module_aliases
  inspector report model/ --whitelist Acme --format markdown >> "$GITHUB_STEP_SUMMARY"
  inspector report model/saved_model.pb --format json --output report.json

exit status: {EXIT_MEANINGS["report"]}.
"""

_EPILOG_SAVE = """\
examples:
  inspector save mypkg.models:build out/model --alias serve --signature serving_default=serve
  inspector save mypkg.models:build out/model --alias double=double_fn --whitelist Acme

FACTORY is called with no arguments and returns a tf.Module or Keras model; the working directory is
on the import path. The SavedModel is written with save_debug_info=True, then reported.
"""


_EPILOG_TRACE = f"""\
examples:
  inspector trace model/                              # every traced op, by the line that created it
  inspector trace model/ 'add@__inference_*'          # node key glob
  inspector trace model/ '*/Relu' --signature serving_default
  inspector trace model/ --op 'Acme>*' --alias serve --context 4
  inspector trace model/ --namespace Acme --source-root /home/ci/src=.

exit status: {EXIT_MEANINGS["trace"]}.
"""

_EPILOG_WHERE = f"""\
examples:
  inspector where model/ model.py:42               # ops with model.py line 42 on their creation stack
  inspector where model/ src/layers.py             # any line of that file
  inspector where model/ model.py:42 --innermost   # only ops created directly on that line

exit status: {EXIT_MEANINGS["where"]}.
"""


_EPILOG_SCAN = f"""\
examples:
  inspector scan registry/ -o audits.jsonl                # every model under registry/
  inspector scan 'models/*/export' --jobs 4 --timeout 60
  inspector scan registry/ -o audits.jsonl --cache ~/.cache/inspector   # a rerun audits only what changed
  inspector scan registry/ --whitelist Acme --fail-on warning           # the audit's options, per model
  jq -r 'select(.status != "ok") | [.status, .path] | @tsv' audits.jsonl

exit status: {EXIT_MEANINGS["scan"]}.
"""

_EPILOG_AUDIT = f"""\
examples:
  inspector audit model/ --whitelist Acme
  inspector audit model/ --format sarif --source-root . -o audit.sarif   # code scanning: relative URIs
  inspector audit model/ --quiet                                      # the verdict and the findings only
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


_EPILOG_DIFF = f"""\
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


_EPILOG_DOCTOR = f"""\
examples:
  inspector doctor model/                                   # static checks only: nothing is loaded
  inspector doctor model/ --try-load                        # load it in a child process, explain the error
  inspector doctor model/ --try-load --op-library ./libacme_ops.so --import tensorflow_text
  inspector doctor model/ --try-load --timeout 30 --verbose
  inspector doctor model/ --live-registry                   # the installed TensorFlow's own op registry

exit status: {EXIT_MEANINGS["doctor"]}.
"""


_EPILOG_SCRUB = f"""\
examples:
  inspector scrub model/ public/ --strip-prefix /home/alice/src/
  inspector scrub model/ public/ --relative-to "$CI_PROJECT_DIR"
  inspector trace public/ --op MatMul --source-root =.     # read the relative paths from this checkout

exit status: {EXIT_MEANINGS["scrub"]}.
"""


_EPILOG_SYMBOLICATE = f"""\
examples:
  python serve.py 2> error.log; inspector symbolicate model/ error.log
  pbpaste | inspector symbolicate model/
  inspector symbolicate model/ error.log --format json

exit status: {EXIT_MEANINGS["symbolicate"]}.
"""


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
        _serving_version(args)
        _check_outputs(args)
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


#: The arguments that name what a command reads: an output may never be one of them, nor inside one.
_INPUT_ARGS = ("model", "old", "new", "baseline", "policy", "log")


def _model_argument(parser: argparse.ArgumentParser) -> None:
    """The MODEL every single-model command takes, and the TF Serving version to read of a base path."""
    parser.add_argument(
        "model",
        type=Path,
        help="SavedModel directory, or its saved_model.pb / .pbtxt; a TF Serving base path (numbered version "
        "folders) is read as its latest version",
    )
    parser.add_argument(
        "--model-version",
        type=int,
        metavar="N",
        help="of a TF Serving base path, the version N to read, not the latest (`inspector --version` is "
        "inspector's own)",
    )


def _serving_version(args: argparse.Namespace) -> None:
    """--model-version N: MODEL is a TF Serving base path, and its folder N is the model."""
    version = getattr(args, "model_version", None)
    if version is None:
        return
    from inspector._internal.loader import serving_versions

    versions = dict(serving_versions(args.model))
    if version not in versions:
        said = ", ".join(str(v) for v in sorted(versions)) or "none"
        raise InspectorError(
            f"{args.model}: no version {version} (a TF Serving base path's versions: {said})"
        )
    args.model = versions[version]


def _check_outputs(args: argparse.Namespace) -> None:
    """Before any work: every file the command will write is one it may write (files.output_problem)."""
    from inspector._internal.files import output_problem

    inputs = [value for name in _INPUT_ARGS if isinstance(value := getattr(args, name, None), Path)]
    if getattr(args, "log", "-") not in ("-", None):
        inputs.append(Path(args.log))
    for option, target in (
        ("--output", getattr(args, "output", None)),
        ("--write-baseline", getattr(args, "write_baseline", None)),
    ):
        if target is not None:
            problem = output_problem(target, inputs)
            if problem:
                raise InspectorError(f"{target}: {problem} ({option})")


def _command_named(argv: Sequence[str]) -> str | None:
    """The command an argument list runs (the first word that is no option: the options before it take
    no value), or None when it names none."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return word if word in _COMMANDS else None


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


class _VersionAction(argparse.Action):
    """`--version`, computed only when asked (it reads installed packages' metadata)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=str(kwargs.get("help", ""))
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        sys.stdout.write(version_text() + "\n")
        parser.exit()


def version_text() -> str:
    """inspector's version, and the TensorFlow and protobuf it finds (read from their metadata: nothing
    is imported)."""
    import platform

    from inspector._internal.installed import distribution_version, tensorflow_distribution

    tensorflow = tensorflow_distribution()
    found = f"{tensorflow[0]} {tensorflow[1]}" if tensorflow else "TensorFlow not installed"
    protobuf = distribution_version("protobuf") or "not installed"
    return (
        f"inspector {__version__} (savedmodel-inspector)\n{found}\nprotobuf {protobuf}\n"
        f"Python {platform.python_version()}"
    )


def fatal(message: str) -> NoReturn:
    """The one exit for bad input: a single line on stderr, exit status 2."""
    line = visible(message).replace("\\x0a", " ")
    if len(line) > MAX_ERROR_LINE:
        line = line[: MAX_ERROR_LINE - 1] + "…"
    sys.stderr.write(f"inspector: error: {line}\n")
    raise SystemExit(EXIT_BAD_INPUT)


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its usage errors said in one line (`inspector audit: error: --fail-on: 'severe'
    is not one of note, warning, error, critical`) and a pointer to the command's help, as git and ruff do,
    not the usage block."""

    #: Each command's parser, by name (the top-level parser's only): an unknown option is the command's.
    commands: dict[str, argparse.ArgumentParser]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No option is guessed from a prefix: `--allow` must never mean `--allow-risky-load`.
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {visible(_said_plainly(message))}\nsee '{self.prog} --help'\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _said_plainly(message: str) -> str:
    """argparse's wording, without its `argument ` prefix and with choices listed as words."""
    message = message.removeprefix("argument ")
    invalid = re.fullmatch(r"(.+?): invalid choice: (.+?) \(choose from (.+)\)", message)
    if invalid:
        option, value, choices = invalid.groups()
        return f"{option}: {value} is not one of {choices.replace(chr(39), '')}"
    return message


def _choice_of(name: str, choices: Sequence[str]) -> Callable[[str], str]:
    """An argparse type that accepts one of `choices` and names them all when given anything else."""

    def accept(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"'{text}' is not one of {', '.join(choices)}")
        return text

    accept.__name__ = name
    return accept


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter at the terminal's width, never breaking a word: descriptions and epilogs are
    wrapped paragraph by paragraph, an indented line (an example, a setting) keeps its indent and hangs
    its continuation under it. It is given the width: on its own argparse imports shutil (and bz2 and lzma
    with it) on every run to measure the terminal, for help that is rarely printed."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24) -> None:
        super().__init__(prog, indent_increment, max_help_position, width=_help_width())

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        return textwrap.wrap(" ".join(text.split()), width, break_long_words=False, break_on_hyphens=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        def wrap(words: str, first: str, rest: str) -> list[str]:
            wrapped = textwrap.wrap(
                words,
                width,
                initial_indent=first,
                subsequent_indent=rest,
                break_long_words=False,
                break_on_hyphens=False,
            )
            return wrapped or [first.rstrip()]

        out: list[str] = []
        prose: list[str] = []

        def flush() -> None:
            if prose:
                out.extend(wrap(" ".join(prose), indent, indent))
                prose.clear()

        for line in text.splitlines():
            if not line.strip():
                flush()
                out.append("")
            elif line.startswith(" "):
                flush()
                margin = indent + line[: len(line) - len(line.lstrip())]
                code, hash_mark, comment = line.strip().partition("  # ")
                if hash_mark and len(margin + line.strip()) > width:
                    # An example too wide for its comment: the comment goes on the line above it.
                    out.extend(wrap(comment, margin + "# ", margin + "# "))
                    out.extend(wrap(code.rstrip(), margin, margin + "    "))
                else:
                    out.extend(wrap(line.strip(), margin, margin + "    "))
            else:
                prose.append(" ".join(line.split()))
        flush()
        return "\n".join(out)


def _help_width() -> int:
    """What argparse would use: COLUMNS, else the terminal's width, else 80; less a margin of 2."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns) - 2
    terminal = 0
    stdout = sys.__stdout__
    with contextlib.suppress(OSError, ValueError):  # not a terminal, or closed
        terminal = os.get_terminal_size(stdout.fileno()).columns if stdout is not None else 0
    return (terminal or 80) - 2


def build_parser(only: str | None = None) -> _Parser:
    """The command line. With `only`, the one command that will run gets its options and the others
    their names and summaries alone: declaring every command's options costs each run milliseconds."""
    parser = _Parser(
        prog="inspector",
        formatter_class=_Formatter,
        description="Make TensorFlow SavedModels explain themselves: op stack traces, namespaces and "
        "function aliases, read statically (the model is never loaded or run).",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="inspector's version, and the TensorFlow and protobuf found"
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error (exit status 3)"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)
    parser.commands = {}

    for name, (summary, declare) in _COMMANDS.items():
        command_parser = commands.add_parser(name, help=summary, formatter_class=_Formatter)
        parser.commands[name] = command_parser
        if only is None or only == name:
            declare(command_parser)
    return parser


def _declare_report(report: argparse.ArgumentParser) -> None:
    report.description = (
        "Report what a SavedModel holds: overview, signatures, aliases, namespaces, op types, "
        "the function call tree, and the creation traces of ops outside --whitelist."
    )
    report.epilog = _EPILOG_REPORT
    _model_argument(report)
    report.add_argument(
        "--verify-fingerprint",
        action="store_true",
        help="recompute fingerprint.pb from the files with TensorFlow (imports it; nothing is loaded)",
    )
    _add_reading_options(report)
    _add_output_options(report)
    report.set_defaults(run=_run_report)


def _declare_save(save: argparse.ArgumentParser) -> None:
    save.description = (
        "Build a model with FACTORY and save it as a SavedModel with save_debug_info=True, "
        "function aliases and the other SaveOptions; then print its report."
    )
    save.epilog = _EPILOG_SAVE
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
        "--strip-prefix",
        action="append",
        default=[],
        metavar="PREFIX",
        help="remove PREFIX from the source paths recorded in the debug info (repeatable)",
    )
    save.add_argument(
        "--io-device", metavar="DEVICE", help="device for saving variables, e.g. /job:localhost"
    )
    save.add_argument(
        "--variable-policy",
        choices=("none", "save_variable_devices", "expand_distributed_variables"),
        metavar="POLICY",
        help="TensorFlow's experimental_variable_policy: none, save_variable_devices or "
        "expand_distributed_variables",
    )
    _add_output_options(save)
    save.set_defaults(run=_run_save, tags=None, verify_fingerprint=False)


def _declare_trace(trace_cmd: argparse.ArgumentParser) -> None:
    trace_cmd.description = (
        "Show the Python stacks that created ops, from the model's debug info. Selectors "
        "combine (all must match); without one, every traced op is listed by the source line that created it."
    )
    trace_cmd.epilog = _EPILOG_TRACE
    _model_argument(trace_cmd)
    trace_cmd.add_argument(
        "pattern",
        nargs="?",
        metavar="KEY-OR-GLOB",
        help="node key (node@function) or glob; or a node name glob",
    )
    trace_cmd.add_argument("--op", metavar="TYPE", help="op type or glob (e.g. MatMul, 'Acme>*')")
    trace_cmd.add_argument("--function", metavar="NAME", help="function name or glob")
    trace_cmd.add_argument("--alias", metavar="ALIAS", help="every concrete function behind a function alias")
    trace_cmd.add_argument("--signature", metavar="NAME", help="every op reachable from a signature")
    trace_cmd.add_argument("--namespace", metavar="NS", help="ops of a namespace (NS>Op)")
    _add_source_options(trace_cmd)
    trace_cmd.add_argument(
        "--all-frames", action="store_true", help="also show TensorFlow's and Python's frames"
    )
    _add_reading_options(trace_cmd, whitelist=False)
    _add_output_options(trace_cmd, formats=LOCATED_FORMATS)
    trace_cmd.set_defaults(run=_run_trace)


def _declare_where(where_cmd: argparse.ArgumentParser) -> None:
    where_cmd.description = (
        "List the ops whose creation stack holds FILE:LINE (or any line of FILE). FILE matches "
        "recorded paths by suffix, so model.py:42 finds /home/ci/src/model.py:42."
    )
    where_cmd.epilog = _EPILOG_WHERE
    _model_argument(where_cmd)
    where_cmd.add_argument(
        "location", metavar="FILE[:LINE]", help="source file (path suffix), optionally a line"
    )
    where_cmd.add_argument(
        "--innermost", action="store_true", help="only ops whose innermost user frame is that line"
    )
    _add_reading_options(where_cmd, whitelist=False)
    _add_output_options(where_cmd)
    where_cmd.set_defaults(run=_run_where)


def _declare_audit(audit_cmd: argparse.ArgumentParser) -> None:
    audit_cmd.description = (
        "Audit a SavedModel statically, before it ships or after it arrives: namespaced ops "
        "outside the whitelist, risky ops (file, Python, network, ...) wherever they hide, ops the installed "
        "TensorFlow does not know, debug info, aliases and versions. The model is never loaded or run."
    )
    audit_cmd.epilog = _EPILOG_AUDIT
    _model_argument(audit_cmd)
    add_policy_options(audit_cmd)
    audit_cmd.add_argument(
        "--max-results",
        type=int,
        default=5000,
        metavar="N",
        help="SARIF: write at most N results, the most severe (default 5000); the log says how many were left out",
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
    _add_reading_options(audit_cmd, whitelist=False)
    _add_output_options(audit_cmd, formats=AUDIT_FORMATS)
    audit_cmd.set_defaults(run=_run_audit)


def _declare_scan(scan_cmd: argparse.ArgumentParser) -> None:
    scan_cmd.description = (
        "Audit every SavedModel found under the given folders or globs (a recursive walk that follows no "
        "link), each in a worker process under a time and a memory limit, and write one JSON line per model: "
        "its path, status (ok, findings, error, timeout, oom), verdict, counts and audit document, or the "
        "error. A summary line ends the output. Models already in --output are skipped (a scan resumes), and "
        "with --cache a model whose content and rules are unchanged is not audited again."
    )
    scan_cmd.epilog = _EPILOG_SCAN
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
    _add_reading_options(scan_cmd, whitelist=False)
    scan_cmd.set_defaults(run=_run_scan)


def _declare_diff(diff_cmd: argparse.ArgumentParser) -> None:
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
    diff_cmd.epilog = _EPILOG_DIFF
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
    _add_reading_options(diff_cmd, whitelist=False)
    _add_output_options(diff_cmd)
    diff_cmd.set_defaults(run=_run_diff)


def _declare_doctor(doctor_cmd: argparse.ArgumentParser) -> None:
    doctor_cmd.description = (
        "Diagnose what keeps a SavedModel from loading: statically (unregistered ops, missing or "
        "truncated files, versions, file size, debug info), and with --try-load by loading it with TensorFlow "
        "in a child process with a timeout, turning the error into the op, function, signatures and source "
        "line involved, and the fix."
    )
    doctor_cmd.epilog = _EPILOG_DOCTOR
    _model_argument(doctor_cmd)
    doctor_cmd.add_argument(
        "--try-load",
        action="store_true",
        help="load the model with TensorFlow in a child process: this runs the model's code (init ops, "
        "restore, resource initializers); refused when the audit finds risky ops that run at load",
    )
    doctor_cmd.add_argument(
        "--allow-risky-load",
        action="store_true",
        help="with --try-load, load even a model whose load runs file, Python, network or process ops "
        "(they run on this machine)",
    )
    doctor_cmd.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="kill the loading process after this long (default 120)",
    )
    doctor_cmd.add_argument(
        "--op-library",
        action="append",
        default=[],
        metavar="PATH",
        help="tf.load_op_library(PATH) before loading (repeatable)",
    )
    doctor_cmd.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE before loading (repeatable): from the working directory, PYTHONPATH or the installed packages",
    )
    doctor_cmd.add_argument(
        "--python",
        metavar="PATH",
        help="load with this interpreter (the serving environment's, with the packages the model needs) "
        "instead of inspector's own",
    )
    doctor_cmd.add_argument("--no-registry", action="store_true", help="skip the static op-registry check")
    doctor_cmd.add_argument(
        "--live-registry",
        action="store_true",
        help="check op types against the installed TensorFlow (imports it, ~3 s) instead of the shipped snapshot",
    )
    doctor_cmd.add_argument(
        "--verbose", "-v", action="store_true", help="include the loading process's own log"
    )
    _add_reading_options(doctor_cmd, whitelist=False)
    _add_output_options(doctor_cmd, formats=LOCATED_FORMATS)
    doctor_cmd.set_defaults(run=_run_doctor)


def _declare_scrub(scrub_cmd: argparse.ArgumentParser) -> None:
    scrub_cmd.description = (
        "Write a copy of a SavedModel whose debug info no longer names the saving machine's "
        "folders: PREFIX is removed from recorded paths (or paths become relative to DIR). Every other file "
        "is copied byte for byte; the input is never modified; the copy is verified by reading it back."
    )
    scrub_cmd.epilog = _EPILOG_SCRUB
    _model_argument(scrub_cmd)
    scrub_cmd.add_argument("out", type=Path, help="the directory to write the copy to (new or empty)")
    how = scrub_cmd.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--strip-prefix", action="append", metavar="PREFIX", help="remove this path prefix (repeatable)"
    )
    how.add_argument("--relative-to", type=Path, metavar="DIR", help="make paths under DIR relative to it")
    _add_output_options(scrub_cmd)
    scrub_cmd.set_defaults(run=_run_scrub)


def _declare_symbolicate(symbolicate_cmd: argparse.ArgumentParser) -> None:
    symbolicate_cmd.description = (
        "Read a TensorFlow error raised by a loaded model (which prints `<stack traces "
        "unavailable>` and the loader's function names), find the nodes it names in the saved model, and "
        "print under each error line the creation trace of each node, from the debug info."
    )
    symbolicate_cmd.epilog = _EPILOG_SYMBOLICATE
    symbolicate_cmd.add_argument("model", type=Path, help="the SavedModel that raised the error")
    symbolicate_cmd.add_argument(
        "log", nargs="?", default="-", help="file holding the error text; - (default) reads stdin"
    )
    _add_reading_options(symbolicate_cmd, whitelist=False)
    _add_output_options(symbolicate_cmd)
    symbolicate_cmd.set_defaults(run=_run_symbolicate)


def _declare_completion(completion: argparse.ArgumentParser) -> None:
    completion.description = (
        "Print the shell's completion script for inspector (written by shtab, from this command line's own "
        "parser: every command and option, always current)."
    )
    completion.epilog = """\
examples:
  inspector completion bash > ~/.local/share/bash-completion/completions/inspector
  inspector completion zsh > "${fpath[1]}/_inspector"
"""
    completion.add_argument("shell", choices=("bash", "zsh", "tcsh"), help="the shell")
    completion.set_defaults(run=_run_completion)


def _run_completion(args: argparse.Namespace) -> int:
    try:
        import shtab
    except ImportError as missing:
        raise InspectorError(
            "completion needs shtab: pip install 'savedmodel-inspector[completion]'"
        ) from missing
    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return 0


def _declare_config(config: argparse.ArgumentParser) -> None:
    config.description = (
        "Print the audit policy in effect here: each setting's value and where it came from (the default, "
        "--policy FILE or [tool.inspector.audit] of the nearest pyproject.toml, or an option). Give the "
        "options you would give audit or scan to see what they would make of them. Reads no model."
    )
    config.epilog = """\
examples:
  inspector config
  inspector config --policy release.toml --fail-on warning
  inspector config --format json
"""
    add_policy_options(config)
    config.add_argument(
        "--format",
        type=_choice_of("format", ["text", "json"]),
        choices=["text", "json"],
        metavar="FORMAT",
        default="text",
        help="text (default) or json",
    )
    config.set_defaults(run=_run_config)


def _run_config(args: argparse.Namespace) -> int:
    import json

    from inspector._internal.policyargs import policy_in_effect
    from inspector._internal.render.listings import policy_settings

    policy = policy_in_effect(args)
    if args.format == "json":
        document = {
            "tool": "inspector",
            "version": __version__,
            "kind": "config",
            "policy_file": None
            if policy.file is None
            else {"path": str(policy.file), "explicit": policy.explicit, "has_policy": policy.table},
            "baseline": None if args.baseline is None else str(args.baseline),
            "settings": [{"key": s.key, "value": s.value, "from": s.origin} for s in policy.settings],
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=True) + "\n")
        return 0
    baseline = f"baseline: {visible(str(args.baseline))}\n" if args.baseline is not None else ""
    sys.stdout.write(policy_settings(policy, Path.cwd()) + baseline)
    return 0


def _declare_rule(rule: argparse.ArgumentParser) -> None:
    rule.description = (
        "Print an audit rule's documentation: what it finds, why it matters, an example, the fix."
    )
    rule.epilog = """\
examples:
  inspector rule INS002
  inspector rule risky-op
  inspector rule --all
"""
    rule.add_argument("rule", nargs="?", metavar="RULE", help="a rule's id or name")
    rule.add_argument("--all", action="store_true", help="every rule's documentation")
    rule.set_defaults(run=_run_rule)


def _run_rule(args: argparse.Namespace) -> int:
    from inspector._internal.audit.rules import rules
    from inspector._internal.render.listings import rule_documentation

    infos = [rule.INFO for rule in rules()]
    if args.rule is None and not args.all:  # bare `inspector rule`: the list
        width = max(len(info.name) for info in infos)
        sys.stdout.write(
            "".join(f"{info.id}  {info.name:<{width}}  {info.summary}\n" for info in infos)
            + "\ninspector rule ID (or NAME) prints a rule's documentation; --all prints every rule's\n"
        )
        return 0
    if args.all and args.rule is not None:
        raise InspectorError("name one rule (inspector rule INS002) or give --all, not both")
    chosen = (
        infos if args.all else [i for i in infos if args.rule.upper() == i.id or args.rule.lower() == i.name]
    )
    if not chosen:
        raise InspectorError(
            f"{args.rule}: no such rule (rules: {infos[0].id} to {infos[-1].id}; inspector rule --all)"
        )
    sys.stdout.write("\n".join(rule_documentation(info) for info in chosen))
    return 0


_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "report": ("the full report of a SavedModel", _declare_report),
    "save": ("save a model with debug info and aliases, then report it", _declare_save),
    "trace": ("creation stack traces of ops", _declare_trace),
    "where": ("which ops a source line created", _declare_where),
    "audit": (
        "pre-release audit: whitelist, risky ops, registry, debug info, aliases, versions",
        _declare_audit,
    ),
    "scan": ("audit every SavedModel under folders or globs, one JSON line each", _declare_scan),
    "rule": ("print an audit rule's documentation", _declare_rule),
    "config": ("print the audit policy in effect and where each value came from", _declare_config),
    "completion": ("print the shell's completion script", _declare_completion),
    "diff": ("what changed between two SavedModels", _declare_diff),
    "doctor": ("why a model fails to load, or will", _declare_doctor),
    "scrub": ("copy a model with the paths in its debug info stripped", _declare_scrub),
    "symbolicate": ("map a runtime error's nodes back to the code that created them", _declare_symbolicate),
}


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--context",
        type=int,
        default=2,
        metavar="N",
        help="source lines shown around each frame when the file exists here (default 2; -1: none)",
    )
    parser.add_argument(
        "--source-root",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="read recorded paths starting with OLD from NEW instead (repeatable)",
    )


def _add_reading_options(parser: argparse.ArgumentParser, whitelist: bool = True) -> None:
    parser.add_argument(
        "--tags",
        type=lambda text: tuple(t for t in text.split(",") if t),
        metavar="TAG[,TAG]",
        help="meta graph to read when the model holds several (e.g. serve or serve,gpu)",
    )
    if not whitelist:
        return
    parser.add_argument(
        "--whitelist",
        action="append",
        metavar="NS",
        help="allowed op namespaces (repeatable); ops in other namespaces are flagged with their traces",
    )


def _add_output_options(
    parser: argparse.ArgumentParser, formats: tuple[OutputFormat, ...] = COMMON_FORMATS
) -> None:
    names = [fmt.value for fmt in formats]
    parser.add_argument(
        "--format",
        type=_choice_of("format", names),
        choices=names,
        metavar="FORMAT",
        default=OutputFormat.TEXT.value,
        help=f"output format: {', '.join(names)} (default: text)",
    )
    # ruff's name for it, accepted and not listed: one option, said once in the help.
    parser.add_argument(
        "--output-format",
        dest="format",
        type=_choice_of("format", names),
        choices=names,
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="only the verdict and the findings (what the exit status says)",
    )
    colour = parser.add_mutually_exclusive_group()
    colour.add_argument("--color", dest="color", action="store_true", default=None, help="force colour")
    colour.add_argument("--no-color", dest="color", action="store_false", help="never colour")


# --- the commands: each imports what it needs, so `inspector report` never pays for trace or save ---


def _run_report(args: argparse.Namespace) -> int:
    from inspector._internal.loader import load

    return _emit_report(load(args.model, tags=args.tags), args)


def _run_save(args: argparse.Namespace) -> int:
    # Keep TensorFlow's C++ start-up chatter off the report.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from inspector._internal.errors import SaveError
    from inspector._internal.loader import load
    from inspector._internal.save import load_factory, save

    if args.out.is_file() or (args.out.is_dir() and any(args.out.iterdir())):
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
    with contextlib.redirect_stdout(sys.stderr), _working(args, "importing TensorFlow and saving the model"):
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
    if args.strip_prefix:
        from inspector._internal.scrub import scrub_in_place

        scrub_in_place(args.out, args.strip_prefix)
    view = load(args.out)
    empty = sorted(name for name in aliases if name not in view.aliases)
    if empty:
        sys.stderr.write(
            f"inspector: warning: alias {', '.join(empty)} covers no concrete function: call the tf.function "
            "or give it an input_signature before saving\n"
        )
    code = _emit_report(view, args)
    # Where it went and what it holds, last (on stderr: the report on stdout stays the report).
    recorded = [f"debug info ({view.debug_info.status.value})"]
    if view.aliases:
        recorded.append(f"aliases {', '.join(sorted(view.aliases))}")
    if view.signatures:
        recorded.append(f"signatures {', '.join(sorted(view.signatures))}")
    sys.stderr.write(f"inspector: saved {args.out}: {'; '.join(recorded)}\n")
    return code


def _emit_report(view: SavedModelView, args: argparse.Namespace) -> int:
    from inspector._internal.report import build_report

    check = getattr(args, "verify_fingerprint", False)
    with _working(args, "recomputing the fingerprint with TensorFlow", when=check):
        # The HTML page searches every op: only it pays for their index.
        index_ops = args.format == OutputFormat.HTML.value
        report = build_report(view, whitelist=args.whitelist, check_fingerprint=check, index_ops=index_ops)
    return _emit(report, args)


def _run_trace(args: argparse.Namespace) -> int:
    from inspector._internal.loader import load
    from inspector._internal.traces import SourceRoot, trace
    from inspector.results.traces import Selector

    selector = Selector(
        pattern=args.pattern,
        op=args.op,
        function=args.function,
        alias=args.alias,
        signature=args.signature,
        namespace=args.namespace,
    )
    roots = [SourceRoot.parse(entry) for entry in args.source_root]
    view = load(args.model, tags=args.tags)
    return _emit(
        trace(view, selector, all_frames=args.all_frames, source_roots=roots, context=args.context), args
    )


def _run_where(args: argparse.Namespace) -> int:
    from inspector._internal.loader import load
    from inspector._internal.traces import where
    from inspector.results.traces import WhereQuery

    view = load(args.model, tags=args.tags)
    return _emit(where(view, WhereQuery.parse(args.location, innermost=args.innermost)), args)


def _run_audit(args: argparse.Namespace) -> int:
    import dataclasses

    from inspector._internal import api
    from inspector._internal.audit import baseline_document
    from inspector._internal.files import write_output

    policy = policy_of(args)
    if args.max_results < 1:
        raise InspectorError(f"--max-results must be at least 1, not {args.max_results}")
    if args.statistics and args.format != OutputFormat.TEXT.value:
        raise InspectorError(
            f"--statistics prints text; it cannot be written as {args.format} (drop --format)"
        )
    if args.sarif_root is not None and not args.sarif_root.is_dir():
        raise InspectorError(f"{args.sarif_root}: not a directory (--source-root)")
    slow = (policy.registry and policy.live_registry) or policy.verify_fingerprint
    with _working(args, "importing TensorFlow", when=slow):
        # Every meta graph unless --tags picks one; a .keras / .h5 file for what Keras runs from it.
        result = api.audit(args.model, policy, baseline=args.baseline, tags=args.tags)
    if args.write_baseline is not None:
        try:
            write_output(args.write_baseline, [baseline_document(result)])
        except OSError as error:
            raise InspectorError(
                f"{args.write_baseline}: cannot write ({error.strerror or error})"
            ) from error
        sys.stderr.write(f"inspector: recorded {len(result.findings)} findings in {args.write_baseline}\n")
        result = dataclasses.replace(result, baseline_recorded=True)
    if args.exit_zero:
        # ruff's --exit-zero: findings do not fail the run (a rule that could not run still does); every
        # format says the verdict and that the exit status was forced.
        result = dataclasses.replace(result, exit_zero=True)
    if args.statistics:
        from inspector._internal.render.listings import statistics

        _write([statistics(result)], args)
        return result.exit_code
    return _emit(result, args)


def _run_scan(args: argparse.Namespace) -> int:
    from inspector._internal.audit import read_baseline
    from inspector._internal.discover import Discovery, find_models
    from inspector._internal.scan import ScanOptions
    from inspector._internal.scanrun import run_scan

    if args.jobs < 1:
        raise InspectorError(f"--jobs must be at least 1, not {args.jobs}")
    if args.timeout <= 0:
        raise InspectorError(f"--timeout must be positive, not {args.timeout:g}")
    if args.max_memory < 0:
        raise InspectorError(f"--max-memory must be 0 (no limit) or more, not {args.max_memory}")
    options = ScanOptions(
        policy=policy_of(args),
        baseline=read_baseline(args.baseline) if args.baseline else frozenset(),
        tags=args.tags,
        timeout=args.timeout,
        max_memory_mb=args.max_memory,
        cache_dir=args.cache,
    )
    discovery = Discovery()
    models = list(find_models(args.targets, discovery))
    table = args.output is None and (args.format == "table" or (args.format is None and sys.stdout.isatty()))
    return run_scan(models, discovery, options, args.jobs, args.output, table=table)


def _run_diff(args: argparse.Namespace) -> int:
    from inspector._internal import api

    result = api.diff(
        args.old,
        args.new,
        only=args.only or None,
        ignore=args.ignore or (),
        values=args.values,
        strict_names=args.strict_names,
        tags=args.tags,
    )
    return _emit(result, args)


def _run_doctor(args: argparse.Namespace) -> int:
    from inspector._internal import api
    from inspector._internal.doctor import tensorflow_missing

    if args.timeout <= 0:
        raise InspectorError(f"--timeout must be positive, not {args.timeout:g}")
    for library in args.op_library:
        if not Path(library).is_file():
            raise InspectorError(f"{library}: no such op library")
    if args.python is not None and not (Path(args.python).is_file() and os.access(args.python, os.X_OK)):
        raise InspectorError(f"{args.python}: not an executable Python interpreter (--python)")
    if args.try_load and tensorflow_missing(args.python):
        where = args.python or "inspector's Python"
        raise InspectorError(
            f"{where}: has no TensorFlow to load the model with (--try-load); install the extra "
            "(pip install 'savedmodel-inspector[tensorflow]') or point --python at an interpreter that has it"
        )
    doing = (
        f"loading the model in a child process (timeout {args.timeout:g} s)"
        if args.try_load
        else "importing TensorFlow for its op registry"
    )
    with _working(args, doing, when=args.try_load or (args.live_registry and not args.no_registry)):
        result = api.doctor(
            args.model,
            tags=args.tags,
            try_load=args.try_load,
            timeout=args.timeout,
            op_libraries=args.op_library,
            imports=args.imports,
            registry=not args.no_registry,
            live_registry=args.live_registry,
            python=args.python,
            allow_risky_load=args.allow_risky_load,
        )
    return _emit(result, args)


def _run_scrub(args: argparse.Namespace) -> int:
    from inspector._internal.scrub import scrub

    result = scrub(args.model, args.out, strip_prefixes=args.strip_prefix or (), relative_to=args.relative_to)
    return _emit(result, args)


def _run_symbolicate(args: argparse.Namespace) -> int:
    from inspector._internal.loader import load
    from inspector._internal.symbolicate import symbolicate

    if args.log == "-":
        from inspector._internal.files import LOG_LIMIT

        log = sys.stdin.read(LOG_LIMIT + 1)
        if len(log) > LOG_LIMIT:
            raise InspectorError(f"the log on standard input is over the {LOG_LIMIT}-character limit")
    else:
        from inspector._internal.files import LOG_LIMIT, read_regular_file

        log = read_regular_file(Path(args.log), LOG_LIMIT, "log").decode("utf-8", errors="replace")
    view = load(args.model, tags=args.tags)
    return _emit(symbolicate(view, log), args)


# --- output ---------------------------------------------------------------------------------------------


def _emit(result: CommandResult, args: argparse.Namespace) -> int:
    """Render the result in the chosen format, write it, and return the exit status its verdict means."""
    from inspector._internal.render import render_pieces

    _write(render_pieces(result, OutputFormat(args.format), _render_options(args)), args)
    return result.exit_code


@contextlib.contextmanager
def _working(args: argparse.Namespace, doing: str, when: bool = True) -> Iterator[None]:
    """A spinner on stderr while something slow runs (importing TensorFlow, loading, saving): only on a
    terminal, never with --quiet, and never on stdout, which carries the result."""
    if not when or getattr(args, "quiet", False) or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    console = Console(file=sys.stderr, highlight=False, markup=False, emoji=False)
    with console.status(f"inspector: {doing}…", spinner="dots"):
        yield


def _render_options(args: argparse.Namespace) -> RenderOptions:
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
    return RenderOptions(
        color=bool(color),
        width=max(60, width),
        quiet=getattr(args, "quiet", False),
        stat=getattr(args, "stat", False),
        verbose=getattr(args, "verbose", False),
        source_root=getattr(args, "sarif_root", None),
        max_results=getattr(args, "max_results", 5000),
    )


def _write(pieces: Iterable[str], args: argparse.Namespace) -> None:
    """Each piece as it comes (a large JSON document is made a batch at a time). A file given with
    --output is written beside it and renamed into place when finished, so an unfinished document never
    replaces it (a link or special file there was refused before any work: files.output_problem)."""
    from inspector._internal.files import write_output

    if args.output is None:
        try:
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
        except BrokenPipeError:
            raise ReaderGone from None
        return
    try:
        write_output(args.output, pieces)
    except OSError as error:
        raise InspectorError(f"{args.output}: cannot write ({error.strerror or error})") from error
