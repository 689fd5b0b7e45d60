"""The audit policy (pyproject.toml, --policy, the command line) and the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import payload, run_cli
from rule_helpers import CUSTOM, RISKY


def test_policy_from_the_nearest_pyproject_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.inspector.audit]\nwhitelist = ["Acme", "Beta"]\nregistry = false\n'
        'allow = ["Acme>Scale", "Beta>Shift"]\n'  # the custom ops are unclassified (INS002), accepted here
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


@pytest.mark.parametrize(
    "content", ["tool = 1\n", "[tool]\ninspector = 3\n", "[tool.inspector]\naudit = 'x'\n"]
)
def test_a_pyproject_whose_tool_table_is_not_ours_is_no_crash(tmp_path: Path, content: str) -> None:
    (tmp_path / "pyproject.toml").write_text(content)
    result = run_cli("audit", CUSTOM.path, "--no-registry", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    # `[tool.inspector] audit = 'x'` is our table, written wrong: said so; the others are someone else's.
    assert result.code == (2 if "audit =" in content else 1), result.stderr


# --- inspector config -------------------------------------------------------------------------------------


def config_of(*args: str | Path, cwd: Path) -> dict[str, tuple[object, str]]:
    result = run_cli("config", *args, "--format", "json", cwd=cwd)
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["kind"] == "config"
    return {s["key"]: (s["value"], s["from"]) for s in document["settings"]}


def test_config_says_each_value_in_effect_and_where_it_came_from(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[tool.inspector.audit]\nwhitelist = ["Acme"]\nignore = ["INS005"]\nfail-on = "warning"\n'
    )
    (tmp_path / "sub").mkdir()
    settings = config_of("--fail-on", "critical", "--ignore", "INS010", "--deny", "Foo", cwd=tmp_path / "sub")
    assert settings["whitelist"] == (["Acme"], str(pyproject))
    assert settings["fail-on"] == ("critical", "--fail-on")  # the command line wins
    assert settings["ignore"] == (["INS005", "INS010"], f"{pyproject} + --ignore")  # it adds to the file's
    assert settings["deny"] == (["Foo"], "--deny")
    assert settings["min-trace-coverage"] == (50.0, "default")
    assert settings["registry"] == (True, "default")


def test_config_shows_every_policy_key_a_policy_file_accepts(tmp_path: Path) -> None:
    from inspector._internal.audit.policy import POLICY_KEYS

    assert list(config_of(cwd=tmp_path)) == list(POLICY_KEYS)


def test_config_says_when_no_file_holds_a_policy(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    out = run_cli("config", cwd=tmp_path).stdout
    assert "has no [tool.inspector.audit]" in out and "whitelist           unchecked  default" in out


def test_config_with_an_unreadable_policy_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("config", "--policy", tmp_path / "missing.toml", cwd=tmp_path)
    assert result.code == 2 and "missing.toml" in result.stderr and "Traceback" not in result.stderr


def test_config_shows_a_policy_files_strings_literally(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.inspector.audit]\ndeny = ["\\u001b[2JEvil"]\n')
    out = run_cli("config", cwd=tmp_path).stdout
    assert "\x1b" not in out and "\\x1b[2JEvil" in out


#: A value for each policy key that is not its default, and the field's value it must give.
NOT_DEFAULT = {
    "whitelist": (["Acme"], ("Acme",)),
    "deny": (["Foo"], ("Foo",)),
    "allow": (["Bar"], ("Bar",)),
    "fail-on": ("warning", "WARNING"),
    "require-aliases": (["serve"], ("serve",)),
    "min-trace-coverage": (75, 75.0),
    "registry": (False, False),
    "live-registry": (True, True),
    "verify-fingerprint": (True, True),
    "select": (["INS002"], ("INS002",)),
    "extend-select": (["INS005"], ("INS005",)),
    "ignore": (["INS007"], ("INS007",)),
}


def test_every_key_a_policy_accepts_sets_its_field(tmp_path: Path) -> None:
    """A key `inspector config` lists but the reader did not apply would be accepted and ignored: each
    key, set alone to a value that is not its default, changes its own field and no other."""
    from inspector._internal.audit.policy import POLICY_KEYS, Policy, policy_from_table

    assert set(NOT_DEFAULT) == set(POLICY_KEYS)
    default = Policy(source=str(tmp_path))
    for key, (written, expected) in NOT_DEFAULT.items():
        policy = policy_from_table({key: written}, tmp_path)
        field = POLICY_KEYS[key]
        got = getattr(policy, field)
        assert (got.name if key == "fail-on" else got) == expected, key
        assert got != getattr(default, field), key
        others = [name for name in POLICY_KEYS.values() if name != field]
        assert [getattr(policy, name) for name in others] == [getattr(default, name) for name in others]
