"""argparse, as inspector's commands speak it: one-line usage errors, no abbreviations, help wrapped
at the terminal's width without breaking a word, `--version`."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from inspector import __version__
from inspector._internal.render.safe import visible
from inspector.results.common import EXIT_BAD_INPUT


class VersionAction(argparse.Action):
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


class Parser(argparse.ArgumentParser):
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


def choice_of(name: str, choices: Sequence[str]) -> Callable[[str], str]:
    """An argparse type that accepts one of `choices` and names them all when given anything else."""

    def accept(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"'{text}' is not one of {', '.join(choices)}")
        return text

    accept.__name__ = name
    return accept


class Formatter(argparse.HelpFormatter):
    """argparse's formatter at the terminal's width, never breaking a word: descriptions and epilogs are
    wrapped paragraph by paragraph, an indented line (an example, a setting) keeps its indent and hangs
    its continuation under it. It is given the width: on its own argparse imports shutil (and bz2 and lzma
    with it) on every run to measure the terminal, for help that is rarely printed."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24) -> None:
        super().__init__(prog, indent_increment, max_help_position, width=help_width())

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


def help_width() -> int:
    """What argparse would use: COLUMNS, else the terminal's width, else 80; less a margin of 2."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns) - 2
    terminal = 0
    stdout = sys.__stdout__
    with contextlib.suppress(OSError, ValueError):  # not a terminal, or closed
        terminal = os.get_terminal_size(stdout.fileno()).columns if stdout is not None else 0
    return (terminal or 80) - 2
