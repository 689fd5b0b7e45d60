"""INS010 debug-info-paths: what the paths recorded in the debug info -- and in an XlaCallModule's StableHLO
locations (jax2tf) -- reveal about the saving machine.

Why it matters: the debug info names the absolute path of every source file on the stack of every op. A
model published as it was saved discloses user names (`/home/alice/...`), home folders, the CI system and
its workspace layout, and temporary folders. Before publishing, strip them.

Example: `the debug info names user 'alice' in 12 paths (e.g. /home/alice/src/model.py)`. The findings
also list the source roots the debug info names.

Fix: `inspector scrub MODEL OUT --strip-prefix /home/alice/src/` (or `--relative-to DIR`) writes a copy
without them; `inspector save --strip-prefix PREFIX` does it at save time. `inspector trace
--source-root =CHECKOUT` still finds the sources of scrubbed (relative) paths.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector._internal.audit.context import AuditContext
from inspector._internal.debuginfo import is_user_file
from inspector._internal.scrub import revealing, revealing_paths, source_roots
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS010",
    "debug-info-paths",
    "Debug info reveals the saving machine's paths",
    __doc__ or "",
    Severity.WARNING,
)

_SEVERITY = {"user name": Severity.WARNING, "home folder": Severity.WARNING}


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    yield from _debug_info(context)
    yield from _xla_modules(context)


def _xla_modules(context: AuditContext) -> Iterator[Finding]:
    """The source paths an XlaCallModule's StableHLO module records in its locations (jax2tf writes the
    exporting machine's paths there; the debug info's scrub does not reach them)."""
    from inspector._internal.xlamodules import xla_modules

    for module in xla_modules(context.view):
        paths = [p for p in revealing(module.source_paths) if is_user_file(p.path)]
        if not paths:
            continue
        kinds = sorted({(p.kind, p.who) for p in paths})
        said = ", ".join(f"user {who!r}" if who else f"a {kind}" for kind, who in kinds)
        node = context.view.nodes[module.node_key]
        yield Finding(
            INFO.id,
            max(_SEVERITY.get(kind, Severity.NOTE) for kind, _ in kinds),
            f"the StableHLO module of {module.node_key} names {said} in {len(paths)} source paths of its "
            f"locations (e.g. {paths[0].path})",
            "export again from a checkout whose path reveals nothing (jax2tf records the exporting "
            "machine's paths in the module), or strip the locations before exporting",
            Location(function=node.function, node_key=module.node_key, op_type=node.op),
            identity=f"xla:{module.node_key}",
        )


def _debug_info(context: AuditContext) -> Iterator[Finding]:
    # The interpreter's, the standard library's and installed packages' paths are the environment: the
    # same on every machine set up alike, and not the author's (a pyenv stdlib under ~ is no leak of work).
    paths = [path for path in revealing_paths(context.view) if is_user_file(path.path)]
    if not paths:
        return
    roots = source_roots(context.view)
    where = Location(file=str(context.view.debug_info.path))
    fix = (
        "inspector scrub MODEL OUT --strip-prefix PREFIX (or inspector save --strip-prefix) before publishing"
    )
    by_kind: dict[tuple[str, str], list[str]] = {}
    for path in paths:
        by_kind.setdefault((path.kind, path.who), []).append(path.path)
    for (kind, who), names in sorted(by_kind.items()):
        subject = f"user {who!r}" if who else f"a {kind}"
        message = f"the debug info names {subject} in {len(names)} paths (e.g. {names[0]})"
        if roots:
            message += f"; source roots: {', '.join(roots)}"
        yield Finding(
            INFO.id, _SEVERITY.get(kind, Severity.NOTE), message, fix, where, identity=f"{kind}:{who}"
        )
