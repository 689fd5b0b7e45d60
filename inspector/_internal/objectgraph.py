"""The saved object graph (SavedObjectGraph): object paths, variables, and concrete functions' inputs.

Object paths are the attribute paths from the root object (`model.dense.kernel`), found by a
breadth-first walk so each object gets its shortest path; an object reachable under several names
keeps every path of that shortest length.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from inspector._internal.protos import which_oneof
from inspector._internal.view import TensorSpec, Variable

if TYPE_CHECKING:
    from inspector._internal.protos import TypeNames
    from inspector.format import savedmodel_format_pb2 as fmt

ROOT_PATH = "<root>"
#: Paths kept per object: every shortest one, up to this many.
MAX_PATHS = 8


def dtype_name(types_module: TypeNames, value: int) -> str:
    """`DT_FLOAT` -> `float32`-style names as TensorFlow prints them (`tf.float32`)."""
    try:
        name = types_module.DataType.Name(value)
    except ValueError:
        return f"dtype#{value}"
    name = name.removeprefix("DT_").lower()
    return _DTYPE_RENAMES.get(name, name)


_DTYPE_RENAMES = {"float": "float32", "double": "float64", "half": "float16", "invalid": "unknown"}


def shape_dims(shape: fmt.TensorShapeProto) -> tuple[int | None, ...] | None:
    """A TensorShapeProto as a tuple of dims (None for unknown); None for an unknown rank."""
    if shape.unknown_rank:
        return None
    return tuple(None if dim.size < 0 else dim.size for dim in shape.dim)


def object_paths(object_graph: fmt.SavedObjectGraph) -> list[list[str]]:
    """For each object-graph node id, its shortest attribute paths from the root."""
    nodes = object_graph.nodes
    paths: list[list[str]] = [[] for _ in nodes]
    if not nodes:
        return paths
    depth = [-1] * len(nodes)
    depth[0] = 0
    paths[0] = [ROOT_PATH]
    queue = deque([0])
    while queue:
        node_id = queue.popleft()
        for child in nodes[node_id].children:
            target = child.node_id
            if not 0 <= target < len(nodes):
                continue
            if depth[target] == -1:
                depth[target] = depth[node_id] + 1
                queue.append(target)
            if depth[target] == depth[node_id] + 1:
                for parent_path in paths[node_id]:
                    if len(paths[target]) >= MAX_PATHS:
                        break  # diamonds in the object graph would double the paths at every level
                    prefix = "" if parent_path == ROOT_PATH else parent_path + "."
                    paths[target].append(prefix + child.local_name)
    return paths


def function_object_paths(
    object_graph: fmt.SavedObjectGraph, paths: list[list[str]]
) -> dict[str, tuple[str, ...]]:
    """Concrete function name -> paths of the objects that hold it (tf.function or bare function)."""
    found: dict[str, list[str]] = {}
    for node_id, node in enumerate(object_graph.nodes):
        kind = which_oneof(node, "kind")
        if kind == "function":
            names = list(node.function.concrete_functions)
        elif kind == "bare_concrete_function":
            names = [node.bare_concrete_function.concrete_function_name]
        else:
            continue
        for name in names:
            bucket = found.setdefault(name, [])
            bucket.extend(p for p in paths[node_id] if p not in bucket)
    return {name: tuple(sorted(ps)) for name, ps in found.items()}


def _object_path(variable: Variable) -> str:
    return variable.object_path


def variables(
    object_graph: fmt.SavedObjectGraph, paths: list[list[str]], types_module: TypeNames
) -> tuple[Variable, ...]:
    result = []
    for node_id, node in enumerate(object_graph.nodes):
        if which_oneof(node, "kind") != "variable":
            continue
        saved = node.variable
        result.append(
            Variable(
                object_path=paths[node_id][0] if paths[node_id] else f"<object {node_id}>",
                name=saved.name,
                dtype=dtype_name(types_module, saved.dtype),
                shape=shape_dims(saved.shape),
                device=saved.device,
                trainable=saved.trainable,
            )
        )
    return tuple(sorted(result, key=_object_path))


#: The op types of TF1 graph variables: resource variables, and the older reference variables.
GRAPH_VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable"})


def graph_variables(meta_graph: fmt.MetaGraphDef, types_module: TypeNames) -> tuple[Variable, ...]:
    """A TF1 model's variables (`tf.compat.v1.saved_model.Builder` writes no object graph): the
    variable nodes of the top-level graph, with the dtype and shape their attrs declare, trainable when
    the `trainable_variables` collection names them."""
    trainable = _trainable_names(meta_graph)
    top_level_nodes = meta_graph.graph_def.node
    result = []
    for node in top_level_nodes:
        if node.op not in GRAPH_VARIABLE_OPS:
            continue
        attrs = node.attr
        shared = attrs["shared_name"].s.decode("utf-8", "replace") if "shared_name" in attrs else ""
        result.append(
            Variable(
                object_path=node.name,
                name=shared or node.name,
                dtype=dtype_name(types_module, attrs["dtype"].type) if "dtype" in attrs else "unknown",
                shape=shape_dims(attrs["shape"].shape) if "shape" in attrs else None,
                device=node.device,
                trainable=node.name in trainable,
                origin="graph",
            )
        )
    return tuple(sorted(result, key=_object_path))


def _trainable_names(meta_graph: fmt.MetaGraphDef) -> frozenset[str]:
    """Node names in the `trainable_variables` collection: serialized VariableDefs whose first field
    (1, `variable_name`, written first) is the variable's tensor name, `weights:0`."""
    if "trainable_variables" not in meta_graph.collection_def:
        return frozenset()
    names = set()
    for blob in meta_graph.collection_def["trainable_variables"].bytes_list.value:
        if len(blob) < 2 or blob[0] != 0x0A:  # field 1, length-delimited
            continue
        length, position, shift = 0, 1, 0
        while position < len(blob) and shift < 35:
            byte = blob[position]
            length |= (byte & 0x7F) << shift
            position += 1
            shift += 7
            if not byte & 0x80:
                break
        tensor = blob[position : position + length].decode("utf-8", "replace")
        names.add(tensor.rsplit(":", 1)[0])
    return frozenset(names)


