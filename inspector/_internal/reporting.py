"""The facts `inspector report` shows, computed from a view: a `Report` that every renderer takes.

Pure analysis: no printing, no formatting, no I/O. Renderers decide how it looks; the CLI decides the
exit code from `Report.whitelist_violated`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from inspector._internal.assets import asset_files
from inspector._internal.checkpointplumbing import risky_op_types_outside_the_saver
from inspector._internal.coverage import coverage
from inspector._internal.integrity import unlisted_ops, verify_fingerprint
from inspector._internal.view import (
    DebugInfoStatus,
    SavedModelView,
    namespace_of,
    split_node_key,
)
from inspector._internal.xlamodules import xla_modules
from inspector.results.common import Coverage, ModelRef
from inspector.results.report import (
    CallTree,
    CallTreeNode,
    ConcreteFunction,
    Counts,
    DebugInfoSummary,
    FlaggedOp,
    FunctionObject,
    NamespacedOp,
    NamespaceUsage,
    OpIndex,
    OpTypeCount,
    Overview,
    Recorded,
    Report,
    SaveOption,
)

#: How deep a call tree is shown. The model decides how deep its calls go (a hostile one: thousands of
#: levels), and every consumer of the tree -- renderers, the JSON encoder -- walks it.
MAX_CALL_DEPTH = 32


def build_report(
    view: SavedModelView,
    whitelist: Iterable[str] | None = None,
    *,
    check_fingerprint: bool = False,
    index_ops: bool = False,
) -> Report:
    """Summarise a view. `whitelist`: namespaces allowed; None checks nothing, like TensorFlow.
    `check_fingerprint` recomputes fingerprint.pb from the files with TensorFlow (imported for it).
    `index_ops` adds every op, for a page that searches them (the HTML page)."""
    allowed = None if whitelist is None else tuple(sorted(set(whitelist)))
    namespaces = _namespaces(view, allowed)
    return Report(
        model=ModelRef.of(view),
        overview=_overview(view, len(namespaces)),
        signatures=tuple(view.signatures.values()),
        aliases=tuple(view.aliases.values()),
        functions=_function_objects(view),
        save_options=_save_options(view),
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
        risky_op_types=risky_op_types_outside_the_saver(view),
        assets=asset_files(view),
        xla_modules=xla_modules(view),
        op_index=op_index(view) if index_ops else None,
    )


def op_index(view: SavedModelView) -> OpIndex:
    """Every op by its key, type and creation site, read from the view's indexes (no node is made); and
    the ops of graphs serialized in string constants, under their carriers (`a@f ▸ (top-level graph)`),
    each placed where its outermost carrier's function is, with the carrier's creation site."""
    functions: dict[str, int] = {}
    places: list[int] = []
    types: dict[str, int] = {}
    sites: dict[str, int] = {}
    site_of_trace: dict[int, int] = {}
    traces = view.debug_info.traces
    trace_ids = view.debug_info.trace_id_by_key

    def function_index(function: str, place: str) -> int:
        index = functions.get(function)
        if index is None:
            index = functions[function] = len(functions)
            places.append(index if place == function else function_index(place, place))
        return index

    def site_of(key: str) -> int:
        trace_id = trace_ids.get(key)
        if trace_id is None:
            return -1
        if trace_id not in site_of_trace:
            trace = traces.get(trace_id)
            frame = trace.creation_site if trace else None
            where = f"{frame.file}:{frame.line}" if frame else ""
            site_of_trace[trace_id] = sites.setdefault(where, len(sites)) if where else -1
        return site_of_trace[trace_id]

    ops = []
    for op_type, keys in view.nodes_by_op.items():
        type_index = types.setdefault(op_type, len(types))
        for key in keys:
            name, function = split_node_key(key)
            ops.append((name, type_index, function_index(function, function), site_of(key)))
    from inspector._internal.nestedgraphs import nested_ops  # the HTML page's search alone needs them

    nested, _ = nested_ops(view)  # what could not be decoded is the audit's to say (INS003)
    for op in nested:
        outermost = op.nesting[0]
        label = " ▸ ".join((*op.nesting, op.function or "graph"))  # TOP_LEVEL is ''
        ops.append(
            (
                op.definition.name,
                types.setdefault(op.definition.op, len(types)),
                function_index(label, split_node_key(outermost)[1]),
                site_of(outermost),
            )
        )
    return OpIndex(tuple(functions), tuple(types), tuple(sites), tuple(ops), tuple(places))


def _function_objects(view: SavedModelView) -> tuple[FunctionObject, ...]:
    """Every concrete function the object graph holds, under the object that holds it: a tf.function
    lists one concrete function per traced input signature (`double` -> `double.trace_0`, ...), so each
    is grouped under its shortest object path, the tf.function's own (or the signature wrapper's)."""
    grouped: dict[str, list[ConcreteFunction]] = {}
    for function, paths in sorted(view.object_paths.items()):
        if not paths:
            continue
        home = min(paths, key=_shortest_first)
        grouped.setdefault(home, []).append(
            ConcreteFunction(
                function,
                view.input_signatures.get(function),
                view.function_aliases.get(function),
                view.signatures_reaching(function),
            )
        )
    return tuple(FunctionObject(path, tuple(found)) for path, found in sorted(grouped.items()))


#: The op types of TensorFlow's saver: the variable policy shards them by device.
_SAVER_OPS = frozenset({"SaveV2", "RestoreV2", "MergeV2Checkpoints", "ShardedFilename", "StringJoin"})
#: Where TensorFlow puts the saver without an io device.
_DEFAULT_IO_DEVICES = frozenset({"", "/device:CPU:0", "/device:CPU:*", "/cpu:0"})


def _save_options(view: SavedModelView) -> tuple[SaveOption, ...]:
    """What each `tf.saved_model.SaveOptions` field left in the model, read from the evidence it leaves."""
    info = view.debug_info
    if info.status is DebugInfoStatus.PRESENT:
        layout = info.layout.value if info.layout else "unknown"
        debug = SaveOption(
            "save_debug_info",
            Recorded.YES,
            f"{_count(len(info.traces), 'stack')}, {layout} layout",
            str(info.path.relative_to(view.path)) if info.path.is_relative_to(view.path) else str(info.path),
        )
    else:
        debug = SaveOption(
            "save_debug_info",
            Recorded.NO,
            f"debug info {info.status.value}",
            info.problem or "no debug/saved_model_debug_info.pb",
        )
    aliased = len(view.function_aliases)
    aliases = SaveOption(
        "function_aliases",
        Recorded.YES if aliased else Recorded.NO,
        f"{_count(len(view.aliases), 'alias', 'aliases')} over {_count(aliased, 'concrete function')}"
        if aliased
        else "none",
        "meta_info_def.function_aliases",
    )
    io_device = SaveOption(
        "experimental_io_device",
        Recorded.NEVER,
        "not recorded",
        "TensorFlow places the save and restore ops on it while saving and writes it nowhere in the model "
        "(the saver's devices in the model come from the variable policy)",
    )
    variable_devices = sorted({v.device for v in view.variables if v.device})
    shard_devices = sorted(
        {view.nodes[key].device for op in _SAVER_OPS for key in view.nodes_by_op.get(op, ())} - {""}
    )
    placed = [device for device in shard_devices if device not in _DEFAULT_IO_DEVICES]
    evidence = "the variables' devices in the object graph"
    if variable_devices:
        evidence += f": {', '.join(variable_devices)}"
    if shard_devices:
        evidence += f"; the saver's shards on {', '.join(shard_devices)}"
    policy = SaveOption(
        "experimental_variable_policy",
        Recorded.YES if variable_devices or placed else Recorded.NO,
        "save_variable_devices" if variable_devices or placed else "no variable device recorded",
        evidence,
    )
    whitelist = SaveOption(
        "namespace_whitelist",
        Recorded.NEVER,
        "not recorded",
        "TensorFlow checks it while saving and keeps nothing: check it with --whitelist",
    )
    return (debug, aliases, io_device, policy, whitelist)


def _count(number: int, word: str, many: str = "") -> str:
    """`1 stack`, `2 stacks`: the words of a save option's value agree with its number."""
    return f"{number} {word if number == 1 else many or word + 's'}"


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
    in_functions = Counter(op for function in view.functions.values() for op in function.op_types)
    counts = [OpTypeCount(op, len(keys), in_functions[op]) for op, keys in view.nodes_by_op.items()]
    return tuple(sorted(counts, key=_most_nodes_first))


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


def _shortest_first(path: str) -> tuple[int, str]:
    return len(path), path


def _most_nodes_first(count: OpTypeCount) -> tuple[int, str]:
    return -count.node_count, count.op_type
