"""The audit policy in effect and where each of its values came from (`inspector config`)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class Setting(NamedTuple):
    key: str  # as the policy file spells it
    value: str | float | bool | list[str] | None  # as TOML would write it (None: namespaces unchecked)
    origin: str  # "default", the file it came from, the option that set it, or both


class PolicyInEffect(NamedTuple):
    settings: tuple[Setting, ...]  # every policy key, in the policy file's order of keys
    file: Path | None  # the policy file read, if any
    explicit: bool  # named with --policy (else the nearest pyproject.toml)
    table: bool  # the file holds a policy (a pyproject may have no [tool.inspector.audit])
