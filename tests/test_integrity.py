"""Integrity and hygiene: stripped_op_list, fingerprints, revealing paths, and scrubbed copies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ALICE_ROOT, ROOT, payload, publish_as_saved_by_alice, run_cli

import inspector
from fixtures import catalog
from inspector._internal.audit import Policy, Severity, audit
from inspector._internal.integrity import FingerprintStatus, unlisted_ops, verify_fingerprint
from inspector._internal.protos import load_protos
from inspector._internal.scrub import revealing_paths, rewrite_path, source_roots

COND = catalog.get("cond_custom_op")


def published(model_copy: Any, name: str) -> Path:
    """A copy of a fixture whose recorded paths are absolute, as an unscrubbed model's are: the
    committed fixtures record paths relative to the checkout (fixtures/build.py strips it)."""
    return publish_as_saved_by_alice(model_copy(name))


def test_committed_models_reveal_no_building_machine() -> None:
    for fixture in (*catalog.FIXTURES, *catalog.CORPUS):
        if fixture.layout == "none":
            continue
        files = inspector.load(fixture.path).debug_info.files
        assert not any(f.startswith(("/work", "/root", "/home")) for f in files), fixture.name
        assert any(f.startswith(f"fixtures/{fixture.package}/") for f in files), fixture.name


# --- stripped_op_list -------------------------------------------------------------------------------------


def test_a_namespaced_op_in_a_cond_branch_slips_past_tensorflows_whitelist_and_is_flagged() -> None:
    # Saved with namespace_whitelist=[] -- TensorFlow accepted it.
    view = inspector.load(COND.path)
    assert "Acme>Scale" in view.nodes_by_op and "Acme>Scale" not in view.stripped_op_list
    [unlisted] = unlisted_ops(view)
    assert unlisted.op_type == "Acme>Scale" and unlisted.functions[0].startswith("cond_true")
    line = catalog.site_line(COND, "branch.scale")
    assert [(Path(s.file).name, s.line) for s in unlisted.sources] == [("cond_custom_op.py", line)]

    found = audit(view, Policy(registry=False, whitelist=())).findings
    for rule in ("INS001", "INS008"):
        [finding] = [f for f in found if f.rule_id == rule]
        assert finding.severity is Severity.ERROR
        assert finding.location.source is not None and finding.location.source.line == line

    document = payload(run_cli("report", COND.path, "--format", "json").stdout)
    assert [op["op_type"] for op in document["unlisted_ops"]] == ["Acme>Scale"]


def test_ops_tensorflows_walk_misses_in_tf_data_and_branches() -> None:
    view = inspector.load(catalog.get("risky_ops").path)
    missing = {op.op_type for op in unlisted_ops(view)}
    assert {"ReadFile", "EagerPyFunc", "MapDataset"} <= missing
    notes = [f for f in audit(view, Policy(registry=False)).findings if f.rule_id == "INS008"]
    assert notes and all(f.severity is Severity.NOTE for f in notes)  # not namespaced: a note


def test_complete_models_have_nothing_unlisted() -> None:
    assert unlisted_ops(inspector.load(catalog.get("module_aliases").path)) == ()


# --- fingerprint ------------------------------------------------------------------------------------------


@pytest.mark.tensorflow
def test_the_fingerprint_matches_an_untouched_model() -> None:
    pytest.importorskip("tensorflow")
    assert (
        verify_fingerprint(inspector.load(catalog.get("module_aliases").path)).status
        is FingerprintStatus.MATCH
    )


@pytest.mark.tensorflow
def test_a_changed_signature_no_longer_matches_the_fingerprint(model_copy: Any) -> None:
    pytest.importorskip("tensorflow")
    path = model_copy("module_aliases")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    saved_model.meta_graphs[0].signature_def["serving_default"].method_name = "tensorflow/serving/classify"
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    check = verify_fingerprint(inspector.load(path))
    assert check.status is FingerprintStatus.MISMATCH
    assert set(check.mismatched) == {"saved_model_checksum", "signature_def_hash"}
    assert "the signatures" in check.detail
    [finding] = [
        f
        for f in audit(inspector.load(path), Policy(verify_fingerprint=True)).findings
        if f.rule_id == "INS009"
    ]
    assert finding.severity is Severity.ERROR
    report = run_cli("report", path, "--verify-fingerprint", "--format", "json")
    assert payload(report.stdout)["fingerprint_check"]["status"] == "mismatch"


def test_report_without_verification_says_so() -> None:
    document = payload(run_cli("report", catalog.get("module_aliases").path, "--format", "json").stdout)
    assert document["fingerprint_check"] is None


# --- revealing paths --------------------------------------------------------------------------------------


def with_debug_files(model_copy: Any, name: str, rename: Any) -> Path:
    path = model_copy(name)
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    for index, recorded in enumerate(debug.files):
        debug.files[index] = rename(recorded)
    debug_file.write_bytes(debug.SerializeToString())
    return path


def test_paths_that_name_users_ci_and_temp_folders(model_copy: Any) -> None:
    view = inspector.load(published(model_copy, "custom_ops"))
    kinds = {(p.kind, p.who) for p in revealing_paths(view)}
    assert ("user name", "alice") in kinds
    assert source_roots(view) == ("/home/alice/src/project/fixtures",)  # fixtures/build.py and builders/
    [finding] = [f for f in audit(view, Policy(registry=False)).findings if f.rule_id == "INS010"]
    assert finding.severity is Severity.WARNING and "user 'alice'" in finding.message


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/Users/bob/code/m.py", "user name"),
        ("C:\\Users\\carol\\m.py", "user name"),
        ("/builds/group/project/m.py", "CI workspace"),
        ("/home/runner/work/repo/repo/m.py", "user name"),
        ("/github/workspace/m.py", "CI workspace"),
        ("/tmp/tmpabc/m.py", "temporary folder"),
        ("/root/m.py", "home folder"),
    ],
)
def test_path_kinds(model_copy: Any, path: str, kind: str) -> None:
    view = inspector.load(with_debug_files(model_copy, "custom_ops", lambda recorded: path))
    assert {p.kind for p in revealing_paths(view)} == {kind}


# --- scrub ------------------------------------------------------------------------------------------------


def test_rewrite_path() -> None:
    assert rewrite_path("/home/a/src/m.py", ["/home/a/"], None) == "src/m.py"
    assert rewrite_path("/home/a/src/m.py", ["/home/a", "/home/a/src/"], None) == "m.py"  # longest first
    assert rewrite_path("/other/m.py", ["/home/a/"], None) == "/other/m.py"
    assert rewrite_path("/home/a/src/m.py", [], "/home/a") == "src/m.py"


def test_a_scrubbed_copy_keeps_everything_but_the_paths(tmp_path: Path, model_copy: Any) -> None:
    source = published(model_copy, "custom_ops")
    before = {p.relative_to(source): p.read_bytes() for p in source.rglob("*") if p.is_file()}
    out = tmp_path / "public"
    prefix = ALICE_ROOT
    result = run_cli("scrub", source, out, "--strip-prefix", prefix)
    assert result.code == 0, result.stderr
    assert "verified by reading it back" in result.stdout
    assert {
        p.relative_to(source): p.read_bytes() for p in source.rglob("*") if p.is_file()
    } == before  # input untouched
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert set(after) == set(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {Path("debug/saved_model_debug_info.pb")}
    assert not any(prefix.encode() in content for content in after.values())

    # It reports identically except for the paths.
    def report(path: Path) -> dict[str, Any]:
        document = payload(run_cli("report", path, "--format", "json", "--whitelist", "Acme").stdout)
        for op in document["flagged_ops"]:
            for frame in op["trace"]["frames"]:
                frame["file"] = frame["file"].removeprefix(prefix)
        document["overview"]["path"] = document["overview"]["model_file"] = document["overview"][
            "debug_info"
        ]["path"] = ""
        for op in document["unlisted_ops"]:
            op["sources"] = []
        return document

    assert report(out) == report(source)


def test_trace_reads_scrubbed_paths_through_a_source_root(tmp_path: Path, model_copy: Any) -> None:
    out = tmp_path / "public"
    source = published(model_copy, "custom_ops")
    assert run_cli("scrub", source, out, "--relative-to", ALICE_ROOT).code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("trace", out, "--op", "Beta>Shift", "--source-root", f"={ROOT}", cwd=elsewhere)
    assert result.code == 0
    assert "return ops().beta_shift(x, offset=0.5)" in result.stdout
    without = run_cli("trace", out, "--op", "Beta>Shift", "--format", "json", cwd=elsewhere)
    assert "custom_ops.py" in [Path(f).name for f in payload(without.stdout)["sources"]["missing_files"]]


@pytest.mark.slow  # loads with TensorFlow
@pytest.mark.tensorflow
def test_a_scrubbed_copy_loads_in_tensorflow(tmp_path: Path, model_copy: Any) -> None:
    import subprocess
    import sys

    out = tmp_path / "public"
    source = published(model_copy, "module_aliases")
    assert run_cli("scrub", source, out, "--strip-prefix", ALICE_ROOT).code == 0
    code = f"import tensorflow as tf; m = tf.saved_model.load({str(out)!r}); print(float(m.double(tf.constant(1.0))))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("5.0")


def test_scrub_refuses_to_overwrite_or_to_do_nothing(tmp_path: Path) -> None:
    source = catalog.get("custom_ops").path
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("mine")
    taken = run_cli("scrub", source, tmp_path / "taken", "--strip-prefix", "/")
    assert taken.code == 2 and "not empty" in taken.stderr
    assert (tmp_path / "taken" / "x").read_text() == "mine"
    assert run_cli("scrub", source, tmp_path / "out").code == 2  # neither --strip-prefix nor --relative-to


@pytest.mark.slow
def test_save_can_strip_prefixes(tmp_path: Path) -> None:
    out = tmp_path / "m"
    prefix = str(ROOT) + "/"
    result = run_cli(
        "save", "fixtures.builders.module_aliases:build", out, "--alias", "double", "--strip-prefix", prefix
    )
    assert result.code == 0, result.stderr
    assert prefix.encode() not in (out / "debug" / "saved_model_debug_info.pb").read_bytes()
    view = inspector.load(out)
    assert any(f.startswith("fixtures/builders/") for f in view.debug_info.files)


def test_a_leak_scrub_cannot_rewrite_is_located_in_the_graph(tmp_path: Path) -> None:
    """Issue 34: scrub reported a prefix left in saved_model.pb without saying where. It names the node and
    attr: a string constant, an output stream, an XlaCallModule's module."""
    from inspector._internal.scrub import scrub

    result = scrub(catalog.get("risky_ops").path, tmp_path / "out", strip_prefixes=["/tmp/"])
    assert result.remaining and result.sites
    places = {(site.node_key.split("@")[0], site.attr) for site in result.sites}
    assert ("PrintV2", "output_stream") in places and ("WriteFile/filename", "value") in places
