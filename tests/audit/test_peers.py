"""What a model carries beyond its graph, against the cases of modelscan's and ModelAudit's test suites
(rebuilt by fixtures/canaries.py): tf_keras Lambda bytecode (INS012), pickles and binaries in the folder
(INS013). Every malicious case fails the default audit; every safe one passes."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import payload, run_cli

import inspector
from fixtures import canaries
from inspector._internal.audit import Policy, Severity, audit
from inspector._internal.folderwalk import MAX_ENTRIES
from inspector._internal.kerasmeta import marshal_names
from inspector._internal.pickles import pickle_facts

MODELS = canaries.MODELS


@pytest.mark.parametrize(("case", "malicious"), sorted(canaries.PEER_CASES.items()))
def test_every_malicious_case_fails_the_default_audit_and_every_safe_one_passes(
    case: str, malicious: bool
) -> None:
    run = run_cli("audit", MODELS / case, "--format", "json")
    assert run.code == (1 if malicious else 0), [f["message"] for f in payload(run.stdout)["findings"]]


def test_a_lambda_s_bytecode_is_named_by_what_it_references() -> None:
    result = audit(inspector.load(MODELS / "keras_lambda_exec"), Policy())
    [finding] = [f for f in result.findings if f.rule_id == "INS012"]
    assert finding.severity is Severity.CRITICAL and finding.kind == "lambda-bytecode"
    assert "references exec" in finding.message and "Keras 2.21" in finding.message
    assert finding.location.file.endswith("keras_metadata.pb")


def test_marshal_names_reads_bytes_and_runs_nothing() -> None:
    import marshal

    code = compile("__import__('os').system('id')", "<x>", "eval")
    assert {"__import__", "os", "system"} <= set(marshal_names(marshal.dumps(code)))
    # Hostile bytes: lengths past the end, huge lengths, random noise -- answers, never a crash.
    for blob in (b"", b"\xfa", b"\xda\xff", b"a\xff\xff\xff\xffxx", os.urandom(100_000)):
        assert isinstance(marshal_names(blob), tuple)


def test_an_unreadable_keras_metadata_is_an_error(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(MODELS / "keras_safe", model)
    (model / "keras_metadata.pb").write_bytes(b"\x0a\xff\xff\xff\xff\x0f" + b"x" * 10)
    [finding] = [f for f in audit(inspector.load(model), Policy()).findings if f.rule_id == "INS012"]
    assert finding.severity is Severity.ERROR and finding.kind == "unreadable"


def test_keras_metadata_json_nested_deep_is_an_error_not_a_crash(tmp_path: Path) -> None:
    from inspector.format.savedmodel_format_pb2 import KerasSavedMetadata

    model = tmp_path / "model"
    shutil.copytree(MODELS / "keras_safe", model)
    message = KerasSavedMetadata()
    node = message.nodes.add()
    node.node_path = "root"
    node.metadata = "[" * 100_000 + "]" * 100_000
    (model / "keras_metadata.pb").write_bytes(message.SerializeToString())
    [finding] = [f for f in audit(inspector.load(model), Policy()).findings if f.rule_id == "INS012"]
    assert "nested too deeply" in finding.message


class _Evil:
    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, ("id",))


@pytest.mark.parametrize("protocol", range(6))
def test_pickle_globals_are_read_without_unpickling_in_every_protocol(tmp_path: Path, protocol: int) -> None:
    facts = pickle_facts(pickle.dumps(_Evil(), protocol=protocol))
    assert facts is not None
    imported, problem = facts
    assert problem == "" and [name.rsplit(".", 1)[1] for name in imported] == ["system"]


def test_a_pickle_hidden_anywhere_by_any_name_is_found(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(MODELS / "graph_safe_pickle", model)
    (model / "assets").mkdir(exist_ok=True)
    (model / "assets" / "vocab.txt").write_bytes(pickle.dumps(_Evil(), protocol=2))
    (model / "libacme_ops.so").write_bytes(b"\x7fELF" + b"\0" * 60)
    (model / "run.sh").write_text("#!/bin/sh\nrm -rf ~\n")
    (model / "outside").symlink_to("/etc/passwd")
    findings = {
        Path(f.location.file).relative_to(model).as_posix(): f
        for f in audit(inspector.load(model), Policy()).findings
        if f.rule_id == "INS013"
    }
    assert findings["assets/vocab.txt"].severity is Severity.CRITICAL
    assert (
        findings["libacme_ops.so"].severity is Severity.WARNING
        and "shared library" in findings["libacme_ops.so"].message
    )
    assert findings["run.sh"].kind == "script" and findings["outside"].kind == "link"


def test_a_walk_cut_short_fails_the_gate_whatever_it_hid(tmp_path: Path) -> None:
    """Issue 33: 10,000 empty files in variables/ (the walk reaches them first) turned a critical pickle
    beside them into a warning that the rest was not looked at, and exit 0."""
    model = tmp_path / "model"
    shutil.copytree(MODELS / "keras_safe", model)
    for index in range(MAX_ENTRIES + 5):
        (model / "variables" / f"f{index}").touch()
    (model / "zz_preprocess.pkl").write_bytes(pickle.dumps(_Evil(), protocol=4))
    result = audit(inspector.load(model), Policy())
    [cut] = [f for f in result.findings if f.rule_id == "INS013" and f.kind == "truncated"]
    assert cut.severity is Severity.ERROR and result.failed


def test_a_pickle_deeper_than_the_walk_goes_fails_the_gate(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(MODELS / "keras_safe", model)
    deep = model.joinpath(*[f"d{level}" for level in range(33)])
    deep.mkdir(parents=True)
    (deep / "x.pkl").write_bytes(pickle.dumps(_Evil(), protocol=4))
    run = run_cli("audit", model, "--format", "json")
    assert run.code == 1
    assert any(f["kind"] == "truncated" and f["severity"] == "error" for f in payload(run.stdout)["findings"])


def test_a_variables_index_that_cannot_be_read_fails_the_default_audit(tmp_path: Path) -> None:
    """ModelAudit's "safe" TensorFlow case ships a 19-byte dummy variables.index. Its graph is harmless,
    but no loader can restore it: the release gate fails it (INS011), on purpose -- see the README."""
    model = tmp_path / "model"
    shutil.copytree(MODELS / "keras_safe", model)
    (model / "variables" / "variables.index").write_bytes(b"dummy index content")
    run = run_cli("audit", model, "--format", "json")
    assert run.code == 1
    assert any(f["rule_id"] == "INS011" for f in payload(run.stdout)["findings"])
