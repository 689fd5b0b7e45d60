"""The op registry snapshot shipped with inspector: what it covers, that it is the installed TensorFlow's
registry, and that reading, auditing and doctoring with it never import TensorFlow."""

from __future__ import annotations

import json

import pytest
from conftest import run_python

import inspector
from fixtures import catalog
from inspector._internal import callgraph, registry
from inspector._internal.callgraph import NOTHING_KNOWN, called_functions
from inspector._internal.callgraph import shipped_function_attrs as function_attrs
from inspector._internal.installed import tensorflow_distribution
from inspector._internal.registry import snapshot
from inspector._internal.riskyops import Family, Trusted, catalogue, parse_catalogue

RELEASE_LINES = [f"2.{minor}" for minor in range(12, 22)]


def test_every_release_line_from_2_12_to_2_21_is_in_the_snapshot() -> None:
    lines = [".".join(release.split(".")[:2]) for release in snapshot().releases]
    assert lines == RELEASE_LINES
    for index in range(len(lines)):
        ops = snapshot().release(index).ops
        assert len(ops) > 1400 and {"MatMul", "PartitionedCall", "SaveV2", "While"} <= ops


def test_the_closest_release_follows_the_version_line() -> None:
    assert snapshot().closest("2.15.0")[0].release.startswith("2.15.")
    assert snapshot().closest("2.15.0")[1]
    newest, exact = snapshot().closest("2.99.0")
    assert newest.release == snapshot().releases[-1] and not exact
    oldest, exact = snapshot().closest("1.15.0")
    assert oldest.release == snapshot().releases[0] and not exact


@pytest.mark.tensorflow
def test_the_installed_release_is_its_live_registry() -> None:
    """The snapshot of the installed TensorFlow's line equals what that TensorFlow registers, op by op."""
    pytest.importorskip("tensorflow")
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session as session

    live = op_def_pb2.OpList()
    live.ParseFromString(session.TF_GetBuffer(session.TF_GetAllOpList()))
    installed = tensorflow_distribution()
    assert installed is not None
    release, exact = snapshot().closest(installed[1])
    assert exact, f"no snapshot of TensorFlow {installed[1]}: run scripts/snapshot_registry.py"
    # The `tensorflow` distribution (GPU-capable) registers two internal copy ops that `tensorflow-cpu`,
    # which the snapshot was taken from, does not; no saved model holds them.
    gpu_build_only = {"_CopyFromHostToGpu", "_CopyFromGpuToHost"}
    assert release.ops == {op.name for op in live.op} - gpu_build_only
    index = snapshot().releases.index(release.release)
    for op in live.op:
        if (
            op.name not in gpu_build_only and snapshot().registered_in[op.name][-1] == index
        ):  # stored as the newest release has them
            assert snapshot().attrs[op.name] == {a.name: a.type for a in op.attr}, op.name


def test_known_providers_are_recorded_with_their_ops() -> None:
    providers = snapshot().providers
    assert {"tensorflow-text", "tensorflow-decision-forests"} <= set(providers)
    assert snapshot().provider_of("WordpieceTokenizeWithOffsets") == ("tensorflow-text", "tensorflow_text")
    assert snapshot().provider_of("SimpleMLInferenceOpWithHandle")[0] == "tensorflow-decision-forests"  # type: ignore[index]


def test_function_attrs_come_from_the_op_defs() -> None:
    attrs = function_attrs()
    assert attrs.by_op["PartitionedCall"] == ("f",)
    assert attrs.by_op["If"] == ("then_branch", "else_branch")  # OpDef order, whatever a map's order
    assert attrs.by_op["Case"] == ("branches",)
    assert "MatMul" in attrs.known and "MatMul" not in attrs.by_op


@pytest.mark.parametrize("name", [f.name for f in catalog.FIXTURES] + [m.name for m in catalog.CORPUS])
def test_reading_only_the_func_attrs_finds_every_call(name: str) -> None:
    """The shortcut (known ops: only their func attrs) finds exactly what reading every attr finds."""
    entry = catalog.get(name)
    view = inspector.load(entry.path, tags=("serve",) if name == "tf1_two_graphs" else None)
    library = frozenset(view.functions) - {""}
    known = function_attrs()
    for node in view.nodes.values():
        every_attr = called_functions(node.definition, library, NOTHING_KNOWN)
        assert set(called_functions(node.definition, library, known)) == set(every_attr), node.key
        assert node.calls == called_functions(node.definition, library, known)


