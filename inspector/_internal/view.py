"""The indexed, immutable view of one SavedModel meta graph that every command reads.

Built once per load by `inspector._internal.loader`; analyses (report, trace, audit, diff, doctor) only read it.
Values are NamedTuples: immutable, typed, and cheap both to define and to build (Python 3.11 compiles six
methods for each frozen dataclass when its module is imported, 0.5-0.9 ms a class, a fifth of a small
report's start; and sets each field of each instance through `object.__setattr__`). A type stays a frozen
dataclass where a tuple will not do: a field kept out of equality (`Function.definition`, the view's
`meta_graph_def`). Mappings are read-only proxies, but for the nodes: a `NodeTable`, which holds them as
columns and makes each `Node` when it is read (a large model has 200k and most commands read few).

The view is inspector's only door to the model: no analysis reads the raw `MetaGraphDef` (an
architecture test holds this). It stays reachable as `SavedModelView.meta_graph_def` for notebook users
who need a field the view does not index (treat it as read-only).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from inspector._internal.nodetable import Node, NodeTable
    from inspector.format import savedmodel_format_pb2 as fmt

#: The name the view gives the top-level graph, which is not a library function. Node keys of its nodes
#: carry no `@function` part, as in TensorFlow's debug info.
TOP_LEVEL = ""


def node_key(node_name: str, function: str) -> str:
    """`node@function` as TensorFlow's GraphDebugInfo spells it; the bare name for top-level nodes."""
    return f"{node_name}@{function}" if function else node_name


def split_node_key(key: str) -> tuple[str, str]:
    """Inverse of `node_key`: (node name, function name or TOP_LEVEL)."""
    name, sep, function = key.rpartition("@")
    return (name, function) if sep else (key, TOP_LEVEL)


def namespace_of(op_type: str) -> str | None:
    """`Acme>Scale` -> `Acme`; None for ordinary op types. The namespace ends at the first `>`."""
    head, sep, _ = op_type.partition(">")
    return head if sep else None


# --- traces -------------------------------------------------------------------------------------------


class Frame(NamedTuple):
    """One frame of the Python stack that created an op, as recorded at save time."""

    file: str
    line: int
    column: int
    function: str
    code: str
    is_user: bool  # the model author's code, not an installed package's or the standard library's
    library: str = ""  # for library frames: the installed package (`keras`, `tensorflow_text`) or `stdlib`

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


class Folded(NamedTuple):
    """A run of library frames between two user frames, folded: how many, and whose (innermost last)."""

    size: int
    libraries: tuple[str, ...]  # distinct library names, in stack order

    @property
    def text(self) -> str:
        names = f" ({', '.join(self.libraries)})" if self.libraries else ""
        return f"{self.size} library frame{'s' if self.size != 1 else ''}{names}"


class Trace(NamedTuple):
    """A creation stack, outermost frame first (the `<module>` frame), innermost (the op's site) last."""

    id: int
    frames: tuple[Frame, ...]

    @property
    def user_frames(self) -> tuple[Frame, ...]:
        return tuple(frame for frame in self.frames if frame.is_user)

    def user_view(self) -> tuple[Frame | Folded, ...]:
        """The user frames in order, each run of library frames between them folded."""
        out: list[Frame | Folded] = []
        run: list[Frame] = []
        for frame in (*self.frames, None):
            if frame is not None and not frame.is_user:
                run.append(frame)
                continue
            if run:
                libraries = tuple({f.library: None for f in run if f.library})  # once each, in order
                out.append(Folded(len(run), libraries))
                run = []
            if frame is not None:
                out.append(frame)
        return tuple(out)

    @property
    def innermost_library_frame(self) -> Frame | None:
        """The library frame nearest the op: for ops a library created (a Keras layer's MatMul), where
        inside the library, which tells apart stacks whose user frames are all the same."""
        for frame in reversed(self.frames):
            if not frame.is_user:
                return frame
        return None

    @property
    def creation_site(self) -> Frame | None:
        """The innermost user frame: the line of the model author's code that created the op."""
        for frame in reversed(self.frames):
            if frame.is_user:
                return frame
        return None


