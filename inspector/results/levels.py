"""The audit's two scales, by themselves: how severe a finding is, and when its op can run.

Their own module, so that what only ranks by them (the op catalogue, the reach analysis a report uses)
imports two enums, not the audit's result types; `inspector.results.audit` re-exports both.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


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
    """When an op can run, from the most to the least exposed (`inspector._internal.reach` decides which)."""

    LOAD = "load"  # a loader runs it whenever the model is loaded: init ops, restore, restored resources
    SIGNATURE = "signature"  # a serving signature runs it on every request
    OBJECT = "object"  # a caller runs it: a function of the object graph, an alias, the TF1 Saver's save
    GRADIENT = "gradient"  # differentiating a loaded function runs it (tape.gradient): a gradient function
    UNREACHABLE = "unreachable"  # no loader route reaches it

    @property
    def severity_shift(self) -> int:
        """Running at load is one step worse than at call; only what nothing runs is a step milder.
        A function the object graph holds, or a gradient anyone fine-tuning the model runs, is as callable
        as a signature: no discount."""
        return {Reach.LOAD: 1, Reach.SIGNATURE: 0, Reach.OBJECT: 0, Reach.GRADIENT: 0, Reach.UNREACHABLE: -2}[
            self
        ]
