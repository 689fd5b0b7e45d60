"""A scan's output, typed: one `ScanRecord` per model (a JSON line each), then one `ScanSummary`.

`inspector scan` and `inspector.beam` write these same records, each line led by `"record": "model"` or
`"record": "summary"` (the class's `record`); `inspector/schemas/scan.schema.json` describes every line. A record's `audit` is the document `inspector audit --format json` writes (its own
schema: audit.schema.json), or null when the model was not audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from inspector.results.common import EXIT_BAD_INPUT, EXIT_FOUND, EXIT_OK, Verdict


class ScanStatus(StrEnum):
    OK = "ok"  # audited: nothing at or above --fail-on
    FINDINGS = "findings"  # audited: findings at or above --fail-on
    ERROR = "error"  # not audited (the reader refused the model), or a rule could not run
    TIMEOUT = "timeout"  # over --timeout: its worker was stopped
    OOM = "oom"  # over --max-memory
    UNSIGNED = "unsigned"  # --require-signature: no signature, or one that does not verify

    @property
    def exit_code(self) -> int:
        return {ScanStatus.OK: EXIT_OK, ScanStatus.FINDINGS: EXIT_FOUND, ScanStatus.UNSIGNED: EXIT_FOUND}.get(
            self, EXIT_BAD_INPUT
        )

    @property
    def limited(self) -> bool:
        """Ran out of what the scan allows (time, memory), rather than concluding."""
        return self in (ScanStatus.TIMEOUT, ScanStatus.OOM)


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """One model of a scan: where it is, what became of it, and its audit."""

    record: ClassVar[str] = "model"
    path: str
    status: ScanStatus
    verdict: Verdict | None  # the audit's, when it ran to the end
    exit_code: int  # the status's: 0 ok, 1 findings, 2 anything else
    findings: int  # reported (not baselined) findings
    counts: Mapping[str, int]  # findings by severity
    error: str | None  # why it is not ok beyond its findings: the reader's error, the limit it hit
    cached: bool = False  # read from --cache, not audited in this run
    content_hash: str | None = None  # what the cache key holds of the model; None: too many files to hash
    rules_version: str | None = None  # inspector, its rules and data, the policy, baseline and tags
    seconds: float = 0.0
    audit: Mapping[str, Any] | None = field(default=None, repr=False)  # audit.schema.json's document
    # --require-signature: the model's signature (MODEL.sig beside it) and its audit record, checked.
    signature: SignatureRecord | None = None


@dataclass(frozen=True, slots=True)
class SignatureRecord:
    """A model's signature as `scan --require-signature` found it: who must have signed, whether it
    verifies with the audit record it carries, and what does not."""

    verified: bool
    signed_by: str
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WalkSummary:
    """What the search for models saw besides models."""

    entries: int  # folder entries looked at
    links_skipped: int  # links met and not followed (and glob matches reached through one)
    too_deep: tuple[str, ...]  # folders past the depth limit, not searched (the first 100)
    stopped: bool  # the entry limit was reached: models beyond it were not looked for


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """The last line of a scan: the models, what became of them, and the exit status (the worst)."""

    record: ClassVar[str] = "summary"
    models: int
    audited: int  # audited in this run
    cached: int  # read from --cache
    resumed: int  # already in --output, skipped
    statuses: Mapping[str, int]  # every status, with its count (resumed records included)
    exit_code: int
    seconds: float
    walk: WalkSummary


@dataclass(frozen=True, slots=True)
class ScanResult:
    """`inspector.scan`'s answer: each model's record, in the order they finished, and the summary."""

    records: tuple[ScanRecord, ...] = field(repr=False)
    summary: ScanSummary

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def __repr__(self) -> str:
        counts = ", ".join(f"{count} {status}" for status, count in self.summary.statuses.items() if count)
        return (
            f"<ScanResult of {self.summary.models} models: {counts or 'none found'}, exit {self.exit_code}>"
        )
