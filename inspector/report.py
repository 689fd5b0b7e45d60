"""The facts `inspector report` shows, computed from a view: a `Report` that every renderer takes.

Pure analysis: no printing, no formatting, no I/O. Renderers decide how it looks; the CLI decides the
exit code from `Report.whitelist_violated`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from inspector.coverage import Coverage, coverage
from inspector.integrity import FingerprintCheck, UnlistedOp, unlisted_ops, verify_fingerprint
from inspector.view import (
    Alias,
    DebugInfoLayout,
    DebugInfoStatus,
    Fingerprint,
    SavedModelView,
    Signature,
    Trace,
    Variable,
    namespace_of,
)

#: Bumped when a field of the JSON form is removed or changes meaning; adding fields keeps it.
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Counts:
    functions: int  # library functions
    nodes: int  # all nodes: top-level graph and functions
    function_nodes: int
    op_types: int
    namespaces: int
    signatures: int
    aliases: int
    variables: int


@dataclass(frozen=True, slots=True)
class DebugInfoSummary:
    status: DebugInfoStatus
    path: Path
    layout: DebugInfoLayout | None
    problem: str | None
    traced_nodes: int  # function nodes with a trace
    function_nodes: int  # the top-level graph is TensorFlow's save plumbing and is never traced
    coverage_percent: float | None  # None when there is nothing to cover
    distinct_traces: int
    files: int
    stale_keys: int  # keys whose function is not in this model: debug info from another save


@dataclass(frozen=True, slots=True)
class Overview:
    path: Path
    model_file: Path
    tensorflow_version: str
    tensorflow_git_version: str
    producer: int
    min_consumer: int
    schema_version: int
    tags: tuple[str, ...]
    all_tag_sets: tuple[tuple[str, ...], ...]
    counts: Counts
    debug_info: DebugInfoSummary
    fingerprint: Fingerprint | None


@dataclass(frozen=True, slots=True)
class NamespacedOp:
    op_type: str
    node_count: int
    functions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NamespaceUsage:
    namespace: str
    whitelisted: bool | None  # None: no whitelist was given, so nothing is checked (TensorFlow's default)
    op_types: tuple[NamespacedOp, ...]


@dataclass(frozen=True, slots=True)
class OpTypeCount:
    op_type: str
    node_count: int
    function_count: int


@dataclass(frozen=True, slots=True)
class CallTreeNode:
    function: str
    alias: str | None
    in_library: bool
    expanded_above: bool  # already shown earlier in the same tree: children omitted
    children: tuple[CallTreeNode, ...]
    depth_limited: bool = False  # at MAX_CALL_DEPTH: it calls more, not shown


#: How deep a call tree is shown. The model decides how deep its calls go (a hostile one: thousands of
#: levels), and every consumer of the tree -- renderers, the JSON encoder -- walks it.
MAX_CALL_DEPTH = 32


@dataclass(frozen=True, slots=True)
class CallTree:
    signature: str
    roots: tuple[CallTreeNode, ...]


@dataclass(frozen=True, slots=True)
class FlaggedOp:
    """An op whose namespace is not whitelisted, with where it lives and the code that created it."""

    node_key: str
    node_name: str
    op_type: str
    namespace: str
    function: str
    aliases: tuple[str, ...]
    signatures: tuple[str, ...]
    trace: Trace | None


@dataclass(frozen=True, slots=True)
class Report:
    schema_version: int
    overview: Overview
    signatures: tuple[Signature, ...]
    aliases: tuple[Alias, ...]
    namespaces: tuple[NamespaceUsage, ...]
    op_types: tuple[OpTypeCount, ...]
    call_trees: tuple[CallTree, ...]
    variables: tuple[Variable, ...]
    # Variables with distinct (name, dtype, shape): fewer than `variables` when the object graph holds a
    # weight under several objects (a Keras 3 export tracks each weight twice).
    distinct_variables: int
    whitelist: tuple[str, ...] | None
    flagged_ops: tuple[FlaggedOp, ...]
    warnings: tuple[str, ...]
    unlisted_ops: tuple[UnlistedOp, ...] = ()  # used but missing from stripped_op_list
    fingerprint_check: FingerprintCheck | None = None  # only when asked: it imports TensorFlow

    @property
    def whitelist_violated(self) -> bool:
        return bool(self.flagged_ops)


def build_report(
    view: SavedModelView, whitelist: Iterable[str] | None = None, *, check_fingerprint: bool = False
) -> Report:
    """Summarise a view. `whitelist`: namespaces allowed; None checks nothing, like TensorFlow.
    `check_fingerprint` recomputes fingerprint.pb from the files with TensorFlow (imported for it)."""
    allowed = None if whitelist is None else tuple(sorted(set(whitelist)))
    namespaces = _namespaces(view, allowed)
    return Report(
        schema_version=SCHEMA_VERSION,
        overview=_overview(view, len(namespaces)),
        signatures=tuple(view.signatures.values()),
        aliases=tuple(view.aliases.values()),
        namespaces=namespaces,
        op_types=_op_types(view),
        call_trees=_call_trees(view),
        variables=view.variables,
        distinct_variables=len({(v.name, v.dtype, v.shape) for v in view.variables}),
        whitelist=allowed,
        flagged_ops=_flagged_ops(view, allowed),
        warnings=_warnings(view),
        unlisted_ops=unlisted_ops(view),
        fingerprint_check=verify_fingerprint(view) if check_fingerprint else None,
    )


def _overview(view: SavedModelView, namespace_count: int) -> Overview:
    covered = coverage(view)
    return Overview(
        path=view.path,
        model_file=view.model_file,
        tensorflow_version=view.tensorflow_version,
        tensorflow_git_version=view.tensorflow_git_version,
        producer=view.producer,
        min_consumer=view.min_consumer,
        schema_version=view.schema_version,
        tags=view.tags,
        all_tag_sets=tuple(mg.tags for mg in view.meta_graphs),
        counts=Counts(
            functions=len(view.functions) - 1,
            nodes=len(view.nodes),
            function_nodes=covered.function_nodes,
            op_types=len(view.nodes_by_op),
            namespaces=namespace_count,
            signatures=len(view.signatures),
            aliases=len(view.aliases),
            variables=len(view.variables),
        ),
        debug_info=_debug_info_summary(view, covered),
        fingerprint=view.fingerprint,
    )


def _debug_info_summary(view: SavedModelView, covered: Coverage) -> DebugInfoSummary:
    info = view.debug_info
    present = info.status is DebugInfoStatus.PRESENT
    return DebugInfoSummary(
        status=info.status,
        path=info.path,
        layout=info.layout,
        problem=info.problem,
        traced_nodes=covered.traced_nodes,
        function_nodes=covered.function_nodes,
        coverage_percent=round(100.0 * covered.traced_nodes / covered.function_nodes, 1)
        if present and covered.function_nodes
        else None,
        distinct_traces=len(info.traces),
        files=len(info.files),
        stale_keys=len(covered.stale_keys),
    )


def _namespaces(view: SavedModelView, allowed: tuple[str, ...] | None) -> tuple[NamespaceUsage, ...]:
    grouped: dict[str, list[NamespacedOp]] = {}
    for op_type in sorted(view.nodes_by_op):
        namespace = namespace_of(op_type)
        if namespace is None:
            continue
        keys = view.nodes_by_op[op_type]
        functions = tuple(sorted({view.nodes[key].function for key in keys}))
        grouped.setdefault(namespace, []).append(NamespacedOp(op_type, len(keys), functions))
    return tuple(
        NamespaceUsage(namespace, None if allowed is None else namespace in allowed, tuple(ops))
        for namespace, ops in sorted(grouped.items())
    )


def _op_types(view: SavedModelView) -> tuple[OpTypeCount, ...]:
    counts = [
        OpTypeCount(op, len(keys), len({view.nodes[key].function for key in keys}))
        for op, keys in view.nodes_by_op.items()
    ]
    return tuple(sorted(counts, key=lambda c: (-c.node_count, c.op_type)))


def _call_trees(view: SavedModelView) -> tuple[CallTree, ...]:
    trees = []
    for signature in view.signatures.values():
        expanded: set[str] = set()
        roots = tuple(_call_tree_node(view, name, expanded) for name in signature.functions)
        if roots:
            trees.append(CallTree(signature.name, roots))
    return tuple(trees)


def _call_tree_node(view: SavedModelView, root: str, expanded: set[str]) -> CallTreeNode:
    """The call tree under `root`, built iteratively (the model controls its depth) and cut at
    MAX_CALL_DEPTH; `expanded` cuts cycles and repeats."""
    # Open functions, innermost last: [name, alias, in_library, callees left, children built].
    stack: list[tuple[str, str | None, bool, Iterator[str], list[CallTreeNode]]] = []

    def open_call(function: str, depth: int) -> CallTreeNode | None:
        alias = view.function_aliases.get(function)
        in_library = function in view.functions
        if function in expanded:
            return CallTreeNode(function, alias, in_library, True, ())
        expanded.add(function)
        callees = view.call_graph.callees.get(function, ())
        if callees and depth >= MAX_CALL_DEPTH:
            return CallTreeNode(function, alias, in_library, False, (), depth_limited=True)
        stack.append((function, alias, in_library, iter(callees), []))
        return None

    done = open_call(root, 0)
    if done is not None:
        return done
    while True:
        function, alias, in_library, callees, children = stack[-1]
        callee = next(callees, None)
        if callee is not None:
            child = open_call(callee, len(stack))
            if child is not None:
                children.append(child)
            continue
        stack.pop()
        node = CallTreeNode(function, alias, in_library, False, tuple(children))
        if not stack:
            return node
        stack[-1][4].append(node)


def _flagged_ops(view: SavedModelView, allowed: tuple[str, ...] | None) -> tuple[FlaggedOp, ...]:
    if allowed is None:
        return ()
    aliases_by_function: dict[str, list[str]] = {}
    for function, alias in view.function_aliases.items():
        aliases_by_function.setdefault(function, []).append(alias)
    flagged = []
    for op_type in sorted(view.nodes_by_op):
        namespace = namespace_of(op_type)
        if namespace is None or namespace in allowed:
            continue
        for key in view.nodes_by_op[op_type]:
            node = view.nodes[key]
            flagged.append(
                FlaggedOp(
                    node_key=key,
                    node_name=node.name,
                    op_type=op_type,
                    namespace=namespace,
                    function=node.function,
                    aliases=tuple(aliases_by_function.get(node.function, ())),
                    signatures=view.signatures_reaching(node.function),
                    trace=view.trace(node),
                )
            )
    return tuple(flagged)


def _warnings(view: SavedModelView) -> tuple[str, ...]:
    warnings = []
    info = view.debug_info
    if info.status is DebugInfoStatus.MISSING:
        warnings.append(
            f"{info.path}: no debug info (save with save_debug_info=True, or `inspector save`): "
            "ops have no creation traces"
        )
    elif info.status is DebugInfoStatus.CORRUPT:
        warnings.append(f"{info.path}: {info.problem}; ops are shown without creation traces")
    if view.fingerprint_problem:
        warnings.append(view.fingerprint_problem)
    return (*warnings, *view.warnings)
