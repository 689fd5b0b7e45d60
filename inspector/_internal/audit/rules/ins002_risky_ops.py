"""INS002 risky-op: an op that reads or writes files, runs Python, writes summaries or debug dumps, or
touches the network or the process -- or whose op type nobody has classified.

Why it matters: a SavedModel is a program. Loading it runs its init ops, its checkpoint restore and its
resources' initializers; calling a signature or a restored function runs every op that reaches. All of it
runs with the serving process's permissions. The catalogue (`inspector/data/op_catalogue.txt`, read by
`inspector/_internal/riskyops.py`) classifies every op type TensorFlow registers -- compute, the model's own state, or
a risky family with the reason for each -- and is default-deny: an op type it does not list (a newer
TensorFlow's, a custom op's) is reported as `unclassified` at error, with its string attrs shown. Every op is
found wherever it is -- in `tf.cond` branches, tf.data functions, functions no signature calls, gradient
functions and graphs serialized inside string constants -- not only where saved_model_cli's denylist walk
looks.

Severity follows when the op runs (`inspector._internal.reach`, from what TensorFlow's loaders execute): at load one
step above the op's base severity, and never below error for a file, Python, network or process op; from a
signature or anything a caller can call (an object-graph function, an alias), the base; only an op no
loader route reaches is two steps milder. Exempt, by structure and never by name: TensorFlow's own
checkpoint ops, wired to the Saver's filename (`inspector._internal.checkpointplumbing`), and a lookup table initialized from
one of the model's own assets -- a plain file name under assets/ -- which is a note. An asset whose file
name leads out of assets/ (`..`, an absolute path, a link) is an error: the served table returns the lines
of a file of the serving machine; so is a restore or a table reading any other path. When a constant or
an attr names the path an op reads or writes, the finding shows it.

Example: `WriteFile in __inference_serve_48 (reached by serving_default) writes '/tmp/out.txt'`.

Fix: remove the op from the exported functions (do file and debug I/O outside the model), or accept it
with `--allow OP` / `allow = ["OP"]` when it is intended. `--deny OP` adds an op type to the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from inspector._internal.audit.context import AuditContext
from inspector._internal.audit.scope import OpSite
from inspector._internal.callgraph import tensor_node_name
from inspector._internal.checkpointplumbing import CHECKPOINT_OPS
from inspector._internal.protos import which_oneof
from inspector._internal.reach import STRENGTH
from inspector._internal.riskyops import (
    CATALOGUE,
    RUNS_AT_LOAD_FLOOR,
    UNCLASSIFIED_REASON,
    Family,
    RiskyOp,
    catalogue,
)
from inspector._internal.view import TOP_LEVEL, Asset, node_key
from inspector._internal.xlamodules import KNOWN_TARGETS, XLA_CALL_MODULE, custom_call_targets
from inspector.results.audit import Finding, Notice, Reach, RuleInfo, Severity

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt

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
        first = min(group, key=_most_reachable)
        functions = len({f.location.function for f in group})
        said = first.message.split(_CONSTANTS, 1)[0]
        message = f"{said} ({len(group)} nodes in {functions} function{'s' if functions != 1 else ''})"
        yield first._replace(message=message, evidence=())


_CONSTANTS = "; constant input "


def _most_reachable(finding: Finding) -> tuple[int, str]:
    return STRENGTH.index(finding.location.reach or Reach.UNREACHABLE), finding.location.node_key


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
    trusted = catalogue().trusted
    functions = context.view.functions
    for site in context.scope.sites:
        op_type = site.op_type
        if op_type in allowed:
            continue
        entry = CATALOGUE.get(op_type) or denied.get(op_type)
        if entry is None:
            if op_type in trusted or op_type in functions:
                continue  # a TF1-style call names its function as the op type: the callee's ops are audited
            entry = _unclassified(op_type)
        if site.op_type in CHECKPOINT_OPS and not site.nesting and site.node_key in exempt:
            continue  # TensorFlow's own checkpoint plumbing, by its shape (inspector._internal.checkpointplumbing)
        asset = _table_asset(context, site)
        if asset is not None and asset.outside is None:
            yield Finding(
                INFO.id,
                Severity.NOTE,
                f"{site.op_type} reads the model's own asset ({asset.filename}): expected for a vocabulary "
                "table or a decision forest",
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
        for name, values in _string_attrs(site, every=entry.family is Family.UNCLASSIFIED):
            message += f"; {name} {', '.join(repr(v) for v in values)}"
            evidence.extend(f"{name} {v}" for v in values)
        if op_type == XLA_CALL_MODULE:
            said, unknown = _xla_module(site)
            message += said
            evidence.extend(f"custom call {target}" for target in unknown)
            if unknown:  # a host callback or a native target the server must provide: code not in the model
                severity = max(severity, Severity.ERROR)
        yield Finding(
            INFO.id,
            severity,
            message,
            f"remove {site.op_type} from the exported functions, or accept it with --allow {site.op_type}",
            context.location(site),
            evidence=tuple(evidence),
        )


#: Ops that read a file (or a folder) named by an input, ordinary when it is one of the model's assets: the
#: input's index. A lookup table's vocabulary; a TF-DF forest, loaded from the folder of its assets.
_ASSET_READERS = {
    "InitializeTableFromTextFile": 1,
    "InitializeTableFromTextFileV2": 1,
    "SimpleMLLoadModelFromPathWithHandle": 1,
}


def _table_asset(context: AuditContext, site: OpSite) -> Asset | None:
    """The asset an asset reader reads, when its path input is one the loader feeds from `asset_file_def`:
    in a TF1 graph the asset's own tensor; in a TF2 function an argument that the object graph binds to the
    asset (TF2's loader) and that no caller feeds a constant (the TF1 loader calls the function from the
    top-level graph). Between the two, at most a StaticRegexReplace that cuts the asset's file name off its
    end (TF-DF's), which leaves the assets folder: any other rewrite makes the path the author's."""
    index = _ASSET_READERS.get(site.op_type)
    if index is None or site.nesting:
        return None
    view = context.view
    inputs = [name for name in site.definition.input if not name.startswith("^")]
    if len(inputs) <= index or not view.assets:
        return None
    source = tensor_node_name(inputs[index])
    strip: fmt.NodeDef | None = None
    feeder = view.nodes.get(node_key(source, site.function))
    if feeder is not None and feeder.op == "StaticRegexReplace":
        strip = feeder.definition
        feeder_inputs = [name for name in strip.input if not name.startswith("^")]
        if len(feeder_inputs) != 1:
            return None
        source = tensor_node_name(feeder_inputs[0])
    asset = _bound_asset(context, site.function, source)
    if asset is None or (strip is not None and not _strips_file_name(strip, asset)):
        return None
    return asset


def _strips_file_name(regex_replace: fmt.NodeDef, asset: Asset) -> bool:
    """Whether a StaticRegexReplace turns the asset's path into its folder: its `pattern` is the asset's
    file name as plain text (no regex syntax) and its `rewrite` empty, as TF-DF writes it."""
    attrs = regex_replace.attr
    pattern = attrs["pattern"].s.decode("utf-8", "replace") if "pattern" in attrs else ""
    rewrite = attrs["rewrite"].s if "rewrite" in attrs else b""
    plain = bool(pattern) and all(c.isalnum() or c in "_-" for c in pattern)
    return plain and not rewrite and pattern == asset.filename


def _bound_asset(context: AuditContext, function: str, source: str) -> Asset | None:
    view = context.view
    if function == TOP_LEVEL:
        by_tensor = {tensor_node_name(asset.tensor_name): asset for asset in view.assets}
        return by_tensor.get(source)
    found = view.functions.get(function)
    arguments = [argument.name for argument in found.inputs] if found else []
    if source not in arguments:
        return None
    index = arguments.index(source)
    bound = view.bound_assets.get(function, {}).get(index)
    if bound is None or not 0 <= bound < len(view.assets) or _constant_fed(context, function, index):
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


def _xla_module(site: OpSite) -> tuple[str, tuple[str, ...]]:
    """What an XlaCallModule's attrs say, and the custom-call targets of its module that are neither XLA's
    nor jax2tf's own (read with jaxlib's StableHLO bindings, when installed)."""
    attrs = site.definition.attr
    version = attrs["version"].i if "version" in attrs else 0
    platforms = (
        ", ".join(p.decode("utf-8", "replace") for p in attrs["platforms"].list.s)
        if "platforms" in attrs
        else ""
    )
    targets = custom_call_targets(bytes(attrs["module"].s)) if "module" in attrs else None
    unknown = tuple(t for t in targets or () if t not in KNOWN_TARGETS)
    said = f"; serialization version {version}, platforms {platforms or 'any'}"
    if targets is None:
        said += "; its custom calls were not read (install jaxlib to read them)"
    elif unknown:
        said += f"; it calls {', '.join(unknown)}, which the serving process must provide (a host callback runs Python)"
    return said, unknown


def _unclassified(op_type: str) -> RiskyOp:
    return RiskyOp(op_type, Family.UNCLASSIFIED, Severity.ERROR, UNCLASSIFIED_REASON)


#: Words in the names TensorFlow's op defs give attrs that hold a file, a folder or a URL (`log_dir_path`,
#: `output_file_path`, `memory_region_name`, `debug_urls`, `descriptor_source`): the names are the op def's,
#: never the model author's, and the values are shown and fingerprinted.
_PATH_WORDS = ("path", "file", "dir", "url", "pattern", "region", "source", "prefix", "address", "target")
#: At most this many attrs, and values per attr, are shown of one op.
_MAX_SHOWN = 8


def _string_attrs(site: OpSite, *, every: bool) -> list[tuple[str, list[str]]]:
    """The string attrs of a risky op that name a path (of an unclassified op, `every`: all of them, for
    the reviewer to judge), printable values only, in name order."""
    found = []
    attrs = site.definition.attr
    for name in sorted(attrs):
        if not (every or any(word in name.lower() for word in _PATH_WORDS)):
            continue
        attr = attrs[name]
        kind = which_oneof(attr, "value")
        raw = [attr.s] if kind == "s" else list(attr.list.s) if kind == "list" else []
        values = [text for text in (_as_path(bytes(v)) for v in raw[:_MAX_SHOWN]) if text is not None]
        if values:
            found.append((name, values))
        if len(found) == _MAX_SHOWN:
            break
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
