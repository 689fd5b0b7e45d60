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

from inspector.results.report import XlaModule
from inspector.view import SavedModelView

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
_PATH = re.compile(rb"(?:[A-Za-z]:)?[\w.~-]*[/\\][\x21-\x7e]{1,400}?\.py\b")


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
    """The Python source paths among a module's strings (its locations), each once, in order: a bounded
    scan of the bytes, with no MLIR reader needed."""
    found: dict[str, None] = {}
    for match in _PATH.finditer(module[:MAX_SCANNED]):
        found[match.group().decode("ascii", "replace")] = None
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
