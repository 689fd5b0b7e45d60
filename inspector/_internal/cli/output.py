"""What every command does with its result: check where it will write before any work, render it in
the chosen format and write it (stdout, or a file renamed into place), and a spinner while it works."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.errors import InspectorError, ReaderGone
from inspector._internal.render import OutputFormat, RenderOptions

if TYPE_CHECKING:
    from inspector.results import CommandResult


#: The arguments that name what a command reads: an output may never be one of them, nor inside one.
_INPUT_ARGS = ("model", "old", "new", "baseline", "policy", "log")


def serving_version(args: argparse.Namespace) -> None:
    """--model-version N: MODEL is a TF Serving base path, and its folder N is the model."""
    version = getattr(args, "model_version", None)
    if version is None:
        return
    from inspector._internal.modelfile import serving_versions

    versions = dict(serving_versions(args.model))
    if version not in versions:
        said = ", ".join(str(v) for v in sorted(versions)) or "none"
        raise InspectorError(
            f"{args.model}: no version {version} (a TF Serving base path's versions: {said})"
        )
    args.model = versions[version]


def check_outputs(args: argparse.Namespace) -> None:
    """Before any work: every file the command will write is one it may write (files.output_problem)."""
    from inspector._internal.fileio import output_problem

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


#: The command line's options for what a page shows (its dest -> RenderOptions' field), where a command has
#: them; RenderOptions' defaults stand for the rest.
_PAGE_OPTIONS = {
    "quiet": "quiet",
    "stat": "stat",
    "verbose": "verbose",
    "sarif_root": "source_root",
    "max_results": "max_results",
    "max_per_rule": "max_per_rule",
}


class Output(NamedTuple):
    """Where and how a command writes its result: `arguments.add_output_options`, typed, with what a
    command adds to them (audit's SARIF root and limits, a diff's --stat) in `page`, the RenderOptions
    whose colour and width `render_options` decides when the result is written."""

    format: OutputFormat
    file: Path | None  # --output; None: stdout
    color: bool | None  # --color / --no-color; None: decided by where the output goes
    page: RenderOptions

    @property
    def quiet(self) -> bool:
        return self.page.quiet

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Output:
        given = {field: getattr(args, dest) for dest, field in _PAGE_OPTIONS.items() if hasattr(args, dest)}
        return cls(OutputFormat(args.format), args.output, args.color, RenderOptions(**given))


def emit(result: CommandResult, output: Output) -> int:
    """Render the result in the chosen format, write it, and return the exit status its verdict means."""
    from inspector._internal.render import render_pieces

    write(render_pieces(result, output.format, render_options(output)), output.file)
    return result.exit_code


@contextlib.contextmanager
def working(doing: str, *, when: bool = True, quiet: bool = False) -> Iterator[None]:
    """A spinner on stderr while something slow runs (importing TensorFlow, loading, saving): only on a
    terminal, never with --quiet, and never on stdout, which carries the result."""
    if not when or quiet or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    console = Console(file=sys.stderr, highlight=False, markup=False, emoji=False)
    with console.status(f"inspector: {doing}…", spinner="dots"):
        yield


def render_options(output: Output) -> RenderOptions:
    """Colour on a terminal unless NO_COLOR or TERM=dumb (never into --output unless --color); width
    from COLUMNS, else the terminal, else 100."""
    to_terminal = output.file is None and sys.stdout.isatty()
    color = output.color
    if color is None:
        color = to_terminal and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = 100
    if to_terminal:
        with contextlib.suppress(OSError, ValueError):
            width = os.get_terminal_size(sys.stdout.fileno()).columns
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        width = int(columns)
    return output.page._replace(color=bool(color), width=max(60, width))


def write(pieces: Iterable[str], file: Path | None) -> None:
    """Each piece as it comes (a large JSON document is made a batch at a time). A file given with
    --output is written beside it and renamed into place when finished, so an unfinished document never
    replaces it (a link or special file there was refused before any work: files.output_problem)."""
    from inspector._internal.fileio import write_output

    if file is None:
        try:
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
        except BrokenPipeError:
            raise ReaderGone from None
        return
    try:
        write_output(file, pieces)
    except OSError as error:
        raise InspectorError(f"{file}: cannot write ({error.strerror or error})") from error


def write_document(kind: str, fields: dict[str, object]) -> None:
    """The JSON answer of a command without a result page (config, sign, verify): inspector's envelope
    fields (`tool`, `version`, `kind`), then the command's own."""
    import json

    from inspector import __version__

    document = {"tool": "inspector", "version": __version__, "kind": kind, **fields}
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=True) + "\n")
