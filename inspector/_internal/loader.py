"""A SavedModel directory (or its saved_model.pb / .pbtxt) -> SavedModelView.

Reads files and protobufs only: nothing from the model is executed, and TensorFlow's runtime is never
imported (see `inspector._internal.protos`). Every problem with the user's files becomes a ModelLoadError that
names the file; problems with optional files (debug info, fingerprint) are recorded in the view instead,
so a report can still show everything else.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal import objectgraph
from inspector._internal.callgraph import (
    build_call_graph,
    called_functions,
    shipped_function_attrs,
    tensor_node_name,
)
from inspector._internal.debuginfo import dangling_trace, read_debug_info
from inspector._internal.fileio import asset_outside
from inspector._internal.kerasmeta import read_keras_metadata
from inspector._internal.modelfile import (
    parse_model_file,
    read_fingerprint,
    resolve_model_path,
    select_meta_graph,
    serving_versions,
)
from inspector._internal.nodetable import Grouped, Node, NodeBlock, NodeTable
from inspector._internal.protos import ProtoModules, load_protos, which_oneof
from inspector._internal.view import (
    TOP_LEVEL,
    Alias,
    AliasTarget,
    Argument,
    Asset,
    CallGraph,
    DebugInfo,
    Fingerprint,
    Function,
    MetaGraphInfo,
    SavedModelView,
    Saver,
    Signature,
    Variable,
)
from inspector._internal.warmup import read_warmup
from inspector.format.savedmodel_format_pb2 import AssetFileDef, KerasSavedMetadata

if TYPE_CHECKING:
    from inspector._internal.protos import TypeNames
    from inspector.format import savedmodel_format_pb2 as fmt

# Typed here once: attrgetter is Any to mypy, and the loader runs no Any past this line.
_NAME: Callable[[fmt.NodeDef], str] = attrgetter("name")
_OP: Callable[[fmt.NodeDef], str] = attrgetter("op")


def load(path: str | Path, tags: Iterable[str] | None = None) -> SavedModelView:
    """Read a SavedModel statically and index it.

    `path` is a SavedModel directory or its `saved_model.pb` / `saved_model.pbtxt`. `tags` picks the
    meta graph (e.g. `{"serve"}`); it may be omitted when the model has one meta graph.
    """
    return _load(path, lambda saved_model, model_file: [select_meta_graph(saved_model, model_file, tags)])[0]


def load_all(path: str | Path, tags: Iterable[str] | None = None) -> tuple[SavedModelView, ...]:
    """A view of every meta graph of the model, in the file's order (the file parsed once); or, with
    `tags`, of the one they pick. What an audit reads: a loader given other tags runs another graph."""

    def pick(saved_model: fmt.SavedModel, model_file: Path) -> list[fmt.MetaGraphDef]:
        if tags is not None:
            return [select_meta_graph(saved_model, model_file, tags)]
        return list(saved_model.meta_graphs)

    return tuple(_load(path, pick))


def _load(
    path: str | Path, pick: Callable[[fmt.SavedModel, Path], list[fmt.MetaGraphDef]]
) -> list[SavedModelView]:
    model_dir, model_file = resolve_model_path(Path(path))
    protos = load_protos()
    # Building the view creates one small object per node and frame (100k+ on large models); the cyclic
    # garbage collector would rescan them repeatedly while finding nothing to free (~20% of the load).
    collecting = gc.isenabled()
    gc.disable()
    try:
        saved_model, skipped = parse_model_file(model_file, protos)
        notes = [skipped] if skipped else []
        if model_dir.parent == Path(path) and model_dir != Path(path):
            versions = ", ".join(str(number) for number, _ in serving_versions(Path(path)))
            notes.append(
                f"{path}: a TF Serving base path; read its latest version, {model_dir.name} (versions: "
                f"{versions}); name a version's folder to read another"
            )
        meta_graphs = pick(saved_model, model_file)
        debug_info = read_debug_info(model_dir, protos.graph_debug_info.GraphDebugInfo)
        fingerprint, fingerprint_problem = read_fingerprint(model_dir, protos)
        views = []
        for meta_graph in meta_graphs:

            def build(debug: DebugInfo, meta_graph: fmt.MetaGraphDef = meta_graph) -> SavedModelView:
                return _build_view(
                    model_dir,
                    model_file,
                    saved_model,
                    meta_graph,
                    debug,
                    fingerprint,
                    fingerprint_problem,
                    protos,
                    list(notes),
                )

            view = build(debug_info)
            corrupt = dangling_trace(debug_info, view.nodes.trace_ids())
            # A node's trace id that names no trace: the whole file is suspect, as any parse failure is.
            views.append(view if corrupt is None else build(corrupt))
        return views
    finally:
        if collecting:
            gc.enable()


# --- the view -----------------------------------------------------------------------------------------


class _Graph(NamedTuple):
    """The graph and its function library, indexed: what the node table and the call graph hold."""

    functions: dict[str, Function]
    library: frozenset[str]
    nodes: NodeTable
    by_op: Grouped[str]
    by_trace: Grouped[int]
    call_graph: CallGraph


def _index_graph(
    meta_graph: fmt.MetaGraphDef, debug_info: DebugInfo, types_module: TypeNames, warnings: list[str]
) -> _Graph:
    """Every function's nodes into one node table, each function's callees, and the call graph."""
    graph_def = meta_graph.graph_def
    library_defs = list(graph_def.library.function)
    library = frozenset(fn.signature.name for fn in library_defs)
    # Which attrs can hold functions: TensorFlow's OpDefs (the shipped snapshot), never the model's own
    # stripped_op_list (the writer's claim, which TensorFlow ignores); an op they do not know has every
    # attr read (callgraph.called_functions).
    function_attrs = shipped_function_attrs()
    functions: dict[str, Function] = {}
    # The node table's columns, every function's nodes in turn: see view.NodeTable.
    keys: list[str] = []
    ops: list[str] = []
    blocks: list[NodeBlock] = []
    calls_at: dict[int, tuple[str, ...]] = {}

    # Op types that call nothing: most nodes. Their attrs need no look at all (the hot path of every load).
    plain = function_attrs.known - function_attrs.by_op.keys() - library

    def add_nodes(
        function_name: str, node_defs: Sequence[fmt.NodeDef]
    ) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
        start = len(keys)
        blocks.append(NodeBlock(function_name, start, node_defs))
        # The hot path of every load, once per node: names and op types read in bulk (map and attrgetter
        # run in C), and the keys made from the names (node_key(), inlined; top-level keys are bare names).
        names = list(map(_NAME, node_defs))
        own_ops = list(map(_OP, node_defs))
        suffix = "@" + function_name
        own_keys = [name + suffix for name in names] if function_name else names
        keys.extend(own_keys)
        ops.extend(own_ops)
        op_types = frozenset(own_ops)
        calls: list[str] = []
        if not op_types <= plain:
            for position, op in enumerate(own_ops):
                if op not in plain and (
                    called := called_functions(node_defs[position], library, function_attrs)
                ):
                    calls_at[start + position] = called
                    calls.extend(called)
        distinct_calls: dict[str, None] = dict.fromkeys(calls)
        return tuple(own_keys), tuple(distinct_calls), op_types

    dtype_names: dict[int, str] = {}  # a function's captures are hundreds of arguments of a few dtypes

    def dtype(value: int) -> str:
        name = dtype_names.get(value)
        if name is None:
            name = dtype_names[value] = objectgraph.dtype_name(types_module, value)
        return name

    def arguments(args: Iterable[fmt.OpDef.ArgDef]) -> tuple[Argument, ...]:
        return tuple(Argument(a.name, dtype(a.type)) for a in args)

    own_keys, calls, own_ops = add_nodes(TOP_LEVEL, graph_def.node)
    functions[TOP_LEVEL] = Function(TOP_LEVEL, own_keys, (), (), False, calls, own_ops)
    for function_def in library_defs:
        signature = function_def.signature
        own_keys, calls, own_ops = add_nodes(signature.name, function_def.node_def)
        functions[signature.name] = Function(
            name=signature.name,
            node_keys=own_keys,
            inputs=arguments(signature.input_arg),
            outputs=arguments(signature.output_arg),
            is_stateful=signature.is_stateful,
            calls=calls,
            op_types=own_ops,
            definition=function_def,
        )
    trace_ids = list(map(debug_info.trace_id_by_key.get, keys))
    nodes = NodeTable(keys, ops, trace_ids, blocks, calls_at)

    call_graph = build_call_graph({name: fn.calls for name, fn in functions.items()})
    for caller, callees in call_graph.callees.items():
        for callee in callees:
            if callee not in library:
                where = "the top-level graph" if caller == TOP_LEVEL else f"function {caller!r}"
                warnings.append(f"{where} calls function {callee!r}, which is not in the function library")

    return _Graph(
        functions,
        library,
        nodes,
        Grouped(keys, ops),
        Grouped(keys, trace_ids),
        call_graph,
    )


def _aliases(
    function_aliases: Mapping[str, str],
    library: frozenset[str],
    input_signatures: Mapping[str, str],
    signatures_by_function: Mapping[str, tuple[str, ...]],
    object_paths: Mapping[str, tuple[str, ...]],
) -> dict[str, Alias]:
    """Alias -> every concrete function behind it, with what records and reaches each."""
    alias_members: dict[str, list[str]] = {}
    for function, alias in function_aliases.items():
        alias_members.setdefault(alias, []).append(function)
    aliases = {
        alias: Alias(
            alias,
            tuple(
                AliasTarget(
                    function=function,
                    in_library=function in library,
                    input_signature=input_signatures.get(function),
                    signatures=tuple(signatures_by_function.get(function, ())),
                    object_paths=object_paths.get(function, ()),
                )
                for function in sorted(members, key=_natural_key)
            ),
        )
        for alias, members in sorted(alias_members.items())
    }

    return aliases


def _build_view(
    model_dir: Path,
    model_file: Path,
    saved_model: fmt.SavedModel,
    meta_graph: fmt.MetaGraphDef,
    debug_info: DebugInfo,
    fingerprint: Fingerprint | None,
    fingerprint_problem: str | None,
    protos: ProtoModules,
    warnings: list[str],
) -> SavedModelView:
    types_module = protos.types
    info = meta_graph.meta_info_def
    graph = _index_graph(meta_graph, debug_info, types_module, warnings)
    functions, library, nodes, call_graph = graph.functions, graph.library, graph.nodes, graph.call_graph
    signatures = {
        name: _signature(name, signature_def, nodes, types_module, warnings)
        for name, signature_def in sorted(meta_graph.signature_def.items())
    }
    signatures_by_function = _signatures_by_function(signatures, call_graph)

    object_graph = meta_graph.object_graph_def
    paths = objectgraph.object_paths(object_graph)
    object_paths = objectgraph.function_object_paths(object_graph, paths)
    input_signatures = objectgraph.input_signatures(object_graph, types_module)
    function_aliases = dict(sorted(info.function_aliases.items()))
    argument_counts = {name: len(fn.inputs) for name, fn in functions.items() if name != TOP_LEVEL}

    aliases = _aliases(function_aliases, library, input_signatures, signatures_by_function, object_paths)

    return SavedModelView(
        path=model_dir,
        model_file=model_file,
        schema_version=saved_model.saved_model_schema_version,
        meta_graphs=tuple(
            MetaGraphInfo(tuple(mg.meta_info_def.tags), mg.meta_info_def.tensorflow_version)
            for mg in saved_model.meta_graphs
        ),
        tags=tuple(info.tags),
        tensorflow_version=info.tensorflow_version,
        tensorflow_git_version=info.tensorflow_git_version,
        producer=meta_graph.graph_def.versions.producer,
        min_consumer=meta_graph.graph_def.versions.min_consumer,
        functions=MappingProxyType(functions),
        nodes=nodes,
        nodes_by_op=graph.by_op,
        nodes_by_trace=graph.by_trace,
        call_graph=call_graph,
        signatures=MappingProxyType(signatures),
        aliases=MappingProxyType(aliases),
        function_aliases=MappingProxyType(function_aliases),
        object_paths=MappingProxyType(object_paths),
        signatures_by_function=MappingProxyType(signatures_by_function),
        input_signatures=MappingProxyType(input_signatures),
        output_signatures=MappingProxyType(objectgraph.output_signatures(object_graph, types_module)),
        variables=_variables(meta_graph, paths, types_module),
        assets=_assets(meta_graph, model_dir),
        saver=_saver(meta_graph),
        init_collections=_init_collections(meta_graph),
        restored_functions=MappingProxyType(objectgraph.restored_functions(object_graph, paths)),
        gradient_functions=_gradient_functions(meta_graph.graph_def.library),
        warmup=read_warmup(model_dir),
        keras=read_keras_metadata(
            model_dir, KerasSavedMetadata, object_graph if meta_graph.HasField("object_graph_def") else None
        ),
        bound_assets=MappingProxyType(
            {
                name: MappingProxyType(arguments)
                for name, arguments in objectgraph.bound_assets(object_graph, argument_counts).items()
            }
        ),
        stripped_op_list=tuple(op.name for op in info.stripped_op_list.op),
        declared_op_attrs=MappingProxyType(
            {op.name: MappingProxyType({a.name: a.type for a in op.attr}) for op in info.stripped_op_list.op}
        ),
        debug_info=debug_info,
        fingerprint=fingerprint,
        fingerprint_problem=fingerprint_problem,
        warnings=tuple(warnings),
        meta_graph_def=meta_graph,
    )


#: The collections whose op the TF1 loader runs at load, when the init-op signature is absent.
INIT_COLLECTIONS = ("saved_model_main_op", "legacy_init_op")


def _signatures_by_function(
    signatures: Mapping[str, Signature], call_graph: CallGraph
) -> dict[str, tuple[str, ...]]:
    """Each function and the signatures whose calls reach it."""
    reached: dict[str, list[str]] = {}
    for signature in signatures.values():
        for function in sorted(call_graph.reachable_from(signature.functions)):
            reached.setdefault(function, []).append(signature.name)
    return {function: tuple(names) for function, names in reached.items()}


def _variables(
    meta_graph: fmt.MetaGraphDef, paths: list[list[str]], types_module: TypeNames
) -> tuple[Variable, ...]:
    """The object graph names a TF2 model's variables (none is none: a top-level VarHandleOp beside
    `asset_path_initializer` is TensorFlow's asset-path handle, not a variable); a TF1 model, which has no
    object graph, names them by its graph's variable nodes."""
    if meta_graph.HasField("object_graph_def"):
        return objectgraph.variables(meta_graph.object_graph_def, paths, types_module)
    return objectgraph.graph_variables(meta_graph, types_module)


