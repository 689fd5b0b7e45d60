"""INS010 debug-info-paths: what the paths recorded in the debug info reveal about the saving machine.

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

from inspector.audit.context import AuditContext
from inspector.debuginfo import is_user_file
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity
from inspector.scrub import revealing_paths, source_roots

INFO = RuleInfo(
    "INS010",
    "debug-info-paths",
    "Debug info reveals the saving machine's paths",
    __doc__ or "",
    Severity.WARNING,
)

_SEVERITY = {"user name": Severity.WARNING, "home folder": Severity.WARNING}


def check(context: AuditContext) -> Iterator[Finding | Notice]:
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
