"""The audit's vocabulary: severities, where an op runs, findings, and the result every renderer takes.

The result carries every derived fact -- the verdict, the findings grouped by rule, the counts per
severity -- so the formats cannot disagree about them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, NamedTuple

from inspector._internal.view import Frame
from inspector.results.common import Displayable, ModelRef, Verdict
from inspector.results.levels import Reach as Reach  # the audit's vocabulary, defined on their own
from inspector.results.levels import Severity as Severity


class Location(NamedTuple):
    """Where a finding is: the op, its function, what reaches it, and the code that created it."""

    function: str = ""  # "" for the top-level graph or a model-wide finding
    node_key: str = ""
    op_type: str = ""
    reach: Reach | None = None
    reached_by: tuple[str, ...] = ()  # the routes that run it, strongest first (inspector._internal.reach)
    nesting: tuple[
        str, ...
    ] = ()  # for ops inside a graph serialized in a string: the carriers, outermost first
    source: Frame | None = None  # the creation site from the debug info
    stack: tuple[Frame, ...] = ()  # the user frames of the creation stack, outermost first
    file: str = ""  # for findings about a file of the model (debug info, fingerprint)
    # The tag set of the meta graph the op is in, for a model of several meta graphs (every one is audited);
    # empty for a model of one, and for a finding about the model's files.
    tags: tuple[str, ...] = ()


class Finding(NamedTuple):
    rule_id: str
    severity: Severity
    message: str
    fix: str
    location: Location
    fingerprint: str = ""
    # What makes a model-wide finding (no node) the same finding across re-saves, when its message carries
    # numbers or paths that change between saves. Empty: the message itself.
    identity: str = ""
    # The rule's own name for this sort of finding (INS011: `missing-file`, `truncated-file`, ...), for
    # consumers that act on it (the doctor); empty when a rule has one sort.
    kind: str = ""
    # The values that make it dangerous, as the message shows them: the path a constant feeds, a print's
    # output stream, an asset's file name. Part of the fingerprint: a retargeted op is a new finding.
    evidence: tuple[str, ...] = ()

    def with_fingerprint(self) -> Finding:
        return self._replace(fingerprint=fingerprint_of(self))


_COUNTER = re.compile(r"_\d+$")

#: Bumped when what a fingerprint holds changes: a baseline of another version cannot be matched.
#: 2: the reach, the severity and the evidence (paths, attr values) joined the rule, place and op type.
FINGERPRINT_VERSION = 2


def fingerprint_of(finding: Finding) -> str:
    """Stable across re-saves of the same code (function counters, `__inference_serve_57`, are dropped),
    and different when what makes the finding dangerous changes: the path it reads or writes, when it
    runs (its reach), its severity."""
    where = finding.location
    parts = [
        FINGERPRINT_VERSION,
        finding.rule_id,
        finding.severity.label,
        where.reach.value if where.reach else "",
        list(finding.evidence),
        _COUNTER.sub("", where.function),
        where.node_key.split("@", 1)[0],
        where.op_type,
        [_COUNTER.sub("", n) for n in where.nesting],
        where.file and Path(where.file).name,
        "" if where.node_key else (finding.identity or finding.message),
    ]
    if where.tags:  # only a model of several meta graphs: a one-graph model's fingerprints stay as they were
        parts.append(list(where.tags))
    import hashlib  # loads OpenSSL: only the pages that show fingerprints pay for it
    import json

    # JSON, not a joined string: the model's strings may hold any separator, and must not shift fields.
    return hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode()).hexdigest()[:24]


class RuleInfo(NamedTuple):
    """What a rule is, for --help, the text report and SARIF's rule metadata."""

    id: str
    name: str
    summary: str
    documentation: str  # the rule module's docstring: why it matters, an example, the fix
    # The severity of a typical finding (the catalogue's and the reach's shifts move single findings):
    # what code-scanning tools rank a rule by before any result is seen.
    default_severity: Severity = Severity.WARNING


class Notice(NamedTuple):
    """Something the audit could not check, or chose not to: never a silent "clean"."""

    rule_id: str
    message: str
    is_error: bool = False  # the rule failed; its findings are missing


class SeverityCount(NamedTuple):
    severity: Severity
    findings: int


class RuleGroup(NamedTuple):
    """The findings of one rule, in the result's order: the unit every format lists findings by."""

    rule: RuleInfo
    worst: Severity
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True, repr=False)
class AuditResult(Displayable):
    kind: ClassVar[Literal["audit"]] = "audit"
    JSON_DERIVED: ClassVar[tuple[str, ...]] = ("failing", "counts")

    model: ModelRef
    fail_on: Severity
    whitelist: tuple[str, ...] | None
    rules: tuple[RuleInfo, ...]
    findings: tuple[Finding, ...]  # new findings, most severe first
    baselined: int  # findings accepted by the baseline and left out
    notices: tuple[Notice, ...] = field(default=())
    baseline_recorded: bool = False  # --write-baseline: every finding was just accepted
    exit_zero: bool = (
        False  # --exit-zero: findings do not fail the run (a failed rule and bad input still do)
    )

    @property
    def exit_code(self) -> int:
        """The verdict's exit status, or 0 for findings under --exit-zero (the verdict still says FAILED)."""
        if self.exit_zero and self.verdict is Verdict.FAILED:
            return 0
        return self.verdict.exit_code

    @property
    def failed(self) -> bool:
        """Findings at or above --fail-on."""
        return any(f.severity >= self.fail_on for f in self.findings)

    @property
    def incomplete(self) -> bool:
        """A rule failed: its findings are missing, so a pass would be a lie."""
        return any(notice.is_error for notice in self.notices)

    @property
    def verdict(self) -> Verdict:
        if self.baseline_recorded:
            return Verdict.RECORDED
        if self.incomplete:
            return Verdict.INCOMPLETE
        return Verdict.FAILED if self.failed else Verdict.PASSED

    @property
    def failed_rules(self) -> tuple[str, ...]:
        return tuple(notice.rule_id for notice in self.notices if notice.is_error)

    @property
    def failing(self) -> int:
        """Findings at or above --fail-on: what the verdict counts."""
        return sum(1 for f in self.findings if f.severity >= self.fail_on)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def counts(self) -> tuple[SeverityCount, ...]:
        """Findings per severity, most severe first; severities without findings left out."""
        found = ((s, self.count(s)) for s in sorted(Severity, reverse=True))
        return tuple(SeverityCount(s, n) for s, n in found if n)

    @property
    def groups(self) -> tuple[RuleGroup, ...]:
        """Findings by rule: the worst rule first (then by id), each rule once whatever the interleaving."""
        by_rule: dict[str, list[Finding]] = {}
        for finding in self.findings:
            by_rule.setdefault(finding.rule_id, []).append(finding)
        infos = {rule.id: rule for rule in self.rules}
        groups = [
            RuleGroup(
                infos.get(rule_id, RuleInfo(rule_id, rule_id, "", "")),
                max(f.severity for f in items),
                tuple(items),
            )
            for rule_id, items in by_rule.items()
        ]
        groups.sort(key=lambda g: (-g.worst, g.rule.id))
        return tuple(groups)
