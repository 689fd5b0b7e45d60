"""Which op types TensorFlow registers, without importing it: a snapshot shipped with the package.

`inspector/data/registry.json.gz` holds, for each TensorFlow release from 2.12 to 2.21, every op type it
registers with its attrs' types, and the op types the known op-providing packages add when imported
(written by `scripts/snapshot_registry.py` from real installs; `tests/test_registry.py` checks the
installed TensorFlow's release against its live registry). The audit and the doctor ask it by default,
so they answer in a fraction of a second; `--live-registry` asks the installed TensorFlow instead.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from inspector._internal.callgraph import FUNCTION_ATTR_TYPES

SNAPSHOT_FILE = "data/registry.json.gz"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # package data: inspector/data, beside _internal


@dataclass(frozen=True, slots=True)
class ReleaseRegistry:
    """The op types one TensorFlow release registers."""

    release: str
    ops: frozenset[str]

    def knows(self, op_type: str) -> bool:
        return op_type in self.ops


@dataclass(frozen=True, slots=True)
class Snapshot:
    releases: tuple[str, ...]  # oldest first
    attrs: Mapping[str, Mapping[str, str]]  # op type -> attr -> type, as the newest release has them
    registered_in: Mapping[str, tuple[int, ...]]  # op type -> indexes into releases
    providers: Mapping[str, Any]  # distribution -> {module, version, tensorflow, ops}

    def release(self, index: int) -> ReleaseRegistry:
        return ReleaseRegistry(
            self.releases[index],
            frozenset(op for op, present in self.registered_in.items() if index in present),
        )

    def closest(self, version: str) -> tuple[ReleaseRegistry, bool]:
        """The release of the same major.minor line as `version` (exact: True), else the newest one
        not newer than it, else the oldest (exact: False)."""
        wanted = _key(version)
        for index, release in enumerate(self.releases):
            if _key(release)[:2] == wanted[:2]:
                return self.release(index), True
        older = [index for index, release in enumerate(self.releases) if _key(release) <= wanted]
        return self.release(older[-1] if older else 0), False

    def provider_of(self, op_type: str) -> tuple[str, str] | None:
        """The package (distribution, module) whose import registers `op_type`, if a known one does."""
        for distribution, entry in self.providers.items():
            if op_type in entry.get("ops", {}):
                return distribution, str(entry.get("module", ""))
        return None


def _key(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


@cache
def snapshot() -> Snapshot:
    raw = (PACKAGE_DIR / SNAPSHOT_FILE).read_bytes()
    stored = json.loads(gzip.decompress(raw))
    return Snapshot(
        releases=tuple(stored["releases"]),
        attrs={op: attrs for op, (attrs, _) in stored["ops"].items()},
        registered_in={op: tuple(present) for op, (_, present) in stored["ops"].items()},
        providers=stored["providers"],
    )


def derive_function_attrs(stored: Snapshot) -> dict[str, Any]:
    """The content of `callgraph.FUNCTION_ATTRS_FILE`, which every load reads (not this snapshot): every op type known, and the function attrs of those that
    have any, in OpDef order. An attr that holds a function in any release counts (a release that added
    one must still be followed)."""
    found: dict[str, dict[str, None]] = {}  # op type -> func attrs, in OpDef order (an ordered set)
    known: set[str] = set()
    everything = [stored.attrs, *(entry.get("ops", {}) for entry in stored.providers.values())]
    for ops in everything:
        for op, attrs in ops.items():
            known.add(op)
            names = [name for name, kind in attrs.items() if kind in FUNCTION_ATTR_TYPES]
            if names:
                found.setdefault(op, {}).update(dict.fromkeys(names))
    return {
        "known": sorted(known),
        "function_attrs": {op: list(names) for op, names in sorted(found.items())},
    }
