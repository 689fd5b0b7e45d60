"""`inspector completion`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
import sys

from inspector._internal.cli import build_parser
from inspector._internal.errors import InspectorError


def declare(completion: argparse.ArgumentParser) -> None:
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
    completion.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    shell: str = args.shell  # the command's one option: its typed form is the shell's name
    return print_completion(shell)


def print_completion(shell: str) -> int:
    try:
        import shtab
    except ImportError as missing:
        raise InspectorError(
            "completion needs shtab: pip install 'savedmodel-inspector[completion]'"
        ) from missing
    sys.stdout.write(shtab.complete(build_parser(), shell=shell))
    return 0
