"""The op catalogue: every op type TensorFlow registers, classified, and why each risky one matters.

The table is `inspector/data/op_catalogue.txt`: each op type that TensorFlow 2.12 to 2.21 registers (all of the
C registry, ops without a `tf.raw_ops` wrapper included) and each op of the known op libraries, filed once
under `compute`, `state` (the model's own resources) or a risky family with its base severity and reason.
Default-deny: an op type the table does not list is `Family.UNCLASSIFIED`, audited as an error, never trusted
(tests/test_registry.py fails when the snapshot or the installed TensorFlow registers an op the table lacks).

`base` is the severity when the op is called (a signature, an object-graph function, an alias); an op a
loader runs at load is one step more severe (and at least an error for the families in RUNS_AT_LOAD_FLOOR),
an unreachable one two steps less.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from inspector.results.levels import Severity

CATALOGUE_FILE = Path(__file__).resolve().parents[1] / "data" / "op_catalogue.txt"


class Family(StrEnum):
    PYTHON_CALLBACK = "python callback"
    FILE_READ = "file read"
    FILE_ACCESS_BY_ATTR = "file access (path in an attr)"
    FILE_WRITE = "file write"
    SUMMARY_WRITER = "summary writer"
    DEBUG_WRITER = "debug writer"
    OUTPUT = "output and termination"
    NETWORK = "network and distribution"
    HIDDEN_GRAPH = "hidden graph"
    SYSTEM = "system state"
    NATIVE_CODE = "native code"
    ACCELERATOR_IO = "accelerator I/O"
    UNCLASSIFIED = "unclassified"


class Trusted(StrEnum):
    """What the audit trusts an op to do: nothing beyond its tensors and the model's own resources."""

    COMPUTE = "compute"
    STATE = "state"


class RiskyOp(NamedTuple):
    op_type: str
    family: Family
    base: Severity
    reason: str


class Catalogue(NamedTuple):
    risky: Mapping[str, RiskyOp]
    trusted: Mapping[str, Trusted]

    def classifies(self, op_type: str) -> bool:
        return op_type in self.risky or op_type in self.trusted


UNCLASSIFIED_REASON = (
    "an op type the catalogue does not classify (a newer TensorFlow's, or a custom op's): what it does "
    "outside its tensors is unknown, so it is not trusted"
)


@cache
def catalogue() -> Catalogue:
    return parse_catalogue(CATALOGUE_FILE.read_text(encoding="utf-8"))


def parse_catalogue(text: str) -> Catalogue:
    """The table's sections (`## FAMILY | SEVERITY | REASON`, then one op type a line) as a Catalogue.
    A malformed table or an op listed twice is a bug in inspector, raised as ValueError."""
    risky: dict[str, RiskyOp] = {}
    trusted: dict[str, Trusted] = {}
    section: RiskyOp | Trusted | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            parts = [part.strip() for part in line[3:].split("|", 2)]
            if len(parts) != 3:
                raise ValueError(
                    f"{CATALOGUE_FILE.name}:{number}: a section is '## FAMILY | SEVERITY | REASON'"
                )
            family, severity, reason = parts
            if family in Trusted.__members__.values():
                section = Trusted(family)
            else:
                section = RiskyOp("", Family(family), Severity[severity.upper()], reason)
            continue
        if section is None:
            raise ValueError(f"{CATALOGUE_FILE.name}:{number}: op type {line!r} before any section")
        if line in risky or line in trusted:
            raise ValueError(f"{CATALOGUE_FILE.name}:{number}: {line} is listed twice")
        if isinstance(section, Trusted):
            trusted[line] = section
        else:
            risky[line] = RiskyOp(line, section.family, section.base, section.reason)
    return Catalogue(MappingProxyType(risky), MappingProxyType(trusted))


#: The risky op types, by name.
CATALOGUE: Mapping[str, RiskyOp] = catalogue().risky

#: Families whose op is at least an error when a loader runs it at load: nobody chose to call it.
RUNS_AT_LOAD_FLOOR = frozenset(
    {
        Family.PYTHON_CALLBACK,
        Family.FILE_READ,
        Family.FILE_ACCESS_BY_ATTR,
        Family.FILE_WRITE,
        Family.SUMMARY_WRITER,
        Family.DEBUG_WRITER,
        Family.NETWORK,
        Family.SYSTEM,
        Family.NATIVE_CODE,
        Family.UNCLASSIFIED,
    }
)
