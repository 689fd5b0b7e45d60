"""SavedModels of chosen shapes and sizes, written directly as protobuf (with inspector's own messages),
for the benchmarks of large models: cost depends on how nodes spread over functions and calls, and a
model of 1M nodes takes TensorFlow far too long to trace.

Each model has a `serve` signature whose function calls `blocks` functions (each the next one in a
chain, with `chain=True`), every block a run of Mul / AddV2 nodes on Const inputs, and debug info that
traces every node to one of 200 lines of a `model.py` (as a loop in real code would). The format is the
one TensorFlow writes; `saved_model_cli show --all` reads them.
"""

from __future__ import annotations

from pathlib import Path

from inspector.format.savedmodel_format_pb2 import DT_FLOAT as FLOAT
from inspector.format.savedmodel_format_pb2 import GraphDebugInfo, SavedModel

SITES = 200  # distinct creation lines


def write(out: Path, blocks: int, nodes_per_block: int, chain: bool = False) -> Path:
    """A model of about blocks * nodes_per_block nodes, written to `out` (kept when it exists)."""
    if (out / "saved_model.pb").exists():
        return out
    saved_model = SavedModel()
    saved_model.saved_model_schema_version = 1
    meta = saved_model.meta_graphs.add()
    info = meta.meta_info_def
    info.tags.append("serve")
    info.tensorflow_version = "2.21.0"
    info.meta_graph_version = "v2.21.0"
    for op, attrs in {
        "Const": {"value": "tensor", "dtype": "type"},
        "Mul": {"T": "type"},
        "AddV2": {"T": "type"},
        "Identity": {"T": "type"},
        "Placeholder": {"dtype": "type", "shape": "shape"},
        "PartitionedCall": {"Tin": "list(type)", "Tout": "list(type)", "f": "func"},
        "StatefulPartitionedCall": {"Tin": "list(type)", "Tout": "list(type)", "f": "func"},
    }.items():
        op_def = info.stripped_op_list.op.add(name=op)
        for name, kind in attrs.items():
            op_def.attr.add(name=name, type=kind)
    graph = meta.graph_def
    graph.versions.producer = 2474
    graph.versions.min_consumer = 12

    debug = GraphDebugInfo()
    debug.files.append("src/model.py")
    for site in range(SITES):
        frame = debug.frames_by_id[site + 1]
        frame.file_index, frame.line, frame.func, frame.code = 0, 10 + site, "block", "x = x * c + d"
        trace = debug.traces_by_id[site + 1]
        trace.frame_id.append(site + 1)

    names = [f"__inference_block_{index}_{100 + index}" for index in range(blocks)]
    serve = "__inference_serve_7"
    for index, name in enumerate(names):
        function = graph.library.function.add()
        function.signature.name = name
        function.signature.input_arg.add(name="x", type=FLOAT)
        function.signature.output_arg.add(name="y", type=FLOAT)
        previous = "x"
        for step in range(nodes_per_block // 2):
            const = function.node_def.add(name=f"c_{step}", op="Const")
            const.attr["dtype"].type = FLOAT
            const.attr["value"].tensor.dtype = FLOAT
            const.attr["value"].tensor.float_val.append(1.0 + step * 1e-6)
            mul = function.node_def.add(name=f"mul_{step}", op="Mul", input=[previous, f"c_{step}:output:0"])
            mul.attr["T"].type = FLOAT
            previous = f"mul_{step}:z:0"
            for node in (const, mul):
                debug.name_to_trace_id[f"{node.name}@{name}"] = 1 + (step % SITES)
        if chain and index + 1 < len(names):
            call = function.node_def.add(name="call", op="PartitionedCall", input=[previous])
            call.attr["f"].func.name = names[index + 1]
            call.attr["Tin"].list.type.append(FLOAT)
            call.attr["Tout"].list.type.append(FLOAT)
            previous = "call:output:0"
        function.ret["y"] = previous

    entry = graph.library.function.add()
    entry.signature.name = serve
    entry.signature.input_arg.add(name="x", type=FLOAT)
    entry.signature.output_arg.add(name="y", type=FLOAT)
    previous = "x"
    for index, name in enumerate(names[:1] if chain else names):
        call = entry.node_def.add(name=f"block_{index}", op="PartitionedCall", input=[previous])
        call.attr["f"].func.name = name
        call.attr["Tin"].list.type.append(FLOAT)
        call.attr["Tout"].list.type.append(FLOAT)
        previous = f"block_{index}:output:0"
    entry.ret["y"] = previous

    placeholder = graph.node.add(name="serving_default_x", op="Placeholder")
    placeholder.attr["dtype"].type = FLOAT
    placeholder.attr["shape"].shape.dim.add(size=-1)
    call = graph.node.add(
        name="StatefulPartitionedCall", op="StatefulPartitionedCall", input=["serving_default_x"]
    )
    call.attr["f"].func.name = serve
    call.attr["Tin"].list.type.append(FLOAT)
    call.attr["Tout"].list.type.append(FLOAT)
    signature = meta.signature_def["serving_default"]
    signature.method_name = "tensorflow/serving/predict"
    signature.inputs["x"].name = "serving_default_x:0"
    signature.inputs["x"].dtype = FLOAT
    signature.inputs["x"].tensor_shape.dim.add(size=-1)
    signature.outputs["y"].name = "StatefulPartitionedCall:0"
    signature.outputs["y"].dtype = FLOAT
    signature.outputs["y"].tensor_shape.dim.add(size=-1)
    info.function_aliases[serve] = "serve"

    (out / "debug").mkdir(parents=True, exist_ok=True)
    (out / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    (out / "debug" / "saved_model_debug_info.pb").write_bytes(debug.SerializeToString())
    return out


#: name -> (blocks, nodes per block, chain): the shapes the benchmarks time.
SHAPES = {
    "few_big_functions_200k": (4, 50_000, False),
    "many_small_functions_200k": (4_000, 50, False),
    "deep_chain_200k": (400, 500, True),
    "nodes_200k_in_40_functions": (40, 5_000, False),
    "nodes_10k": (10, 1_000, False),
    "nodes_100k": (20, 5_000, False),
    "nodes_1m": (100, 10_000, False),
}
