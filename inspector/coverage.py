"""How much of a model the debug info explains: traced and untraced nodes, and keys that name nothing.

Shared by report, trace, where, the audit and the doctor. Nodes of the top-level graph are left out:
it is TensorFlow's save plumbing (placeholders, variable handles, the saver), which is never traced.
"""

from __future__ import annotations

from inspector.results.common import Coverage
from inspector.view import TOP_LEVEL, SavedModelView, split_node_key


def coverage(view: SavedModelView) -> Coverage:
    """Counted from the view's indexes (nodes by trace, the top-level graph's few nodes), never by walking
    every node: on a large model this runs for every command."""
    top_level = view.functions[TOP_LEVEL].node_keys if TOP_LEVEL in view.functions else ()
    traced_everywhere = sum(len(keys) for keys in view.nodes_by_trace.values())
    traced_top_level = sum(1 for key in top_level if view.nodes[key].trace_id is not None)
    function_nodes = len(view.nodes) - len(top_level)
    traced = traced_everywhere - traced_top_level
    stale, arguments = [], 0
    if len(view.debug_info.trace_id_by_key) > traced_everywhere:  # keys that name no node exist
        # A set difference runs in C; a loop over 200k keys to find the few dozen would not.
        for key in sorted(set(view.debug_info.trace_id_by_key).difference(view.nodes)):
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
