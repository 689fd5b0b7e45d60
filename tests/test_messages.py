"""inspector's own messages (inspector/format/savedmodel_format.proto): compiled fresh, the same format as
TensorFlow's, the same views and JSON from every fixture and corpus model, and every static command without
TensorFlow."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from conftest import ROOT, cli

from fixtures import catalog
from inspector.format import fields_not_read
from inspector.format import savedmodel_format_pb2 as own

MODELS = [f.name for f in catalog.FIXTURES] + [m.name for m in catalog.CORPUS]

#: Keras's messages, declared under names of their own (the binary format carries no names): ours -> Keras's.
KERAS_PACKAGE = "third_party.py.tf_keras.protobuf"
KERAS_MESSAGES = {
    "tensorflow.KerasSavedMetadata": f"{KERAS_PACKAGE}.SavedMetadata",
    "tensorflow.KerasSavedObject": f"{KERAS_PACKAGE}.SavedObject",
}
#: TF Serving's warmup messages: ours in package tensorflow, theirs (tensorflow-serving-api) in tensorflow.serving.
SERVING_MESSAGES = {
    f"tensorflow.{name}": f"tensorflow.serving.{name}"
    for name in (
        "PredictionLog",
        "ModelSpec",
        "PredictLog",
        "PredictRequest",
        "ClassifyLog",
        "ClassificationRequest",
        "RegressLog",
        "RegressionRequest",
        "MultiInferenceLog",
        "MultiInferenceRequest",
        "InferenceTask",
    )
}


def test_the_shipped_descriptor_and_stubs_are_what_protoc_makes_of_the_proto() -> None:
    """After changing the .proto: `python scripts/compile_format.py`, and review the change."""
    result = subprocess.run(
        [sys.executable, "scripts/compile_format.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_module_offers_every_name_its_stubs_promise() -> None:
    """The classes are built at run time, the types written by protoc: they must name the same things."""
    stub = ast.parse((ROOT / "inspector" / "format" / "savedmodel_format_pb2.pyi").read_text())
    promised = {node.name for node in stub.body if isinstance(node, ast.ClassDef)}
    promised |= {node.target.id for node in stub.body if isinstance(node, ast.AnnAssign)}  # type: ignore[union-attr]
    assert promised and not promised - set(vars(own)), sorted(promised - set(vars(own)))
    assert own.DataType.Name(own.DT_FLOAT) == "DT_FLOAT" and own.DataType.Value("DT_STRING_REF") == 107
    assert own.MetaGraphDef.MetaInfoDef().DESCRIPTOR.full_name == "tensorflow.MetaGraphDef.MetaInfoDef"
    with pytest.raises(ValueError, match="no name defined for value 999"):
        own.DataType.Name(999)


def _messages(descriptor: Any) -> Iterator[Any]:
    """Every message the file declares, nested ones included (map entries are fields' details)."""
    pending = list(descriptor.message_types_by_name.values())
    while pending:
        message = pending.pop()
        if not message.GetOptions().map_entry:
            yield message
        pending.extend(message.nested_types)


@pytest.mark.tensorflow
def test_every_declared_field_is_tensorflows() -> None:
    """Name, number, type, repeatedness, message type, map key and value, oneof: all as TensorFlow has them;
    and each reserved name (a field not read) is a field of TensorFlow's."""
    pytest.importorskip("tensorflow")
    pytest.importorskip("tf_keras.protobuf.saved_metadata_pb2")  # Keras's messages, in the default pool too
    pytest.importorskip("tensorflow_serving.apis.prediction_log_pb2")  # TF Serving's, too
    from google.protobuf import descriptor_pool

    from inspector._internal.protos import load_protos

    load_protos("tensorflow")  # TensorFlow's generated modules, in the default pool
    theirs_pool = descriptor_pool.Default()
    keras_names = {**KERAS_MESSAGES, "tensorflow.VersionDef@keras": f"{KERAS_PACKAGE}.VersionDef"}
    problems = []
    for ours in _messages(own.DESCRIPTOR):
        name = ours.full_name
        theirs = theirs_pool.FindMessageTypeByName(
            KERAS_MESSAGES.get(name) or SERVING_MESSAGES.get(name, name)
        )
        keras = name in KERAS_MESSAGES
        for mine in ours.fields:
            other = theirs.fields_by_name.get(mine.name)
            if other is None:
                problems.append(f"{name}.{mine.name}: not a field of TensorFlow's")
                continue
            if (mine.number, mine.type, mine.is_repeated) != (other.number, other.type, other.is_repeated):
                problems.append(f"{name}.{mine.name}: number, type or label differ")
            if mine.message_type is not None and mine.message_type.GetOptions().map_entry:
                for part in ("key", "value"):
                    a, b = mine.message_type.fields_by_name[part], other.message_type.fields_by_name[part]
                    a_type = a.message_type.full_name if a.message_type else a.type
                    b_type = b.message_type.full_name if b.message_type else b.type
                    if a_type != b_type:
                        problems.append(f"{name}.{mine.name} {part}: {a_type} vs {b_type}")
            elif mine.message_type is not None:
                expected = mine.message_type.full_name
                if keras:  # Keras's messages name Keras's: ours, renamed, name ours
                    expected = keras_names.get(expected) or keras_names[expected + "@keras"]
                else:  # TF Serving's name TF Serving's (and TensorFlow's TensorProto as it is)
                    expected = SERVING_MESSAGES.get(expected, expected)
                if expected != other.message_type.full_name:
                    problems.append(f"{name}.{mine.name}: message type differs")
            mine_oneof = mine.containing_oneof.name if mine.containing_oneof else None
            other_oneof = other.containing_oneof.name if other.containing_oneof else None
            if mine_oneof != other_oneof:
                problems.append(f"{name}.{mine.name}: oneof {mine_oneof} vs {other_oneof}")
    for message_name, field_name in fields_not_read():  # skipped quietly: they must be real
        full = f"tensorflow.{message_name}"
        theirs = theirs_pool.FindMessageTypeByName(SERVING_MESSAGES.get(full, full))
        if field_name not in theirs.fields_by_name:
            problems.append(f"reserved: {message_name}.{field_name} is not a field of TensorFlow's")
    data_type = theirs_pool.FindEnumTypeByName("tensorflow.DataType")
    assert dict(own.DataType.items()) == {value.name: value.number for value in data_type.values}
    assert not problems, problems


@contextmanager
def _reading_with(source: str) -> Iterator[None]:
    previous = os.environ.get("INSPECTOR_PROTOS")
    os.environ["INSPECTOR_PROTOS"] = source
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("INSPECTOR_PROTOS", None)
        else:
            os.environ["INSPECTOR_PROTOS"] = previous


def _both(*args: Any) -> tuple[str, str]:
    with _reading_with("inspector"):
        own = cli(*args, "--format", "json")
    with _reading_with("tensorflow"):
        theirs = cli(*args, "--format", "json")
    assert own.code == theirs.code and own.code in (0, 1), (own.stderr, theirs.stderr)
    return own.stdout, theirs.stdout


@pytest.mark.tensorflow
@pytest.mark.parametrize("name", MODELS)
def test_own_and_tensorflows_classes_give_the_same_report_and_audit(name: str) -> None:
    pytest.importorskip("tensorflow")
    path = catalog.get(name).path
    tags = ("--tags", "serve") if name == "tf1_two_graphs" else ()
    for command in (("report", path, *tags), ("audit", path, *tags)):
        own, theirs = _both(*command)
        assert own == theirs, command


@pytest.mark.tensorflow
@pytest.mark.parametrize("name", [f.name for f in catalog.FIXTURES])
def test_own_and_tensorflows_classes_give_the_same_answers_to_every_command(name: str) -> None:
    pytest.importorskip("tensorflow")
    path = catalog.get(name).path
    for command in (
        ("trace", path),
        ("where", path, ".py"),
        ("doctor", path),
        ("diff", path, catalog.get("versioned_v1").path),
    ):
        own, theirs = _both(*command)
        assert own == theirs, command


def test_every_static_command_runs_without_tensorflow(tmp_path: Any) -> None:
    """A process where `import tensorflow` fails, as in an install without the extra: the same JSON."""
    commands = [
        ["report", "fixtures/models/custom_ops", "--whitelist", "Acme"],
        ["trace", "fixtures/models/custom_ops", "--op", "Acme>*"],
        ["where", "fixtures/models/custom_ops", "custom_ops.py"],
        ["audit", "fixtures/models/risky_ops"],
        ["diff", "fixtures/models/versioned_v1", "fixtures/models/versioned_v2"],
        ["doctor", "fixtures/models/module_aliases"],
        ["report", "fixtures/corpus/models/tf1_two_graphs/saved_model.pb", "--tags", "serve"],
    ]
    without = _json_in_a_process(
        commands,
        setup='sys.modules["tensorflow"] = None  # `import tensorflow` raises ImportError, as when it is absent',
        env={"COLUMNS": "250", "NO_COLOR": "1"},
    )
    for argv, output in zip(commands, without, strict=True):
        document = json.loads(output)
        assert document["kind"] == argv[0]
        with_tensorflow = json.loads(cli(*argv, "--format", "json").stdout)
        if argv[0] in ("audit", "doctor"):  # what TensorFlow is installed differs, and they say so
            _drop_environment(document)
            _drop_environment(with_tensorflow)
        assert document == with_tensorflow, argv


def test_protobufs_pure_python_runtime_reads_every_model_as_upb_does() -> None:
    """protobuf picks its runtime by install and environment; the answers must not depend on it."""
    commands = [
        ["report", "fixtures/models/custom_ops", "--whitelist", "Acme"],
        ["trace", "fixtures/models/module_aliases"],
        ["audit", "fixtures/models/risky_ops"],
        ["doctor", "fixtures/models/module_aliases"],
        ["report", "fixtures/corpus/models/tf1_two_graphs/saved_model.pb", "--tags", "serve"],
        ["report", "fixtures/corpus/models/tftext_tokenizers"],
        ["audit", "fixtures/corpus/models/k3_text"],
    ]
    public = _json_in_a_process(
        commands,
        setup="",
        finish='from google.protobuf.internal import api_implementation; assert api_implementation.Type() == "python"',
        env={"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "python"},
    )
    for argv, output in zip(commands, public, strict=True):
        assert output == cli(*argv, "--format", "json").stdout, argv


#: One release of each protobuf major version the dependency bound admits besides the installed one (4.22 to
#: 4.24 crash in upb on a second descriptor pool: the bound starts at 4.25). The suite's environment holds
#: 6.x (apache-beam, of the beam extra, wants protobuf < 7), so 7 is tested here.
PROTOBUF_MAJORS = tuple(
    release
    for release in ("4.25.*", "5.29.*", "6.33.*", "7.*")
    if not release.startswith(importlib.metadata.version("protobuf").split(".")[0] + ".")
)


@pytest.mark.slow
@pytest.mark.parametrize("release", PROTOBUF_MAJORS)
def test_every_protobuf_major_the_bound_admits_reads_the_same(release: str) -> None:
    """A virtual environment of that protobuf and rich only (kept under fixtures/.venvs, rebuilt when gone),
    running this checkout: the same JSON as the suite's own environment."""
    folder = ROOT / "fixtures" / ".venvs" / f"protobuf-{release.rstrip('.*')}"
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=120)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"protobuf=={release}", "rich>=13.0,<16"],
            check=True,
            timeout=600,
        )
    commands = [
        ["report", "fixtures/models/custom_ops", "--whitelist", "Acme"],
        ["audit", "fixtures/models/risky_ops"],
        ["diff", "fixtures/models/versioned_v1", "fixtures/models/versioned_v2"],
        ["report", "fixtures/corpus/models/tf1_two_graphs/saved_model.pb", "--tags", "serve"],
        ["trace", "fixtures/corpus/models/k3_text"],
    ]
    outputs = _json_in_a_process(commands, setup="", env={"PYTHONPATH": str(ROOT)}, python=str(python))
    for argv, output in zip(commands, outputs, strict=True):
        document, ours = json.loads(output), json.loads(cli(*argv, "--format", "json").stdout)
        if argv[0] == "audit":  # whether TensorFlow is installed differs, and the audit says so
            _drop_environment(document)
            _drop_environment(ours)
        assert document == ours, argv