class DebugInfoStatus(StrEnum):
    PRESENT = "present"
    MISSING = "missing"  # saved without save_debug_info=True
    CORRUPT = "corrupt"  # the file exists but cannot be parsed


class DebugInfoLayout(StrEnum):
    ID_BASED = (
        "id-based"  # name_to_trace_id / traces_by_id / frames_by_id (TF >= 2.14), outermost frame first
    )
    LEGACY = "legacy"  # traces[key].file_line_cols (TF 2.12, 2.13), innermost first on disk
    EMPTY = "empty"  # a valid file with no traces at all


class DebugInfo(NamedTuple):
    """What `debug/saved_model_debug_info.pb` says, in one shape whatever its layout."""

    status: DebugInfoStatus
    path: Path
    layout: DebugInfoLayout | None = None
    problem: str | None = None  # why it is corrupt
    files: tuple[str, ...] = ()
    traces: Mapping[int, Trace] = MappingProxyType({})
    trace_id_by_key: Mapping[str, int] = MappingProxyType({})

    def trace_for(self, key: str) -> Trace | None:
        trace_id = self.trace_id_by_key.get(key)
        return None if trace_id is None else self.traces.get(trace_id)


# --- graph --------------------------------------------------------------------------------------------


class Argument(NamedTuple):
    name: str
    dtype: str


@dataclass(frozen=True, slots=True)
class Function:
    """A library function (a concrete function's body), or the top-level graph as a pseudo-function."""

    name: str
    node_keys: tuple[str, ...]
    inputs: tuple[Argument, ...]
    outputs: tuple[Argument, ...]
    is_stateful: bool
    calls: tuple[str, ...]  # callees in first-seen order, deduplicated
    op_types: frozenset[str] = frozenset()  # the op types of its nodes
    # The FunctionDef, read-only (None for the top-level graph): what diff compares whole bodies by.
    definition: fmt.FunctionDef | None = field(default=None, repr=False, compare=False)

    @property
    def is_top_level(self) -> bool:
        return self.name == TOP_LEVEL


class CallGraph(NamedTuple):
    """Which function calls which, through every function-valued attr of every node."""

    callees: Mapping[str, tuple[str, ...]]
    callers: Mapping[str, tuple[str, ...]]

    def reachable_from(self, roots: tuple[str, ...] | list[str]) -> frozenset[str]:
        """The roots and every function they reach, transitively (cycles are fine)."""
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(self.callees.get(name, ()))
        return frozenset(seen)


# --- the saved object graph ---------------------------------------------------------------------------


class TensorSpec(NamedTuple):
    """A tensor of a signature or an input signature: name, dtype and shape as TensorFlow prints them."""

    name: str
    dtype: str
    shape: tuple[int | None, ...] | None  # None: unknown rank; a None dim: unknown size
    tensor_name: str = ""  # the graph tensor behind a SignatureDef entry, e.g. `serving_default_x:0`

    @property
    def shape_text(self) -> str:
        """`[None, 4]`, `[]` for a scalar, `[?]` for an unknown rank: the notation of every page."""
        if self.shape is None:
            return "[?]"
        return "[" + ", ".join("None" if dim is None else str(dim) for dim in self.shape) + "]"

    @property
    def is_op(self) -> bool:
        """An op's output rather than a tensor (the init op's NoOp): no dtype, no shape."""
        return self.dtype == "unknown" and self.shape is None


class Signature(NamedTuple):
    """A SignatureDef. `functions` are the library functions its graph calls directly."""

    name: str
    method_name: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    functions: tuple[str, ...]

    @property
    def is_init_op(self) -> bool:
        return self.name == INIT_OP_SIGNATURE


#: The pseudo-signature whose output is the op that runs when the model loads.
INIT_OP_SIGNATURE = "__saved_model_init_op"


class AliasTarget(NamedTuple):
    """One concrete function behind an alias, and what reaches it."""

    function: str
    in_library: bool  # False: the alias names a function the model does not contain
    input_signature: str | None  # from the object graph's concrete function, when it is recorded
    signatures: tuple[str, ...]  # signatures whose call graph reaches it
    object_paths: tuple[str, ...]  # object-graph paths of the tf.function / concrete function objects


class Alias(NamedTuple):
    name: str
    targets: tuple[AliasTarget, ...]