#: The TF1 collection of a model's assets (`tf.compat.v1.saved_model.Builder`): AssetFileDefs packed in Any.
ASSETS_COLLECTION = "saved_model_assets"


def _assets(meta_graph: fmt.MetaGraphDef, model_dir: Path) -> tuple[Asset, ...]:
    """The assets the loaders feed: `asset_file_def` (TF2's writer), then the TF1 collection
    `saved_model_assets` (the Builder's, which the TF1 loader reads: it feeds `assets/FILENAME` into the
    placeholder the constant path was built into), each once."""
    declared = list(meta_graph.asset_file_def)
    collection = meta_graph.collection_def.get(ASSETS_COLLECTION)
    if collection is not None and which_oneof(collection, "kind") == "any_list":
        seen = {(a.filename, a.tensor_info.name) for a in declared}
        for packed in collection.any_list.value:
            if not packed.type_url.endswith("/tensorflow.AssetFileDef"):
                continue
            try:
                asset = AssetFileDef.FromString(packed.value)
            except Exception:  # a corrupt entry names no asset; the TF1 loader fails on it too
                continue
            if (asset.filename, asset.tensor_info.name) not in seen:
                seen.add((asset.filename, asset.tensor_info.name))
                declared.append(asset)
    return tuple(
        Asset(index, asset.filename, asset.tensor_info.name, asset_outside(model_dir, asset.filename))
        for index, asset in enumerate(declared)
    )


