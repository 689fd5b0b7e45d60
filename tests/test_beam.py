"""`inspector.beam` on DirectRunner: the same records as `inspector scan` over the same registry (path,
status, verdict), hostile models included, under the same limits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from test_scan import MODELS_IN_REGISTRY, registry  # noqa: F401  (the registry fixture, shared)

from fixtures import catalog

pytestmark = [pytest.mark.beam, pytest.mark.slow]


def _beam(*args: str | Path, cwd: Path, code: int | None = None) -> list[dict[str, Any]]:
    """The pipeline's records; its exit status is scan's (`code`, when given, is asserted)."""
    import subprocess
    import sys

    output = cwd / "out" / "records"
    run = subprocess.run(
        [sys.executable, "-m", "inspector.beam", *map(str, args), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode in (0, 1, 2) and "Traceback" not in run.stderr, run.stderr[-3000:]
    assert code is None or run.returncode == code, (run.returncode, run.stderr[-3000:])
    assert " model" in run.stderr.splitlines()[-1], run.stderr[-3000:]  # the summary line
    files = sorted(output.parent.glob("records-*.jsonl"))
    assert files, run.stderr[-3000:]
    return [json.loads(line) for path in files for line in path.read_text().splitlines()]


def _essentials(records: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return sorted((r["path"], r["status"], r["verdict"]) for r in records)


def test_the_pipeline_writes_the_records_scan_writes(registry: Path, tmp_path: Path) -> None:  # noqa: F811
    options = ("--timeout", "0.6", "--no-registry", "--whitelist", "Acme")
    scanned = run_cli("scan", registry, *options, process=True, timeout=300)
    from_scan = [json.loads(line) for line in scanned.stdout.splitlines()][:-1]
    from_beam = _beam("--input", registry, *options, cwd=tmp_path)

    assert len(from_beam) == MODELS_IN_REGISTRY
    assert _essentials(from_beam) == _essentials(from_scan)
    statuses = {r["status"] for r in from_beam}
    assert {"ok", "findings", "error", "timeout"} <= statuses
    # The same audit, word for word, where there is one; the same rules version (policy included).
    scan_by_path = {r["path"]: r for r in from_scan}
    for record in from_beam:
        twin = scan_by_path[record["path"]]
        assert record["audit"] == twin["audit"], record["path"]
        assert record["rules_version"] == twin["rules_version"] and list(record)[:3] == list(twin)[:3]


def test_a_model_is_read_through_beams_filesystems_and_copied_when_remote(tmp_path: Path) -> None:
    """Beam's FileSystems match the model; a model on a filesystem other than the local disk is copied to
    the worker first, and its record names it where it lives."""
    from inspector.beam import copy_model, find_model_folders

    root = tmp_path / "models"
    shutil.copytree(catalog.get("custom_ops").path, root / "a" / "1")
    shutil.copytree(catalog.get("custom_ops").path, root / "a" / "1" / "assets" / "inner")  # not a model
    (root / "b").mkdir()
    (root / "b" / "link").symlink_to(root / "a", target_is_directory=True)
    assert list(find_model_folders(str(root))) == [str(root / "a" / "1")]

    copied = tmp_path / "copy"
    assert copy_model(str(root / "a" / "1"), copied) is None
    original = sorted(p.relative_to(root / "a" / "1") for p in (root / "a" / "1").rglob("*") if p.is_file())
    assert sorted(p.relative_to(copied) for p in copied.rglob("*") if p.is_file()) == original


def test_a_model_on_another_filesystem_is_copied_audited_and_named_where_it_lives(tmp_path: Path) -> None:
    """Through a filesystem of another scheme (tests/beam_mirror.py: `mirror://` over local files), as
    gs:// would be: matched, copied to the worker's disk, audited, and its record -- and the model its
    audit names -- say the remote path. The audit is the one a local scan gives."""
    import apache_beam as beam
    from beam_mirror import PREFIX

    from inspector._internal.audit import Policy
    from inspector._internal.scanworkers import ScanOptions, line_of
    from inspector.beam import AuditSavedModels

    root = tmp_path / "bucket"
    shutil.copytree(catalog.get("risky_ops").path, root / "team" / "risky" / "1")
    out = tmp_path / "out" / "records"
    options = ScanOptions(Policy(registry=False), timeout=120)
    with beam.Pipeline() as pipeline:
        (
            pipeline
            | AuditSavedModels([PREFIX + str(root)], options)
            | beam.Map(line_of)
            | beam.io.WriteToText(str(out), file_name_suffix=".jsonl")
        )
    [record] = [
        json.loads(line) for path in out.parent.glob("records-*") for line in path.read_text().splitlines()
    ]
    remote = PREFIX + str(root / "team" / "risky" / "1")
    assert record["path"] == remote and record["audit"]["model"]["path"] == remote
    assert record["status"] == "findings" and record["content_hash"].startswith("sha256:")
    local = run_cli("audit", root / "team" / "risky" / "1", "--no-registry", "--format", "json")
    assert record["audit"]["result"] == json.loads(local.stdout)["result"]


def test_the_entry_point_says_bad_input_in_one_line(tmp_path: Path) -> None:
    """Issue 35: without the extra, a traceback; `--input /nonexistent` exited 0 with nothing written."""
    import subprocess
    import sys

    nothing = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspector.beam",
            "--input",
            str(tmp_path / "nope"),
            "--output",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert nothing.returncode == 2 and nothing.stderr.strip().endswith("matches nothing"), nothing.stderr
    missing = subprocess.run(
        [
            sys.executable,
            "-c",
            "import runpy, sys; sys.modules['apache_beam'] = None; runpy.run_module('inspector.beam', run_name='__main__')",
            "--help",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert missing.returncode == 2 and "pip install 'savedmodel-inspector[beam]'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_run_with_findings_exits_as_scan_does(tmp_path: Path) -> None:
    model = tmp_path / "models" / "risky"
    shutil.copytree(catalog.get("risky_ops").path, model)
    [record] = _beam("--input", tmp_path / "models", "--no-registry", cwd=tmp_path, code=1)
    assert record["status"] == "findings"


def test_a_folder_deeper_than_the_walk_neither_kills_the_pipeline_nor_goes_unsaid(tmp_path: Path) -> None:
    """Issue 35: a folder 1,100 levels deep under --input killed the pipeline (RecursionError inside
    Beam's own `**` match, 0 records). The local walk is scan's, bounded; what it could not reach is an
    error record, and the run exits 2."""
    models = tmp_path / "models"
    shutil.copytree(catalog.get("module_aliases").path, models / "good")
    models.joinpath(*["d"] * 60).mkdir(
        parents=True
    )  # past the walk's 32 levels (Beam's `**` recursed per level)
    records = _beam("--input", models, "--no-registry", cwd=tmp_path, code=2)
    statuses = sorted(r["status"] for r in records)
    assert statuses == ["error", "ok"]
    [cut] = [r for r in records if r["status"] == "error"]
    assert "not searched" in cut["error"]
