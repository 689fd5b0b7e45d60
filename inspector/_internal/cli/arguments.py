"""The arguments several commands share: the model, the meta graph, the output and its format, sources."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from inspector._internal.cli.parsing import choice_of
from inspector._internal.render import OutputFormat, formats_for

if TYPE_CHECKING:
    from inspector.results.common import Kind


def model_argument(parser: argparse.ArgumentParser) -> None:
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


def add_source_options(parser: argparse.ArgumentParser) -> None:
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


def add_reading_options(parser: argparse.ArgumentParser, whitelist: bool = True) -> None:
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


def add_output_options(parser: argparse.ArgumentParser, kind: Kind) -> None:
    """--format with the formats the renderers write for results of `kind` (`render.formats_for`, in
    OutputFormat's order), --output, --quiet and colour."""
    names = [fmt.value for fmt in formats_for(kind)]
    parser.add_argument(
        "--format",
        type=choice_of("format", names),
        choices=names,
        metavar="FORMAT",
        default=OutputFormat.TEXT.value,
        help=f"output format: {', '.join(names)} (default: text)",
    )
    # ruff's name for it, accepted and not listed: one option, said once in the help.
    parser.add_argument(
        "--output-format",
        dest="format",
        type=choice_of("format", names),
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


def add_text_or_json(parser: argparse.ArgumentParser) -> None:
    """`--format text|json` of a command whose answer is a few lines, not a result's page (config, sign,
    verify): text for a person, a JSON document for a script (`output.write_document`)."""
    parser.add_argument(
        "--format",
        type=choice_of("format", ["text", "json"]),
        choices=["text", "json"],
        metavar="FORMAT",
        default="text",
        help="text (default) or json",
    )