def input_signatures(object_graph: fmt.SavedObjectGraph, types_module: TypeNames) -> dict[str, str]:
    """Concrete function name -> its canonicalized input signature, rendered like Python call args."""
    result = {}
    for name, function in object_graph.concrete_functions.items():
        if function.HasField("canonicalized_input_signature"):
            result[name] = format_input_signature(function.canonicalized_input_signature, types_module)
    return result


def output_signatures(object_graph: fmt.SavedObjectGraph, types_module: TypeNames) -> dict[str, str]:
    """Concrete function name -> the structure of what it returns (`{'ids': int64[None]}`), where recorded.
    The specs' own names are left out: TensorFlow names outputs after their keys, or `unknown`."""
    return {
        name: format_structure(function.output_signature, types_module, names=False)
        for name, function in object_graph.concrete_functions.items()
        if function.HasField("output_signature")
    }


def format_input_signature(value: fmt.StructuredValue, types_module: TypeNames) -> str:
    """`(args, kwargs)` StructuredValue -> `(x: float32[None], training=False)`."""
    if which_oneof(value, "kind") == "tuple_value" and len(value.tuple_value.values) == 2:
        args, kwargs = value.tuple_value.values
        parts = [format_structure(arg, types_module) for arg in _items(args)]
        if which_oneof(kwargs, "kind") == "dict_value":
            parts += [
                f"{key}={format_structure(item, types_module)}"
                for key, item in sorted(kwargs.dict_value.fields.items())
            ]
        return "(" + ", ".join(parts) + ")"
    return format_structure(value, types_module)


def _items(value: fmt.StructuredValue) -> list[fmt.StructuredValue]:
    kind = which_oneof(value, "kind")
    if kind == "tuple_value":
        return list(value.tuple_value.values)
    if kind == "list_value":
        return list(value.list_value.values)
    return [value]


def format_structure(value: fmt.StructuredValue, types_module: TypeNames, *, names: bool = True) -> str:
    """A StructuredValue (nested specs and Python values) as compact, readable text; `names` keeps each
    tensor spec's name (`x: float32[None]`)."""
    kind = which_oneof(value, "kind")
    if kind == "tensor_spec_value":
        return _spec_text(value.tensor_spec_value, types_module, names)
    if kind == "bounded_tensor_spec_value":
        return _spec_text(value.bounded_tensor_spec_value, types_module, names)
    if kind in ("tuple_value", "list_value"):
        inner = ", ".join(format_structure(v, types_module, names=names) for v in _items(value))
        return f"({inner})" if kind == "tuple_value" else f"[{inner}]"
    if kind == "dict_value":
        inner = ", ".join(
            f"{key!r}: {format_structure(v, types_module, names=names)}"
            for key, v in sorted(value.dict_value.fields.items())
        )
        return "{" + inner + "}"
    if kind == "named_tuple_value":
        named = value.named_tuple_value
        inner = ", ".join(
            f"{pair.key}={format_structure(pair.value, types_module, names=names)}" for pair in named.values
        )
        return f"{named.name}({inner})"
    if kind == "none_value":
        return "None"
    if kind == "float64_value":
        return repr(value.float64_value)
    if kind == "int64_value":
        return repr(value.int64_value)
    if kind == "bool_value":
        return repr(value.bool_value)
    if kind == "string_value":
        return repr(value.string_value)
    if kind == "type_spec_value":
        return f"<{value.type_spec_value.type_spec_class_name or 'TypeSpec'}>"
    if kind == "tensor_dtype_value":
        return dtype_name(types_module, value.tensor_dtype_value)
    if kind == "tensor_shape_value":
        dims = shape_dims(value.tensor_shape_value)
        return "<unknown shape>" if dims is None else str(list(dims))
    return f"<{kind or 'empty'}>"


