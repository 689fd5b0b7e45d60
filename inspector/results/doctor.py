"""The result of `inspector doctor`: what keeps a model from loading, and what a load attempt said."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Literal, NamedTuple

from inspector._internal.view import Frame
from inspector.results.audit import Severity
from inspector.results.common import Displayable, ModelRef, Verdict


class ProblemKind(StrEnum):
    UNREGISTERED_OP = "unregistered-op"
    MISSING_KERNEL = "missing-kernel"
    MISSING_FILE = "missing-file"
    TRUNCATED_FILE = "truncated-file"
    CORRUPT_FILE = "corrupt-file"
    VERSION = "version"
    FILE_SIZE = "file-size"
    ASSET_OUTSIDE = "asset-outside"  # an asset's file name leads out of assets/: it reads the machine's files
    WARMUP = "warmup"  # TF Serving's warmup requests name what the model lacks: it refuses the load
    XLA_MODULE = "xla-module"  # an XlaCallModule the loading TensorFlow cannot run (version, platforms)
    RISKY_LOAD = "risky-load"  # an op of a risky family that loading the model runs: --try-load refused
    DEBUG_INFO = "debug-info"
    LOAD_ERROR = "load-error"
    TIMEOUT = "timeout"


#: Blockers a passing `tf.saved_model.load` does not rule out: they fail later (TF Serving's own load,
#: the first call).
BEYOND_THE_LOAD = frozenset({ProblemKind.WARMUP, ProblemKind.XLA_MODULE})


class Problem(NamedTuple):
    kind: ProblemKind
    blocker: bool  # the model will not load (or not run) until it is fixed
    message: str
    fix: str
    file: str = ""
    op_type: str = ""
    node_key: str = ""
    functions: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    sources: tuple[Frame, ...] = ()  # the creation sites of the ops involved, one per distinct line
    rule_id: str = ""  # the audit rule behind a static problem; "" for what a load attempt said
    severity: Severity | None = None  # that rule's severity for it


class LoadOutcome(StrEnum):
    LOADED = "loaded"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the child died without reporting (a native crash, killed by a signal)
    REFUSED = "refused"  # not attempted: the load would run risky ops (--allow-risky-load overrides)


class LoadAttempt(NamedTuple):
    outcome: LoadOutcome
    seconds: float
    timeout: float
    error_type: str = ""
    error_message: str = ""
    op_libraries: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    log: str = ""  # the child's stderr (TensorFlow's logs), shown with --verbose
    python: str = ""  # the interpreter that loaded it (--python); empty: inspector's own


@dataclass(frozen=True, slots=True, repr=False)
class Diagnosis(Displayable):
    kind: ClassVar[Literal["doctor"]] = "doctor"
    JSON_DERIVED: ClassVar[tuple[str, ...]] = ("blocked",)

    model: ModelRef
    problems: tuple[Problem, ...]  # static, then the ones read from the load error
    load: LoadAttempt | None = None
    notices: tuple[str, ...] = field(default=())

    @property
    def blocked(self) -> bool:
        if self.load is not None and self.load.outcome is not LoadOutcome.LOADED:
            return True
        if self.load is not None:
            # A load that passed settles the static blockers -- but not what no tf.saved_model.load does:
            # TF Serving's warmup replay, an XlaCallModule's first call.
            return any(problem.blocker and problem.kind in BEYOND_THE_LOAD for problem in self.problems)
        return any(problem.blocker for problem in self.problems)

    @property
    def verdict(self) -> Verdict:
        return Verdict.FAILED if self.blocked else Verdict.PASSED

    @property
    def blockers(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.blocker)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.blocker)
