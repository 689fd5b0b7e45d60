"""The `inspector-audit` pre-commit hook: changed files name their model folders, each is audited once,
and pre-commit itself runs the hook from this checkout (`pre-commit try-repo`), as a user's config would."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from fixtures import catalog
from inspector._internal.precommit import main, model_folder

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


def test_any_changed_file_in_a_model_folder_triggers_its_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 35: the hook's pattern left out a pickle added beside a model. Every changed file counts."""
    model = tmp_path / "m"
    shutil.copytree(CLEAN, model)
    (model / "preprocess.pkl").write_bytes(pickle.dumps(_Evil(), protocol=4))
    monkeypatch.chdir(tmp_path)
    assert main(["--no-registry", "m/preprocess.pkl"]) == 1


class _Evil:
    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, ("id",))


def test_a_path_is_told_from_an_option_by_what_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 35: a staged folder `-evil/` passed unaudited; a file named `--policy=x/p` became an audit option;
    one named `--output=good/saved_model.pb` overwrote the model with the audit's text."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(RISKY, tmp_path / "-evil")
    assert main(["--no-registry", "-evil/saved_model.pb"]) == 1
    (tmp_path / "--policy=x").mkdir()
    (tmp_path / "--policy=x" / "p").write_text("[tool.inspector.audit]\nignore = ['INS0']\n")
    assert main(["--no-registry", "--policy=x/p", "-evil/saved_model.pb"]) == 1
    shutil.copytree(RISKY, tmp_path / "--output=good")
    before = (tmp_path / "--output=good" / "saved_model.pb").read_bytes()
    assert main(["--no-registry", "--output=good/saved_model.pb"]) == 1
    assert (tmp_path / "--output=good" / "saved_model.pb").read_bytes() == before
    # An option the user gave, with its value (an existing file), stays an option.
    (tmp_path / "audit.toml").write_text('fail-on = "critical"\n')
    assert main(["--no-registry", "--policy", "audit.toml", "-evil/saved_model.pb"]) == 0


def test_a_linked_model_file_is_said_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Hugging Face cache layout links each file: the hook does not follow it, and says so."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CLEAN, tmp_path / "real")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "saved_model.pb").symlink_to(tmp_path / "real" / "saved_model.pb")
    assert main(["m/saved_model.pb"]) == 2
    assert "a link, not followed" in capsys.readouterr().err


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
