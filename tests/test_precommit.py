"""The `inspector-audit` pre-commit hook: changed files name their model folders, each is audited once,
and pre-commit itself runs the hook from this checkout (`pre-commit try-repo`), as a user's config would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from fixtures import catalog
from inspector.precommit import MODEL_FILE, main, model_folder

RISKY = catalog.get("risky_ops").path
CLEAN = catalog.get("module_aliases").path


def test_a_changed_file_names_the_model_folder_above_it(tmp_path: Path) -> None:
    model = tmp_path / "models" / "risky"
    shutil.copytree(RISKY, model)
    assert model_folder(model / "saved_model.pb") == model
    assert model_folder(model / "variables" / "variables.index") == model
    assert model_folder(tmp_path / "README.md") is None
    link = tmp_path / "linked"
    link.symlink_to(model, target_is_directory=True)
    assert model_folder(link / "saved_model.pb") is None  # a link is never followed


def test_the_hook_pattern_matches_a_models_files_only() -> None:
    for changed in ("m/saved_model.pb", "m/variables/variables.data-00000-of-00001", "m/assets/vocab.txt"):
        assert MODEL_FILE.search(changed), changed
    for other in ("src/model.py", "saved_model.pb.bak", "m/variables/deep/x"):
        assert not MODEL_FILE.search(other), other


def test_each_changed_model_is_audited_once_and_the_worst_status_wins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    changed = [
        str(RISKY / "saved_model.pb"),
        str(RISKY / "variables" / "variables.index"),
        str(CLEAN / "saved_model.pb"),
    ]
    assert main(["--no-registry", *changed]) == 1
    out = capsys.readouterr().out
    assert out.count(f"{RISKY}: FAILED:") == 1 and out.count(f"{CLEAN}: PASSED:") == 1  # one per model
    assert "INS002 [error]" in out  # --format concise: a line per finding
    assert main(["--no-registry", str(CLEAN / "saved_model.pb")]) == 0
    assert main(["--no-registry", "--fail-on", "severe", str(RISKY / "saved_model.pb")]) == 2


@pytest.mark.slow
def test_pre_commit_runs_the_hook_from_this_checkout(tmp_path: Path) -> None:
    """pre-commit installs this checkout into its own environment and runs the hook on a repository that
    commits a risky model: the commit is refused, and a harmless one passes."""
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed (the test extra installs it)")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=600)

    assert run("git", "init", "-q").returncode == 0
    shutil.copytree(CLEAN, repo / "models" / "clean")
    # The project's policy, as a user's would hold it (try-repo passes no hook args): no registry check.
    (repo / "pyproject.toml").write_text("[tool.inspector.audit]\nregistry = false\n")
    run("git", "add", ".")
    hook = [str(pre_commit), "try-repo", str(ROOT), "inspector-audit"]
    passed = run(*hook, "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    shutil.copytree(RISKY, repo / "models" / "risky")
    run("git", "add", ".")
    failed = run(*hook, "--all-files")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "INS002 [error]" in failed.stdout and "models/risky: FAILED" in failed.stdout
    assert "models/clean: PASSED" in failed.stdout
