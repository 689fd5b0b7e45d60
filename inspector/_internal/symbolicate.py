"""Symbolicate runtime errors offline: map the nodes a TensorFlow error names back to the code that
created them, from the saved model's debug info.

TensorFlow (2.21) drops the saved stack traces when it loads a model, so an error raised inside a loaded
function says `<stack traces unavailable>`, and names the loader's functions
(`__inference_restored_function_body_46`) rather than the saved ones. The node names survive, though
nodes of inlined calls may carry a prefix (`StatefulPartitionedCall/Reshape`). For each node an error
names, we look in the function the message names (when it is one of the model's, counters aside), then in
the functions it calls, then everywhere; a name that matches several nodes with different creation sites is
reported as ambiguous, with all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from inspector._internal.diff.pairing import base_name
from inspector._internal.nodetable import Node
from inspector._internal.tferrors import function_names, node_names, unregistered_op_types
from inspector._internal.view import SavedModelView, Trace
from inspector.results.common import ModelRef
from inspector.results.symbolicate import LogLine, Match, Resolution, Status, SymbolicateResult
from inspector.results.traces import OpRef


def symbolicate(view: SavedModelView, log: str) -> SymbolicateResult:
    aliases: dict[str, tuple[str, ...]] = {}
    for function, alias in view.function_aliases.items():
        aliases[function] = (*aliases.get(function, ()), alias)
    seen: dict[tuple[str, str, str], int] = {}
    lines = []
    text_lines = log.splitlines()
    # A message names its function after its nodes (`[[{{node X}}]] [Op:__inference_f_12]`): each line
    # takes the first function named on it or after it, else the last one before it.
    mentions = [
        (number, name) for number, line in enumerate(text_lines, start=1) for name in function_names(line)
    ]
    by_name = _nodes_by_name(view)
    base_names: dict[str, list[str]] = {}
    for function in view.functions:
        if function:
            base_names.setdefault(base_name(function), []).append(function)
    upcoming = 0  # index of the first mention on or after the current line: one pass, not one per line
    for number, text in enumerate(text_lines, start=1):
        names = node_names(text)
        while upcoming < len(mentions) and mentions[upcoming][0] < number:
            upcoming += 1
        # The first function named on this line or after it, else the last one named before it.
        nearest = mentions[upcoming] if upcoming < len(mentions) else (mentions[-1] if mentions else None)
        context = nearest[1] if nearest else ""
        resolutions = []
        for name in {name: None for name in names}:  # once each, in order
            key = ("node", name, context)
            if key in seen:
                resolutions.append(
                    Resolution("node", name, context, Status.FOUND, (), first_seen_line=seen[key])
                )
                continue
            seen[key] = number
            resolutions.append(_resolve_node(view, name, context, aliases, by_name, base_names))
        for op_type in unregistered_op_types(text):
            key = ("op type", op_type, "")
            if key in seen:
                continue
            seen[key] = number
            resolutions.append(_resolve_op_type(view, op_type, aliases))
        if resolutions:
            lines.append(LogLine(number, text, tuple(resolutions)))
    return SymbolicateResult(ModelRef.of(view), tuple(lines))


def _saved_function(view: SavedModelView, named: str, base_names: dict[str, list[str]]) -> str | None:
    """The model's function a message names: itself, or the one whose name differs only by counter."""
    if named in view.functions:
        return named
    candidates = base_names.get(base_name(named), [])
    return candidates[0] if len(candidates) == 1 else None


def _candidates(nodes: Iterable[Node], name: str) -> list[Node]:
    exact = [n for n in nodes if n.name == name]
    if exact:
        return exact
    # An inlined call prefixes the callee's node names: `StatefulPartitionedCall/Reshape`.
    return [n for n in nodes if name.endswith("/" + n.name)]


def _nodes_by_name(view: SavedModelView) -> dict[str, list[Node]]:
    found: dict[str, list[Node]] = {}
    for node in view.nodes.values():
        found.setdefault(node.name, []).append(node)
    return found


def _candidates_anywhere(by_name: dict[str, list[Node]], name: str) -> list[Node]:
    """`_candidates` over every node, through the index: the name, else its `/`-suffixes, longest first."""
    exact = by_name.get(name)
    if exact:
        return exact
    found: list[Node] = []
    parts = name.split("/")
    for start in range(1, min(len(parts), 64)):
        found += by_name.get("/".join(parts[start:]), [])
    return found


def _resolve_node(
    view: SavedModelView,
    name: str,
    named: str,
    aliases: dict[str, tuple[str, ...]],
    by_name: dict[str, list[Node]],
    base_names: dict[str, list[str]],
) -> Resolution:
    saved = _saved_function(view, named, base_names) if named else None
    searched: list[tuple[str, list[Node]]] = []
    if saved is not None:
        own = [view.nodes[k] for k in view.functions[saved].node_keys]
        searched.append((f"in {saved}", own))
        reachable = view.call_graph.reachable_from([saved]) - {saved}
        searched.append(
            (
                f"in a function {saved} calls",
                [view.nodes[k] for f in sorted(reachable) for k in view.functions[f].node_keys],
            )
        )
    searched.append(("across all functions", []))
    for where, nodes in searched:
        if where == "across all functions":
            found = _candidates_anywhere(by_name, name)
        else:
            found = _candidates(nodes, name)
        if not found:
            continue
        matches = tuple(
            Match(OpRef(n.key, n.name, n.op, n.function, aliases.get(n.function, ())), view.trace(n))
            for n in found
        )
        # The status says "found"; the note says only where, and why there when the log's function is not ours.
        note = "" if saved is not None or not named else f"{named} is the loaded model's name; {where}"
        if saved is not None and where != f"in {saved}":
            note = where
        sites = {_site(m.trace) for m in matches}
        if len(matches) == 1 or len(sites) == 1:
            if len(matches) > 1:
                note = (note + "; " if note else "") + f"{len(matches)} nodes share one creation site"
            return Resolution("node", name, named, Status.FOUND, matches, note)
        return Resolution(
            "node", name, named, Status.AMBIGUOUS, matches, f"{len(matches)} nodes named so, {where}"
        )
    return Resolution("node", name, named, Status.NOT_FOUND, (), "no node of this model has that name")


def _resolve_op_type(view: SavedModelView, op_type: str, aliases: dict[str, tuple[str, ...]]) -> Resolution:
    nodes = [view.nodes[k] for k in view.nodes_by_op.get(op_type, ())]
    if not nodes:
        return Resolution("op type", op_type, "", Status.NOT_FOUND, (), "no op of this type in the model")
    matches = tuple(
        Match(OpRef(n.key, n.name, n.op, n.function, aliases.get(n.function, ())), view.trace(n))
        for n in nodes
    )
    return Resolution("op type", op_type, "", Status.FOUND, matches)


def _site(trace: Trace | None) -> tuple[str, int] | None:
    site = trace.creation_site if trace else None
    return (site.file, site.line) if site else None
