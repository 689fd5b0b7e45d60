"""INS005 debug-info: creation traces missing, corrupt, stale, or covering too few ops.

Why it matters: the debug info (`save_debug_info=True`) is what ties every other finding to the line of
code that created the op. Without it a reviewer gets an op name and a mangled function name; with stale
debug info (keys naming functions the model does not contain, left over from another save) the lines can
be wrong.

Example: `debug info covers 12.5% of function nodes (minimum 50%)`.

Fix: save with `inspector save`, or `tf.saved_model.save(..., options=tf.saved_model.SaveOptions(
save_debug_info=True))`, from the same run that writes the model. Set the minimum with
`--min-trace-coverage` or `min-trace-coverage` under `[tool.inspector.audit]`.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector._internal.audit.context import AuditContext
from inspector._internal.coverage import coverage
from inspector._internal.view import DebugInfoStatus
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS005",
    "debug-info",
    "Creation traces missing, corrupt, stale or sparse",
    __doc__ or "",
    Severity.WARNING,
)

_FIX = "save with save_debug_info=True (inspector save does) in the run that writes the model"


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    info = context.view.debug_info
    where = Location(file=str(info.path))
    if info.status is DebugInfoStatus.MISSING:
        yield Finding(
            INFO.id,
            Severity.WARNING,
            "no debug info: findings cannot name the code that created ops",
            _FIX,
            where,
        )
        return
    if info.status is DebugInfoStatus.CORRUPT:
        yield Finding(
            INFO.id,
            Severity.ERROR,
            f"the debug info is corrupt: {info.problem}",
            _FIX,
            where,
            identity="corrupt",
        )
        return
    covered = coverage(context.view)
    if covered.stale_keys:
        example = covered.stale_keys[0]
        yield Finding(
            INFO.id,
            Severity.WARNING,
            f"{len(covered.stale_keys)} debug-info keys name functions absent from the model (e.g. {example!r}): "
            "the debug info may come from another save",
            _FIX,
            where,
            identity="stale",
        )
    if covered.function_nodes:
        percent = 100.0 * covered.traced_nodes / covered.function_nodes
        if percent < context.policy.min_trace_coverage:
            yield Finding(
                INFO.id,
                Severity.WARNING,
                f"debug info covers {percent:.1f}% of function nodes "
                f"(minimum {context.policy.min_trace_coverage:g}%)",
                _FIX,
                where,
                identity="coverage",
            )