def test_the_default_audit_and_doctor_never_import_tensorflow() -> None:
    result = run_python(
        """
        import sys
        from inspector._internal.cli import main
        for argv in (["audit", "fixtures/models/custom_ops"], ["doctor", "fixtures/models/custom_ops"]):
            try:
                main([*argv, "--format", "json", "--output", "/dev/null"])
            except SystemExit:
                pass
        loaded = sorted(m for m in sys.modules if m == "tensorflow" or m.startswith("tensorflow.python"))
        print("RUNTIME:", loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "RUNTIME: []" in result.stdout


def test_unregistered_ops_are_named_against_a_release(tmp_path: object) -> None:
    from inspector._internal.audit import Policy, audit

    result = audit(inspector.load(catalog.get("custom_ops").path), Policy())
    messages = [f.message for f in result.findings if f.rule_id == "INS004"]
    assert sorted(m.split()[0] for m in messages) == ["Acme>Scale", "Beta>Shift"]
    assert all("is not registered in TensorFlow 2." in m for m in messages)


def test_the_loaders_function_attr_table_is_derived_from_the_snapshot() -> None:
    """Every load reads `function_attrs.json`, not the whole snapshot: it must say what the snapshot
    says (`scripts/snapshot_registry.py` writes both)."""
    stored = json.loads(callgraph.FUNCTION_ATTRS_FILE.read_text())
    assert stored == registry.derive_function_attrs(snapshot())
    attrs = function_attrs()
    assert attrs.by_op["If"] == ("then_branch", "else_branch") and "MatMul" in attrs.known


# --- the op catalogue: default-deny, complete by construction ------------------------------------------------


def _snapshot_ops() -> set[str]:
    providers = {op for entry in snapshot().providers.values() for op in entry.get("ops", {})}
    return set(snapshot().registered_in) | providers


def test_every_op_type_of_the_snapshot_is_classified() -> None:
    """Every op type of every release 2.12-2.21 and of the known op libraries is filed in
    inspector/data/op_catalogue.txt: an op a new snapshot adds fails here until someone classifies it."""
    unclassified = sorted(op for op in _snapshot_ops() if not catalogue().classifies(op))
    assert unclassified == [], f"classify these in inspector/data/op_catalogue.txt: {unclassified}"


def test_the_catalogue_names_only_registered_op_types() -> None:
    named = {*catalogue().risky, *catalogue().trusted}
    assert sorted(named - _snapshot_ops()) == []


def test_the_ops_without_a_python_wrapper_are_classified_by_what_they_touch() -> None:
    """Issue 32: ops only the C registry lists, which a catalogue built from tf.raw_ops missed."""
    risky = catalogue().risky
    assert risky["DumpTensor"].family is Family.FILE_ACCESS_BY_ATTR
    assert risky["CalibrationStatisticsSaver"].family is Family.FILE_ACCESS_BY_ATTR
    for op in ("_Send", "_Recv", "_HostSend", "_HostRecv", "CollectiveReduceV3", "NcclAllReduce"):
        assert risky[op].family is Family.NETWORK, op
    assert risky["DTensorRestoreV2"].family is Family.FILE_READ
    assert risky["SnapshotChunkDataset"].family is Family.FILE_READ
    assert risky["XlaCustomCall"].family is Family.NATIVE_CODE
    assert risky["InfeedEnqueue"].family is Family.ACCELERATOR_IO
    assert catalogue().trusted["MatMul"] is Trusted.COMPUTE
    assert catalogue().trusted["AssignVariableOp"] is Trusted.STATE


def test_every_risky_section_says_why() -> None:
    assert all(
        entry.reason and entry.family is not Family.UNCLASSIFIED for entry in catalogue().risky.values()
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("MatMul\n", "before any section"),
        ("## compute | - | x\nMatMul\n## state | - | y\nMatMul\n", "listed twice"),
        ("## file write | error\nWriteFile\n", "FAMILY | SEVERITY | REASON"),
    ],
)
def test_a_malformed_catalogue_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_catalogue(text)


@pytest.mark.slow  # imports TensorFlow; CI (.ci/run) runs it
@pytest.mark.tensorflow
def test_every_op_the_installed_tensorflow_registers_is_classified() -> None:
    """The live registry (TF_GetAllOpList: ops without a tf.raw_ops wrapper too), not the snapshot: a
    TensorFlow newer than the snapshot fails here before it can add an op the audit silently trusts."""
    pytest.importorskip("tensorflow")
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session as session

    live = op_def_pb2.OpList()
    live.ParseFromString(session.TF_GetBuffer(session.TF_GetAllOpList()))
    gpu_build_only = {"_CopyFromHostToGpu", "_CopyFromGpuToHost"}  # see the live-registry test above
    missing = sorted(
        op.name for op in live.op if op.name not in gpu_build_only and not catalogue().classifies(op.name)
    )
    assert missing == [], f"classify these in inspector/data/op_catalogue.txt: {missing}"
