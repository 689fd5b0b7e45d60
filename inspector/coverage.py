"""How much of a model the debug info explains: traced and untraced nodes, and keys that name nothing.

Shared by report, trace, where, the audit and the doctor. Nodes of the top-level graph are left out:
it is TensorFlow's save plumbing (placeholders, variable handles, the saver), which is never traced.
"""

from __future__ import annotations

from inspector.results.common import Coverage
from inspector.view import TOP_LEVEL, SavedModelView, split_node_key


def coverage(view: SavedModelView) -> Coverage:
    traced = untraced = 0
    for node in view.nodes.values():
        if node.function == TOP_LEVEL:
            continue
        if node.trace_id is None:
            untraced += 1
        else:
            traced += 1
    stale, arguments = [], 0
    for key in view.debug_info.trace_id_by_key:
        if key in view.nodes:
            continue
        if split_node_key(key)[1] in view.functions:
            arguments += 1
        else:
            stale.append(key)
    return Coverage(
        view.debug_info.status, traced + untraced, traced, untraced, tuple(sorted(stale)), arguments
    )
