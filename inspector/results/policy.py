"""The audit policy in effect and where each of its values came from (`inspector config`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    key: str  # as the policy file spells it
    value: str | float | bool | list[str] | None  # as TOML would write it (None: namespaces unchecked)
    origin: str  # "default", the file it came from, the option that set it, or both


@dataclass(frozen=True, slots=True)
class PolicyInEffect:
    settings: tuple[Setting, ...]  # every policy key, in the policy file's order of keys
    file: Path | None  # the policy file read, if any
    explicit: bool  # named with --policy (else the nearest pyproject.toml)
    table: bool  # the file holds a policy (a pyproject may have no [tool.inspector.audit])