def _json_in_a_process(
    commands: list[list[str]], setup: str, env: dict[str, str], finish: str = "", python: str = sys.executable
) -> list[str]:
    """Each command's JSON from a fresh interpreter, after `setup` (and `finish` checked at the end)."""
    script = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        {setup}
        from inspector._internal.cli import main
        outputs = []
        for argv in {commands!r}:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                try:
                    main([*argv, "--format", "json"])
                except SystemExit:
                    pass
            outputs.append(out.getvalue())
        {finish}
        print(json.dumps(outputs))
        """
    )
    result = subprocess.run(
        [python, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outputs: list[str] = json.loads(result.stdout.splitlines()[-1])
    return outputs


def _drop_environment(document: dict[str, Any]) -> None:
    """Notices and findings about the installed TensorFlow (its versions, whether it is there)."""
    result = document["result"]
    if "notices" in result and isinstance(result["notices"], list):
        result["notices"] = [n for n in result["notices"] if "TensorFlow" not in json.dumps(n)]
    for key in ("findings", "problems"):
        if key in result:
            result[key] = [f for f in result[key] if f.get("rule_id") not in ("INS004", "INS007")]
    for key in ("failing", "counts", "blocked"):
        result.pop(key, None)
    document.pop("verdict", None)
    document.pop("exit_code", None)


@pytest.mark.tensorflow
@pytest.mark.parametrize("name", ["module_aliases", "custom_ops"])
def test_a_pbtxt_written_by_tensorflow_reads_as_its_binary_without_warnings(name: str, tmp_path: Any) -> None:
    pytest.importorskip("tensorflow")
    import shutil

    from google.protobuf import text_format

    import inspector
    from inspector._internal.protos import load_protos

    source = catalog.get(name).path
    target = tmp_path / name
    shutil.copytree(source, target)
    message = load_protos("tensorflow").saved_model.SavedModel()
    message.ParseFromString((target / "saved_model.pb").read_bytes())
    (target / "saved_model.pb").unlink()
    (target / "saved_model.pbtxt").write_text(text_format.MessageToString(message))
    as_text, as_binary = inspector.load(target), inspector.load(source)
    assert not [w for w in as_text.warnings if "skipped fields" in w]
    assert as_text.nodes.keys() == as_binary.nodes.keys() and as_text.aliases == as_binary.aliases
