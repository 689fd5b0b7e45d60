"""INS007 versions: the model's GraphDef versions against the installed TensorFlow's.

Why it matters: every GraphDef records the `producer` version that wrote it and the `min_consumer`
version needed to read it. A model whose min_consumer is above the installed TensorFlow's GraphDef version
does not load; one written by a newer TensorFlow (a higher producer) may use ops or attrs the installed
one does not know; one older than the installed TensorFlow's minimum producer is refused. The installed
versions are read from TensorFlow's headers, without importing it.

Example: `written by GraphDef producer 2474 (TensorFlow 2.21.0); the installed TensorFlow 2.12.1 reads up
to 1395`.

Fix: load the model with a TensorFlow at least as new as the one that wrote it, or re-export it with the
TensorFlow that serves it.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector._internal.audit.context import AuditContext
from inspector._internal.installed import VersionGap, installed_tensorflow, version_gaps
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS007", "versions", "Model versions the installed TensorFlow cannot read", __doc__ or "", Severity.ERROR
)


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    installed = installed_tensorflow()
    view = context.view
    if installed is None:
        yield Notice(INFO.id, "TensorFlow is not installed: model versions were not compared")
        return
    where = Location(file=str(view.model_file))
    writer = f"TensorFlow {view.tensorflow_version}" if view.tensorflow_version else "an unknown TensorFlow"
    fix = f"serve it with TensorFlow {view.tensorflow_version or 'at least as new as the writer'}, or re-export it"
    messages = {
        VersionGap.MIN_CONSUMER: (
            Severity.ERROR,
            f"needs GraphDef version {view.min_consumer}; the installed TensorFlow {installed.version} reads up "
            f"to {installed.producer}: TF Serving and tf.compat.v1 loaders refuse it",
            fix,
        ),
        VersionGap.PRODUCER: (
            Severity.WARNING,
            f"written by GraphDef producer {view.producer} ({writer}); the installed TensorFlow "
            f"{installed.version} reads up to {installed.producer}: newer ops or attrs may be unknown",
            fix,
        ),
        VersionGap.MIN_PRODUCER: (
            Severity.ERROR,
            f"GraphDef producer {view.producer} is older than the installed TensorFlow's minimum "
            f"{installed.min_producer}",
            "re-export the model with a newer TensorFlow",
        ),
    }
    for gap in version_gaps(view.producer, view.min_consumer, installed):
        severity, message, gap_fix = messages[gap]
        yield Finding(INFO.id, severity, message, gap_fix, where, identity=gap.value)
