"""What a model's folder carries, read by content and opened (issue 33): every case of fixtures/payloads.py
planted in a clean model fails the default audit with a finding naming the file, the member inside an
archive, the loader that runs it and the globals or code it reaches; every clean counterpart passes; each
loader, run in a child process, shows the malicious payloads really fire (tests/folder_oracle.py); and an
archive made to exhaust the reading ends, bounded, in a failing finding."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import payload, run_cli

from fixtures import catalog, payloads
from inspector._internal.audit import AuditResult, Finding, Policy, Severity, audit_meta_graphs
from inspector._internal.loader import load_all

ORACLE = Path(__file__).resolve().parent / "folder_oracle.py"
CLEAN_BASE = catalog.get("module_aliases").path
#: What each malicious case's finding must say: the file (and member), the loader, and what it reaches.
SAYS = {
    "npy_object": ("preprocess.npy", "np.load(allow_pickle=True)", "builtins.exec"),
    "pickle_protocol0": ("state.bin", "pickle.load", "exec"),
    "pickle_frame_first": ("state.dat", "pickle.load", "builtins.exec"),
    "pickle_in_assets": ("assets/tokenizer.json", "pickle.load", "exec"),
    "joblib_compressed": ("variables/scaler.joblib", "joblib.load", "builtins.exec"),
    "torch_zip": ("model.pt!archive/data.pkl", "torch.load", "posix.system"),
    "pickle_in_zip": ("bundle.zip!bundle/state/payload.pkl", "pickle.load", "builtins.exec"),
    "keras_lambda": ("model.keras!config.json", "keras.saving.load_model", "__import__"),
    "h5_lambda": ("model.h5", "load_model", "__import__"),
    "bare_string_lambda": ("root.layer-2", "tf_keras.models.load_model", "__import__"),
    "user_object_metadata": (
        "user_object.metadata in saved_model.pb",
        "tf_keras.models.load_model",
        "__import__",
    ),
}


def planted(case: payloads.Case, tmp_path: Path) -> Path:
    model = tmp_path / "model"
    if case.whole_model:
        shutil.copytree(case.path, model)
    else:
        shutil.copytree(CLEAN_BASE, model)
        payloads.plant(case, model)
    return model


def audited(model: Path) -> AuditResult:
    return audit_meta_graphs(load_all(model), Policy())


def folder_findings(result: AuditResult) -> list[Finding]:
    return [f for f in result.findings if f.rule_id in ("INS012", "INS013")]


def test_every_case_is_checked() -> None:
    assert set(SAYS) == {case.name for case in payloads.CASES if case.malicious}


@pytest.mark.parametrize("name", sorted(SAYS))
def test_each_payload_fails_the_default_audit_naming_file_loader_and_what_runs(
    name: str, tmp_path: Path
) -> None:
    result = audited(planted(payloads.BY_NAME[name], tmp_path))
    assert result.failed
    where, loader, reached = SAYS[name]
    failing = [f for f in folder_findings(result) if f.severity >= Severity.ERROR]
    assert any(where in f.message and loader in f.message and reached in f.message for f in failing), [
        f.message for f in failing
    ]


@pytest.mark.parametrize("name", sorted(case.name for case in payloads.CASES if not case.malicious))
def test_each_clean_counterpart_passes(name: str, tmp_path: Path) -> None:
    result = audited(planted(payloads.BY_NAME[name], tmp_path))
    assert not result.failed, [f.message for f in result.findings if f.severity >= Severity.ERROR]


@pytest.mark.slow
@pytest.mark.tensorflow
@pytest.mark.parametrize("name", [case.name for case in payloads.CASES])
def test_each_loader_really_runs_the_malicious_payloads_and_none_else(name: str, tmp_path: Path) -> None:
    """The loader, in a child process in a scratch folder: pickle.load, np.load(allow_pickle=True),
    joblib.load, torch's unpickling of data.pkl, keras.saving.load_model(safe_mode=False),
    tf_keras.models.load_model."""
    pytest.importorskip("joblib")
    case = payloads.BY_NAME[name]
    folder = planted(case, tmp_path)
    run = subprocess.run(
        [sys.executable, str(ORACLE), str(folder), case.loader, case.file],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path(__file__).parents[1]),
        },
    )
    assert run.returncode == 0, run.stderr[-3000:]
    said = json.loads(run.stdout.strip().splitlines()[-1])
    assert said["fired"] is case.malicious, said


# --- bounds -----------------------------------------------------------------------------------------------------


def _bounded_audit(model: Path) -> tuple[int, list[dict[str, object]]]:
    """`inspector audit` in a child process held under 1 GiB of memory; a hang would hit the timeout."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    run = subprocess.run(
        [sys.executable, "-m", "inspector", "audit", str(model), "--no-registry", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limit,
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]
    return run.returncode, json.loads(run.stdout)["result"]["findings"]


def _uninspected(findings: list[dict[str, object]]) -> list[dict[str, object]]:
    return [f for f in findings if f["rule_id"] == "INS013" and f["kind"] == "uninspected"]