def _spec_text(
    spec: fmt.TensorSpecProto | fmt.BoundedTensorSpecProto, types_module: TypeNames, names: bool = True
) -> str:
    dims = shape_dims(spec.shape)
    shape = "[?]" if dims is None else "[" + ", ".join("None" if d is None else str(d) for d in dims) + "]"
    text = f"{dtype_name(types_module, spec.dtype)}{shape}"
    return f"{spec.name}: {text}" if spec.name and names else text


def tensor_spec(key: str, tensor_info: fmt.TensorInfo, types_module: TypeNames) -> TensorSpec:
    """A SignatureDef input/output (TensorInfo) as a TensorSpec."""
    if which_oneof(tensor_info, "encoding") == "name" or tensor_info.name:
        tensor_name = tensor_info.name
    elif tensor_info.HasField("composite_tensor"):
        tensor_name = "<composite>"
    else:
        tensor_name = "<coo sparse>"
    shape = shape_dims(tensor_info.tensor_shape) if tensor_info.HasField("tensor_shape") else None
    return TensorSpec(key, dtype_name(types_module, tensor_info.dtype), shape, tensor_name)


def concrete_names(node: fmt.SavedObject) -> list[str]:
    """The concrete function names an object-graph node holds (a tf.function, or a bare one)."""
    kind = which_oneof(node, "kind")
    if kind == "function":
        return list(node.function.concrete_functions)
    if kind == "bare_concrete_function":
        return [node.bare_concrete_function.concrete_function_name]
    return []


def restored_functions(
    object_graph: fmt.SavedObjectGraph, paths: list[list[str]]
) -> dict[str, tuple[str, ...]]:
    """The concrete functions TF2's loader calls itself, with what holds them.

    A restored resource's functions: the loader creates and initializes every resource at load
    (`_create_resource`, `_initialize`) and destroys it when the loaded object goes (`_destroy_resource`);
    every function a resource holds is counted, whatever its local name, since a name is the author's. And
    each `saveable_objects` entry's functions: the checkpoint restore calls its restore function, and a
    legacy saveable's save function is called at load to name its tensors.
    """
    nodes = object_graph.nodes
    found: dict[str, list[str]] = {}

    def where(node_id: int) -> str:
        return paths[node_id][0] if 0 <= node_id < len(paths) and paths[node_id] else f"<object {node_id}>"

    def add(node_id: int, role: str) -> None:
        if not 0 <= node_id < len(nodes):
            return
        for name in concrete_names(nodes[node_id]):
            bucket = found.setdefault(name, [])
            if role not in bucket:
                bucket.append(role)

    for node_id, node in enumerate(nodes):
        if which_oneof(node, "kind") == "resource":
            for child in node.children:
                add(child.node_id, f"resource {where(node_id)} ({child.local_name})")
        if not node.saveable_objects:  # most objects: nothing to sort
            continue
        for key, saveable in sorted(node.saveable_objects.items()):
            add(saveable.save_function, f"checkpoint save of {where(node_id)} ({key})")
            add(saveable.restore_function, f"checkpoint restore of {where(node_id)} ({key})")
    return {name: tuple(roles) for name, roles in found.items()}


def bound_assets(
    object_graph: fmt.SavedObjectGraph, argument_counts: dict[str, int]
) -> dict[str, dict[int, int]]:
    """Concrete function -> {argument index: asset_file_def index} for the captured arguments that TF2's
    loader binds to restored assets: a function's last len(bound_inputs) arguments are its captures."""
    nodes = object_graph.nodes
    result: dict[str, dict[int, int]] = {}
    for name, function in object_graph.concrete_functions.items():
        bound = list(function.bound_inputs)
        count = argument_counts.get(name)
        if not bound or count is None or count < len(bound):
            continue
        first = count - len(bound)
        for offset, node_id in enumerate(bound):
            if 0 <= node_id < len(nodes) and which_oneof(nodes[node_id], "kind") == "asset":
                result.setdefault(name, {})[first + offset] = nodes[node_id].asset.asset_file_def_index
    return result
