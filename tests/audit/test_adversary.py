"""The gate against an adversary: each way a model once got risky ops that TensorFlow runs past the default
audit, rebuilt by fixtures/canaries.py with real saves and proto edits, now fails it at the op's true
reach. (tests/test_oracle.py loads the same models with TensorFlow to show what really runs.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import payload, run_cli

import inspector
from fixtures import canaries
from inspector._internal.audit import Finding, Policy, Reach, Severity, audit, audit_meta_graphs
from inspector._internal.loader import load_all

MODELS = canaries.MODELS

#: Where each canary runs, as TensorFlow's loaders run it (tests/test_oracle.py checks this against them).
EXPECTED_REACH = {
    "signature": Reach.SIGNATURE,
    "object_function": Reach.OBJECT,
    "alias_only": Reach.OBJECT,
    "init_signature": Reach.LOAD,
    "main_op": Reach.LOAD,
    "legacy_init_op": Reach.LOAD,
    "restore_function": Reach.LOAD,
    "save_function": Reach.OBJECT,
    "resource_initialize": Reach.LOAD,
    "resource_create": Reach.LOAD,
    "resource_destroy": Reach.LOAD,
    "saveable_restore": Reach.LOAD,
    "never": Reach.UNREACHABLE,
    "tf1_main_op": Reach.LOAD,
    "named_like_save": Reach.SIGNATURE,
    "saver_scope": Reach.SIGNATURE,
    # Issue 32.
    "dump_tensor": Reach.LOAD,
    "calibration_saver": Reach.SIGNATURE,
    "redefined_call_ops": Reach.SIGNATURE,
    "custom_gradient": Reach.GRADIENT,
    "second_meta_graph": Reach.SIGNATURE,
}


def canary(case: str, op: str = "WriteFile") -> list[Finding]:
    result = audit_meta_graphs(load_all(MODELS / case), Policy())
    node = canaries.CANARY_NODES[op]
    return [
        f
        for f in result.findings
        if f.rule_id == "INS002"
        and f.location.op_type == op
        and f.location.node_key.split("@")[0].endswith(node)
    ]


def test_every_case_is_listed() -> None:
    assert set(EXPECTED_REACH) == {case.name for case in canaries.CASES}


@pytest.mark.parametrize("case", sorted(EXPECTED_REACH))
def test_each_canary_is_found_at_the_reach_the_loaders_give_it(case: str) -> None:
    for kind in canaries.BY_NAME[case].ops:
        found = canary(case, kind)
        assert found, f"{case}: no finding for the {kind} canary"
        strongest = max(f.location.reach for f in found if f.location.reach is not None)
        reaches = {f.location.reach for f in found}
        assert EXPECTED_REACH[case] in reaches and strongest == max(reaches), (case, kind, reaches)
        if EXPECTED_REACH[case] is Reach.UNREACHABLE:
            assert all(f.severity < Severity.ERROR for f in found)
        else:
            strongest_reach = [f for f in found if f.location.reach is EXPECTED_REACH[case]]
            assert all(f.severity >= Severity.ERROR for f in strongest_reach), (case, kind)
        if EXPECTED_REACH[case] is Reach.LOAD:
            assert all(f.severity is Severity.CRITICAL for f in found if f.location.reach is Reach.LOAD)


#: The seven evasions of issue 19, and the five of issue 32, each a model here.
EVASIONS = {
    "an op without a tf.raw_ops wrapper that writes at load": "dump_tensor",
    "an op without a tf.raw_ops wrapper that creates a file in a signature": "calibration_saver",
    "call ops redefined in stripped_op_list": "redefined_call_ops",
    "a custom gradient that writes": "custom_gradient",
    "a write in the second meta graph": "second_meta_graph",
    "a function named like TensorFlow's save function": "named_like_save",
    "a raw Save under the saver's name scope": "saver_scope",
    "a resource initializer, the init-op signature removed": "resource_initialize",
    "the TF1 main op kept only in its collection": "main_op",
    "the legacy init op": "legacy_init_op",
    "a WriteFile added to the restore function": "restore_function",
    "an asset whose file name climbs out of the model": "asset_outside",
}


@pytest.mark.parametrize("case", sorted(EVASIONS.values()))
def test_each_evasion_fails_the_default_audit(case: str) -> None:
    run = run_cli("audit", MODELS / case, "--format", "json")
    assert run.code == 1, run.stdout[-2000:]
    assert json.loads(run.stdout)["verdict"] == "failed"


def test_a_function_called_like_plumbing_is_audited_like_any_other() -> None:
    found = canary("named_like_save", "Save")
    assert {f.location.function.rsplit("_", 1)[0] for f in found} == {"__inference__traced_save_"}
    assert "'canary.save'" in found[0].message


def test_the_real_plumbing_is_exempt_and_nothing_else_there_is() -> None:
    result = audit(inspector.load(MODELS / "restore_function"), Policy())
    in_restore = [
        f for f in result.findings if f.rule_id == "INS002" and "_traced_restore_" in f.location.function
    ]
    # TensorFlow's RestoreV2, wired to the saver's filename, is not a finding; the WriteFile added is.
    assert [f.location.op_type for f in in_restore] == ["WriteFile"]
    assert in_restore[0].location.reach is Reach.LOAD and in_restore[0].severity is Severity.CRITICAL
    assert any("restore_op_name" in route for route in in_restore[0].location.reached_by)


def test_checkpoint_ops_of_a_saver_whose_filename_is_no_placeholder_are_findings() -> None:
    """saver_def.filename_tensor_name names `ckpt/filename:0`, which is no node: nothing the loader feeds,
    so the restore's RestoreV2 reads a path the model decides, at load."""
    result = audit(inspector.load(MODELS / "saver_scope"), Policy())
    restore = [f for f in result.findings if f.location.op_type == "RestoreV2"]
    assert restore and all(f.location.reach is Reach.LOAD and f.severity >= Severity.ERROR for f in restore)