class Variable(NamedTuple):
    object_path: str  # in the object graph; for a TF1 graph variable, its node name
    name: str
    dtype: str
    shape: tuple[int | None, ...] | None
    device: str
    trainable: bool
    origin: str = "object graph"  # or "graph": a TF1 model's variable node (it has no object graph)


class Asset(NamedTuple):
    """An entry of `asset_file_def`: a loader feeds `assets/<filename>` to `tensor_name` (TF1) or to the
    functions that capture the asset (TF2). The file name is the model author's to write."""

    position: int  # its index in asset_file_def, which the object graph's SavedAsset names
    filename: str
    tensor_name: str
    # Why the loader would open something other than a regular file under the model's assets/ folder
    # (an absolute path, a `..` that climbs out, a symbolic link, not a regular file); None when it is one.
    # A missing file is no problem here: the loader then opens nothing (INS011 reports it).
    outside: str | None = None


class KerasLayer(NamedTuple):
    """A layer (or model) whose loading runs code the model names."""

    node_path: str  # in the object graph: root.layer-1
    name: str  # the layer's own name
    class_name: str
    module: str  # the module the config names ("" when none)
    function_type: str = ""  # a Lambda's: lambda (bytecode), function (imported by name), raw
    function: str = ""  # for function_type "function": the function's name
    bytecode: bytes = b""  # a Lambda's marshalled code object, decoded from base64 (never unmarshalled)
    bytecode_names: tuple[str, ...] = ()  # the names that code references


class KerasMetadata(NamedTuple):
    """What a Keras config makes its loader run -- keras_metadata.pb, user_object.metadata, a `.keras`
    file's config.json, an `.h5` file's model_config: see inspector._internal.kerasmeta."""

    path: Path
    problem: str | None = None  # why the file cannot be read (then nothing else is known)
    keras_version: str = ""
    nodes: int = 0
    lambdas: tuple[KerasLayer, ...] = ()  # Lambda layers with code in the file or named by module
    custom: tuple[KerasLayer, ...] = ()  # layers of classes that are not Keras's own
    source: str = "keras_metadata.pb"  # which layout: keras_metadata.pb, user_object.metadata, config.json...
    loader: str = "tf_keras.models.load_model"  # the loader that rebuilds (and runs) it


class WarmupRequest(NamedTuple):
    position: int  # the record's index in the file, from 0
    kind: str  # predict, classify, regress, multi-inference, other
    signatures: tuple[str, ...]  # the signatures it calls (several for a multi-inference request)
    inputs: tuple[str, ...] = ()  # a predict request's input keys


class Warmup(NamedTuple):
    path: Path  # assets.extra/tf_serving_warmup_requests
    requests: tuple[WarmupRequest, ...]
    problem: str | None = None  # why (the rest of) the file could not be read: TF Serving fails the load too
    limited: str = ""  # a bound stopped the reading (more records or bytes than read)


class Saver(NamedTuple):
    """`saver_def`: the node names (not tensors) of the TF1 Saver's filename input, save and restore ops."""

    filename_node: str
    save_node: str
    restore_node: str


class Fingerprint(NamedTuple):
    """`fingerprint.pb` (TF >= 2.12): hashes of the model's parts, and the fingerprint version."""

    saved_model_checksum: int
    graph_def_program_hash: int
    signature_def_hash: int
    saved_object_graph_hash: int
    checkpoint_hash: int
    uuid: str
    version: int


class MetaGraphInfo(NamedTuple):
    tags: tuple[str, ...]
    tensorflow_version: str


