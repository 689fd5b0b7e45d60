"""XlaCallModule ops: a jax2tf / orbax export's computation, one op holding a serialized StableHLO module.
What the op's attrs say -- the serialization `version` (a TensorFlow accepts only up to its own maximum and
fails at the first call, not at load, past it), the `platforms` it was lowered for (a CPU-only module fails
on every GPU or TPU server), the module's size, `function_list` (the TensorFlow functions it calls back,
followed by the call graph like any call) -- and what the module carries: the custom-call targets it
invokes (host callbacks among them), read with the StableHLO bindings of jaxlib when they are installed,
and the source paths its locations record, found by a bounded scan of its bytes.
"""

from __future__ import annotations

import re

from inspector._internal.view import SavedModelView
from inspector.results.report import XlaModule

XLA_CALL_MODULE = "XlaCallModule"
#: The bytes of a module scanned for recorded source paths, and the paths kept.
MAX_SCANNED = 64 * 2**20
MAX_PATHS = 64
#: Custom-call targets that XLA or jax2tf lower ordinary computations to: anything else is code the
#: serving process must provide (a host callback runs Python).
KNOWN_TARGETS = frozenset(
    {
        "Sharding",
        "SPMDFullToShardShape",
        "SPMDShardToFullShape",
        "shape_assertion",
        "annotate_device_placement",
        "mhlo.dynamic_reduce_window",
        "mhlo.dynamic_rng_bit_generator",
        "stablehlo.dynamic_top_k",
        "tf.call_tf_function",  # jax2tf's call_tf: a TF function of function_list, audited as a call
    }
)
MAX_CANDIDATES = 10_000  # `.py` occurrences looked at
MAX_PATH_BYTES = 400  # how far back from `.py` a path may start


def unknown_targets(module: XlaModule) -> tuple[str, ...]:
    """The custom-call targets neither XLA nor jax2tf lowers ordinary computations to."""
    return tuple(t for t in module.custom_calls or () if t not in KNOWN_TARGETS)


def xla_modules(view: SavedModelView) -> tuple[XlaModule, ...]:
    found = []
    for key in view.nodes_by_op.get(XLA_CALL_MODULE, ()):
        node = view.nodes[key]
        attrs = node.definition.attr
        module = bytes(attrs["module"].s) if "module" in attrs else b""
        found.append(
            XlaModule(
                key,
                node.function,
                int(attrs["version"].i) if "version" in attrs else 0,
                tuple(p.decode("utf-8", "replace") for p in attrs["platforms"].list.s)
                if "platforms" in attrs
                else (),
                len(module),
                tuple(f.name for f in attrs["function_list"].list.func) if "function_list" in attrs else (),
                custom_call_targets(module),
                source_paths(module),
            )
        )
    return tuple(found)


def source_paths(module: bytes) -> tuple[str, ...]:
    """The Python source paths among a module's strings (its locations), each once, in order: found from
    each `.py` backwards over printable bytes -- at most MAX_CANDIDATES of them looked at, MAX_PATH_BYTES
    back each, so a module made of nothing but `.py` costs a bounded scan, no MLIR reader needed."""
    found: dict[str, None] = {}
    position = 0
    for _ in range(MAX_CANDIDATES):
        end = module.find(b".py", position, MAX_SCANNED)
        if end < 0:
            break
        position = end + 3
        if position < len(module) and (chr(module[position]).isalnum() or module[position] == 0x5F):
            continue  # `.pyc`, `.pyx`, `.py_`: not a source path's end
        start = end
        while start > 0 and end - start < MAX_PATH_BYTES and 0x21 <= module[start - 1] <= 0x7E:
            start -= 1
        candidate = module[start:position].decode("ascii", "replace")
        if "/" in candidate or "\\" in candidate:
            found[candidate.lstrip("\"'(")] = None
            if len(found) == MAX_PATHS:
                break
    return tuple(found)


def custom_call_targets(module: bytes) -> tuple[str, ...] | None:
    """The custom-call targets of a serialized StableHLO module, read by deserializing it with jaxlib's MLIR
    bindings (which parse it, and run nothing); None when they are not installed or cannot read it."""
    import importlib

    try:  # by name: jaxlib is an extra, and its bindings carry no types
        ir = importlib.import_module("jaxlib.mlir.ir")
        stablehlo = importlib.import_module("jaxlib.mlir.dialects.stablehlo")
    except ImportError:
        return None
    try:
        with ir.Context() as context:
            stablehlo.register_dialect(context)
            text = str(stablehlo.deserialize_portable_artifact(context, module))
    except Exception:  # not a portable artifact this jaxlib reads
        return None
    targets = re.findall(r'custom_call\s*@([\w.$-]+)|call_target_name\s*=\s*"([^"]+)"', text)
    return tuple(dict.fromkeys(a or b for a, b in targets))
