"""INS011 model-files: the files a model needs to load, found missing or cut short without TensorFlow;
the doctor reports the same findings as its blockers, in the same words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rule_helpers import audited

import inspector
from fixtures import catalog
from inspector._internal.audit import Severity
from inspector._internal.doctor import diagnose
from inspector.results.doctor import ProblemKind


def ins011(path: Path) -> list[inspector._internal.audit.Finding]:
    return [f for f in audited(path).findings if f.rule_id == "INS011"]


def test_whole_models_have_no_finding(fixture: catalog.Fixture) -> None:
    assert ins011(fixture.path) == []


def test_a_truncated_shard_is_an_error_with_the_bytes_the_index_needs(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    shard = path / "variables" / "variables.data-00000-of-00001"
    shard.write_bytes(shard.read_bytes()[:100])
    [finding] = ins011(path)
    assert (finding.severity, finding.kind) == (Severity.ERROR, "truncated-file")
    assert "100 bytes, the index needs 239" in finding.message
    assert finding.location.file == str(shard)


def test_a_missing_shard_an_unreadable_index_and_a_missing_asset(model_copy: Any) -> None:
    missing = model_copy("module_aliases")
    (missing / "variables" / "variables.data-00000-of-00001").unlink()
    assert [f.kind for f in ins011(missing)] == ["missing-file"]
    assets = model_copy("risky_ops")
    (assets / "assets" / "vocabulary.txt").unlink()
    [asset] = ins011(assets)
    assert asset.kind == "missing-file" and "vocabulary.txt" in asset.message


def test_an_unreadable_index_is_corrupt(tmp_path: Path, model_copy: Any) -> None:
    path = model_copy("module_aliases")
    (path / "variables" / "variables.index").write_bytes(b"not a table" * 10)
    [finding] = ins011(path)
    assert finding.kind == "corrupt-file" and finding.severity is Severity.ERROR


def test_the_doctor_says_it_in_the_same_words(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    shard = path / "variables" / "variables.data-00000-of-00001"
    shard.write_bytes(shard.read_bytes()[:100])
    [finding] = ins011(path)
    [problem] = [p for p in diagnose(inspector.load(path), registry=False).problems if p.blocker]
    assert (problem.kind, problem.message, problem.fix) == (
        ProblemKind.TRUNCATED_FILE,
        finding.message,
        finding.fix,
    )
    assert (problem.rule_id, problem.severity) == ("INS011", Severity.ERROR)
