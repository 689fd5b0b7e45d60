"""How much of a model the debug info explains: traced and untraced nodes, and keys that name nothing.

Shared by report, trace, where, the audit and the doctor. Nodes of the top-level graph are left out:
it is TensorFlow's save plumbing (placeholders, variable handles, the saver), which is never traced.
"""

from __future__ import annotations

from inspector._internal.view import TOP_LEVEL, SavedModelView, split_node_key
from inspector.results.common import Coverage


def coverage(view: SavedModelView) -> Coverage:
    """Counted from the view's indexes (nodes by trace, the top-level graph's few nodes), never by walking
    every node: on a large model this runs for every command."""
    top_level = view.functions[TOP_LEVEL].node_keys if TOP_LEVEL in view.functions else ()
    traced_everywhere = sum(len(keys) for keys in view.nodes_by_trace.values())
    keys = view.debug_info.trace_id_by_key  # a node's trace id is its key's entry here
    traced_top_level = sum(1 for key in top_level if key in keys)
    function_nodes = len(view.nodes) - len(top_level)
    traced = traced_everywhere - traced_top_level
    stale, arguments = [], 0
    leftover = len(keys) - traced_everywhere  # keys that name no node
    if leftover:
        # TensorFlow records a key for each function argument (`x@__inference_f_12`), which the model's
        # graph has no node for. When the arguments account for every leftover key, nothing is stale,
        # and the 200k keys of a large model need no walk.
        arguments = sum(
            1
            for name, function in view.functions.items()
            if name
            for argument in function.inputs
            if (key := f"{argument.name}@{name}") in keys and key not in view.nodes
        )
        if arguments != leftover:
            arguments = 0
            for key in sorted(view.nodes.unknown(keys)):
                if split_node_key(key)[1] in view.functions:
                    arguments += 1
                else:
                    stale.append(key)
    return Coverage(
        view.debug_info.status,
        function_nodes,
        traced,
        function_nodes - traced,
        tuple(sorted(stale)),
        arguments,
    )
