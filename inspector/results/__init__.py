"""Every command's result: typed data, the contract between the analysis, the renderers and the CLI.

Light modules (data and the facts derived from it: verdicts, counts, groupings), importing nothing
but the view's data types, so a notebook or another tool can use them without the analysis.
"""

from __future__ import annotations

from inspector.results.audit import AuditResult
from inspector.results.common import SCHEMA_VERSION, ModelRef, Result, Verdict
from inspector.results.diff import DiffResult
from inspector.results.doctor import Diagnosis
from inspector.results.report import Report
from inspector.results.scrub import ScrubResult
from inspector.results.symbolicate import SymbolicateResult
from inspector.results.traces import TraceResult, WhereResult

#: Every result type, one per command (`save` reports what it saved).
RESULT_TYPES: tuple[type, ...] = (
    Report,
    TraceResult,
    WhereResult,
    AuditResult,
    DiffResult,
    Diagnosis,
    SymbolicateResult,
    ScrubResult,
)

__all__ = [
    "RESULT_TYPES",
    "SCHEMA_VERSION",
    "AuditResult",
    "Diagnosis",
    "DiffResult",
    "ModelRef",
    "Report",
    "Result",
    "ScrubResult",
    "SymbolicateResult",
    "TraceResult",
    "Verdict",
    "WhereResult",
]
