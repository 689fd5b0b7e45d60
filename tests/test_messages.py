"""inspector's own message definitions (inspector/messages.py): the same format as TensorFlow's, the same
views and JSON from every fixture and corpus model, and every static command without TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from conftest import ROOT, cli, run_python

from fixtures import catalog
from inspector import messages

MODELS = [f.name for f in catalog.FIXTURES] + [m.name for m in catalog.CORPUS]


def test_the_compiled_descriptor_is_the_declarations() -> None:
    """After changing a declaration: `python -m inspector.messages`, and review the change."""
    from importlib import resources

    shipped = resources.files("inspector").joinpath(messages.COMPILED).read_bytes()
    assert shipped == messages.compile_declarations().SerializeToString(deterministic=True)


@pytest.mark.tensorflow
def test_every_declared_field_is_tensorflows() -> None:
    """Name, number, type, repeatedness, message type, map key and value, oneof: all as TensorFlow has them."""
    pytest.importorskip("tensorflow")
    from google.protobuf import descriptor_pool

    from inspector.protos import load_protos

    load_protos("tensorflow")  # TensorFlow's generated modules, in the default pool
    theirs_pool = descriptor_pool.Default()
    problems = []
    if any(name in messages.KERAS_MESSAGES for name in (m.name for m in messages.MESSAGES)):
        pytest.importorskip("tf_keras.protobuf.saved_metadata_pb2")  # Keras's, in the default pool too
    keras_names = {f"tensorflow.{ours}": theirs for ours, theirs in messages.KERAS_MESSAGES.items()}
    keras_names["tensorflow.VersionDef@keras"] = f"{messages.KERAS_PACKAGE}.VersionDef"
    for message in messages.MESSAGES:
        ours = messages.pool().FindMessageTypeByName(f"tensorflow.{message.name}")
        theirs = theirs_pool.FindMessageTypeByName(
            messages.KERAS_MESSAGES.get(message.name, f"tensorflow.{message.name}")
        )
        keras = message.name in messages.KERAS_MESSAGES
        for mine in ours.fields:
            other = theirs.fields_by_name.get(mine.name)
            if other is None:
                problems.append(f"{message.name}.{mine.name}: not a field of TensorFlow's")
                continue
            if (mine.number, mine.type, mine.is_repeated) != (other.number, other.type, other.is_repeated):
                problems.append(f"{message.name}.{mine.name}: number, type or label differ")
            if mine.message_type is not None and mine.message_type.GetOptions().map_entry:
                for part in ("key", "value"):
                    a, b = mine.message_type.fields_by_name[part], other.message_type.fields_by_name[part]
                    a_type = a.message_type.full_name if a.message_type else a.type
                    b_type = b.message_type.full_name if b.message_type else b.type
                    if a_type != b_type:
                        problems.append(f"{message.name}.{mine.name} {part}: {a_type} vs {b_type}")
            elif mine.message_type is not None:
                expected = mine.message_type.full_name
                if keras:  # Keras's messages name Keras's: ours, renamed, name ours
                    expected = keras_names.get(expected) or keras_names[expected + "@keras"]
                if expected != other.message_type.full_name:
                    problems.append(f"{message.name}.{mine.name}: message type differs")
            mine_oneof = mine.containing_oneof.name if mine.containing_oneof else None
            other_oneof = other.containing_oneof.name if other.containing_oneof else None
            if mine_oneof != other_oneof:
                problems.append(f"{message.name}.{mine.name}: oneof {mine_oneof} vs {other_oneof}")
    for message_name, field_name in messages.FIELDS_NOT_READ:  # skipped quietly: they must be real
        theirs = theirs_pool.FindMessageTypeByName(f"tensorflow.{message_name}")
        if field_name not in theirs.fields_by_name:
            problems.append(f"FIELDS_NOT_READ: {message_name}.{field_name} is not a field of TensorFlow's")
    data_type = theirs_pool.FindEnumTypeByName("tensorflow.DataType")
    assert messages.ENUMS["DataType"] == {value.name: value.number for value in data_type.values}
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


def test_protobufs_c_runtime_used_directly_reads_as_its_public_modules_do() -> None:
    """The classes are built on upb itself (its public modules import the pure-Python runtime too, a
    fifth of a small report's time); the pure-Python runtime, through the public modules, must read
    every model the same."""
    from inspector.message_classes import upb_runtime

    assert upb_runtime() is not None, "the suite should run the route users get"
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
        setup="from inspector.message_classes import upb_runtime; assert upb_runtime() is None",
        finish='assert "google.protobuf.internal.python_message" in sys.modules',
        env={"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "python"},
    )
    for argv, output in zip(commands, public, strict=True):
        assert output == cli(*argv, "--format", "json").stdout, argv


def test_a_report_does_not_import_protobufs_pure_python_runtime() -> None:
    result = run_python(
        """
        import sys
        from inspector.cli import main
        main(["report", "fixtures/models/custom_ops", "--format", "json", "--output", "/dev/null"])
        print("PURE:", "google.protobuf.internal.python_message" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "PURE: False" in result.stdout


def _json_in_a_process(
    commands: list[list[str]], setup: str, env: dict[str, str], finish: str = ""
) -> list[str]:
    """Each command's JSON from a fresh interpreter, after `setup` (and `finish` checked at the end)."""
    script = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        {setup}
        from inspector.cli import main
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
        [sys.executable, "-c", script],
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
    from inspector.protos import load_protos

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
