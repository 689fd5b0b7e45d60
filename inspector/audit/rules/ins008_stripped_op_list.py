"""INS008 stripped-op-list: an op type the functions use that `stripped_op_list` does not list.

Why it matters: TensorFlow fills `MetaInfoDef.stripped_op_list` with a walk that follows only
`(Stateful)PartitionedCall` and function-named ops: it misses tf.cond / tf.while branches, tf.data
functions and functions no signature calls. Its save-time `namespace_whitelist` check uses the same walk,
so a namespaced op missing from the list also slipped past that check (a custom op inside a `tf.cond`
branch saves even with `namespace_whitelist=[]`). Tools that trust the list to know what a model needs
are wrong about this model.

Example: `Acme>Scale is used in cond_true_7 but missing from stripped_op_list` (error, as it is
namespaced); `ReadFile is used in __inference_Dataset_map_read_file_79 but missing` (note).

Fix: nothing to change in the model to make it correct; review the listed ops (the audit's other rules
already cover them), and do not rely on stripped_op_list or TensorFlow's whitelist check.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector.audit.context import AuditContext
from inspector.audit.model import Finding, Location, Notice, RuleInfo, Severity
from inspector.integrity import unlisted_ops

INFO = RuleInfo("INS008", "stripped-op-list", "Op used but missing from stripped_op_list", __doc__ or "")


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    reach = context.scope.reach_by_function
    for op in unlisted_ops(context.view):
        for key in op.node_keys:
            node = context.view.nodes[key]
            trace = context.view.trace(node)
            function_reach = reach.get(node.function)
            yield Finding(
                INFO.id,
                Severity.ERROR if op.namespace else Severity.NOTE,
                f"{op.op_type} is used but missing from stripped_op_list"
                + (
                    ": TensorFlow's save-time namespace whitelist check did not see it"
                    if op.namespace
                    else ""
                ),
                "review the op; do not rely on stripped_op_list or TensorFlow's whitelist check for this model",
                Location(
                    function=node.function,
                    node_key=key,
                    op_type=op.op_type,
                    reach=function_reach.reach if function_reach else None,
                    reached_by=function_reach.reached_by if function_reach else (),
                    source=trace.creation_site if trace else None,
                    stack=trace.user_frames if trace else (),
                ),
            )
