"""INS002 risky-op: every catalogued op wherever it hides, its reach, and what is not a finding."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from rule_helpers import RISKY, by_op, findings_of

from fixtures import catalog
from inspector.audit import Policy, Reach, Severity


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
