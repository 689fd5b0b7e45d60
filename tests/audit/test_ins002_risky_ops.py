"""INS002 risky-op: every catalogued op wherever it hides, its reach, and what is not a finding."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from rule_helpers import RISKY, audited, by_op, findings_of

import inspector._internal.audit
from fixtures import catalog
from inspector._internal.audit import Policy, Reach, Severity


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
    # Only the object graph exposes it, and `loaded.callback(...)` runs it: no discount (issue 19).
    assert (callback.location.reach, callback.severity) == (Reach.OBJECT, Severity.ERROR)
    assert callback.location.source.line == line("callback.py_function")  # type: ignore[union-attr]

    in_pipeline = [
        f for f in found["ReadFile"] if not f.location.nesting and "map_read_file" in f.location.function
    ]
    assert [f.location.source.line for f in in_pipeline] == [line("load_records.read_file")]  # type: ignore[union-attr]

    table = one("InitializeTableFromTextFileV2", "__inference__initializer_")
    assert table.location.reach is Reach.LOAD
    assert table.location.reached_by[0].startswith("__saved_model_init_op")
    # It reads the model's own asset (vocabulary.txt in assets/): ordinary, so a note, though it runs at load.
    assert table.severity is Severity.NOTE and "own asset (vocabulary.txt)" in table.message


def test_severity_follows_reach() -> None:
    found = by_op(findings_of("risky_ops"))
    reads = {f.location.reach: f.severity for f in found["ReadFile"] if not f.location.nesting}
    assert reads[Reach.SIGNATURE] == reads[Reach.OBJECT] == Severity.ERROR
    assert Severity.ERROR.shifted(Reach.LOAD.severity_shift) > Severity.ERROR
    # "Unreachable" is the only reduction.
    assert [r for r in Reach if r.severity_shift < 0] == [Reach.UNREACHABLE]


def test_checkpoint_ops_in_the_saver_functions_are_expected(fixture: catalog.Fixture) -> None:
    for finding in findings_of(fixture.name):
        assert not finding.location.function.startswith(
            ("__inference__traced_save_", "__inference__traced_restore_")
        )


#: What `saved_model_cli scan --dir DIR` runs, for every model in one interpreter (TensorFlow's import
#: costs seconds; the scan itself is instant): its own functions, its own default denylist.
_SCAN = """
import contextlib, io, json, sys
from tensorflow.python.tools import saved_model_cli, saved_model_utils
flagged = {}
for path in sys.argv[1:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for meta_graph_def in saved_model_utils.read_saved_model(path).meta_graphs:
            saved_model_cli.scan_meta_graph_def(meta_graph_def, saved_model_cli._OP_DENYLIST)
    flagged[path] = out.getvalue()
print(json.dumps(flagged))
"""


@pytest.fixture(scope="module")
def saved_model_cli_scans() -> dict[str, set[str]]:
    """The ops `saved_model_cli scan` flags in each fixture, by the fixture's path."""
    pytest.importorskip("tensorflow")
    paths = [str(fixture.path) for fixture in catalog.FIXTURES]
    result = subprocess.run(
        [sys.executable, "-c", _SCAN, *paths],
        capture_output=True,
        text=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
        timeout=300,
        check=True,
    )
    scans: dict[str, set[str]] = {}
    for path, said in json.loads(result.stdout.strip().splitlines()[-1]).items():
        match = re.search(r"contains the following denylisted ops: \{([^}]*)\}", said)
        scans[path] = set(re.findall(r"'([^']+)'", match.group(1))) if match else set()
    return scans


@pytest.mark.slow  # runs saved_model_cli, which imports TensorFlow
@pytest.mark.tensorflow
def test_everything_saved_model_cli_scan_flags_is_flagged_too(
    fixture: catalog.Fixture, saved_model_cli_scans: dict[str, set[str]]
) -> None:
    theirs = saved_model_cli_scans[str(fixture.path)]
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


def test_notes_of_one_op_type_are_said_once_with_their_count() -> None:
    """tensorflow-text's tokenizers hold 21 Asserts, each with its own message constants: one note."""
    asserts = by_op(findings_of("tftext_tokenizers")).get("Assert", [])
    assert len(asserts) == 1 and asserts[0].severity is Severity.NOTE
    assert asserts[0].message.endswith("(21 nodes in 21 functions)")
    assert "constant input" not in asserts[0].message


def _planted(tmp_path: Any, op_types: list[str]) -> inspector._internal.audit.AuditResult:
    """module_aliases with one node of each op type added to the serving signature's function, as an
    attacker's edit would add it (no inputs: what the audit judges is the op type and where it runs)."""
    import shutil

    from inspector._internal.protos import load_protos

    model = tmp_path / "model"
    shutil.copytree(catalog.get("module_aliases").path, model)
    message = load_protos().saved_model.SavedModel()
    message.ParseFromString((model / "saved_model.pb").read_bytes())
    meta = message.meta_graphs[0]
    [serve] = [
        f for f in meta.graph_def.library.function if f.signature.name.startswith("__inference_serve_")
    ][:1]
    for index, op in enumerate(op_types):
        serve.node_def.add(name=f"planted_{index}", op=op)
    (model / "saved_model.pb").write_bytes(message.SerializeToString())
    return audited(model)


def test_every_risky_op_type_planted_in_a_signature_is_named_at_its_base_severity(tmp_path: Any) -> None:
    """Issue 32 planted each of the registry's world-touching ops one at a time into a clean model's serving
    function: 50 of 159 got no finding. Every op the catalogue calls risky, and an op type nobody
    classified, is a finding naming it, at its base severity (a call), the restores and table
    initializers reading a path of the author's choice among the errors."""
    from inspector._internal.riskyops import CATALOGUE, Family

    planted = [*sorted(CATALOGUE), "Acme>Unknown", "FutureOpOfTensorFlow3"]
    found = by_op(list(_planted(tmp_path, planted).findings))
    missing = [op for op in planted if op not in found]
    assert missing == []
    for op, entry in CATALOGUE.items():
        severities = {f.severity for f in found[op] if f.location.node_key.startswith("planted_")}
        assert entry.base in severities, (op, entry.base, severities)
    for op in (
        "RestoreV2",
        "Restore",
        "RestoreSlice",
        "InitializeTableFromTextFileV2",
        "DumpTensor",
        "_Send",
    ):
        assert max(f.severity for f in found[op]) >= Severity.ERROR, op
    for op in ("Acme>Unknown", "FutureOpOfTensorFlow3"):
        [unknown] = found[op]
        assert unknown.severity is Severity.ERROR and f"({Family.UNCLASSIFIED.value})" in unknown.message


def test_an_unclassified_op_shows_its_string_attrs(tmp_path: Any) -> None:
    import shutil

    from inspector._internal.protos import load_protos

    model = tmp_path / "model"
    shutil.copytree(catalog.get("module_aliases").path, model)
    message = load_protos().saved_model.SavedModel()
    message.ParseFromString((model / "saved_model.pb").read_bytes())
    [serve] = [
        f
        for f in message.meta_graphs[0].graph_def.library.function
        if f.signature.name.startswith("__inference_serve_")
    ][:1]
    node = serve.node_def.add(name="planted", op="Acme>Exfiltrate")
    node.attr["endpoint"].s = b"https://example.invalid/upload"
    node.attr["mode"].s = b"quiet"
    (model / "saved_model.pb").write_bytes(message.SerializeToString())
    [finding] = by_op(list(audited(model).findings))["Acme>Exfiltrate"]
    assert (
        "endpoint 'https://example.invalid/upload'" in finding.message and "mode 'quiet'" in finding.message
    )
    assert "endpoint https://example.invalid/upload" in finding.evidence