# --- the view -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)  # its own repr: one line
class SavedModelView:
    """Everything the commands know about one meta graph of one SavedModel."""

    path: Path  # the SavedModel directory
    model_file: Path  # saved_model.pb or saved_model.pbtxt
    schema_version: int
    meta_graphs: tuple[MetaGraphInfo, ...]  # all of them, in file order
    tags: tuple[str, ...]  # the selected meta graph's
    tensorflow_version: str
    tensorflow_git_version: str
    producer: int
    min_consumer: int
    functions: Mapping[str, Function]  # library functions, plus TOP_LEVEL
    nodes: NodeTable  # by node key; each Node is made when it is read
    nodes_by_op: Mapping[str, tuple[str, ...]]  # op type -> node keys
    nodes_by_trace: Mapping[int, tuple[str, ...]]  # trace id -> keys of the nodes it created
    call_graph: CallGraph
    signatures: Mapping[str, Signature]
    aliases: Mapping[str, Alias]
    function_aliases: Mapping[str, str]  # concrete function -> alias, as in meta_info_def
    object_paths: Mapping[str, tuple[str, ...]]  # concrete function -> object-graph paths
    signatures_by_function: Mapping[str, tuple[str, ...]]  # function -> signatures that reach it
    input_signatures: Mapping[str, str]  # concrete function -> its input signature, where recorded
    output_signatures: Mapping[str, str]  # concrete function -> the structure it returns, where recorded
    variables: tuple[Variable, ...]
    assets: tuple[Asset, ...]
    saver: Saver | None
    # collection_def's init ops, which the TF1 loader runs at load: key -> node names.
    init_collections: Mapping[str, tuple[str, ...]]
    # Concrete functions TF2's loader itself calls at load (or when the loaded object goes) -> what holds
    # them: every function of a restored resource, every save and restore function of saveable_objects.
    restored_functions: Mapping[str, tuple[str, ...]]
    # Concrete function -> {argument index: asset index}, for the arguments TF2's loader binds to assets.
    bound_assets: Mapping[str, Mapping[int, int]]
    # Gradient functions -> what registers them: the library's `registered_gradients` (a
    # `@tf.custom_gradient`'s, run by a gradient tape over a loaded function) and `gradient` (a function's
    # gradient, run by SymbolicGradient). TensorFlow registers them all when it loads the model.
    gradient_functions: Mapping[str, tuple[str, ...]]
    keras: KerasMetadata | None  # keras_metadata.pb (tf_keras's SavedModels), when the model has one
    warmup: (
        Warmup | None
    )  # TF Serving's warmup requests (inspector._internal.warmup), when the model has them
    stripped_op_list: tuple[str, ...]
    # The OpDefs the model declares in stripped_op_list: op type -> attr -> attr type. The writer's claim,
    # never a definition (TensorFlow ignores it at load): compared with TensorFlow's own (INS008).
    declared_op_attrs: Mapping[str, Mapping[str, str]]
    debug_info: DebugInfo
    fingerprint: Fingerprint | None
    fingerprint_problem: str | None
    warnings: tuple[str, ...]
    meta_graph_def: fmt.MetaGraphDef = field(repr=False, compare=False)

    def __repr__(self) -> str:
        """One line: the dataclass's own repr lists every node and runs to megabytes."""
        tags = ",".join(self.tags) or "no tags"
        return (
            f"<SavedModelView {str(self.path)!r} [{tags}] tensorflow={self.tensorflow_version or '?'} "
            f"functions={len(self.functions) - 1} nodes={len(self.nodes)} signatures={len(self.signatures)} "
            f"aliases={len(self.aliases)} variables={len(self.variables)} "
            f"debug_info={self.debug_info.status.value}>"
        )

    # Derived lookups: cheap, so computed on demand rather than stored twice.

    @property
    def library_functions(self) -> Iterator[Function]:
        return (fn for name, fn in self.functions.items() if name != TOP_LEVEL)

    @property
    def op_types(self) -> tuple[str, ...]:
        return tuple(sorted(self.nodes_by_op))

    def trace(self, node: Node) -> Trace | None:
        return None if node.trace_id is None else self.debug_info.traces.get(node.trace_id)

    def creation_sites(self, node_keys: Iterable[str]) -> tuple[Frame, ...]:
        """The distinct lines of user code that created these nodes, in first-seen order."""
        sites: dict[tuple[str, int], Frame] = {}
        for key in node_keys:
            trace = self.trace(self.nodes[key])
            site = trace.creation_site if trace else None
            if site is not None:
                sites.setdefault((site.file, site.line), site)
        return tuple(sites.values())

    def signatures_reaching(self, function: str) -> tuple[str, ...]:
        """Names of the signatures (the init op included) whose call graph contains `function`."""
        return self.signatures_by_function.get(function, ())
