"""The result of `inspector scrub`: the copy written, how many recorded paths changed, what leaked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, NamedTuple

from inspector.results.common import Displayable, ModelRef, Verdict


class RevealingPath(NamedTuple):
    kind: str  # user name, home folder, CI workspace, temporary folder
    path: str
    who: str = ""  # the user name, for that kind


class LeakSite(NamedTuple):
    """Where in saved_model.pb a stripped prefix still occurs: a node's attr (a string constant, an
    XlaCallModule's module, whose locations record source paths)."""

    prefix: str
    node_key: str
    attr: str


@dataclass(frozen=True, slots=True, repr=False)
class ScrubResult(Displayable):
    kind: ClassVar[Literal["scrub"]] = "scrub"

    model: ModelRef
    output: Path
    rewritten: int  # recorded paths changed
    kept: int  # recorded paths left as they were
    remaining: tuple[tuple[str, str], ...]  # (file of the copy, prefix) where a stripped prefix still occurs
    sites: tuple[LeakSite, ...] = ()  # where in the graph, when saved_model.pb is such a file (at most 20)

    @property
    def verdict(self) -> Verdict:
        return Verdict.LEAKED if self.remaining else Verdict.WRITTEN
