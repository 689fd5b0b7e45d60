"""The audit's vocabulary: severities, where an op runs, findings, and the result every renderer takes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from pathlib import Path

from inspector.view import Frame

SCHEMA_VERSION = 1


class Severity(IntEnum):
    """Ordered: `--fail-on` fails the run for findings at or above the given severity."""

    NOTE = 0
    WARNING = 1
    ERROR = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None

    def shifted(self, steps: int) -> Severity:
        return Severity(min(max(int(self) + steps, 0), int(Severity.CRITICAL)))


class Reach(StrEnum):
    """When an op can run, from the most to the least exposed."""

    INIT = "init"  # reached from __saved_model_init_op: runs whenever the model is loaded
    SIGNATURE = "signature"  # reached from a serving signature: runs on every request
    OBJECT = "object"  # only from a function object of the saved object graph: runs if a caller calls it
    UNREACHABLE = "unreachable"  # nothing calls it

    @property
    def severity_shift(self) -> int:
        return {Reach.INIT: 1, Reach.SIGNATURE: 0, Reach.OBJECT: -1, Reach.UNREACHABLE: -2}[self]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is: the op, its function, what reaches it, and the code that created it."""

    function: str = ""  # "" for the top-level graph or a model-wide finding
    node_key: str = ""
    op_type: str = ""
    reach: Reach | None = None
    reached_by: tuple[str, ...] = ()  # signatures, init op, aliases, object paths
    nesting: tuple[
        str, ...
    ] = ()  # for ops inside a graph serialized in a string: the carriers, outermost first
    source: Frame | None = None  # the creation site from the debug info
    stack: tuple[Frame, ...] = ()  # the user frames of the creation stack, outermost first
    file: str = ""  # for findings about a file of the model (debug info, fingerprint)


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    fix: str
    location: Location
    fingerprint: str = ""
    # What makes a model-wide finding (no node) the same finding across re-saves, when its message carries
    # numbers or paths that change between saves. Empty: the message itself.
    identity: str = ""

    def with_fingerprint(self) -> Finding:
        return replace(self, fingerprint=fingerprint_of(self))


_COUNTER = re.compile(r"_\d+$")


def fingerprint_of(finding: Finding) -> str:
    """Stable across re-saves of the same code: function counters (`__inference_serve_57`) are dropped."""
    where = finding.location
    parts = [
        finding.rule_id,
        _COUNTER.sub("", where.function),
        where.node_key.split("@", 1)[0],
        where.op_type,
        *(_COUNTER.sub("", n) for n in where.nesting),
        where.file and Path(where.file).name,
        "" if where.node_key else (finding.identity or finding.message),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a rule is, for --help, the text report and SARIF's rule metadata."""

    id: str
    name: str
    summary: str
    documentation: str  # the rule module's docstring: why it matters, an example, the fix


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the audit could not check, or chose not to: never a silent "clean"."""

    rule_id: str
    message: str
    is_error: bool = False  # the rule failed; its findings are missing


@dataclass(frozen=True, slots=True)
class AuditResult:
    schema_version: int
    model: Path
    fail_on: Severity
    whitelist: tuple[str, ...] | None
    rules: tuple[RuleInfo, ...]
    findings: tuple[Finding, ...]  # new findings, most severe first
    baselined: int  # findings accepted by the baseline and left out
    notices: tuple[Notice, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return any(f.severity >= self.fail_on for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)
