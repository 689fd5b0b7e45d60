"""The result of `inspector report`: what a SavedModel holds, every fact the renderers show."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Literal, NamedTuple

from inspector._internal.view import (
    Alias,
    DebugInfoLayout,
    DebugInfoStatus,
    Fingerprint,
    Frame,
    Signature,
    Trace,
    Variable,
)
from inspector.results.common import NOT_IN_JSON, Displayable, ModelRef, Verdict


class UnlistedOp(NamedTuple):
    """An op type the functions use that `stripped_op_list` does not list."""

    op_type: str
    namespace: str | None
    node_keys: tuple[str, ...]
    functions: tuple[str, ...]
    sources: tuple[Frame, ...]  # distinct creation sites


class FingerprintStatus(StrEnum):
    MATCH = "match"
    MISMATCH = "mismatch"
    ABSENT = "absent"  # no fingerprint.pb (TF < 2.12, or removed)
    UNAVAILABLE = "unavailable"  # TensorFlow (or its fingerprinting) is not available here


class FingerprintCheck(NamedTuple):
    status: FingerprintStatus
    mismatched: tuple[str, ...] = ()  # FingerprintDef fields that no longer match the files
    detail: str = ""
    # Fields not compared because the installed TensorFlow computes them differently from the writer.
    unverified: tuple[str, ...] = ()


class Counts(NamedTuple):
    functions: int  # library functions
    nodes: int  # all nodes: top-level graph and functions
    function_nodes: int
    op_types: int
    namespaces: int
    signatures: int
    aliases: int
    variables: int


class DebugInfoSummary(NamedTuple):
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


class Overview(NamedTuple):
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


class NamespacedOp(NamedTuple):
    op_type: str
    node_count: int
    functions: tuple[str, ...]


class NamespaceUsage(NamedTuple):
    namespace: str
    whitelisted: bool | None  # None: no whitelist was given, so nothing is checked (TensorFlow's default)
    op_types: tuple[NamespacedOp, ...]


class OpIndex(NamedTuple):
    """Every op of the model, for a page's search (HTML): each as (node name, op type, function,
    creation site), the strings held once in tables and the ops naming them by position. Built only when
    a page asks; never part of the JSON, which lists op types, not 200k nodes."""

    functions: tuple[str, ...]
    op_types: tuple[str, ...]
    sites: tuple[str, ...]  # "file:line" of the creating user code
    ops: tuple[tuple[str, int, int, int], ...]  # (node name, op type, function, site or -1)
    # Per function, the function whose place on the page a hit links to: itself, or for a graph
    # serialized in a constant, the function of its outermost carrier.
    places: tuple[int, ...] = ()


class OpTypeCount(NamedTuple):
    op_type: str
    node_count: int
    function_count: int


class CallTreeNode(NamedTuple):
    function: str
    alias: str | None
    in_library: bool
    expanded_above: bool  # already shown earlier in the same tree: children omitted
    children: tuple[CallTreeNode, ...]
    depth_limited: bool = False  # at MAX_CALL_DEPTH: it calls more, not shown


class CallTree(NamedTuple):
    signature: str
    roots: tuple[CallTreeNode, ...]


class FlaggedOp(NamedTuple):
    """An op whose namespace is not whitelisted, with where it lives and the code that created it."""

    node_key: str
    node_name: str
    op_type: str
    namespace: str
    function: str
    aliases: tuple[str, ...]
    signatures: tuple[str, ...]
    trace: Trace | None


class ConcreteFunction(NamedTuple):
    """One concrete function of a tf.function: a trace for one input signature."""

    function: str
    input_signature: str | None  # as recorded in the object graph; None when it is not recorded
    alias: str | None
    signatures: tuple[str, ...]  # serving signatures whose call graph reaches it


class FunctionObject(NamedTuple):
    """A tf.function (or a bare concrete function) of the saved object graph, and its concrete functions."""

    object_path: str
    concrete_functions: tuple[ConcreteFunction, ...]


class Recorded(StrEnum):
    """Whether a SaveOptions field left evidence in the model."""

    YES = "yes"
    NO = "no"
    NEVER = "never"  # TensorFlow does not record it at all


class SaveOption(NamedTuple):
    """What one `tf.saved_model.SaveOptions` field left in the model."""

    option: str  # the SaveOptions field
    recorded: Recorded
    value: str  # what the model shows, e.g. "3 aliases" or "/job:localhost"
    evidence: str  # where it was read from, or why it cannot be


class AssetFile(NamedTuple):
    """A file under assets/ or assets.extra/ (inspector._internal.assets): its size, digest and the ops that read it."""

    path: str  # relative to the model's folder
    size: int
    sha256: str  # "" when it could not be read
    readers: tuple[str, ...]  # `OP in FUNCTION`
    declared: bool  # an asset the model declares (the loaders feed its path), not only a file
    problem: str = ""


class XlaModule(NamedTuple):
    """An XlaCallModule op (jax2tf, orbax): its serialized StableHLO module and what its attrs say
    (inspector._internal.xlamodules)."""

    node_key: str
    function: str
    version: int  # the serialization version: a TensorFlow runs only up to its own maximum
    platforms: tuple[str, ...]  # CPU, CUDA, ROCM, TPU: where the module can run
    module_bytes: int
    function_list: tuple[str, ...]  # TensorFlow functions the module calls back
    custom_calls: tuple[str, ...] | None  # None: not read (jaxlib's StableHLO bindings not installed)
    source_paths: tuple[str, ...]  # paths the module's locations record


@dataclass(frozen=True, slots=True, repr=False)
class Report(Displayable):
    kind: ClassVar[Literal["report"]] = "report"
    JSON_DERIVED: ClassVar[tuple[str, ...]] = ("concrete_function_count",)

    model: ModelRef
    overview: Overview
    signatures: tuple[Signature, ...]
    aliases: tuple[Alias, ...]
    functions: tuple[FunctionObject, ...]  # every tf.function of the object graph, aliased or not
    save_options: tuple[SaveOption, ...]
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
    # Op types the risky-op catalogue lists, outside TensorFlow's own checkpoint plumbing: what
    # `inspector audit` judges (whether they run, and when).
    risky_op_types: tuple[str, ...] = ()
    assets: tuple[AssetFile, ...] = ()  # every file under assets/ and assets.extra/
    xla_modules: tuple[XlaModule, ...] = ()  # every XlaCallModule op
    op_index: OpIndex | None = field(default=None, metadata=NOT_IN_JSON)

    @property
    def whitelist_violated(self) -> bool:
        return bool(self.flagged_ops)

    @property
    def verdict(self) -> Verdict:
        """Failed when ops miss the --whitelist, passed when none does; without --whitelist a report
        checks nothing and says so (`reported`)."""
        if self.whitelist is None:
            return Verdict.REPORTED
        return Verdict.FAILED if self.whitelist_violated else Verdict.PASSED

    @property
    def concrete_function_count(self) -> int:
        return sum(len(f.concrete_functions) for f in self.functions)
