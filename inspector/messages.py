"""The SavedModel file format's messages, defined here: reading a model needs protobuf, not TensorFlow.

A SavedModel is protobuf: `saved_model.pb` a `SavedModel`, the debug info a `GraphDebugInfo`, the
fingerprint a `FingerprintDef`, the variables index a table of `BundleEntryProto`s. Their field names,
numbers and types are the file format (stable across TensorFlow releases: fields are only ever added);
this module declares the messages and the fields the reader uses -- written from the format, not copied
from TensorFlow's .proto files -- and builds their classes in a descriptor pool of its own, so they never
clash with TensorFlow's when both are loaded. A field not declared here is kept as an unknown field
(written back unchanged by `scrub`), and skipped when a text-format `.pbtxt` is parsed.

`tests/test_messages.py` checks every declared field against the installed TensorFlow's definitions
(name, number, type, label, message type), and that both read every fixture and corpus model into
identical views. The declarations compile to `inspector/data/messages.desc` (a serialized
FileDescriptorProto, regenerated with `python -m inspector.messages` and checked by a test), which is
what a process loads, through `inspector.message_classes`: building it from the declarations would
import protobuf's descriptor_pb2 and create every declaration, a noticeable share of a command's start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The classes a process reads with (built from the compiled declarations), here for the tests and tools.
from inspector.message_classes import COMPILED, PACKAGE, message_class, modules, pool

__all__ = ["COMPILED", "PACKAGE", "compile_declarations", "message_class", "modules", "pool"]

# Scalar kinds: FieldDescriptorProto's type numbers (descriptor.proto), spelled out so that loading the
# compiled file needs no descriptor_pb2.
DOUBLE, FLOAT, INT64, UINT64, INT32, FIXED64, FIXED32, BOOL, STRING = 1, 2, 3, 4, 5, 6, 7, 8, 9
BYTES, UINT32, SINT64 = 12, 13, 18
_MESSAGE, _ENUM = 11, 14
_OPTIONAL, _REPEATED = 1, 3


@dataclass(frozen=True)
class Field:
    name: str
    number: int
    kind: int | str  # a scalar type above, or a message / enum name ("TensorShapeProto", "enum DataType")
    repeated: bool = False
    oneof: str = ""


@dataclass(frozen=True)
class MapField:
    name: str
    number: int
    key: int
    value: int | str


@dataclass(frozen=True)
class Message:
    name: str  # dotted for nested messages: "NodeDef.ExperimentalDebugInfo"
    fields: tuple[Field | MapField, ...]
    oneofs: tuple[str, ...] = field(default=())


def one(name: str, number: int, kind: int | str, oneof: str = "") -> Field:
    return Field(name, number, kind, oneof=oneof)


def many(name: str, number: int, kind: int | str) -> Field:
    return Field(name, number, kind, repeated=True)


#: DataType: the tensor element types, and their reference variants (value + 100).
DATA_TYPES = {
    "DT_INVALID": 0,
    "DT_FLOAT": 1,
    "DT_DOUBLE": 2,
    "DT_INT32": 3,
    "DT_UINT8": 4,
    "DT_INT16": 5,
    "DT_INT8": 6,
    "DT_STRING": 7,
    "DT_COMPLEX64": 8,
    "DT_INT64": 9,
    "DT_BOOL": 10,
    "DT_QINT8": 11,
    "DT_QUINT8": 12,
    "DT_QINT32": 13,
    "DT_BFLOAT16": 14,
    "DT_QINT16": 15,
    "DT_QUINT16": 16,
    "DT_UINT16": 17,
    "DT_COMPLEX128": 18,
    "DT_HALF": 19,
    "DT_RESOURCE": 20,
    "DT_VARIANT": 21,
    "DT_UINT32": 22,
    "DT_UINT64": 23,
    "DT_FLOAT8_E5M2": 24,
    "DT_FLOAT8_E4M3FN": 25,
    "DT_FLOAT8_E4M3FNUZ": 26,
    "DT_FLOAT8_E4M3B11FNUZ": 27,
    "DT_FLOAT8_E5M2FNUZ": 28,
    "DT_INT4": 29,
    "DT_UINT4": 30,
    "DT_INT2": 31,
    "DT_UINT2": 32,
    "DT_FLOAT4_E2M1FN": 33,
}
_REF_TYPES = {f"{name}_REF": value + 100 for name, value in DATA_TYPES.items() if value}

ENUMS = {"DataType": {**DATA_TYPES, **_REF_TYPES}}

DT = "enum DataType"

MESSAGES = (
    # --- saved_model.pb ------------------------------------------------------------------------------
    Message(
        "SavedModel", (one("saved_model_schema_version", 1, INT64), many("meta_graphs", 2, "MetaGraphDef"))
    ),
    Message(
        "MetaGraphDef",
        (
            one("meta_info_def", 1, "MetaGraphDef.MetaInfoDef"),
            one("graph_def", 2, "GraphDef"),
            one("saver_def", 3, "SaverDef"),
            MapField("collection_def", 4, STRING, "CollectionDef"),
            MapField("signature_def", 5, STRING, "SignatureDef"),
            many("asset_file_def", 6, "AssetFileDef"),
            one("object_graph_def", 7, "SavedObjectGraph"),
        ),
    ),
    Message(
        "MetaGraphDef.MetaInfoDef",
        (
            one("meta_graph_version", 1, STRING),
            one("stripped_op_list", 2, "OpList"),
            many("tags", 4, STRING),
            one("tensorflow_version", 5, STRING),
            one("tensorflow_git_version", 6, STRING),
            one("stripped_default_attrs", 7, BOOL),
            MapField("function_aliases", 8, STRING, STRING),
        ),
    ),
    Message(
        "CollectionDef",
        (
            one("node_list", 1, "CollectionDef.NodeList", oneof="kind"),
            one("bytes_list", 2, "CollectionDef.BytesList", oneof="kind"),
            one("int64_list", 3, "CollectionDef.Int64List", oneof="kind"),
            one("float_list", 4, "CollectionDef.FloatList", oneof="kind"),
        ),
        oneofs=("kind",),
    ),
    Message("CollectionDef.NodeList", (many("value", 1, STRING),)),
    Message("CollectionDef.BytesList", (many("value", 1, BYTES),)),
    Message("CollectionDef.Int64List", (many("value", 1, INT64),)),
    Message("CollectionDef.FloatList", (many("value", 1, FLOAT),)),
    Message(
        "TensorInfo",
        (
            one("name", 1, STRING, oneof="encoding"),
            one("coo_sparse", 4, "TensorInfo.CooSparse", oneof="encoding"),
            one("composite_tensor", 5, "TensorInfo.CompositeTensor", oneof="encoding"),
            one("dtype", 2, DT),
            one("tensor_shape", 3, "TensorShapeProto"),
        ),
        oneofs=("encoding",),
    ),
    Message(
        "TensorInfo.CooSparse",
        (
            one("values_tensor_name", 1, STRING),
            one("indices_tensor_name", 2, STRING),
            one("dense_shape_tensor_name", 3, STRING),
        ),
    ),
    Message(
        "TensorInfo.CompositeTensor",
        (one("type_spec", 1, "TypeSpecProto"), many("components", 2, "TensorInfo")),
    ),
    Message(
        "SignatureDef",
        (
            MapField("inputs", 1, STRING, "TensorInfo"),
            MapField("outputs", 2, STRING, "TensorInfo"),
            one("method_name", 3, STRING),
        ),
    ),
    Message("AssetFileDef", (one("tensor_info", 1, "TensorInfo"), one("filename", 2, STRING))),
    Message(
        "SaverDef",
        (
            one("filename_tensor_name", 1, STRING),
            one("save_tensor_name", 2, STRING),
            one("restore_op_name", 3, STRING),
            one("max_to_keep", 4, INT32),
            one("sharded", 5, BOOL),
        ),
    ),
    # --- graphs and functions -------------------------------------------------------------------------
    Message(
        "GraphDef",
        (
            many("node", 1, "NodeDef"),
            one("library", 2, "FunctionDefLibrary"),
            one("versions", 4, "VersionDef"),
        ),
    ),
    Message(
        "VersionDef",
        (one("producer", 1, INT32), one("min_consumer", 2, INT32), many("bad_consumers", 3, INT32)),
    ),
    Message(
        "NodeDef",
        (
            one("name", 1, STRING),
            one("op", 2, STRING),
            many("input", 3, STRING),
            one("device", 4, STRING),
            MapField("attr", 5, STRING, "AttrValue"),
            one("experimental_debug_info", 6, "NodeDef.ExperimentalDebugInfo"),
        ),
    ),
    Message(
        "NodeDef.ExperimentalDebugInfo",
        (many("original_node_names", 1, STRING), many("original_func_names", 2, STRING)),
    ),
    Message(
        "FunctionDefLibrary",
        (many("function", 1, "FunctionDef"), many("gradient", 2, "GradientDef")),
    ),
    Message(
        "FunctionDef",
        (
            one("signature", 1, "OpDef"),
            MapField("attr", 5, STRING, "AttrValue"),
            many("node_def", 3, "NodeDef"),
            MapField("ret", 4, STRING, STRING),
            MapField("control_ret", 6, STRING, STRING),
        ),
    ),
    Message("GradientDef", (one("function_name", 1, STRING), one("gradient_func", 2, STRING))),
    Message(
        "OpDef",
        (
            one("name", 1, STRING),
            many("input_arg", 2, "OpDef.ArgDef"),
            many("output_arg", 3, "OpDef.ArgDef"),
            many("attr", 4, "OpDef.AttrDef"),
            one("summary", 5, STRING),
            one("description", 6, STRING),
            one("is_stateful", 17, BOOL),
        ),
    ),
    Message(
        "OpDef.ArgDef",
        (
            one("name", 1, STRING),
            one("description", 2, STRING),
            one("type", 3, DT),
            one("type_attr", 4, STRING),
            one("number_attr", 5, STRING),
            one("type_list_attr", 6, STRING),
            one("is_ref", 16, BOOL),
        ),
    ),
    Message(
        "OpDef.AttrDef",
        (
            one("name", 1, STRING),
            one("type", 2, STRING),
            one("default_value", 3, "AttrValue"),
            one("description", 4, STRING),
            one("has_minimum", 5, BOOL),
            one("minimum", 6, INT64),
            one("allowed_values", 7, "AttrValue"),
        ),
    ),
    Message("OpList", (many("op", 1, "OpDef"),)),
    Message(
        "AttrValue",
        (
            one("s", 2, BYTES, oneof="value"),
            one("i", 3, INT64, oneof="value"),
            one("f", 4, FLOAT, oneof="value"),
            one("b", 5, BOOL, oneof="value"),
            one("type", 6, DT, oneof="value"),
            one("shape", 7, "TensorShapeProto", oneof="value"),
            one("tensor", 8, "TensorProto", oneof="value"),
            one("list", 1, "AttrValue.ListValue", oneof="value"),
            one("func", 10, "NameAttrList", oneof="value"),
            one("placeholder", 9, STRING, oneof="value"),
        ),
        oneofs=("value",),
    ),
    Message(
        "AttrValue.ListValue",
        (
            many("s", 2, BYTES),
            many("i", 3, INT64),
            many("f", 4, FLOAT),
            many("b", 5, BOOL),
            many("type", 6, DT),
            many("shape", 7, "TensorShapeProto"),
            many("tensor", 8, "TensorProto"),
            many("func", 9, "NameAttrList"),
        ),
    ),
    Message("NameAttrList", (one("name", 1, STRING), MapField("attr", 2, STRING, "AttrValue"))),
    Message(
        "TensorShapeProto",
        (many("dim", 2, "TensorShapeProto.Dim"), one("unknown_rank", 3, BOOL)),
    ),
    Message("TensorShapeProto.Dim", (one("size", 1, INT64), one("name", 2, STRING))),
    Message(
        "TensorProto",
        (
            one("dtype", 1, DT),
            one("tensor_shape", 2, "TensorShapeProto"),
            one("version_number", 3, INT32),
            one("tensor_content", 4, BYTES),
            many("half_val", 13, INT32),
            many("float_val", 5, FLOAT),
            many("double_val", 6, DOUBLE),
            many("int_val", 7, INT32),
            many("string_val", 8, BYTES),
            many("scomplex_val", 9, FLOAT),
            many("int64_val", 10, INT64),
            many("bool_val", 11, BOOL),
            many("dcomplex_val", 12, DOUBLE),
            many("uint32_val", 16, UINT32),
            many("uint64_val", 17, UINT64),
        ),
    ),
    # --- the saved object graph -----------------------------------------------------------------------
    Message(
        "SavedObjectGraph",
        (
            many("nodes", 1, "SavedObject"),
            MapField("concrete_functions", 2, STRING, "SavedConcreteFunction"),
        ),
    ),
    Message(
        "SavedObject",
        (
            many("children", 1, "TrackableObjectGraph.TrackableObject.ObjectReference"),
            many("dependencies", 15, "TrackableObjectGraph.TrackableObject.ObjectReference"),
            one("user_object", 4, "SavedUserObject", oneof="kind"),
            one("asset", 5, "SavedAsset", oneof="kind"),
            one("function", 6, "SavedFunction", oneof="kind"),
            one("variable", 7, "SavedVariable", oneof="kind"),
            one("bare_concrete_function", 8, "SavedBareConcreteFunction", oneof="kind"),
            one("constant", 9, "SavedConstant", oneof="kind"),
            one("resource", 10, "SavedResource", oneof="kind"),
            one("captured_tensor", 12, "CapturedTensor", oneof="kind"),
            MapField("saveable_objects", 11, STRING, "SaveableObject"),
        ),
        oneofs=("kind",),
    ),
    # The functions TF2's loader calls to restore (and, for legacy saveables, to name) an object's
    # checkpointed state: they run at load, whatever they are called.
    Message("SaveableObject", (one("save_function", 2, INT32), one("restore_function", 3, INT32))),
    Message("TrackableObjectGraph", ()),  # only a namespace for ObjectReference, as in the format
    Message("TrackableObjectGraph.TrackableObject", ()),
    Message(
        "TrackableObjectGraph.TrackableObject.ObjectReference",
        (one("node_id", 1, INT32), one("local_name", 2, STRING)),
    ),
    Message("SavedUserObject", (one("identifier", 1, STRING),)),
    Message("SavedAsset", (one("asset_file_def_index", 1, INT32),)),
    Message("SavedFunction", (many("concrete_functions", 1, STRING),)),
    Message(
        "SavedBareConcreteFunction",
        (one("concrete_function_name", 1, STRING), many("argument_keywords", 2, STRING)),
    ),
    Message("SavedConstant", (one("operation", 1, STRING),)),
    Message("SavedResource", (one("device", 1, STRING),)),
    Message("CapturedTensor", (one("name", 1, STRING), one("concrete_function", 2, STRING))),
    Message(
        "SavedVariable",
        (
            one("dtype", 1, DT),
            one("shape", 2, "TensorShapeProto"),
            one("trainable", 3, BOOL),
            one("name", 6, STRING),
            one("device", 7, STRING),
            many("experimental_distributed_variable_components", 8, "SavedVariable"),
        ),
    ),
    Message(
        "SavedConcreteFunction",
        (
            many("bound_inputs", 2, INT32),
            one("canonicalized_input_signature", 3, "StructuredValue"),
            one("output_signature", 4, "StructuredValue"),
        ),
    ),
    Message(
        "StructuredValue",
        (
            one("none_value", 1, "NoneValue", oneof="kind"),
            one("float64_value", 11, DOUBLE, oneof="kind"),
            one("int64_value", 12, SINT64, oneof="kind"),
            one("string_value", 13, STRING, oneof="kind"),
            one("bool_value", 14, BOOL, oneof="kind"),
            one("tensor_shape_value", 31, "TensorShapeProto", oneof="kind"),
            one("tensor_dtype_value", 32, DT, oneof="kind"),
            one("tensor_spec_value", 33, "TensorSpecProto", oneof="kind"),
            one("type_spec_value", 34, "TypeSpecProto", oneof="kind"),
            one("bounded_tensor_spec_value", 35, "BoundedTensorSpecProto", oneof="kind"),
            one("list_value", 51, "ListValue", oneof="kind"),
            one("tuple_value", 52, "TupleValue", oneof="kind"),
            one("dict_value", 53, "DictValue", oneof="kind"),
            one("named_tuple_value", 54, "NamedTupleValue", oneof="kind"),
            one("tensor_value", 55, "TensorProto", oneof="kind"),
            one("numpy_value", 56, "TensorProto", oneof="kind"),
        ),
        oneofs=("kind",),
    ),
    Message("NoneValue", ()),
    Message("ListValue", (many("values", 1, "StructuredValue"),)),
    Message("TupleValue", (many("values", 1, "StructuredValue"),)),
    Message("DictValue", (MapField("fields", 1, STRING, "StructuredValue"),)),
    Message("PairValue", (one("key", 1, STRING), one("value", 2, "StructuredValue"))),
    Message("NamedTupleValue", (one("name", 1, STRING), many("values", 2, "PairValue"))),
    Message(
        "TensorSpecProto",
        (one("name", 1, STRING), one("shape", 2, "TensorShapeProto"), one("dtype", 3, DT)),
    ),
    Message(
        "BoundedTensorSpecProto",
        (one("name", 1, STRING), one("shape", 2, "TensorShapeProto"), one("dtype", 3, DT)),
    ),
    Message(
        "TypeSpecProto",
        (
            one("type_state", 2, "StructuredValue"),
            one("type_spec_class_name", 3, STRING),
            one("num_flat_components", 4, INT32),
        ),
    ),
    # --- the debug info, the fingerprint, the variables index -----------------------------------------
    Message(
        "GraphDebugInfo",
        (
            many("files", 1, STRING),
            MapField("frames_by_id", 4, FIXED64, "GraphDebugInfo.FileLineCol"),
            MapField("traces_by_id", 6, FIXED64, "GraphDebugInfo.StackTrace"),
            MapField("traces", 2, STRING, "GraphDebugInfo.StackTrace"),
            MapField("name_to_trace_id", 5, STRING, FIXED64),
        ),
    ),
    Message(
        "GraphDebugInfo.FileLineCol",
        (
            one("file_index", 1, INT32),
            one("line", 2, INT32),
            one("col", 3, INT32),
            one("func", 4, STRING),
            one("code", 5, STRING),
        ),
    ),
    Message(
        "GraphDebugInfo.StackTrace",
        (many("file_line_cols", 1, "GraphDebugInfo.FileLineCol"), many("frame_id", 2, FIXED64)),
    ),
    Message(
        "FingerprintDef",
        (
            one("saved_model_checksum", 1, UINT64),
            one("graph_def_program_hash", 2, UINT64),
            one("signature_def_hash", 3, UINT64),
            one("saved_object_graph_hash", 4, UINT64),
            one("checkpoint_hash", 5, UINT64),
            one("version", 6, "VersionDef"),
            one("uuid", 7, STRING),
        ),
    ),
    Message(
        "BundleHeaderProto",
        (one("num_shards", 1, INT32), one("version", 3, "VersionDef")),
    ),
    Message(
        "BundleEntryProto",
        (
            one("dtype", 1, DT),
            one("shape", 2, "TensorShapeProto"),
            one("shard_id", 3, INT32),
            one("offset", 4, INT64),
            one("size", 5, INT64),
            one("crc32c", 6, FIXED32),
        ),
    ),
    # --- keras_metadata.pb (tf_keras; Keras 2's SavedModel format) -----------------------------------
    # Keras's own messages (package third_party.py.tf_keras.protobuf), declared under names of their own
    # here: the binary format does not carry names. KERAS_MESSAGES says which of Keras's each one is.
    Message("KerasSavedMetadata", (many("nodes", 1, "KerasSavedObject"),)),
    Message(
        "KerasSavedObject",
        (
            one("node_id", 2, INT32),
            one("node_path", 3, STRING),
            one("identifier", 4, STRING),
            one("metadata", 5, STRING),  # the layer's JSON: its class, config and, for a Lambda, its code
            one("version", 6, "VersionDef"),
        ),
    ),
)

#: Declared messages that are Keras's, not TensorFlow's: ours -> Keras's full name (tf_keras 2.x).
KERAS_PACKAGE = "third_party.py.tf_keras.protobuf"
KERAS_MESSAGES = {
    "KerasSavedMetadata": f"{KERAS_PACKAGE}.SavedMetadata",
    "KerasSavedObject": f"{KERAS_PACKAGE}.SavedObject",
}


#: Fields of the declared messages that the format has and TensorFlow writes, but the reader does not use
#: (so they are not declared). A text-format model names them: skipping them is expected, not a warning.
#: (message, field); a test checks each against TensorFlow's definitions.
FIELDS_NOT_READ = frozenset(
    {
        ("FunctionDef", "arg_attr"),
        ("FunctionDef", "resource_arg_unique_id"),
        ("FunctionDefLibrary", "registered_gradients"),
        ("NodeDef", "experimental_type"),
        ("OpDef", "control_output"),
        ("OpDef", "deprecation"),
        ("OpDef", "is_aggregate"),
        ("OpDef", "is_commutative"),
        ("OpDef", "is_distributed_communication"),
        ("OpDef", "allows_uninitialized_input"),
        ("OpDef.ArgDef", "experimental_full_type"),
        ("OpDef.ArgDef", "handle_data"),
        ("SavedBareConcreteFunction", "allowed_positional_arguments"),
        ("SavedBareConcreteFunction", "function_spec"),
        ("SavedFunction", "function_spec"),
        ("SavedObject", "registered_name"),
        ("SavedObject", "serialized_user_proto"),
        ("SavedObject", "slot_variables"),
        ("SavedObject", "registered_saver"),
        ("SavedUserObject", "version"),
        ("SavedUserObject", "metadata"),
        ("SavedVariable", "aggregation"),
        ("SavedVariable", "synchronization"),
        ("SaverDef", "keep_checkpoint_every_n_hours"),
        ("SaverDef", "version"),
        ("MetaGraphDef.MetaInfoDef", "any_info"),
        ("CollectionDef", "any_list"),
        ("SignatureDef", "defaults"),
        ("GraphDef", "version"),
        ("GraphDef", "debug_info"),
        ("TensorProto", "resource_handle_val"),
        ("TensorProto", "variant_val"),
        ("TensorProto", "float8_val"),
        ("TypeSpecProto", "type_spec_class"),
    }
)


def compile_declarations() -> Any:
    """All messages in one proto3 FileDescriptorProto of package `tensorflow` (so text-format names match)."""
    from google.protobuf import descriptor_pb2

    proto = descriptor_pb2.FileDescriptorProto(name="inspector/savedmodel_format.proto", package=PACKAGE)
    proto.syntax = "proto3"
    for enum_name, values in ENUMS.items():
        enum = proto.enum_type.add(name=enum_name)
        for value_name, number in sorted(values.items(), key=lambda item: item[1]):
            enum.value.add(name=value_name, number=number)
    containers: dict[str, Any] = {}
    for message in sorted(MESSAGES, key=lambda m: m.name.count(".")):  # parents before nested ones
        parent, _, short = message.name.rpartition(".")
        holder = containers[parent].nested_type if parent else proto.message_type
        described = holder.add(name=short)
        containers[message.name] = described
        for oneof in message.oneofs:
            described.oneof_decl.add(name=oneof)
        for item in message.fields:
            _add_field(described, item, message)
    return proto


def _type_name(kind: int | str) -> tuple[int, str]:
    if isinstance(kind, int):
        return kind, ""
    if kind.startswith("enum "):
        return _ENUM, f".{PACKAGE}.{kind.removeprefix('enum ')}"
    return _MESSAGE, f".{PACKAGE}.{kind}"


def _add_field(described: Any, item: Field | MapField, message: Message) -> None:
    if isinstance(item, MapField):
        entry_name = "".join(part[:1].upper() + part[1:] for part in item.name.split("_")) + "Entry"
        entry = described.nested_type.add(name=entry_name)
        entry.options.map_entry = True
        key_type, _ = _type_name(item.key)
        entry.field.add(name="key", number=1, type=key_type, label=_OPTIONAL)
        value_type, value_name = _type_name(item.value)
        value = entry.field.add(name="value", number=2, type=value_type, label=_OPTIONAL)
        if value_name:
            value.type_name = value_name
        described.field.add(
            name=item.name,
            number=item.number,
            type=_MESSAGE,
            label=_REPEATED,
            type_name=f".{PACKAGE}.{message.name}.{entry_name}",
        )
        return
    kind, type_name = _type_name(item.kind)
    added = described.field.add(
        name=item.name,
        number=item.number,
        type=kind,
        label=_REPEATED if item.repeated else _OPTIONAL,
    )
    if type_name:
        added.type_name = type_name
    if item.oneof:
        added.oneof_index = list(message.oneofs).index(item.oneof)


def main() -> None:
    """Recompile inspector/data/messages.desc from the declarations above (after changing them)."""
    target = Path(__file__).resolve().parent / COMPILED
    target.write_bytes(compile_declarations().SerializeToString(deterministic=True))


if __name__ == "__main__":
    main()
