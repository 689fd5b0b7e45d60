"""INS008 stripped-op-list: an op type the functions use that `stripped_op_list` does not list, or one it
redefines.

Why it matters: TensorFlow fills `MetaInfoDef.stripped_op_list` with a walk that follows only
`(Stateful)PartitionedCall` and function-named ops: it misses tf.cond / tf.while branches, tf.data
functions and functions no signature calls. Its save-time `namespace_whitelist` check uses the same walk,
so a namespaced op missing from the list also slipped past that check (a custom op inside a `tf.cond`
branch saves even with `namespace_whitelist=[]`). Tools that trust the list to know what a model needs
are wrong about this model.

The list also carries an OpDef per op type, and TensorFlow ignores those when loading: its own OpDefs say
which attrs of `StatefulPartitionedCall`, `If` or `While` hold the functions they run. A list that declares
a TensorFlow op otherwise -- `StatefulPartitionedCall` without its `f` -- is the writer hiding calls from
every tool that trusts the list, and an error. inspector follows calls by TensorFlow's OpDefs (its
registry snapshot), never by the model's, so the calls are audited all the same.

Example: `Acme>Scale is used (1 node in 1 function) but missing from stripped_op_list` (error, as it is
namespaced); `ReadFile is used (2 nodes in 2 functions) but missing ...` (note). One finding per op type,
located at its first node.

Fix: for a redefinition, re-export the model with TensorFlow (its writer fills the list from its own
OpDefs) and find out who edited it. Otherwise nothing to change in the model to make it correct; review the
listed ops (the audit's other rules
already cover them), and do not rely on stripped_op_list or TensorFlow's whitelist check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from inspector._internal.audit.context import AuditContext
from inspector._internal.integrity import redefined_ops, unlisted_ops
from inspector._internal.reach import STRENGTH
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS008", "stripped-op-list", "Op used but missing from stripped_op_list", __doc__ or "", Severity.WARNING
)


def _located(context: AuditContext, op_type: str, node_keys: Iterable[str]) -> Location:
    """The node of `node_keys` to look at first: the most reachable, then chosen without the function
    counters (a re-save keeps the finding's fingerprint); located with its reach and creation stack."""
    reach = context.scope.reach
    nodes = context.view.nodes

    def first_look(key: str) -> tuple[int, tuple[str, str]]:
        node = nodes[key]
        return STRENGTH.index(reach.of(node.function, node.name).reach), _without_counter(key)

    key = min(node_keys, key=first_look)
    node = nodes[key]
    trace = context.view.trace(node)
    function_reach = reach.of(node.function, node.name)
    return Location(
        function=node.function,
        node_key=key,
        op_type=op_type,
        reach=function_reach.reach,
        reached_by=function_reach.reached_by,
        source=trace.creation_site if trace else None,
        stack=trace.user_frames if trace else (),
    )


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    """One finding per op type (a model with 27 such nodes of 3 types gets 3), located at its first node."""
    yield from _redefinitions(context)
    for op in unlisted_ops(context.view):
        count = len(op.node_keys)
        spread = f"{count} node{'s' if count != 1 else ''} in {len(op.functions)} function"
        spread += "s" if len(op.functions) != 1 else ""
        yield Finding(
            INFO.id,
            Severity.ERROR if op.namespace else Severity.NOTE,
            f"{op.op_type} is used ({spread}) but missing from stripped_op_list"
            + (": TensorFlow's save-time namespace whitelist check did not see it" if op.namespace else ""),
            "review the op; do not rely on stripped_op_list or TensorFlow's whitelist check for this model",
            _located(context, op.op_type, op.node_keys),
            identity=f"unlisted:{op.op_type}",
        )


def _without_counter(key: str) -> tuple[str, str]:
    node, _, function = key.rpartition("@")
    return (re.sub(r"_\d+$", "", function), node) if node else ("", key)


def _redefinitions(context: AuditContext) -> Iterator[Finding]:
    for op in redefined_ops(context.view):
        if not op.node_keys:
            continue  # declared and never used: it hides nothing
        declared = ", ".join(op.declared) or "none"
        yield Finding(
            INFO.id,
            Severity.ERROR,
            f"stripped_op_list redefines {op.op_type}: it declares its function attrs as {declared}, "
            f"TensorFlow's OpDef has {', '.join(op.tensorflow) or 'none'}; TensorFlow ignores the list and "
            "runs the calls, a tool that trusts it does not see them",
            "re-export the model with TensorFlow and find out who edited stripped_op_list; the audit "
            "follows TensorFlow's OpDefs, so the calls are audited",
            _located(context, op.op_type, op.node_keys),
            identity=f"redefined:{op.op_type}",
        )
