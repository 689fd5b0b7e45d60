"""inspector: make TensorFlow SavedModels explain themselves.

One call per command; a model is its folder (or saved_model.pb) or a view `load` returned. Reading never
runs the model and needs no TensorFlow (protobuf alone)::

    import inspector

    report = inspector.report("fixtures/models/custom_ops", whitelist=["Acme"])
    report.flagged_ops                      # ops whose namespace is not whitelisted, with traces
    report.verdict, report.exit_code        # every result's conclusion, as the CLI states it

    result = inspector.audit("fixtures/models/risky_ops", inspector.Policy(fail_on=inspector.Severity.WARNING))
    [finding.rule for finding in result.findings]

    print(inspector.render(result, inspector.OutputFormat.MARKDOWN))   # any result, in any format

`trace`, `where`, `diff`, `doctor`, `symbolicate`, `scrub` and `scan` follow the same shape. Saving
(TensorFlow imported on first use) always writes the debug info::

    inspector.save(module, "out/model", aliases={"serve": "serve"}, namespace_whitelist=["Acme"])

Everything under `inspector._internal` is private. The result types are `inspector.results`'s, the file
format's messages `inspector.format`'s, the many-machines pipeline `inspector.beam`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector._internal.api import (
        Model,
        audit,
        diff,
        doctor,
        report,
        scan,
        scrub,
        symbolicate,
        trace,
        where,
    )
    from inspector._internal.audit.policy import Policy
    from inspector._internal.errors import (
        InspectorError,
        ModelLoadError,
        SaveError,
        TagSelectionError,
        TensorFlowMissingError,
    )
    from inspector._internal.loader import load
    from inspector._internal.render import OutputFormat, render
    from inspector._internal.reporting import build_report
    from inspector._internal.save import save
    from inspector._internal.view import SavedModelView
    from inspector.results.audit import AuditResult, Severity
    from inspector.results.diff import DiffResult
    from inspector.results.doctor import Diagnosis
    from inspector.results.report import Report
    from inspector.results.scan import ScanResult
    from inspector.results.scrub import ScrubResult
    from inspector.results.symbolicate import SymbolicateResult
    from inspector.results.traces import Selector, TraceResult, WhereQuery, WhereResult

__version__ = "0.2.0"

__all__ = [
    "AuditResult",
    "Diagnosis",
    "DiffResult",
    "InspectorError",
    "Model",
    "ModelLoadError",
    "OutputFormat",
    "Policy",
    "Report",
    "SaveError",
    "SavedModelView",
    "ScanResult",
    "ScrubResult",
    "Selector",
    "Severity",
    "SymbolicateResult",
    "TagSelectionError",
    "TensorFlowMissingError",
    "TraceResult",
    "WhereQuery",
    "WhereResult",
    "__version__",
    "audit",
    "build_report",
    "diff",
    "doctor",
    "load",
    "render",
    "report",
    "save",
    "scan",
    "scrub",
    "symbolicate",
    "trace",
    "where",
]

#: Every public name, imported when first used from its home: `import inspector` (which every command
#: runs first, as the package of its modules) costs nothing, and a command never pays for the others'
#: modules (`inspector rule` reads no model; `inspector audit` imports no report type).
_LAZY = {
    **dict.fromkeys(
        ("Model", "audit", "diff", "doctor", "report", "scan", "scrub", "symbolicate", "trace", "where"),
        "inspector._internal.api",
    ),
    **dict.fromkeys(
        ("InspectorError", "ModelLoadError", "SaveError", "TagSelectionError", "TensorFlowMissingError"),
        "inspector._internal.errors",
    ),
    "load": "inspector._internal.loader",
    "save": "inspector._internal.save",  # TensorFlow itself is imported only when save() runs
    "SavedModelView": "inspector._internal.view",
    "AuditResult": "inspector.results.audit",
    "Severity": "inspector.results.audit",
    "DiffResult": "inspector.results.diff",
    "Diagnosis": "inspector.results.doctor",
    "Report": "inspector.results.report",
    "ScanResult": "inspector.results.scan",
    "ScrubResult": "inspector.results.scrub",
    "SymbolicateResult": "inspector.results.symbolicate",
    "Selector": "inspector.results.traces",
    "TraceResult": "inspector.results.traces",
    "WhereQuery": "inspector.results.traces",
    "WhereResult": "inspector.results.traces",
    "Policy": "inspector._internal.audit.policy",
    "OutputFormat": "inspector._internal.render",
    "render": "inspector._internal.render",
    "build_report": "inspector._internal.reporting",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'inspector' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
