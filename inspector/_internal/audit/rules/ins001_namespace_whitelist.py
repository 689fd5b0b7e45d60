"""INS001 namespace-whitelist: a namespaced op type (`Namespace>Op`) whose namespace is not whitelisted.

Why it matters: namespaced ops come from custom-op libraries. A model that uses one loads only where that
library is loaded, and runs that library's native code. `tf.saved_model.SaveOptions(namespace_whitelist=...)`
is meant to catch them at save time, but TensorFlow never records the whitelist in the model, checks nothing
when it is None (the default), and walks only part of the graph when it does check: an op inside a
`tf.cond` branch, a tf.data function or a function no signature calls is saved anyway. This rule checks
the top-level graph, every library function, graphs serialized in string constants, and
`stripped_op_list`.

Example: `Beta>Shift in __inference_postprocess_353 (reached by serving_default), created at
custom_ops.py:28`, when only `Acme` is whitelisted.

Fix: add the namespace to the whitelist (`--whitelist Beta`, or `whitelist = ["Acme", "Beta"]` under
`[tool.inspector.audit]`) once you have confirmed the op library ships with the model; otherwise remove the op.
Without a whitelist nothing is checked, as in TensorFlow, and the audit says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector._internal.audit.context import AuditContext
from inspector._internal.view import namespace_of
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS001", "namespace-whitelist", "Namespaced op outside the whitelist", __doc__ or "", Severity.ERROR
)

_SEVERITY = Severity.ERROR


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    allowed = context.policy.whitelist
    if allowed is None:
        yield Notice(INFO.id, "no whitelist given: namespaced ops were not checked (TensorFlow's default)")
        return
    seen: set[str] = set()
    for site in context.scope.sites:
        namespace = namespace_of(site.op_type)
        if namespace is None:
            continue
        seen.add(site.op_type)
        if namespace in allowed:
            continue
        yield Finding(
            INFO.id,
            _SEVERITY,
            f"{site.op_type} uses namespace {namespace!r}, which is not whitelisted",
            f"whitelist {namespace!r} once its op library ships with the model, or remove the op",
            context.location(site),
        )
    for op_type in context.view.stripped_op_list:
        namespace = namespace_of(op_type)
        if namespace is None or namespace in allowed or op_type in seen:
            continue
        yield Finding(
            INFO.id,
            _SEVERITY,
            f"{op_type} is listed in stripped_op_list with namespace {namespace!r}, which is not whitelisted",
            f"whitelist {namespace!r}, or find where the op comes from",
            Location(op_type=op_type, file=str(context.view.model_file)),
        )