def test_an_asset_outside_the_model_is_an_error_twice_over() -> None:
    result = audit(inspector.load(MODELS / "asset_outside"), Policy())
    [table] = [f for f in result.findings if f.location.op_type == "InitializeTableFromTextFileV2"]
    # A file read at load: an error one step up, as ReadFile there would be.
    assert table.severity is Severity.CRITICAL and table.location.reach is Reach.LOAD
    assert "'../../outside-vocabulary.txt'" in table.message and "outside the model" in table.message
    [asset] = [f for f in result.findings if f.rule_id == "INS011"]
    assert asset.kind == "asset-outside" and asset.severity is Severity.ERROR
    assert "climbs out of assets/" in asset.message


@pytest.mark.parametrize(
    ("filename", "problem"),
    [
        ("/etc/passwd", "absolute"),
        ("../secret", "climbs out"),
        ("sub/../../x", "climbs out"),
        ("link.txt", "symbolic link"),
        ("folder", "not a regular file"),
        ("vocab.txt", None),
        ("sub/vocab.txt", None),
        ("missing.txt", None),  # opens nothing: INS011 reports it missing
    ],
)
def test_an_asset_is_inside_only_as_a_plain_name_of_a_regular_file(
    tmp_path: Path, filename: str, problem: str | None
) -> None:
    from inspector._internal.fileio import asset_outside

    assets = tmp_path / "assets"
    (assets / "sub").mkdir(parents=True)
    (assets / "folder").mkdir()
    (assets / "vocab.txt").write_text("a\n")
    (assets / "sub" / "vocab.txt").write_text("a\n")
    (assets / "link.txt").symlink_to(assets / "vocab.txt")
    found = asset_outside(tmp_path, filename)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_object_graph_only_file_and_python_ops_fail_the_default_gate() -> None:
    """`loaded.callback(...)` runs what only the object graph exposes: no discount below the call severity."""
    result = audit(inspector.load(canaries.BY_NAME["object_function"].path), Policy())
    assert result.failed
    risky = inspector.load(Path(__file__).resolve().parents[2] / "fixtures" / "models" / "risky_ops")
    callback = [
        f
        for f in audit(risky, Policy()).findings
        if f.rule_id == "INS002" and f.location.op_type == "EagerPyFunc"
    ]
    assert [(f.location.reach, f.severity) for f in callback] == [(Reach.OBJECT, Severity.ERROR)]


# --- the baseline holds what makes a finding dangerous -----------------------------------------------------


def _baseline_of(tmp_path: Path, case: str) -> Path:
    baseline = tmp_path / f"{case}.baseline.json"
    run = run_cli("audit", MODELS / case, "--write-baseline", baseline)
    assert run.code == 0, run.stderr
    return baseline


def test_a_retargeted_op_is_a_new_finding(tmp_path: Path) -> None:
    baseline = _baseline_of(tmp_path, "signature")
    assert run_cli("audit", MODELS / "signature", "--baseline", baseline).code == 0
    run = run_cli("audit", MODELS / "retargeted", "--baseline", baseline, "--format", "json")
    assert run.code == 1
    [new] = [f for f in payload(run.stdout)["findings"] if f["location"]["op_type"] == "WriteFile"]
    assert "'../../.ssh/authorized_keys'" in new["message"]


def test_an_op_that_became_more_reachable_is_a_new_finding(tmp_path: Path) -> None:
    """The same canary function, first only callable through the object graph, then called by the
    serving signature: the same node, a stronger reach."""
    baseline = _baseline_of(tmp_path, "object_function")
    run = run_cli("audit", MODELS / "signature", "--baseline", baseline, "--format", "json")
    assert run.code == 1
    reaches = {f["location"]["reach"] for f in payload(run.stdout)["findings"] if f["rule_id"] == "INS002"}
    assert "signature" in reaches


