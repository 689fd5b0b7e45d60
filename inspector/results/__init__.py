"""Every command's result: typed data, the contract between the analysis, the renderers and the CLI.

Light modules (data and the facts derived from it: verdicts, counts, groupings), importing nothing
but the view's data types, so a notebook or another tool can use them without the analysis. Each is
imported when first asked for (`inspector report` never pays for the diff's or the audit's types).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, TypeAlias

from inspector.results.common import KINDS, SCHEMA_VERSION, Kind, ModelRef, Result, Verdict

if TYPE_CHECKING:
    from inspector.results.audit import AuditResult
    from inspector.results.diff import DiffResult
    from inspector.results.doctor import Diagnosis
    from inspector.results.report import Report
    from inspector.results.scrub import ScrubResult
    from inspector.results.symbolicate import SymbolicateResult
    from inspector.results.traces import TraceResult, WhereResult

    #: Every command's result: a dispatch over it (`if result.kind == "audit": ...`, ending in
    #: `assert_never`) is proved exhaustive by mypy, with no result module imported to run it.
    CommandResult: TypeAlias = (
        Report
        | TraceResult
        | WhereResult
        | AuditResult
        | DiffResult
        | Diagnosis
        | SymbolicateResult
        | ScrubResult
    )

#: Each result type and its module, one per command (`save` reports what it saved).
_HOMES = {
    "Report": "report",
    "TraceResult": "traces",
    "WhereResult": "traces",
    "AuditResult": "audit",
    "DiffResult": "diff",
    "Diagnosis": "doctor",
    "SymbolicateResult": "symbolicate",
    "ScrubResult": "scrub",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"inspector.results.{_HOMES[name]}"), name)
    if name == "RESULT_TYPES":
        return tuple(__getattr__(type_name) for type_name in _HOMES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


RESULT_TYPES: tuple[type, ...]  # every result type, in command order (resolved on first use)

__all__ = [
    "KINDS",
    "RESULT_TYPES",
    "SCHEMA_VERSION",
    "AuditResult",
    "Diagnosis",
    "DiffResult",
    "Kind",
    "ModelRef",
    "Report",
    "Result",
    "ScrubResult",
    "SymbolicateResult",
    "TraceResult",
    "Verdict",
    "WhereResult",
]
