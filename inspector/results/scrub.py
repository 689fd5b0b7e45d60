"""The result of `inspector scrub`: the copy written, how many recorded paths changed, what leaked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from inspector.results.common import Displayable, ModelRef, Verdict


@dataclass(frozen=True, slots=True)
class RevealingPath:
    kind: str  # user name, home folder, CI workspace, temporary folder
    path: str
    who: str = ""  # the user name, for that kind


@dataclass(frozen=True, slots=True, repr=False)
class ScrubResult(Displayable):
    kind: ClassVar[str] = "scrub"

    model: ModelRef
    output: Path
    rewritten: int  # recorded paths changed
    kept: int  # recorded paths left as they were
    remaining: tuple[tuple[str, str], ...]  # (file of the copy, prefix) where a stripped prefix still occurs

    @property
    def verdict(self) -> Verdict:
        return Verdict.LEAKED if self.remaining else Verdict.WRITTEN
