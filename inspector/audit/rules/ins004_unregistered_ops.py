"""INS004 unregistered-op: an op type the installed TensorFlow does not know.

Why it matters: `tf.saved_model.load` and TF Serving fail with `Op type not registered 'X' in binary
running on HOST` unless the library that defines the op is loaded first -- and that library's native code
runs in the serving process. The check asks the installed TensorFlow's op registry (importing TensorFlow,
which takes a few seconds; `--no-registry` skips it). When TensorFlow is not installed the rule says so
instead of passing silently.

Example: `Acme>Scale is not registered in TensorFlow 2.21.0 (load its op library first)`.

Fix: load the op library before loading the model (`tf.load_op_library("libacme_ops.so")`), or import
the package that registers it (for example `import tensorflow_text`); or remove the op.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector.audit.context import AuditContext
from inspector.installed import installed_tensorflow, needs_registration, op_registry
from inspector.providers import registration_fix
from inspector.results.audit import Finding, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS004", "unregistered-op", "Op type unknown to the installed TensorFlow", __doc__ or "", Severity.ERROR
)


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    if not context.policy.registry:
        yield Notice(INFO.id, "op registry check skipped (--no-registry)")
        return
    registry = op_registry()
    if isinstance(registry, str):
        yield Notice(INFO.id, registry)
        return
    installed = installed_tensorflow()
    version = installed.version if installed else "the installed TensorFlow"
    library = frozenset(context.view.functions)
    verdict: dict[str, bool] = {}
    fixes: dict[str, str] = {}  # per op type: its provider is read from the stacks of its nodes, once
    for site in context.scope.sites:
        op_type = site.op_type
        if not needs_registration(op_type, library):
            continue
        known = verdict.get(op_type)
        if known is None:
            known = verdict[op_type] = registry.knows(op_type)
        if known:
            continue
        if op_type not in fixes:
            fixes[op_type] = registration_fix(context.view, op_type)
        yield Finding(
            INFO.id,
            Severity.ERROR,
            f"{op_type} is not registered in TensorFlow {version}: loading the model fails without its library",
            fixes[op_type] + " before loading the model",
            context.location(site),
        )
