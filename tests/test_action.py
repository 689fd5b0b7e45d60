"""The GitHub Action (`action.yml`): its audit step is `scripts/action_audit.sh`, run here as the runner
runs it, and its steps wire that script to the pull request and to code scanning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT

from fixtures import catalog

SCRIPT = ROOT / "scripts" / "action_audit.sh"
INSPECTOR = Path(sys.executable).with_name("inspector")


def _run(
    tmp_path: Path, models: str, args: str = "--no-registry", sign_key: str = ""
) -> tuple[subprocess.CompletedProcess[str], Path]:
    output = tmp_path / "github_output"
    env = {
        **os.environ,
        "INSPECTOR": str(INSPECTOR),
        "INPUT_MODELS": models,
        "INPUT_ARGS": args,
        "INPUT_SARIF_DIR": str(tmp_path / "sarif"),
        "GITHUB_OUTPUT": str(output),
        "NO_COLOR": "1",
        "INPUT_SIGN_KEY": sign_key,
    }
    run = subprocess.run(
        ["bash", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    return run, output


def test_the_step_annotates_each_finding_writes_sarif_per_model_and_exits_with_the_worst(
    tmp_path: Path,
) -> None:
    from test_contract import SARIF_SCHEMA

    risky, clean = catalog.get("risky_ops").path, catalog.get("module_aliases").path
    run, output = _run(tmp_path, f"{clean} {risky}")
    assert run.returncode == 1, run.stderr
    assert output.read_text() == "exit-code=1\n"
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    findings = [
        finding
        for model in (clean, risky)
        for finding in json.loads(
            subprocess.run(
                [str(INSPECTOR), "audit", str(model), "--no-registry", "--format", "json"],
                capture_output=True,
                text=True,
            ).stdout
        )["result"]["findings"]
    ]
    assert len(annotations) == len(findings)  # one annotation per finding, notes included
    logs = sorted((tmp_path / "sarif").iterdir())
    assert [log.name for log in logs] == ["1.sarif", "2.sarif"]
    for log in logs:
        jsonschema.validate(json.loads(log.read_text()), SARIF_SCHEMA, cls=jsonschema.Draft4Validator)


def test_no_model_is_bad_input(tmp_path: Path) -> None:
    run, output = _run(tmp_path, "")
    assert run.returncode == 2 and output.read_text() == "exit-code=2\n"
    assert run.stdout.startswith("::error ")


def test_the_action_runs_the_script_and_uploads_what_it_wrote() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = {step["name"]: step for step in action["runs"]["steps"]}
    assert "scripts/action_audit.sh" in steps["Audit"]["run"]
    assert steps["Audit"]["env"]["INPUT_SARIF_DIR"] == "${{ inputs.sarif-dir }}"
    upload = steps["Upload to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-dir }}"
    assert set(action["inputs"]) == {"models", "python-version", "args", "sarif-dir", "upload", "sign-key"}
    assert steps["Audit"]["env"]["INPUT_SIGN_KEY"] == "${{ inputs.sign-key }}"
    assert steps["Set up Python"]["uses"].startswith("actions/setup-python@")


def test_every_pin_names_this_version() -> None:
    """Issue 35: README, action.yml and the hooks pinned v0.3.0 while the package said 0.2.0. Each pin is
    `v` + the package's version: the tag a release makes (CHANGELOG.md, "Releasing")."""
    import re

    import inspector

    for name in ("README.md", "action.yml", ".pre-commit-hooks.yaml"):
        pins = set(re.findall(r"(?:@|rev: )(v\d+\.\d+\.\d+)", (ROOT / name).read_text()))
        assert pins == {f"v{inspector.__version__}"}, (name, pins)
    assert "`v{version}`" in (ROOT / "CHANGELOG.md").read_text()


def test_every_model_of_a_block_list_is_audited(tmp_path: Path) -> None:
    """Issue 35: `models:` written as a YAML block list (one model a line) had only its first audited."""
    clean, risky = catalog.get("module_aliases").path, catalog.get("risky_ops").path
    run, output = _run(tmp_path, f"{clean}\n{risky}\n")
    assert run.returncode == 1 and output.read_text() == "exit-code=1\n"
    assert sorted(log.name for log in (tmp_path / "sarif").iterdir()) == ["1.sarif", "2.sarif"]


@pytest.mark.slow  # five audits and two signings in child processes: CI runs it
def test_with_a_key_every_model_is_signed_only_when_every_audit_passes(tmp_path: Path) -> None:
    import shutil

    pytest.importorskip("model_signing")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = tmp_path / "release.pem"
    key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    clean = shutil.copytree(catalog.get("module_aliases").path, tmp_path / "clean")
    other = shutil.copytree(catalog.get("custom_ops").path, tmp_path / "other")
    risky = shutil.copytree(catalog.get("risky_ops").path, tmp_path / "risky")
    run, output = _run(tmp_path, f"{clean} {risky}", sign_key=str(key))
    assert run.returncode == 1 and output.read_text() == "exit-code=1\n"
    assert not list(tmp_path.glob("*.sig"))  # one model failed: nothing is signed
    run, output = _run(
        tmp_path,
        f"{clean}\n{other}",
        args="--no-registry --allow Acme>Scale --allow Beta>Shift",
        sign_key=str(key),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.name for p in tmp_path.glob("*.sig")) == ["clean.sig", "other.sig"]
    assert run.stdout.count("SIGNED: ") == 2
