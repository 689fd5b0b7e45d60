"""Structure-aware mutation of SavedModels at the protobuf level, seeded and reproducible.

A case is (seed, source model): the same pair always yields the same mutated model, in any process (map
fields are walked in key order and written deterministically: protobuf's own map order varies per process). Mutations follow the
messages' descriptors, so they reach every field a hostile author could set, and they are the shapes that
broke the tool before: drop a field or element, duplicate an element, re-point a name (a function, a
node input, a trace key) at another one of the model's names, deepen (wrap a function-valued attr in a
chain of calls, nest a serialized graph), inflate (a string or a repeated field made huge), and corrupt
the other files (debug info, checkpoint index, fingerprint, a .pbtxt form of the model).
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf.descriptor import FieldDescriptor

from inspector._internal.protos import load_protos

#: Bounds that keep one case small (the point is hostile shape, not size; size has its own tests).
MAX_INFLATE = 20_000
MAX_DEEPEN = 400


@dataclass(frozen=True)
class Case:
    seed: int
    source: Path
    mutations: tuple[str, ...]  # what was done, for the report of a failing case


def _repeated(descriptor: Any) -> bool:
    """protobuf 7 dropped `label` for `is_repeated`; older releases have only `label`."""
    flag = getattr(descriptor, "is_repeated", None)
    if flag is not None:
        return bool(flag)
    return bool(descriptor.label == FieldDescriptor.LABEL_REPEATED)


def _fields(message: Any) -> list[tuple[Any, Any]]:
    """(descriptor, value) of every field set on a message."""
    return list(message.ListFields())


def _walk(message: Any, rng: random.Random, budget: int = 4000) -> list[tuple[Any, Any, Any]]:
    """Up to `budget` (parent message, field descriptor, value) triples, sampled breadth-first."""
    found: list[tuple[Any, Any, Any]] = []
    queue = [message]
    while queue and len(found) < budget:
        current = queue.pop(rng.randrange(len(queue)))
        for descriptor, value in _fields(current):
            found.append((current, descriptor, value))
            if descriptor.type != FieldDescriptor.TYPE_MESSAGE:
                continue
            if _repeated(descriptor):
                if descriptor.message_type.GetOptions().map_entry:
                    entries = [value[key] for key in sorted(value)] if not _scalar_map(descriptor) else []
                    queue.extend(rng.sample(entries, min(len(entries), 8)))
                else:
                    queue.extend(rng.sample(list(value), min(len(value), 8)))
            else:
                queue.append(value)
    return found


def _scalar_map(descriptor: Any) -> bool:
    value_field = descriptor.message_type.fields_by_name["value"]
    return bool(value_field.type != FieldDescriptor.TYPE_MESSAGE)


def _strings(message: Any, rng: random.Random) -> list[str]:
    """Names the model uses, to re-point other names at."""
    names = []
    for _, descriptor, value in _walk(message, rng, 2000):
        if descriptor.type == FieldDescriptor.TYPE_STRING and not _repeated(descriptor):
            names.append(value)
    return names or ["x"]


def mutate_message(message: Any, rng: random.Random, count: int) -> list[str]:
    """Apply `count` descriptor-driven mutations in place; what was done."""
    done = []
    names = _strings(message, rng)
    for _ in range(count):
        triples = _walk(message, rng)
        if not triples:
            break
        parent, descriptor, value = rng.choice(triples)
        action = rng.choice(("drop", "duplicate", "repoint", "inflate", "extreme", "hostile-text"))
        done.append(f"{action} {descriptor.full_name}")
        repeated = _repeated(descriptor)
        is_map = (
            repeated
            and descriptor.type == FieldDescriptor.TYPE_MESSAGE
            and (descriptor.message_type.GetOptions().map_entry)
        )
        try:
            if action == "drop":
                if repeated and not is_map and len(value):
                    del value[rng.randrange(len(value))]
                elif is_map and len(value):
                    del value[rng.choice(sorted(value))]
                else:
                    parent.ClearField(descriptor.name)
            elif action == "duplicate" and repeated and not is_map and len(value):
                item = value[rng.randrange(len(value))]
                if descriptor.type == FieldDescriptor.TYPE_MESSAGE:
                    value.add().CopyFrom(item)
                else:
                    value.append(item)
            elif action == "repoint" and descriptor.type == FieldDescriptor.TYPE_STRING and not repeated:
                setattr(parent, descriptor.name, rng.choice(names))
            elif action == "inflate":
                _inflate(parent, descriptor, value, rng)
            elif action == "extreme" and descriptor.cpp_type in _INTEGERS and not repeated:
                setattr(parent, descriptor.name, rng.choice(_INTEGERS[descriptor.cpp_type]))
            elif action == "hostile-text" and descriptor.type == FieldDescriptor.TYPE_STRING and not repeated:
                setattr(parent, descriptor.name, rng.choice(HOSTILE_TEXT))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            done[-1] += " (refused by protobuf)"
    return done


_INTEGERS = {
    FieldDescriptor.CPPTYPE_INT32: (-1, 0, 2**31 - 1, -(2**31)),
    FieldDescriptor.CPPTYPE_INT64: (-1, 0, 2**63 - 1, -(2**63), 2**40),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}

HOSTILE_TEXT = (
    "a|b`c|<img src=x onerror=alert(1)>",
    "[bold red]markup[/]",
    "\x1b]8;;http://evil\x07link\x1b]8;;\x07\x1b[2J",
    "line\nbreak\r\tand\u202eRTL",
    "../../../../etc/passwd",
    "",
    "@@",
    ">>>",
    "\\`|\\|",
)


def _inflate(parent: Any, descriptor: Any, value: Any, rng: random.Random) -> None:
    repeated = _repeated(descriptor)
    if descriptor.type == FieldDescriptor.TYPE_STRING and not repeated:
        setattr(parent, descriptor.name, (value or "x") * max(1, MAX_INFLATE // max(1, len(value or "x"))))
    elif descriptor.type == FieldDescriptor.TYPE_BYTES and not repeated:
        setattr(parent, descriptor.name, bytes(rng.randrange(256) for _ in range(64)) * 64)
    elif repeated and descriptor.type != FieldDescriptor.TYPE_MESSAGE and len(value):
        value.extend([value[0]] * min(MAX_INFLATE, 2000))
    elif repeated and descriptor.type == FieldDescriptor.TYPE_MESSAGE and len(value):
        is_map = descriptor.message_type.GetOptions().map_entry
        if not is_map:
            item = value[0]
            for _ in range(200):
                value.add().CopyFrom(item)


def deepen_calls(saved_model: Any, rng: random.Random) -> str:
    """A chain of functions, each calling the next, hung under a random function: depth is the attack."""
    graph = saved_model.meta_graphs[0].graph_def
    if not graph.library.function:
        return "deepen: no functions"
    host = rng.choice(list(graph.library.function))
    depth = rng.randrange(50, MAX_DEEPEN)
    names = [f"__inference_fuzz_chain_{i}" for i in range(depth)]
    for index, name in enumerate(names):
        function = graph.library.function.add()
        function.signature.name = name
        callee = names[index + 1] if index + 1 < depth else names[0]  # and a cycle at the end
        node = function.node_def.add(name="call", op=rng.choice(("PartitionedCall", "While", "If")))
        node.attr[rng.choice(("f", "body", "then_branch"))].func.name = callee
    host.node_def.add(name="fuzz_chain", op="PartitionedCall").attr["f"].func.name = names[0]
    return f"deepen calls {depth} under {host.signature.name}"


def nest_graph(saved_model: Any, rng: random.Random) -> str:
    """Graphs serialized inside string constants read by DatasetFromGraph, several levels deep."""
    graph_cls = load_protos().graph.GraphDef
    blob = graph_cls()
    blob.node.add(name="payload", op=rng.choice(("WriteFile", "ReadFile", "EagerPyFunc", "Acme>Scale")))
    levels = rng.randrange(1, 8)
    carriers = rng.randrange(1, 6)
    for _ in range(levels):
        outer = graph_cls()
        const = outer.node.add(name="blob", op="Const")
        const.attr["value"].tensor.dtype = 7
        const.attr["value"].tensor.string_val.append(blob.SerializeToString())
        for index in range(carriers):
            outer.node.add(name=f"carrier_{index}", op="DatasetFromGraph", input=["blob"])
        blob = outer
    graph = saved_model.meta_graphs[0].graph_def
    functions = list(graph.library.function)
    target = rng.choice(functions).node_def if functions else graph.node
    for node in blob.node:
        target.add().CopyFrom(node)
    return f"nest graphs {levels} levels x {carriers} carriers"


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return bytes(rng.randrange(256) for _ in range(16))
    buffer = bytearray(data)
    for _ in range(rng.randrange(1, 9)):
        buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    if rng.random() < 0.3:
        del buffer[rng.randrange(len(buffer)) :]  # truncate
    return bytes(buffer)


def build_case(seed: int, source: Path, target: Path) -> Case:
    """Write the mutated copy of `source` for `seed` to `target` (a new folder)."""
    rng = random.Random(seed)
    shutil.copytree(source, target, symlinks=False)
    protos = load_protos()
    model_file = target / "saved_model.pb"
    saved_model = protos.saved_model.SavedModel()
    saved_model.ParseFromString(model_file.read_bytes())
    done: list[str] = []
    kind = rng.choice(("model", "model", "model", "deepen", "nest", "debug", "index", "fingerprint", "pbtxt"))
    if kind in ("model", "pbtxt"):
        done += mutate_message(saved_model, rng, rng.randrange(1, 6))
    elif kind == "deepen":
        done.append(deepen_calls(saved_model, rng))
    elif kind == "nest":
        done.append(nest_graph(saved_model, rng))
    if kind == "pbtxt":
        from google.protobuf import text_format

        model_file.unlink()
        (target / "saved_model.pbtxt").write_text(text_format.MessageToString(saved_model))
        done.append("as pbtxt")
    else:
        model_file.write_bytes(saved_model.SerializeToString(deterministic=True))
    debug_file = target / "debug" / "saved_model_debug_info.pb"
    if kind == "debug" and debug_file.is_file():
        debug = protos.graph_debug_info.GraphDebugInfo()
        debug.ParseFromString(debug_file.read_bytes())
        if rng.random() < 0.5:
            done += ["debug: " + m for m in mutate_message(debug, rng, rng.randrange(1, 6))]
            debug_file.write_bytes(debug.SerializeToString(deterministic=True))
        else:
            debug_file.write_bytes(_flip_bytes(debug_file.read_bytes(), rng))
            done.append("debug: flipped bytes")
    index_file = target / "variables" / "variables.index"
    if kind == "index" and index_file.is_file():
        index_file.write_bytes(_flip_bytes(index_file.read_bytes(), rng))
        done.append("index: flipped bytes")
    fingerprint_file = target / "fingerprint.pb"
    if kind == "fingerprint" and fingerprint_file.is_file():
        fingerprint_file.write_bytes(_flip_bytes(fingerprint_file.read_bytes(), rng))
        done.append("fingerprint: flipped bytes")
    return Case(seed, source, tuple(done))
