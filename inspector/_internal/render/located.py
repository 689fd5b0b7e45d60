"""What a result says, one located item at a time: the shared input of the line formats (`concise`,
`github`), as a compiler's diagnostics are.

Each finding, problem or traced op becomes a file, line and column (the user code that created it, else
the model's own file), a level, a code (the rule, the problem's kind, the op type) and a message. The
messages are the model's strings and inspector's words unescaped: each writer escapes them its own way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, assert_never

from inspector._internal.render.words import listing, plural

if TYPE_CHECKING:
    from inspector._internal.view import Frame
    from inspector.results.audit import AuditResult
    from inspector.results.doctor import Diagnosis
    from inspector.results.traces import TraceResult

    #: The results with located items (render.LOCATED).
    LocatedResult: TypeAlias = AuditResult | TraceResult | Diagnosis


class Level(StrEnum):
    """How much an item matters, in the words CI annotations use."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Located:
    file: str
    line: int
    column: int
    level: Level
    code: str  # INS002, the problem's kind, the op type
    label: str  # the severity or kind as the command says it: "critical", "blocker"
    message: str


def located(result: LocatedResult, root: Path | None = None) -> Iterator[Located]:
    """Each item of `result` with its place, in the result's own order; with `root` (--source-root, or the
    working directory), the files under it named relative to it, as SARIF names them -- so an annotation
    lands on the pull request's file."""
    items: Iterator[Located]
    if result.kind == "audit":
        items = _audit(result)
    elif result.kind == "trace":
        items = _trace(result)
    elif result.kind == "doctor":
        items = _doctor(result)
    else:
        assert_never(result)
    if root is None:
        return items
    return (replace(item, file=relative_to(item.file, root)) for item in items)


def relative_to(file: str, root: Path) -> str:
    """`file` relative to `root` when it lies under it (a recorded absolute path, or one from here), else
    as it is."""
    if not file or file.startswith("<"):
        return file
    path = Path(file)
    try:
        absolute = path if path.is_absolute() else path.resolve()
        return absolute.relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return file


def _model_file(result: LocatedResult) -> str:
    path = result.model.path
    return str(path / "saved_model.pb") if path.suffix not in (".pb", ".pbtxt") else str(path)


def _at(site: Frame | None, fallback: str) -> tuple[str, int, int]:
    """The creation site's place, else the fallback file's first line (a column of 1: editors count
    from 1, and so do SARIF and GitHub)."""
    if site is None:
        return fallback, 1, 1
    return site.file, site.line, max(site.column, 0) + 1


_AUDIT_LEVEL = {"critical": Level.ERROR, "error": Level.ERROR, "warning": Level.WARNING, "note": Level.NOTICE}


def _audit(result: AuditResult) -> Iterator[Located]:
    model = _model_file(result)
    for finding in result.findings:
        where = finding.location
        file, line, column = _at(where.source, where.file or model)
        message = finding.message
        if where.reached_by:
            message += f" ({listing(where.reached_by)})"
        if where.tags:
            message += f" [meta graph {','.join(where.tags)}]"
        label = finding.severity.label
        yield Located(file, line, column, _AUDIT_LEVEL[label], finding.rule_id, label, message)


def _trace(result: TraceResult) -> Iterator[Located]:
    model = _model_file(result)
    if result.selector.is_empty:
        for site in result.sites:
            types = listing(op for op, _count in site.op_types)
            message = f"created {plural(site.op_count, 'op')}: {types}"
            yield Located(site.file, site.line, 1, Level.NOTICE, "ops", "site", message)
        return
    for group in result.groups:
        file, line, column = _at(group.trace.creation_site, model)
        for op in group.ops:
            yield Located(file, line, column, Level.NOTICE, op.op_type, "op", op.node_key)
    for op in result.untraced:
        yield Located(model, 1, 1, Level.NOTICE, op.op_type, "op", f"{op.node_key} (no creation trace)")


def _doctor(result: Diagnosis) -> Iterator[Located]:
    model = _model_file(result)
    if result.load is not None and result.load.outcome.value != "loaded":
        said = result.load.error_message.strip().splitlines()
        message = said[0] if said else result.load.outcome.value
        yield Located(model, 1, 1, Level.ERROR, "load", result.load.outcome.value, message)
    for problem in result.problems:
        site = problem.sources[0] if problem.sources else None
        file, line, column = _at(site, problem.file or model)
        level, label = (Level.ERROR, "blocker") if problem.blocker else (Level.WARNING, "warning")
        yield Located(file, line, column, level, problem.kind.value, label, problem.message)
