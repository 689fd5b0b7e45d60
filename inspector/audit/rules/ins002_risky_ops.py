"""INS002 risky-op: an op that reads or writes files, runs Python, writes summaries or debug dumps, or
touches the network or the process.

Why it matters: a SavedModel is a program. Loading it runs its init ops, its checkpoint restore and its
resources' initializers; calling a signature or a restored function runs every op that reaches. All of it
runs with the serving process's permissions. The catalogue (`inspector/riskyops.py`) lists such ops by
family with the reason for each; every op is found wherever it is -- in `tf.cond` branches, tf.data
functions, functions no signature calls, and graphs serialized inside string constants -- not only where
saved_model_cli's denylist walk looks.

Severity follows when the op runs (`inspector.reach`, from what TensorFlow's loaders execute): at load one
step above the op's base severity, and never below error for a file, Python, network or process op; from a
signature or anything a caller can call (an object-graph function, an alias), the base; only an op no
loader route reaches is two steps milder. Exempt, by structure and never by name: TensorFlow's own
checkpoint ops, wired to the Saver's filename (`inspector.plumbing`), and a lookup table initialized from
one of the model's own assets -- a plain file name under assets/ -- which is a note. An asset whose file
name leads out of assets/ (`..`, an absolute path, a link) is an error: the served table returns the lines
of a file of the serving machine. When a constant names the path an op reads or writes, the finding shows
it.

Example: `WriteFile in __inference_serve_48 (reached by serving_default) writes '/tmp/out.txt'`.

Fix: remove the op from the exported functions (do file and debug I/O outside the model), or accept it
with `--allow OP` / `allow = ["OP"]` when it is intended. `--deny OP` adds an op type to the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from inspector.audit.context import AuditContext
from inspector.audit.scope import OpSite
from inspector.callgraph import tensor_node_name
from inspector.plumbing import CHECKPOINT_OPS
from inspector.reach import STRENGTH
from inspector.results.audit import Finding, Notice, Reach, RuleInfo, Severity
from inspector.riskyops import CATALOGUE, RUNS_AT_LOAD_FLOOR, Family, RiskyOp
from inspector.view import TOP_LEVEL, Asset, node_key

INFO = RuleInfo(
    "INS002", "risky-op", "Op with side effects outside the tensor computation", __doc__ or "", Severity.ERROR
)


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    """The findings, notes of one op type and message said once with their count (a tokenizer model's
    24 Asserts are one note): a note asks nothing of the reader per node."""
    notes: dict[tuple[str, str], list[Finding]] = {}
    for finding in _findings(context):
        if finding.severity is Severity.NOTE:
            # An Assert's constant inputs are its messages, different at every node: not what groups them.
            said = finding.message.split(_CONSTANTS, 1)[0]
            notes.setdefault((finding.location.op_type, said), []).append(finding)
        else:
            yield finding
    for group in notes.values():
        if len(group) == 1:
            yield group[0]
            continue
        first = min(
            group, key=lambda f: (STRENGTH.index(f.location.reach or Reach.UNREACHABLE), f.location.node_key)
        )
        functions = len({f.location.function for f in group})
        said = first.message.split(_CONSTANTS, 1)[0]
        message = f"{said} ({len(group)} nodes in {functions} function{'s' if functions != 1 else ''})"
        yield replace(first, message=message, evidence=())


_CONSTANTS = "; constant input "


def _findings(context: AuditContext) -> Iterator[Finding]:
    policy = context.policy
    denied = {
        op: RiskyOp(op, Family.SYSTEM, Severity.ERROR, "denied by the audit policy")
        for op in policy.deny
        if op not in CATALOGUE
    }
    allowed = frozenset(policy.allow)
    neighbours = _ConstantIndex(context)
    exempt = context.scope.plumbing.exempt
    for site in context.scope.sites:
        entry = CATALOGUE.get(site.op_type) or denied.get(site.op_type)
        if entry is None or site.op_type in allowed:
            continue
        if site.op_type in CHECKPOINT_OPS and not site.nesting and site.node_key in exempt:
            continue  # TensorFlow's own checkpoint plumbing, by its shape (inspector.plumbing)
        asset = _table_asset(context, site)
        if asset is not None and asset.outside is None:
            yield Finding(
                INFO.id,
                Severity.NOTE,
                f"{site.op_type} reads the model's own asset ({asset.filename}): expected for a vocabulary table",
                "nothing to do; the file ships in the model's assets/ folder",
                context.location(site),
                evidence=(f"asset {asset.filename}",),
            )
            continue
        output_stream = _output_stream(site)
        base = entry.base
        if output_stream.startswith("file://"):
            base = max(base, Severity.ERROR)  # a print that writes a file is a file write
        severity = base.shifted(site.reach.reach.severity_shift)
        if site.reach.reach is Reach.LOAD and entry.family in RUNS_AT_LOAD_FLOOR:
            severity = max(severity, Severity.ERROR)  # nobody chose to call it: loading the model runs it
        message = f"{site.op_type} ({entry.family.value}): {entry.reason}"
        evidence: list[str] = []
        if asset is not None:
            evidence.append(f"asset {asset.filename}")
            message += (
                f"; it reads asset {asset.filename!r}, which {asset.outside}: the table serves the lines of "
                "a file outside the model"
            )
        paths = neighbours.string_inputs(site)
        if paths:
            message += f"{_CONSTANTS}{', '.join(repr(p) for p in paths)}"
            evidence.extend(f"input {p}" for p in paths)
        if output_stream:
            message += f"; output_stream {output_stream!r}"
            evidence.append(f"output_stream {output_stream}")
        for name, values in _path_attrs(site):
            message += f"; {name} {', '.join(repr(v) for v in values)}"
            evidence.extend(f"{name} {v}" for v in values)
        yield Finding(
            INFO.id,
            severity,
            message,
            f"remove {site.op_type} from the exported functions, or accept it with --allow {site.op_type}",
            context.location(site),
            evidence=tuple(evidence),
        )


#: Ops that initialize a lookup table from a file: ordinary when the file is one of the model's assets.
_TABLE_FROM_FILE = frozenset({"InitializeTableFromTextFile", "InitializeTableFromTextFileV2"})


def _table_asset(context: AuditContext, site: OpSite) -> Asset | None:
    """The asset a table initializer reads, when its file name input is one the loader feeds from
    `asset_file_def`: in a TF1 graph the asset's own tensor; in a TF2 function an argument that the object
    graph binds to the asset (TF2's loader) and that no caller feeds a constant (the TF1 loader calls the
    function from the top-level graph)."""
    if site.op_type not in _TABLE_FROM_FILE or site.nesting:
        return None
    view = context.view
    inputs = [name for name in site.definition.input if not name.startswith("^")]
    if len(inputs) < 2 or not view.assets:
        return None
    source = tensor_node_name(inputs[1])
    if site.function == TOP_LEVEL:
        by_tensor = {tensor_node_name(asset.tensor_name): asset for asset in view.assets}
        return by_tensor.get(source)
    function = view.functions.get(site.function)
    arguments = [argument.name for argument in function.inputs] if function else []
    if source not in arguments:
        return None
    index = arguments.index(source)
    bound = view.bound_assets.get(site.function, {}).get(index)
    if bound is None or not 0 <= bound < len(view.assets) or _constant_fed(context, site.function, index):
        return None
    return view.assets[bound]


def _constant_fed(context: AuditContext, function: str, index: int) -> bool:
    """Whether any call of `function` in the model feeds argument `index` from a constant (through
    Identity ops): then the path is the caller's, not the asset a loader wires in."""
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
            for _ in range(16):
                if fed is None or fed.op != "Identity" or not fed.definition.input:
                    break
                fed = view.nodes.get(node_key(tensor_node_name(fed.definition.input[0]), caller))
            if fed is None or fed.op == "Const":
                return True  # a constant, or something we cannot follow: not vouched for
    return False


#: Attrs that name a file or a URL the op opens: shown, and part of the fingerprint.
_PATH_ATTRS = {
    "ImmutableConst": ("memory_region_name",),
    "RecordInput": ("file_pattern",),
    "FixedUnigramCandidateSampler": ("vocab_file",),
    "Skipgram": ("filename",),
    "DecodeProtoV2": ("descriptor_source",),
    "EncodeProto": ("descriptor_source",),
    "DebugIdentity": ("debug_urls",),
    "DebugIdentityV2": ("debug_urls",),
    "DebugNanCount": ("debug_urls",),
    "DebugNumericSummary": ("debug_urls",),
}


def _path_attrs(site: OpSite) -> list[tuple[str, list[str]]]:
    found = []
    for name in _PATH_ATTRS.get(site.op_type, ()):
        attr = site.definition.attr.get(name)
        if attr is None:
            continue
        raw = [attr.s] if attr.s else list(attr.list.s)
        values = [text for text in (_as_path(bytes(v)) for v in raw[:8]) if text is not None]
        if values:
            found.append((name, values))
    return found


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
