"""What the audit looks at: every op of the model -- top-level graph, every library function, and graphs
serialized inside string constants, recursively -- each with when it can run (`inspector._internal.reach`: at load,
from a signature, when a caller calls it, at gradient, never), the code that made it, and whether it is
TensorFlow's own checkpoint plumbing (`inspector._internal.checkpointplumbing`).

The last step of one pass down a pipeline, each step using only those before it: the view's call graph
(edges from TensorFlow's OpDefs) -> the loaders' roots (`inspector._internal.routes`) -> the reach of every function
(`inspector._internal.reach`) -> the plumbing, by structure (`inspector._internal.checkpointplumbing`) -> the scope the rules read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.checkpointplumbing import Plumbing, find_plumbing
from inspector._internal.foldercontents import FolderContents, scan_folder
from inspector._internal.nestedgraphs import Budget, Neighbours, NestedOp, decode_carrier, is_carrier
from inspector._internal.reach import FunctionReach, Reachability, reachability
from inspector._internal.routes import loader_routes
from inspector._internal.view import SavedModelView, Trace

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt


# A NamedTuple, as the view's nodes are: there is one per op, 200k on a large model, and a frozen
# dataclass costs several times more to make.
class OpSite(NamedTuple):
    """One op the rules look at."""

    op_type: str
    node_key: str
    function: str
    reach: FunctionReach
    nesting: tuple[str, ...]  # carriers of the serialized graph it sits in, outermost first
    trace: Trace | None  # its creation stack; for a nested op, its carrier's
    definition: fmt.NodeDef


@dataclass(frozen=True, slots=True)
class UndecodedBlob:
    """A graph carrier whose serialized graph could not be decoded (or was too deep or too large)."""

    carrier: OpSite
    problem: str


class FolderLook:
    """What the model's folder carries (`foldercontents.scan_folder`), looked at once, when a rule first asks:
    INS013 reports the files, INS012 the Keras configs among them."""

    def __init__(self, model_dir: Path) -> None:
        self._model_dir = model_dir
        self._contents: FolderContents | None = None

    def contents(self) -> FolderContents:
        if self._contents is None:
            self._contents = scan_folder(self._model_dir)
        return self._contents


@dataclass(frozen=True, slots=True)
class Scope:
    view: SavedModelView
    reach: Reachability
    plumbing: Plumbing
    sites: tuple[OpSite, ...]
    undecoded: tuple[UndecodedBlob, ...]
    folder: FolderLook


def build_scope(view: SavedModelView) -> Scope:
    routes = loader_routes(view)
    reach = reachability(view, routes)
    plumbing = find_plumbing(view, routes, reach)
    sites: list[OpSite] = []
    undecoded: list[UndecodedBlob] = []
    budget = Budget()
    neighbours = Neighbours(view)
    for node in view.nodes.values():
        site = OpSite(
            node.op,
            node.key,
            node.function,
            reach.of(node.function, node.name),
            (),
            view.trace(node),
            node.definition,
        )
        sites.append(site)
        if is_carrier(node.op):
            ops, failed = decode_carrier(node.key, node.definition, neighbours.of(node.function), budget)
            # Nested ops run when their carrier does, and have no debug info of their own: the
            # carrier's reach and creation stack stand in.
            nested = [_nested_site(op, site) for op in ops]
            sites += nested
            undecoded += (
                UndecodedBlob(
                    site if blob.carrier is None else _nested_site(blob.carrier, site), blob.problem
                )
                for blob in failed
            )
    return Scope(view, reach, plumbing, tuple(sites), tuple(undecoded), FolderLook(view.path))


def _nested_site(op: NestedOp, carrier: OpSite) -> OpSite:
    return OpSite(
        op.definition.op, op.key, op.function, carrier.reach, op.nesting, carrier.trace, op.definition
    )
