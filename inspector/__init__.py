"""inspector: make TensorFlow SavedModels explain themselves.

Reading never runs the model and needs no TensorFlow (protobuf alone)::

    import inspector
    view = inspector.load("fixtures/models/module_aliases")
    view.aliases["double"].targets          # the concrete functions behind an alias
    report = inspector.build_report(view, whitelist=["Acme"])
    report.flagged_ops                      # ops whose namespace is not whitelisted, with traces
    report.verdict, report.exit_code        # every result's conclusion, as the CLI states it

    from inspector._internal.render import OutputFormat, render
    print(render(report, OutputFormat.MARKDOWN))   # any result, in any format its command offers

Saving (TensorFlow imported on first use) always writes the debug info::

    inspector.save(module, "out/model", aliases={"serve": "serve"}, namespace_whitelist=["Acme"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inspector._internal.errors import (
    InspectorError,
    ModelLoadError,
    SaveError,
    TagSelectionError,
    TensorFlowMissingError,
)
from inspector._internal.loader import load
from inspector._internal.save import save  # TensorFlow itself is imported only when save() runs
from inspector._internal.view import SavedModelView

if TYPE_CHECKING:
    from inspector._internal.report import build_report
    from inspector.results.report import Report

__version__ = "0.2.0"

__all__ = [
    "InspectorError",
    "ModelLoadError",
    "Report",
    "SaveError",
    "SavedModelView",
    "TagSelectionError",
    "TensorFlowMissingError",
    "__version__",
    "build_report",
    "load",
    "save",
]


def __getattr__(name: str) -> Any:
    """The report's names, imported when first used: `inspector audit` never needs them, and their
    result types cost a command start-up milliseconds."""
    if name == "build_report":
        from inspector._internal.report import build_report

        return build_report
    if name == "Report":
        from inspector.results.report import Report

        return Report
    raise AttributeError(f"module 'inspector' has no attribute {name!r}")
