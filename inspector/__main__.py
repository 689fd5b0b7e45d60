"""`python -m inspector` runs the command-line tool."""

from __future__ import annotations

from inspector._internal.cli import console

console()
