"""inspector: make TensorFlow SavedModels explain themselves.

Reading never runs the model and never starts the TensorFlow runtime::

    import inspector
    view = inspector.load("fixtures/models/module_aliases")
    view.aliases["double"].targets          # the concrete functions behind an alias
    report = inspector.build_report(view, whitelist=["Acme"])
    report.flagged_ops                      # ops whose namespace is not whitelisted, with traces

Saving (TensorFlow imported on first use) always writes the debug info::

    inspector.save(module, "out/model", aliases={"serve": "serve"}, namespace_whitelist=["Acme"])
"""

from __future__ import annotations

from inspector.errors import (
    InspectorError,
    ModelLoadError,
    SaveError,
    TagSelectionError,
    TensorFlowMissingError,
)
from inspector.loader import load
from inspector.report import build_report
from inspector.results.report import Report
from inspector.save import save  # TensorFlow itself is imported only when save() runs
from inspector.view import SavedModelView

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
