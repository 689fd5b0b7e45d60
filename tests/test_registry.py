"""The op registry snapshot shipped with inspector: what it covers, that it is the installed TensorFlow's
registry, and that reading, auditing and doctoring with it never import TensorFlow."""

from __future__ import annotations

import json

import pytest
from conftest import run_python

import inspector
from fixtures import catalog
from inspector import callgraph, registry
from inspector.callgraph import NOTHING_KNOWN, FunctionAttrs, called_functions
from inspector.callgraph import shipped_function_attrs as function_attrs
from inspector.installed import tensorflow_distribution
from inspector.registry import snapshot

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
    op_defs = view.meta_graph_def.meta_info_def.stripped_op_list.op
    known = FunctionAttrs.from_op_defs(op_defs, base=function_attrs())
    for node in view.nodes.values():
        every_attr = called_functions(node.definition, library, NOTHING_KNOWN)
        assert set(called_functions(node.definition, library, known)) == set(every_attr), node.key
        assert node.calls == called_functions(node.definition, library, known)


def test_the_default_audit_and_doctor_never_import_tensorflow() -> None:
    result = run_python(
        """
        import sys
        from inspector.cli import main
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
    from inspector.audit import Policy, audit

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
