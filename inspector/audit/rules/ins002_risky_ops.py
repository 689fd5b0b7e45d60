"""INS002 risky-op: an op that reads or writes files, runs Python, writes summaries or debug dumps, or
touches the network or the process.

Why it matters: a SavedModel is a program. Loading it and calling a signature runs every op that
signature reaches, with the serving process's permissions; the init op runs on every load. The catalogue
(`inspector/audit/catalog.py`) lists such ops by family with the reason for each; every op is found
wherever it is -- in `tf.cond` branches, tf.data functions, functions no signature calls, and graphs
serialized inside string constants -- not only where saved_model_cli's denylist walk looks.

Severity depends on when the op can run: reached from the init op (runs at load) is one step above the
op's base severity, from a serving signature is the base, only from a function object one step below,
unreachable two below. The checkpoint ops TensorFlow writes into `__inference__traced_save_*` and
`__inference__traced_restore_*` are expected there and not reported, nor are those of a TF1 Saver (the
name scope `saver_def` names). A lookup table initialized from one of the model's own assets is a note,
not a risk; from any other path it keeps the op's severity. When a constant names the path an op reads or
writes, the finding shows it.

Example: `WriteFile in __inference_serve_48 (reached by serving_default) writes '/tmp/out.txt'`.

Fix: remove the op from the exported functions (do file and debug I/O outside the model), or accept it
with `--allow OP` / `allow = ["OP"]` when it is intended. `--deny OP` adds an op type to the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector.audit.context import AuditContext
from inspector.audit.scope import OpSite
from inspector.callgraph import tensor_node_name
from inspector.results.audit import Finding, Notice, RuleInfo, Severity
from inspector.riskyops import CATALOGUE, CHECKPOINT_FUNCTION_PREFIXES, CHECKPOINT_OPS, Family, RiskyOp
from inspector.view import TOP_LEVEL, node_key

INFO = RuleInfo(
    "INS002", "risky-op", "Op with side effects outside the tensor computation", __doc__ or "", Severity.ERROR
)


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    policy = context.policy
    denied = {
        op: RiskyOp(op, Family.SYSTEM, Severity.ERROR, "denied by the audit policy")
        for op in policy.deny
        if op not in CATALOGUE
    }
    allowed = frozenset(policy.allow)
    neighbours = _ConstantIndex(context)
    saver_scope = _saver_scope(context)
    for site in context.scope.sites:
        entry = CATALOGUE.get(site.op_type) or denied.get(site.op_type)
        if entry is None or site.op_type in allowed:
            continue
        if site.op_type in CHECKPOINT_OPS and (
            site.function.startswith(CHECKPOINT_FUNCTION_PREFIXES)
            or (saver_scope and not site.nesting and site.definition.name.startswith(saver_scope))
        ):
            continue  # TensorFlow's own checkpoint plumbing: TF2's save functions, a TF1 Saver's scope
        asset = _own_asset(context, site)
        if asset is not None:
            yield Finding(
                INFO.id,
                Severity.NOTE,
                f"{site.op_type} reads the model's own asset ({asset}): expected for a vocabulary table",
                "nothing to do; the file ships in the model's assets/ folder",
                context.location(site),
            )
            continue
        output_stream = _output_stream(site)
        base = entry.base
        if output_stream.startswith("file://"):
            base = max(base, Severity.ERROR)  # a print that writes a file is a file write
        severity = base.shifted(site.reach.reach.severity_shift)
        message = f"{site.op_type} ({entry.family.value}): {entry.reason}"
        paths = neighbours.string_inputs(site)
        if paths:
            message += f"; constant input {', '.join(repr(p) for p in paths)}"
        if output_stream:
            message += f"; output_stream {output_stream!r}"
        yield Finding(
            INFO.id,
            severity,
            message,
            f"remove {site.op_type} from the exported functions, or accept it with --allow {site.op_type}",
            context.location(site),
        )


#: Ops that initialize a lookup table from a file: ordinary when the file is one of the model's assets.
_TABLE_FROM_FILE = frozenset({"InitializeTableFromTextFile", "InitializeTableFromTextFileV2"})


def _own_asset(context: AuditContext, site: OpSite) -> str | None:
    """The asset file a table initializer reads, when its filename comes from the model's assets: in a
    TF2 model the initializer function takes the path as an argument (TensorFlow wires the restored asset
    in); in a TF1 model the input is a tensor that `asset_file_def` names."""
    if site.op_type not in _TABLE_FROM_FILE or site.nesting:
        return None
    view = context.view
    assets = list(view.meta_graph_def.asset_file_def)
    if not assets:
        return None
    inputs = [name for name in site.definition.input if not name.startswith("^")]
    if len(inputs) < 2:
        return None
    source = tensor_node_name(inputs[1])
    names = ", ".join(sorted({asset.filename for asset in assets}))
    if site.function == TOP_LEVEL:
        asset_tensors = {tensor_node_name(asset.tensor_info.name) for asset in assets}
        return names if source in asset_tensors else None
    function = view.functions.get(site.function)
    arguments = [argument.name for argument in function.inputs] if function else []
    if source not in arguments or _constant_fed(context, site.function, arguments.index(source)):
        return None
    return names


def _constant_fed(context: AuditContext, function: str, index: int) -> bool:
    """Whether any call of `function` in the model feeds argument `index` from a constant: then the
    path is the caller's, not the restored asset TensorFlow wires in (it calls initializers itself)."""
    view = context.view
    for caller in view.call_graph.callers.get(function, ()):
        caller_function = view.functions.get(caller)
        if caller_function is None:
            continue
        for key in caller_function.node_keys:
            node = view.nodes[key]
            if function not in node.calls:
                continue
            inputs = [name for name in node.definition.input if not name.startswith("^")]
            if index >= len(inputs):
                continue
            fed = view.nodes.get(node_key(tensor_node_name(inputs[index]), caller))
            if fed is None or fed.op == "Const":
                return True  # a constant, or something we cannot follow: not vouched for
    return False


def _saver_scope(context: AuditContext) -> str:
    """The name scope of a TF1 Saver (`save/`), from `saver_def`: its ops are the checkpoint plumbing."""
    saver = context.view.meta_graph_def.saver_def
    for tensor in (saver.filename_tensor_name, saver.save_tensor_name, saver.restore_op_name):
        head, sep, _ = tensor_node_name(tensor).rpartition("/")
        if sep:
            return head + "/"
    return ""


def _output_stream(site: OpSite) -> str:
    attr = site.definition.attr.get("output_stream")
    return attr.s.decode("utf-8", "replace") if attr is not None and attr.s else ""


class _ConstantIndex:
    """Short string constants feeding an op: the paths it would read or write, for the reviewer."""

    def __init__(self, context: AuditContext) -> None:
        self._view = context.view

    def string_inputs(self, site: OpSite) -> list[str]:
        if site.nesting:
            return []
        function = self._view.functions.get(site.function)
        if function is None:
            return []
        found = []
        for tensor in site.definition.input:
            if tensor.startswith("^"):
                continue
            node = self._view.nodes.get(node_key(tensor_node_name(tensor), site.function))
            if node is None or node.op != "Const":
                continue
            values = node.definition.attr["value"].tensor.string_val
            if len(values) == 1:
                text = _as_path(bytes(values[0]))
                if text is not None:
                    found.append(text)
        return found


def _as_path(value: bytes) -> str | None:
    """A constant worth showing as a path: short, text, printable (not a serialized blob)."""
    if not 0 < len(value) <= 512:
        return None
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None