def _gradient_functions(library: fmt.FunctionDefLibrary) -> Mapping[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for registered in library.registered_gradients:
        found.setdefault(registered.gradient_func, []).append(
            f"registered gradient {registered.registered_op_type}"
        )
    for gradient in library.gradient:
        found.setdefault(gradient.gradient_func, []).append(f"gradient of {gradient.function_name}")
    return MappingProxyType({name: tuple(vias) for name, vias in found.items() if name})


def _init_collections(meta_graph: fmt.MetaGraphDef) -> Mapping[str, tuple[str, ...]]:
    """The TF1 init collections present, each as the node names it lists."""
    collections = meta_graph.collection_def
    return MappingProxyType(
        {
            key: tuple(tensor_node_name(name) for name in collections[key].node_list.value)
            for key in INIT_COLLECTIONS
            if key in collections
        }
    )


def _saver(meta_graph: fmt.MetaGraphDef) -> Saver | None:
    if not meta_graph.HasField("saver_def"):
        return None
    saver = meta_graph.saver_def
    return Saver(
        filename_node=tensor_node_name(saver.filename_tensor_name),
        save_node=tensor_node_name(saver.save_tensor_name),
        restore_node=tensor_node_name(saver.restore_op_name),
    )


def _signature(
    name: str,
    signature_def: fmt.SignatureDef,
    nodes: Mapping[str, Node],
    types_module: TypeNames,
    warnings: list[str],
) -> Signature:
    """A SignatureDef, with the library functions its top-level subgraph calls.

    TF2 signatures name top-level tensors (`StatefulPartitionedCall:0`); we walk back from the outputs
    through data and control inputs, so the init op's NoOp finds the initializers it depends on.
    """
    outputs = [
        objectgraph.tensor_spec(key, info, types_module)
        for key, info in sorted(signature_def.outputs.items())
    ]
    inputs = [
        objectgraph.tensor_spec(key, info, types_module) for key, info in sorted(signature_def.inputs.items())
    ]
    seen: set[str] = set()
    stack = [tensor_node_name(spec.tensor_name) for spec in outputs if not spec.tensor_name.startswith("<")]
    functions: list[str] = []
    while stack:
        node_name = stack.pop()
        if node_name in seen:
            continue
        seen.add(node_name)
        node = nodes.get(node_name)  # top-level node keys are bare names
        if node is None:
            warnings.append(
                f"signature {name!r} names tensor of node {node_name!r}, which is not in the graph"
            )
            continue
        functions.extend(node.calls)
        stack.extend(tensor_node_name(i) for i in node.inputs)
    distinct_functions: dict[str, None] = dict.fromkeys(functions)
    return Signature(
        name=name,
        method_name=signature_def.method_name,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        functions=tuple(distinct_functions),
    )


def _natural_key(name: str) -> tuple[str, int]:
    """`__inference_f_9` before `__inference_f_10`: sort by the trailing counter numerically."""
    head, _, tail = name.rpartition("_")
    return (head, int(tail)) if tail.isdigit() else (name, -1)