@pytest.mark.slow  # a child process each: CI runs them
def test_a_zip_bomb_is_a_failing_finding_not_a_hang(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(CLEAN_BASE, model)
    with zipfile.ZipFile(model / "weights.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (64 * 2**20))  # ~64 KB stored: a ratio of ~1000
    # A second archive whose directory declares 10 GB for a small member.
    with zipfile.ZipFile(model / "declared.zip", "w") as archive:
        archive.writestr("huge.bin", b"x" * 100)
    raw = bytearray((model / "declared.zip").read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10 * 2**30 & 0xFFFFFFFF).to_bytes(4, "little")  # uncompressed size
    (model / "declared.zip").write_bytes(bytes(raw))
    code, findings = _bounded_audit(model)
    assert code == 1
    stopped = [str(f["message"]) for f in _uninspected(findings)]
    assert any(said.startswith("weights.zip!zeros.bin ") and "a bomb" in said for said in stopped), stopped
    assert any(said.startswith("declared.zip!") for said in stopped), stopped
    # Located at the archive itself, under the model's folder: where an annotation can land.
    assert {Path(str(f["location"]["file"])).name for f in _uninspected(findings)} == {
        "weights.zip",
        "declared.zip",
    }


@pytest.mark.slow  # a child process each: CI runs them
def test_an_archive_twenty_levels_deep_is_a_failing_finding(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(CLEAN_BASE, model)
    inner = b"plain data"
    for level in range(20):
        buffer = tmp_path / f"level{level}.zip"
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"level{level}.zip" if level else "data.txt", inner)
        inner = buffer.read_bytes()
    (model / "nested.zip").write_bytes(inner)
    code, findings = _bounded_audit(model)
    assert code == 1
    [deepest] = _uninspected(findings)
    assert "nested more than" in str(deepest["message"])


@pytest.mark.slow  # a child process each: CI runs them
def test_a_gzip_bomb_is_stopped_while_it_inflates(tmp_path: Path) -> None:
    import gzip

    model = tmp_path / "model"
    shutil.copytree(CLEAN_BASE, model)
    (model / "cache.gz").write_bytes(gzip.compress(b"\0" * (300 * 2**20), compresslevel=9))
    code, findings = _bounded_audit(model)
    assert code == 1 and "a bomb" in str(_uninspected(findings)[0]["message"])


@pytest.mark.slow  # a child process each: CI runs them
def test_without_h5py_an_h5_file_is_not_inspected_and_fails(tmp_path: Path) -> None:
    """The light install has no h5py: an .h5 carries code Keras runs, so it is not passed unread."""
    model = planted(payloads.BY_NAME["h5_clean"], tmp_path)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.modules['h5py'] = None\n"
            "from inspector._internal.cli import main\n"
            f"raise SystemExit(main(['audit', {str(model)!r}, '--no-registry', '--format', 'json']))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1, run.stderr[-2000:]
    [unread] = _uninspected(payload(run.stdout)["findings"])
    assert "h5py is not installed" in str(unread["message"]) and "[h5]" in str(unread["message"])


def test_a_hard_linked_file_is_a_finding(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(CLEAN_BASE, model)
    outside = tmp_path / "secret.txt"
    outside.write_text("token=abc\n")
    (model / "assets").mkdir(exist_ok=True)
    (model / "assets" / "labels.txt").hardlink_to(outside)
    run = run_cli("audit", model, "--no-registry", "--format", "json")
    [linked] = [f for f in payload(run.stdout)["findings"] if f["kind"] == "hard-link"]
    assert (
        linked["location"]["file"] == str(model / "assets" / "labels.txt") and linked["severity"] == "warning"
    )


# --- a Keras file given alone -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"), [("keras_lambda", 1), ("keras_clean", 0), ("h5_lambda", 1), ("h5_clean", 0)]
)
def test_a_keras_file_is_audited_as_one_and_says_it_is_no_savedmodel(name: str, code: int) -> None:
    case = payloads.BY_NAME[name]
    run = run_cli("audit", case.path / case.file, "--format", "json")
    assert run.code == code, run.stdout[-2000:] + run.stderr
    document = payload(run.stdout)
    [said] = [n["message"] for n in document["notices"] if "not a SavedModel" in n["message"]]
    assert "model.export(DIR)" in said
    if code:
        [lambda_code] = [f for f in document["findings"] if f["kind"] == "lambda-bytecode"]
        assert lambda_code["severity"] == "critical" and "__import__" in lambda_code["message"]


@pytest.mark.parametrize("command", ["report", "doctor", "trace"])
def test_other_commands_say_in_one_line_that_a_keras_file_is_no_savedmodel(command: str) -> None:
    case = payloads.BY_NAME["keras_clean"]
    run = run_cli(command, case.path / case.file)
    assert run.code == 2 and run.stdout == ""
    [line] = run.stderr.splitlines()
    assert "not a SavedModel" in line and "inspector audit" in line and "model.export(DIR)" in line
