"""One call per command, for notebooks and other tools: a model (a path, or a view already loaded) in, the
command's typed result out -- the same result the command line renders, with its `verdict` and `exit_code`.

Each call imports what its command needs when it runs, so `import inspector` stays cheap; none of them loads
the model into TensorFlow unless asked (`doctor(..., try_load=True)`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from inspector._internal.errors import KerasFileError, ModelLoadError, TagSelectionError
from inspector._internal.loader import load, load_all
from inspector._internal.modelfile import resolve_model_path
from inspector._internal.view import SavedModelView

if TYPE_CHECKING:
    from inspector._internal.audit.policy import Policy
    from inspector.results.audit import AuditResult
    from inspector.results.diff import Category, DiffResult
    from inspector.results.doctor import Diagnosis
    from inspector.results.report import Report
    from inspector.results.scan import ScanRecord, ScanResult
    from inspector.results.scrub import ScrubResult
    from inspector.results.symbolicate import SymbolicateResult
    from inspector.results.traces import Selector, TraceResult, WhereQuery, WhereResult

#: A model as every call takes it: its folder or saved_model.pb, or the view `inspector.load` returned.
Model = str | os.PathLike[str] | SavedModelView


def _view(model: Model, tags: Iterable[str] | None) -> SavedModelView:
    return model if isinstance(model, SavedModelView) else load(os.fspath(model), tags=tags)


def report(
    model: Model,
    *,
    whitelist: Sequence[str] | None = None,
    verify_fingerprint: bool = False,
    tags: Iterable[str] | None = None,
) -> Report:
    """`inspector report`: the model's functions, signatures, aliases, op namespaces (checked against
    `whitelist` when given), variables, assets and integrity. `verify_fingerprint` recomputes
    fingerprint.pb with TensorFlow (imports it; loads nothing)."""
    from inspector._internal.reporting import build_report

    return build_report(_view(model, tags), whitelist=whitelist, check_fingerprint=verify_fingerprint)


def audit(
    model: Model,
    policy: Policy | None = None,
    *,
    baseline: str | os.PathLike[str] | None = None,
    tags: Iterable[str] | None = None,
) -> AuditResult:
    """`inspector audit`: every rule over every meta graph of the model (or the one `tags` picks), under
    `policy` (`inspector.Policy()`'s defaults when None: no project file is read). A `.keras` or `.h5`
    file is audited for what Keras would run from it. `baseline` is a file `audit --write-baseline` wrote:
    the findings it holds are counted, not reported."""
    from inspector._internal.audit import audit_keras_file, audit_meta_graphs, read_baseline

    known = read_baseline(baseline)
    if isinstance(model, SavedModelView):
        return audit_meta_graphs([model], policy, known)
    try:
        views = load_all(os.fspath(model), tags=tags)
    except KerasFileError as error:
        return audit_keras_file(Path(error.path), policy, known)
    return audit_meta_graphs(views, policy, known)


def diff(
    old: Model,
    new: Model,
    *,
    only: Iterable[Category | str] | None = None,
    ignore: Iterable[Category | str] = (),
    values: bool = False,
    strict_names: bool = False,
    tags: Iterable[str] | None = None,
) -> DiffResult:
    """`inspector diff`: what changed from `old` to `new`, by category (`only` / `ignore` take
    `inspector.results.diff.Category` members or their names). `values` reads small changed variables'
    values from the checkpoints; `strict_names` counts renames of TensorFlow's counters as changes."""
    from inspector._internal.diff import diff as diff_views
    from inspector.results.diff import Category

    return diff_views(
        _view(old, tags),
        _view(new, tags),
        only=[Category(c) for c in only] if only is not None else None,
        ignore=[Category(c) for c in ignore],
        values=values,
        strict_names=strict_names,
    )


def trace(
    model: Model,
    selector: Selector | str | None = None,
    *,
    all_frames: bool = False,
    source_roots: Mapping[str, str] | None = None,
    context: int = 2,
    tags: Iterable[str] | None = None,
) -> TraceResult:
    """`inspector trace`: the Python stacks that created the selected ops (a `Selector`, or a node key or
    glob); with no selector, every traced op grouped by the line that created it. `source_roots` maps a
    path prefix recorded on the saving machine to where the sources are here, for the source lines."""
    from inspector._internal.tracing import SourceRoot
    from inspector._internal.tracing import trace as trace_view
    from inspector.results.traces import Selector

    chosen = selector if isinstance(selector, Selector) else Selector(pattern=selector)
    roots = [SourceRoot(old, new) for old, new in (source_roots or {}).items()]
    return trace_view(_view(model, tags), chosen, all_frames=all_frames, source_roots=roots, context=context)


def where(
    model: Model,
    location: WhereQuery | str,
    *,
    innermost: bool = False,
    tags: Iterable[str] | None = None,
) -> WhereResult:
    """`inspector where`: every op a source line created (`"FILE:LINE"`, or `"FILE"` for any line of it);
    `innermost` keeps the ops whose innermost frame is that line."""
    from inspector._internal.tracing import where as where_view
    from inspector.results.traces import WhereQuery

    query = location if isinstance(location, WhereQuery) else WhereQuery.parse(location, innermost=innermost)
    return where_view(_view(model, tags), query)


def doctor(
    model: Model,
    *,
    try_load: bool = False,
    timeout: float | None = None,
    op_libraries: Sequence[str] = (),
    imports: Sequence[str] = (),
    registry: bool = True,
    live_registry: bool = False,
    python: str | None = None,
    allow_risky_load: bool = False,
    tags: Iterable[str] | None = None,
) -> Diagnosis:
    """`inspector doctor`: why the model would fail to load, read statically; a saved_model.pb that cannot
    be parsed is itself the diagnosis. `try_load` loads it in a child process (with `timeout` seconds),
    refused for a model with risky ops unless `allow_risky_load`."""
    from inspector._internal.doctor import DEFAULT_TIMEOUT, diagnose, unreadable

    view: SavedModelView
    if isinstance(model, SavedModelView):
        view = model
    else:
        _, model_file = resolve_model_path(Path(model))  # a path that is no model at all is bad input
        try:
            view = load(os.fspath(model), tags=tags)
        except (TagSelectionError, KerasFileError):
            raise  # a question for the caller (which meta graph? a Keras file?), not a corrupt file
        except ModelLoadError as error:
            if Path(error.path) != model_file:
                raise
            return unreadable(model_file, error.problem)
    return diagnose(
        view,
        try_load=try_load,
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        op_libraries=op_libraries,
        imports=imports,
        registry=registry,
        live_registry=live_registry,
        python=python,
        allow_risky_load=allow_risky_load,
    )


def symbolicate(model: Model, log: str, *, tags: Iterable[str] | None = None) -> SymbolicateResult:
    """`inspector symbolicate`: each node and function a TensorFlow error log names, with the Python line
    that created it."""
    from inspector._internal.symbolicate import symbolicate as symbolicate_view

    return symbolicate_view(_view(model, tags), log)


def scrub(
    model: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    strip_prefixes: Sequence[str] = (),
    relative_to: str | os.PathLike[str] | None = None,
) -> ScrubResult:
    """`inspector scrub`: a copy of the model at `out` whose debug info names no path of the saving machine
    (each of `strip_prefixes` removed, or paths made relative to `relative_to`); `model` is not modified."""
    from inspector._internal.scrub import scrub as scrub_model

    return scrub_model(
        Path(model),
        Path(out),
        strip_prefixes=strip_prefixes,
        relative_to=Path(relative_to) if relative_to is not None else None,
    )


def scan(
    targets: Sequence[str | os.PathLike[str]],
    policy: Policy | None = None,
    *,
    baseline: str | os.PathLike[str] | None = None,
    jobs: int = 1,
    timeout: float | None = None,
    max_memory_mb: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    tags: Iterable[str] | None = None,
    on_record: Callable[[ScanRecord], None] | None = None,
) -> ScanResult:
    """`inspector scan`: every SavedModel under `targets` (folders, model folders or globs), each audited
    in a worker process under a time and memory limit (`max_memory_mb` 0: none), `jobs` at a time, as
    `audit(model, policy, baseline=baseline)` would; `cache_dir` keeps records by the model's content;
    `on_record` gets each model's record as it finishes. The result holds the records (in the order they finished) and the summary."""
    from inspector._internal.audit import Policy, read_baseline
    from inspector._internal.discover import Discovery, find_models
    from inspector._internal.scanworkers import (
        DEFAULT_MAX_MEMORY_MB,
        DEFAULT_TIMEOUT,
        ScanOptions,
        scan_models,
    )

    options = ScanOptions(
        policy=policy or Policy(),
        baseline=read_baseline(baseline),
        tags=tuple(tags) if tags is not None else None,
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        max_memory_mb=DEFAULT_MAX_MEMORY_MB if max_memory_mb is None else max_memory_mb,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
    )
    discovery = Discovery()
    models = list(find_models([os.fspath(target) for target in targets], discovery))
    return scan_models(models, discovery, options, jobs, on_record)
