"""Renderers: each format is one module with functions that take a result object and return text.

Renderers never compute facts: everything they show is in the result object they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"  # audit only


#: The formats every command writes; `audit` adds SARIF.
COMMON_FORMATS = (OutputFormat.TEXT, OutputFormat.JSON, OutputFormat.MARKDOWN)


@dataclass(frozen=True)
class TextOptions:
    """How the terminal renderer draws: colour only on a terminal that wants it; width in columns."""

    color: bool = False
    width: int = 100
