"""Op stack traces: which ops a selector picks and the stacks that created them (`inspector trace`),
and the reverse lookup from a source line to the ops it created (`inspector where`).

Pure analysis over the view, plus reading the user's local source files for context lines (the only
I/O here, and it only reads files the user's own `--source-root` mappings or recorded paths name).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby, repeat
from operator import add, itemgetter
from pathlib import Path

from inspector._internal.coverage import coverage
from inspector._internal.debuginfo import DEBUG_INFO_PATH
from inspector._internal.errors import InspectorError
from inspector._internal.fileio import read_regular_file
from inspector._internal.nodetable import Node
from inspector._internal.view import DebugInfoStatus, Frame, SavedModelView, Trace, namespace_of
from inspector.results.common import ModelRef
from inspector.results.traces import (
    NearbyLine,
    OpRef,
    Selector,
    SiteSummary,
    SourceContext,
    Sources,
    TraceGroup,
    TraceResult,
    WhereGroup,
    WhereHit,
    WhereQuery,
    WhereResult,
    normalized_path,
)


class SelectionError(InspectorError):
    """A selector names an alias or signature the model does not have."""


# --- shared pieces --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceRoot:
    """`--source-root OLD=NEW`: a path prefix recorded on the saving machine and where it is here;
    `=DIR` (an empty OLD) reads relative recorded paths, such as scrubbed ones, from DIR."""

    old: str
    new: str

    @classmethod
    def parse(cls, text: str) -> SourceRoot:
        old, sep, new = text.partition("=")
        if not sep or not new:
            raise SelectionError(
                f"--source-root {text!r} is not of the form OLD=NEW (or =DIR for relative paths)"
            )
        return cls(old, new)


def _aliases_by_function(view: SavedModelView) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for function, alias in view.function_aliases.items():
        found.setdefault(function, []).append(alias)
    return {function: tuple(aliases) for function, aliases in found.items()}


def _op_ref(node: Node, aliases: Mapping[str, tuple[str, ...]]) -> OpRef:
    return OpRef(node.key, node.name, node.op, node.function, aliases.get(node.function, ()))


def map_source_path(recorded: str, roots: Sequence[SourceRoot]) -> Path:
    """The local path of a recorded file: the first matching --source-root prefix rewritten (the recorded
    path normalized first: `/ci/src/../gen/x.py` is under `/ci/gen`)."""
    recorded = normalized_path(recorded)
    for root in roots:
        if not root.old:
            # `=DIR`: relative recorded paths (scrubbed debug info) are read from DIR.
            if not Path(recorded).is_absolute():
                return Path(root.new) / recorded
        elif recorded.startswith(root.old):
            return Path(root.new + recorded[len(root.old) :])
    return Path(recorded)


#: A source file larger than this is not read for context.
SOURCE_LIMIT = 4 * 2**20
#: System folders never read, whatever --source-root or the working directory say.
_SYSTEM = tuple(Path(p) for p in ("/proc", "/dev", "/sys", "/etc", "/run", "/boot"))


def read_sources(
    frames: Iterable[Frame], roots: Sequence[SourceRoot], context: int, base: Path | None = None
) -> Sources:
    """Context lines for each distinct frame whose file is the user's own source (each file read once).

    A recorded path is the model's to write: `/etc/passwd`, an SSH key or `/proc/self/environ` must never
    be printed because a frame names it. So a file is read only when it is a regular `.py` file, under the
    working directory `base` or a --source-root folder, after links are resolved, in no dot-folder
    (`.ssh`, `.aws`), and no larger than SOURCE_LIMIT; any other frame is shown without context, and the
    result says which files were not read and why.
    """
    if context < 0:
        return Sources()
    allowed = _allowed_roots(roots, base or Path.cwd())
    cache: dict[str, list[str] | None] = {}
    withheld: set[str] = set()
    contexts: dict[tuple[str, int], SourceContext] = {}
    for frame in frames:
        if (frame.file, frame.line) in contexts or frame.file in withheld:
            continue
        if frame.file not in cache:
            local = _own_source(map_source_path(frame.file, roots), allowed, base or Path.cwd())
            if local is None:
                withheld.add(frame.file)
                continue
            cache[frame.file] = _read_lines(local)
        lines = cache[frame.file]
        if lines is None or not 1 <= frame.line <= len(lines):
            continue
        first = max(1, frame.line - context)
        last = min(len(lines), frame.line + context)
        local_name = str(map_source_path(frame.file, roots))
        contexts[(frame.file, frame.line)] = SourceContext(
            frame.file, frame.line, local_name, first, tuple(lines[first - 1 : last])
        )
    missing = tuple(sorted(name for name, lines in cache.items() if lines is None))
    return Sources(
        tuple(contexts.values()),
        missing,
        tuple(sorted(withheld)),
        tuple(str(root) for root in allowed) if withheld else (),
    )


def _allowed_roots(roots: Sequence[SourceRoot], base: Path) -> tuple[Path, ...]:
    found = [base, *(base / root.new for root in roots)]
    resolved = []
    for folder in found:
        try:
            resolved.append(folder.resolve(strict=True))
        except (OSError, RuntimeError):
            continue
    return tuple({path: None for path in resolved})  # once each, in order


def _own_source(path: Path, allowed: Sequence[Path], base: Path) -> Path | None:
    """The resolved path of `path` when it may be read as the user's source, else None (withheld). A
    file that does not exist under an allowed folder is not withheld: it is missing (None from reading)."""
    if path.name.startswith("<"):
        return path  # <frozen ...>, <string>: nothing to read, and nothing withheld
    lexical = Path(os.path.normpath(base / path))
    if not any(_inside(lexical, root) for root in allowed) or lexical.suffix != ".py":
        return None
    try:
        resolved = lexical.resolve(strict=True)
    except FileNotFoundError:
        return lexical  # missing: reported as not found here
    except (OSError, RuntimeError):
        return None
    if resolved.suffix != ".py" or any(_inside(resolved, system) for system in _SYSTEM):
        return None
    root = next((r for r in allowed if _inside(resolved, r)), None)
    if root is None or any(part.startswith(".") for part in resolved.relative_to(root).parts):
        return None
    return resolved


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _read_lines(path: Path) -> list[str] | None:
    if path.name.startswith("<"):
        return None  # <frozen ...>, <string>, <ipython-input-...>: no file to read
    try:
        content = read_regular_file(path, SOURCE_LIMIT, "source file")
    except InspectorError:
        return None  # missing, not a regular file, too large: shown without context
    return content.decode("utf-8", errors="replace").splitlines()


# --- trace ----------------------------------------------------------------------------------------------


def select(view: SavedModelView, selector: Selector) -> list[Node]:
    """The nodes every given selector matches, in view order."""
    functions: frozenset[str] | None = None
    if selector.alias is not None:
        alias = view.aliases.get(selector.alias)
        if alias is None:
            known = ", ".join(view.aliases) or "none"
            raise SelectionError(f"{view.path}: no alias {selector.alias!r} (aliases: {known})")
        functions = frozenset(target.function for target in alias.targets)
    if selector.signature is not None:
        signature = view.signatures.get(selector.signature)
        if signature is None:
            known = ", ".join(view.signatures) or "none"
            raise SelectionError(f"{view.path}: no signature {selector.signature!r} (signatures: {known})")
        reachable = view.call_graph.reachable_from(signature.functions)
        functions = reachable if functions is None else functions & reachable

    # Each test is compiled once: a scan over 100k nodes must not re-translate globs per node.
    active: list[Callable[[Node], object]] = []
    if selector.op is not None:
        op_matches = _glob(selector.op)
        active.append(lambda node: op_matches(node.op))
    if selector.function is not None:
        function_matches = _glob(selector.function)
        active.append(lambda node: function_matches(node.function))
    if selector.namespace is not None:
        namespace = selector.namespace
        active.append(lambda node: namespace_of(node.op) == namespace)
    if functions is not None:
        allowed = functions
        active.append(lambda node: node.function in allowed)
    if selector.pattern is not None:
        active.append(_pattern_test(selector.pattern))
    selected = [view.nodes[key] for key in _candidate_keys(view, selector, functions)]
    for test in active:  # one pass per test: cheaper than a generator of tests per node
        selected = [node for node in selected if test(node)]
    return selected


def _candidate_keys(view: SavedModelView, selector: Selector, functions: frozenset[str] | None) -> list[str]:
    """The keys of the nodes the selector may match, in view order: a superset of its matches, found
    from the keys and function names alone, so that a Node is made only for a likely match (the
    selector's tests then run on those Nodes)."""
    pattern = selector.pattern
    if pattern is not None and not _is_glob(pattern) and pattern in view.nodes:
        return [pattern]  # an exact node key: no scan
    if selector.op is not None and not _is_glob(selector.op):
        return list(view.nodes_by_op.get(selector.op, ()))
    if sum(len(function.node_keys) for function in view.functions.values()) != len(view.nodes):
        return list(view.nodes)  # a repeated key or function name (only a hostile model has one)
    function_matches = _glob(selector.function) if selector.function is not None else None
    key_matches = _glob(pattern) if pattern is not None else None
    keys: list[str] = []
    for name, function in view.functions.items():
        if functions is not None and name not in functions:
            continue
        if function_matches is not None and not function_matches(name):
            continue
        if key_matches is None:
            keys.extend(function.node_keys)
        elif (pattern is not None and "@" in pattern) or not name:  # top-level keys are node names
            keys.extend(filter(key_matches, function.node_keys))
        else:
            cut = len(name) + 1  # a key is `node@function`: the node name may match instead (`*/Relu`)
            keys.extend(key for key in function.node_keys if key_matches(key) or key_matches(key[:-cut]))
    return keys


def _is_glob(text: str) -> bool:
    return any(char in text for char in "*?[")


def _glob(pattern: str) -> Callable[[str], object]:
    return re.compile(fnmatch.translate(pattern)).match


def _pattern_test(pattern: str) -> Callable[[Node], bool]:
    """A node key glob; without `@` the glob may also match the node name alone (`*/Relu`)."""
    key_matches = _glob(pattern)
    if "@" in pattern:
        return lambda node: bool(key_matches(node.key))
    return lambda node: bool(key_matches(node.key) or key_matches(node.name))


def trace(
    view: SavedModelView,
    selector: Selector,
    *,
    all_frames: bool = False,
    source_roots: Sequence[SourceRoot] = (),
    context: int = 2,
) -> TraceResult:
    """The creation traces of the selected ops, each distinct trace once; or, with an empty selector,
    every traced op grouped by the source line that created it. Raises NoDebugInfoError when the model
    has no readable debug info, as `where` does: no stack is known, and "nothing matched" would mislead."""
    if view.debug_info.status is not DebugInfoStatus.PRESENT:
        raise NoDebugInfoError(_no_debug_info(view))
    aliases = _aliases_by_function(view)
    if selector.is_empty:
        sites = _sites(view)
        return TraceResult(ModelRef.of(view), selector, all_frames, 0, (), (), sites, coverage(view))
    nodes = select(view, selector)
    by_trace: dict[int, list[OpRef]] = {}
    untraced = []
    for node in nodes:
        if node.trace_id is None or node.trace_id not in view.debug_info.traces:
            untraced.append(_op_ref(node, aliases))
        else:
            by_trace.setdefault(node.trace_id, []).append(_op_ref(node, aliases))
    ordered = sorted(by_trace.items(), key=_most_ops_first)
    user_keys = {trace_id: _user_key(view.debug_info.traces[trace_id]) for trace_id, _ in ordered}
    same_user_frames = Counter(user_keys.values())
    groups = tuple(
        TraceGroup(
            view.debug_info.traces[trace_id],
            tuple(ops),
            _label(view.debug_info.traces[trace_id], ops)
            if same_user_frames[user_keys[trace_id]] > 1
            else "",
        )
        for trace_id, ops in ordered
    )
    shown = (f for g in groups for f in g.trace.frames if all_frames or f.is_user)
    return TraceResult(
        ModelRef.of(view),
        selector,
        all_frames,
        len(nodes),
        groups,
        tuple(untraced),
        (),
        coverage(view),
        read_sources(shown, source_roots, context),
    )


def _user_key(trace: Trace) -> tuple[tuple[str, int], ...]:
    return tuple((frame.file, frame.line) for frame in trace.user_frames)


def _label(trace: Trace, ops: Sequence[OpRef]) -> str:
    parts = []
    scope = name_scope(op.node_name for op in ops)
    if scope:
        parts.append(f"name scope {scope}")
    inner = trace.innermost_library_frame
    if inner is not None:
        parts.append(f"{library_path(inner.file)}:{inner.line} in {inner.function or '?'}")
    return " · ".join(parts)


def name_scope(node_names: Iterable[str]) -> str:
    """The name scope every node shares (`text_classifier/lstm`): for Keras, the layer that made them."""
    common: list[str] | None = None
    for name in node_names:
        parts = name.split("/")[:-1]
        if common is None:
            common = parts
        else:
            size = 0
            while size < min(len(common), len(parts)) and common[size] == parts[size]:
                size += 1
            del common[size:]
        if not common:
            return ""
    return "/".join(common or ())


def library_path(path: str) -> str:
    """A library file from its package folder on (`keras/src/layers/core/dense.py`): the venv's prefix
    says nothing."""
    for marker in ("site-packages/", "dist-packages/", "site-packages\\", "dist-packages\\"):
        _, sep, tail = path.rpartition(marker)
        if sep:
            return tail
    return path


def _sites(view: SavedModelView) -> tuple[SiteSummary, ...]:
    # (op type, function) of each traced op, read from the node table: a Node for each of 200k traced
    # ops would cost more than the whole count.
    grouped: dict[tuple[str, int, str], list[tuple[str, str]]] = {}
    for trace_id, keys in view.nodes_by_trace.items():
        found = view.debug_info.traces.get(trace_id)
        site = found.creation_site if found else None
        if site is None:
            continue
        ops = grouped.setdefault((site.file, site.line, site.function), [])
        ops.extend((op, function) for _, _, op, function in view.nodes.identities(keys))
    summaries = [
        SiteSummary(
            file,
            line,
            function,
            len(ops),
            tuple(Counter(op for op, _ in ops).most_common()),
            tuple(sorted({in_function for _, in_function in ops})),
        )
        for (file, line, function), ops in grouped.items()
    ]
    return tuple(sorted(summaries, key=_file_and_line))


# --- where ----------------------------------------------------------------------------------------------


_FUNCTION: Callable[[tuple[str, str, str, str]], str] = itemgetter(3)
_JOIN: Callable[
    [tuple[str, str, str, str], tuple[tuple[str, ...]]], tuple[str, str, str, str, tuple[str, ...]]
]
_JOIN = add  # a node's identity and its function's aliases, one tuple


#: An OpRef of its fields in order, made in C as the tuple it is (NamedTuple's __new__ is Python).
_new_op_ref: Callable[[tuple[str, str, str, str, tuple[str, ...]]], OpRef] = partial(tuple.__new__, OpRef)


class NoDebugInfoError(InspectorError):
    """`where` asked of a model whose stacks were not recorded: no answer, rather than "nothing there"."""


def where(view: SavedModelView, query: WhereQuery) -> WhereResult:
    """Every op whose creation stack holds the queried line (or any line of the file); with
    `innermost`, only ops whose innermost user frame is that line. Raises NoDebugInfoError when the
    model has no readable debug info: then no stack is known, and "nothing there" would be a lie."""
    if view.debug_info.status is not DebugInfoStatus.PRESENT:
        raise NoDebugInfoError(_no_debug_info(view))
    aliases = _aliases_by_function(view)
    matched_files: set[str] = set()
    by_function: dict[str, list[WhereHit]] = {}
    for trace_id, found in view.debug_info.traces.items():
        keys = view.nodes_by_trace.get(trace_id)
        if not keys:
            continue
        frames = (found.creation_site,) if query.innermost else found.frames
        lines = tuple(
            sorted(
                {
                    frame.line
                    for frame in frames
                    if frame is not None
                    and query.matches_file(frame.file)
                    and (query.line is None or frame.line == query.line)
                }
            )
        )
        if not lines:
            continue
        matched_files.update(f.file for f in frames if f is not None and query.matches_file(f.file))
        ops_by_function: dict[str, list[OpRef]] = {}
        # The keys come in table order, where a function's nodes are consecutive: a group per function
        # (extend keeps any other order right), each group's OpRefs made in C (a line of a large model
        # lists 200k of them).
        for function, identities in groupby(view.nodes.identities(keys), key=_FUNCTION):
            with_aliases = map(_JOIN, identities, repeat((aliases.get(function, ()),)))
            ops_by_function.setdefault(function, []).extend(map(_new_op_ref, with_aliases))
        for function, ops in ops_by_function.items():
            by_function.setdefault(function, []).append(WhereHit(lines, found.creation_site, tuple(ops)))
    groups = tuple(
        WhereGroup(
            function,
            aliases.get(function, ()),
            view.signatures_reaching(function),
            tuple(sorted(hits, key=_lines_then_first_op)),
        )
        for function, hits in sorted(by_function.items())
    )
    op_count = sum(g.op_count for g in groups)
    return WhereResult(
        ModelRef.of(view),
        query,
        tuple(sorted(matched_files)),
        op_count,
        groups,
        coverage(view),
        _nearby(view, query) if not op_count and query.line is not None else (),
    )


def _no_debug_info(view: SavedModelView) -> str:
    info = view.debug_info
    if info.status is DebugInfoStatus.CORRUPT:
        return f"{info.path}: the debug info is corrupt ({info.problem}), so no creation stack can be read"
    return (
        f"{view.path}: the model has no debug info ({DEBUG_INFO_PATH} is missing), so no creation stack "
        "was recorded; save it with tf.saved_model.SaveOptions(save_debug_info=True) or `inspector save`"
    )


def _nearby(view: SavedModelView, query: WhereQuery, limit: int = 5) -> tuple[NearbyLine, ...]:
    """The recorded lines of the queried file nearest the queried line, with their op counts."""
    assert query.line is not None
    counts: Counter[tuple[str, int]] = Counter()
    for trace_id, found in view.debug_info.traces.items():
        keys = view.nodes_by_trace.get(trace_id)
        if not keys:
            continue
        frames = (found.creation_site,) if query.innermost else found.frames
        for at in {(f.file, f.line) for f in frames if f is not None and query.matches_file(f.file)}:
            counts[at] += len(keys)
    wanted = query.line

    def nearer(at: tuple[str, int]) -> tuple[int, int, str]:
        return _distance(at, wanted)

    nearest = sorted(counts, key=nearer)[:limit]
    return tuple(NearbyLine(file, line, counts[(file, line)]) for file, line in sorted(nearest))


# Sort keys, typed (a lambda's parameter is inferred as Any in a sort key).


def _most_ops_first(item: tuple[int, list[OpRef]]) -> tuple[int, int]:
    return -len(item[1]), item[0]


def _file_and_line(summary: SiteSummary) -> tuple[str, int]:
    return summary.file, summary.line


def _lines_then_first_op(hit: WhereHit) -> tuple[tuple[int, ...], str]:
    return hit.lines, hit.ops[0].node_key


def _distance(at: tuple[str, int], wanted: int) -> tuple[int, int, str]:
    return abs(at[1] - wanted), at[1], at[0]