def test_a_baseline_of_the_earlier_fingerprints_is_refused_in_one_line(tmp_path: Path) -> None:
    baseline = _baseline_of(tmp_path, "signature")
    document = json.loads(baseline.read_text())
    del document["fingerprint_version"]
    baseline.write_text(json.dumps(document))
    run = run_cli("audit", MODELS / "signature", "--baseline", baseline)
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "write the baseline again with --write-baseline" in run.stderr


# --- diff has no blind spot in the plumbing ----------------------------------------------------------------


@pytest.mark.parametrize("edited", ["restore_function", "save_function"])
def test_an_op_added_to_the_checkpoint_functions_is_a_difference(edited: str) -> None:
    run = run_cli("diff", MODELS / "never", MODELS / edited, "--only", "plumbing", "--format", "json")
    assert run.code == 1
    [change] = [c for c in payload(run.stdout)["changes"] if c["kind"] == "changed"]
    assert "canary_write (WriteFile)" in change["new"]


def test_a_constant_changed_in_the_checkpoint_functions_is_a_difference(tmp_path: Path) -> None:
    tf_protos = pytest.importorskip("tensorflow.core.protobuf.saved_model_pb2")
    import shutil

    edited = tmp_path / "edited"
    shutil.copytree(MODELS / "never", edited)
    proto = tf_protos.SavedModel.FromString((edited / "saved_model.pb").read_bytes())
    [save] = [
        f for f in proto.meta_graphs[0].graph_def.library.function if "_traced_save_" in f.signature.name
    ]
    [suffix] = [
        n
        for n in save.node_def
        if n.op == "Const" and list(n.attr["value"].tensor.string_val) == [b"_temp/part"]
    ]
    suffix.attr["value"].tensor.string_val[0] = b"/../../../home/victim/part"
    (edited / "saved_model.pb").write_bytes(proto.SerializeToString())
    run = run_cli("diff", MODELS / "never", edited, "--format", "json")
    assert run.code == 1
    changes = payload(run.stdout)["changes"]
    [change] = [c for c in changes if c["category"] == "plumbing"]
    assert "/../../../home/victim/part" in " ".join(change["new"])
    # Its writes are no longer TensorFlow's plumbing: risky ops the candidate introduces.
    assert {c["name"] for c in changes if c["category"] == "risky-ops"} == {"SaveV2", "MergeV2Checkpoints"}
    # And the audit no longer calls that save plumbing: its path leaves the saver's folder.
    findings = audit(inspector.load(edited), Policy()).findings
    assert {"SaveV2", "MergeV2Checkpoints"} <= {f.location.op_type for f in findings}


def test_a_redefined_call_op_is_itself_a_finding_and_hides_no_call() -> None:
    result = audit(inspector.load(MODELS / "redefined_call_ops"), Policy())
    redefined = {
        f.location.op_type: f
        for f in result.findings
        if f.rule_id == "INS008" and f.severity >= Severity.ERROR
    }
    assert set(redefined) == {"StatefulPartitionedCall", "PartitionedCall"}
    assert (
        "declares its function attrs as none, TensorFlow's OpDef has f"
        in redefined["PartitionedCall"].message
    )
    # The same model unedited says nothing of the kind: the finding is the edit's.
    assert not [
        f for f in audit(inspector.load(MODELS / "signature"), Policy()).findings if "redefines" in f.message
    ]


def test_a_gradient_function_is_reached_by_its_registration() -> None:
    [write, *_] = canary("custom_gradient")
    assert write.location.reach is Reach.GRADIENT and write.severity is Severity.ERROR
    assert all("registered gradient CustomGradient-" in via for via in write.location.reached_by)


def test_every_meta_graph_is_audited_and_each_finding_names_its_own() -> None:
    """No --tags: both graphs; the write is in `train` only. --tags serve audits the clean one alone."""
    run = run_cli("audit", MODELS / "second_meta_graph", "--format", "json")
    assert run.code == 1
    document = json.loads(run.stdout)
    assert document["model"]["meta_graphs"] == ["serve", "train"]
    [write] = [f for f in document["result"]["findings"] if f["location"]["op_type"] == "WriteFile"]
    assert write["location"]["tags"] == ["train"]
    assert run_cli("audit", MODELS / "second_meta_graph", "--tags", "serve").code == 0
    assert run_cli("audit", MODELS / "second_meta_graph", "--tags", "train").code == 1


@pytest.mark.parametrize("tags", [(), ("--tags", "train"), ("--tags", "serve")])
def test_the_clean_two_graph_model_passes_each_graph_and_both(tags: tuple[str, ...]) -> None:
    """Its train graph holds the first saver's save/ subgraph beside its own save_1/: plumbing by structure."""
    from fixtures import catalog

    run = run_cli("audit", catalog.get("tf1_two_graphs").path, *tags, "--format", "json")
    assert run.code == 0, run.stdout[-2000:]
    assert not [f for f in json.loads(run.stdout)["result"]["findings"] if f["rule_id"] == "INS002"]
