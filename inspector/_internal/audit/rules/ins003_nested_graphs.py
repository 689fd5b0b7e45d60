"""INS003 nested-graph: a graph serialized inside the model that the audit could not decode.

Why it matters: ops such as `DatasetFromGraph` rebuild a whole graph from bytes in a string tensor. The
audit decodes such graphs (to a bounded depth and size) and scans their ops with every other rule, naming
the nesting path in each finding's location. A carrier whose bytes are computed at run time, nest too
deep, are too large, or do not parse as a graph, hides ops the audit cannot see: an error, so the default
gate fails (nesting one level past the limit must not be a way to hide an op). Each distinct serialized
graph is decoded once, and all nested graphs together are bounded in size.

Example: `DatasetFromGraph@__inference_pipeline_71: its graph is computed at run time, not a constant`.

Fix: build the dataset inside the exported function instead of shipping its serialized graph, or review
the producer of the bytes by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector._internal.audit.context import AuditContext
from inspector.results.audit import Finding, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS003", "nested-graph", "Serialized graph that could not be inspected", __doc__ or "", Severity.ERROR
)


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    for blob in context.scope.undecoded:
        yield Finding(
            INFO.id,
            # What the audit cannot see it cannot pass: one level past the decode limit must not be a
            # way to hide an op from the default gate.
            Severity.ERROR.shifted(1 if blob.carrier.reach.reach.severity_shift > 0 else 0),
            f"{blob.carrier.op_type} carries a graph the audit could not inspect: {blob.problem}",
            "build the graph inside the exported function, or review where its bytes come from",
            context.location(blob.carrier),
        )
