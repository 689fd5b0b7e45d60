"""INS004 unregistered-op: an op type TensorFlow does not register.

Why it matters: `tf.saved_model.load` and TF Serving fail with `Op type not registered 'X' in binary
running on HOST` unless the library that defines the op is loaded first -- and that library's native code
runs in the serving process. The check asks the registry of the TensorFlow that will load the model: the
installed one's release, or without TensorFlow installed the release that wrote the model, from the
registry snapshot shipped with inspector (every op type of TensorFlow 2.12 to 2.21), so TensorFlow is not
imported. `--live-registry` asks the installed TensorFlow itself (importing it, which takes a few
seconds); `--no-registry` skips the check.

Severity: an op the catalogue classifies (`inspector/data/op_catalogue.txt` files the ops of the op libraries
people ship, tensorflow-text and TF-DF, like core ops) is a `warning`: needing the library is a deployment
fact, and INS002 judges what the op does; `--fail-on warning` (or `fail-on = "warning"`) makes it fail the
audit. An op nobody classified (a custom op) is an `error`.

Example: `Acme>Scale is not registered in TensorFlow 2.21 (the installed release): loading the model fails
without its library`.

Fix: load the op library before loading the model (`tf.load_op_library("libacme_ops.so")`), or import
the package that registers it (for example `import tensorflow_text`); or remove the op.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from inspector._internal.audit.context import AuditContext
from inspector._internal.installed import (
    installed_tensorflow,
    needs_registration,
    op_registry,
    tensorflow_distribution,
)
from inspector._internal.providers import registration_fix
from inspector._internal.registry import snapshot
from inspector._internal.riskyops import catalogue
from inspector.results.audit import Finding, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS004",
    "unregistered-op",
    "Op type unknown to the TensorFlow that loads the model",
    __doc__ or "",
    Severity.ERROR,
)


class _Registry(Protocol):
    def knows(self, op_type: str) -> bool: ...


def _registry(context: AuditContext) -> tuple[_Registry, str] | Notice:
    """The registry to ask, and how to name it in a message; or why there is none."""
    if context.policy.live_registry:
        live = op_registry()
        if isinstance(live, str):
            return Notice(INFO.id, live)
        installed = installed_tensorflow()
        return live, f"TensorFlow {installed.version if installed else '(installed)'}"
    shipped = snapshot()
    distribution = tensorflow_distribution()
    if distribution is not None:
        release, exact = shipped.closest(distribution[1])
        whose = "the installed release" if exact else f"the nearest to the installed {distribution[1]}"
    elif context.view.tensorflow_version:
        release, exact = shipped.closest(context.view.tensorflow_version)
        whose = "the release that wrote the model" if exact else "the nearest to the model's writer"
    else:
        release, whose = shipped.release(len(shipped.releases) - 1), "the newest release known"
    line = ".".join(release.release.split(".")[:2])
    return release, f"TensorFlow {line} ({whose})"


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    if not context.policy.registry:
        yield Notice(INFO.id, "op registry check skipped (--no-registry)")
        return
    found = _registry(context)
    if isinstance(found, Notice):
        yield found
        return
    registry, named = found
    library = frozenset(context.view.functions)
    verdict: dict[str, bool] = {}
    fixes: dict[str, str] = {}  # per op type: its provider is read from the stacks of its nodes, once
    classified = catalogue()
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
            Severity.WARNING if classified.classifies(op_type) else Severity.ERROR,
            f"{op_type} is not registered in {named}: loading the model fails without its library",
            fixes[op_type] + " before loading the model",
            context.location(site),
        )
