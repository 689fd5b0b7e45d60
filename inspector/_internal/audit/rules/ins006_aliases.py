"""INS006 alias: a function alias that names nothing the model contains, or a required alias missing.

Why it matters: downstream tools find functions by alias (`SaveOptions(function_aliases=...)`, recorded in
`MetaInfoDef.function_aliases`). TensorFlow records every concrete function the tf.function ever traced,
including ones it re-traced before saving and left out of the library: that alone is normal (a note). An
alias none of whose functions is in the library is dead, and an alias a release requires
(`--require-alias NAME`) that is missing breaks whoever looks it up.

Example: `alias 'serve' names 2 functions, none of them in the function library`.

Fix: save with `function_aliases` pointing at the tf.function that is exported (`inspector save --alias`),
and trace it (call it, or give it an input_signature) before saving.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector._internal.audit.context import AuditContext
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS006", "alias", "Function alias missing or naming absent functions", __doc__ or "", Severity.WARNING
)


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    view = context.view
    for alias in view.aliases.values():
        absent = [t.function for t in alias.targets if not t.in_library]
        if not absent:
            continue
        if len(absent) == len(alias.targets):
            yield Finding(
                INFO.id,
                Severity.WARNING,
                f"alias {alias.name!r} names {len(absent)} functions, none of them in the function library",
                "alias the tf.function that is exported, and trace it before saving",
                Location(function=absent[0], file=str(view.model_file)),
                identity=f"dead:{alias.name}",
            )
        else:
            yield Finding(
                INFO.id,
                Severity.NOTE,
                f"alias {alias.name!r} also names {len(absent)} concrete functions absent from the library "
                f"({', '.join(absent)}): TensorFlow records traces it replaced before saving",
                "nothing to do unless a tool looks those names up",
                Location(function=absent[0], file=str(view.model_file)),
                identity=f"partly absent:{alias.name}",
            )
    for required in context.policy.require_aliases:
        if required not in view.aliases:
            known = ", ".join(view.aliases) or "none"
            yield Finding(
                INFO.id,
                Severity.ERROR,
                f"required alias {required!r} is missing (aliases: {known})",
                f"save with function_aliases={{{required!r}: ...}} (inspector save --alias {required})",
                Location(file=str(view.model_file)),
            )
