"""`inspector save` and `inspector.save`: real TensorFlow saves, then the report of what was written."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, payload, run_cli

import inspector
from inspector._internal.errors import SaveError

tf = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.slow


def test_cli_save_writes_debug_info_and_aliases_then_reports(tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = run_cli(
        "save",
        "fixtures.builders.module_aliases:build",
        out,
        "--alias",
        "double",
        "--alias",
        "entry=serve",
        "--signature",
        "serving_default=serve",
        "--format",
        "json",
    )
    assert result.code == 0, result.stderr
    document = payload(result.stdout)
    assert {a["name"] for a in document["aliases"]} == {"double", "entry"}
    assert document["overview"]["debug_info"]["status"] == "present"
    assert [s["name"] for s in document["signatures"]] == ["__saved_model_init_op", "serving_default"]
    assert (out / "debug" / "saved_model_debug_info.pb").is_file()


def test_cli_save_with_whitelist_flags_nothing_when_all_allowed(tmp_path: Path) -> None:
    result = run_cli(
        "save",
        "fixtures.builders.custom_ops:build",
        tmp_path / "m",
        "--whitelist",
        "Acme",
        "--whitelist",
        "Beta",
    )
    assert result.code == 0, result.stderr


def test_namespaces_tensorflows_save_check_misses_are_flagged_by_the_report(tmp_path: Path) -> None:
    # TF 2.21's save-time whitelist check walks only some function references and lets both custom
    # ops through here; the report after saving checks every function and exits 1.
    result = run_cli(
        "save",
        "fixtures.builders.custom_ops:build",
        tmp_path / "m",
        "--whitelist",
        "Acme",
        "--format",
        "json",
    )
    assert result.code == 1, result.stderr
    assert (tmp_path / "m" / "saved_model.pb").is_file()
    flagged = json.loads(result.stdout)["result"]["flagged_ops"]
    assert [op["op_type"] for op in flagged] == ["Beta>Shift"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nocolon",), "is not of the form PKG.MODULE:FACTORY"),
        (("no_such_pkg.mod:build",), "no module named 'no_such_pkg'"),
        (("fixtures.builders.module_aliases:nope",), "has no attribute 'nope'"),
        (("fixtures.builders.module_aliases:ALIASES",), "not a callable factory"),
        (("fixtures.builders.module_aliases:build", "--alias", "x=missing"), "names attribute 'missing'"),
        (("fixtures.builders.module_aliases:build", "--alias", "offset"), "must be a tf.function"),
        (("fixtures.builders.module_aliases:build", "--signature", "serve"), "not of the form NAME=ATTR"),
    ],
)
def test_bad_factories_aliases_and_signatures(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    factory, *rest = args
    result = run_cli("save", factory, tmp_path / "out", *rest)
    assert result.code == 2, result
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_save_refuses_a_non_empty_export_dir(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = run_cli("save", "fixtures.builders.module_aliases:build", tmp_path)
    assert result.code == 2 and "not empty" in result.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_python_api_passes_save_options_through(tmp_path: Path) -> None:
    from fixtures.builders import module_aliases

    path = inspector.save(
        module_aliases.build(),
        tmp_path / "m",
        aliases={"double": "double"},
        signatures={"serving_default": "serve"},
        io_device="/job:localhost",
        variable_policy="save_variable_devices",
    )
    view = inspector.load(path)
    assert "double" in view.aliases
    save_ops = [view.nodes[k] for k in view.nodes_by_op["SaveV2"]]
    assert any(node.device.startswith("/job:localhost") for node in save_ops)
    assert all(v.device for v in view.variables)


def test_python_api_rejects_options_that_would_lose_evidence(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="save_debug_info"):
        inspector.save(tf.Module(), tmp_path / "m", options={"save_debug_info": False})


def test_an_alias_with_no_concrete_function_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "lazy_model.py").write_text(
        textwrap.dedent(
            """
            import tensorflow as tf

            class Lazy(tf.Module):
                @tf.function
                def never_called(self, x):
                    return x

            def build():
                return Lazy()
            """
        )
    )
    result = run_cli("save", "lazy_model:build", tmp_path / "m", "--alias", "never_called", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "alias never_called covers no concrete function" in result.stderr


def test_factory_prints_do_not_corrupt_json_output(tmp_path: Path) -> None:
    (tmp_path / "chatty.py").write_text(
        "import tensorflow as tf\n\ndef build():\n    print('hello from the factory')\n    return tf.Module()\n"
    )
    result = run_cli("save", "chatty:build", tmp_path / "m", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    json.loads(result.stdout)
    assert "hello from the factory" in result.stderr


def test_root_is_importable_for_fixture_factories() -> None:
    assert (ROOT / "fixtures" / "builders" / "module_aliases.py").is_file()
