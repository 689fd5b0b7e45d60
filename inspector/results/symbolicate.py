"""The result of `inspector symbolicate`: each log line that names nodes, functions or op types, and
what each name resolved to in the model."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Literal, NamedTuple

from inspector._internal.view import Trace
from inspector.results.common import Displayable, ModelRef, Verdict
from inspector.results.traces import OpRef


class Status(StrEnum):
    FOUND = "found"
    AMBIGUOUS = "ambiguous"  # several nodes match, created at different places: all are listed
    NOT_FOUND = "not-found"


class Match(NamedTuple):
    op: OpRef
    trace: Trace | None


class Resolution(NamedTuple):
    kind: str  # "node" or "op type"
    name: str
    function_named: str  # the function the message names, as the loaded model called it ("" if none)
    status: Status
    matches: tuple[Match, ...]
    note: str = ""
    first_seen_line: int = 0  # a name resolved on an earlier line of the log is not repeated


class LogLine(NamedTuple):
    number: int  # 1-based
    text: str
    resolutions: tuple[Resolution, ...]


@dataclass(frozen=True, slots=True, repr=False)
class SymbolicateResult(Displayable):
    kind: ClassVar[Literal["symbolicate"]] = "symbolicate"
    JSON_DERIVED: ClassVar[tuple[str, ...]] = ("names", "unresolved")

    model: ModelRef
    lines: tuple[LogLine, ...]  # only the lines that name nodes, functions or op types

    @property
    def names(self) -> int:
        return sum(1 for line in self.lines for r in line.resolutions if not r.first_seen_line)

    @property
    def unresolved(self) -> int:
        return sum(
            1
            for line in self.lines
            for r in line.resolutions
            if not r.first_seen_line and r.status is Status.NOT_FOUND
        )

    @property
    def verdict(self) -> Verdict:
        """Found: the log names something and every name resolved."""
        return Verdict.FOUND if self.names and not self.unresolved else Verdict.NOT_FOUND
