"""The library API: one call per command at the top of the package, each returning the very result the
command line renders, and the README's Python section as a program that runs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import inspector
from inspector.results.common import Verdict
from tests.conftest import ROOT, cli, run_python

CUSTOM_OPS = "fixtures/models/custom_ops"
RISKY_OPS = "fixtures/models/risky_ops"
ALIASES = "fixtures/models/module_aliases"


def _json(result: object) -> dict:  # type: ignore[type-arg]
    document = json.loads(inspector.render(result, inspector.OutputFormat.JSON))  # type: ignore[arg-type]
    return document["result"]  # type: ignore[no-any-return]


#: Each command: the call, and the same question asked on the command line.
SAME_QUESTIONS = {
    "report": (
        lambda: inspector.report(ROOT / CUSTOM_OPS, whitelist=["Acme"]),
        ["report", CUSTOM_OPS, "--whitelist", "Acme"],
    ),
    "audit": (
        lambda: inspector.audit(ROOT / RISKY_OPS, inspector.Policy(whitelist=("Acme",))),
        ["audit", RISKY_OPS, "--whitelist", "Acme"],
    ),
    "diff": (lambda: inspector.diff(ROOT / CUSTOM_OPS, ROOT / ALIASES), ["diff", CUSTOM_OPS, ALIASES]),
    "trace": (
        lambda: inspector.trace(ROOT / CUSTOM_OPS, inspector.Selector(op="Beta>Shift")),
        ["trace", CUSTOM_OPS, "--op", "Beta>Shift"],
    ),
    "where": (
        lambda: inspector.where(ROOT / CUSTOM_OPS, "custom_ops.py:28"),
        ["where", CUSTOM_OPS, "custom_ops.py:28"],
    ),
    "doctor": (lambda: inspector.doctor(ROOT / CUSTOM_OPS), ["doctor", CUSTOM_OPS]),
}


def _without_paths(document: dict) -> str:  # type: ignore[type-arg]
    """The document with the checkout's absolute path made relative: the call was given absolute paths."""
    return json.dumps(document, sort_keys=True).replace(f"{ROOT}/", "")


@pytest.mark.parametrize("command", SAME_QUESTIONS)
def test_each_call_answers_as_its_command_does(command: str) -> None:
    call, argv = SAME_QUESTIONS[command]
    run = cli(*argv, "--format", "json")
    assert run.code in (0, 1), run.stderr
    result = call()
    assert result.exit_code == run.code
    assert _without_paths(_json(result)) == _without_paths(json.loads(run.stdout)["result"])


def test_a_loaded_view_is_asked_many_questions_without_reading_the_model_again() -> None:
    view = inspector.load(ROOT / CUSTOM_OPS)
    assert inspector.report(view).model.path == view.path
    assert inspector.where(view, "custom_ops.py:28").op_count == 1
    assert inspector.symbolicate(view, "[[{{node Beta>Shift}}]]").verdict is Verdict.FOUND
    assert inspector.audit(view).model.path == view.path


def test_the_calls_stay_functions_when_their_modules_are_imported() -> None:
    """The implementation's modules are private (`inspector._internal`): importing one never replaces the
    package's call of the same name, as `inspector.report` the module once would have."""
    done = run_python(
        """
        import importlib, inspector
        for name in ("reporting", "audit", "diff", "doctor", "scanworkers", "scrub", "symbolicate", "tracing"):
            importlib.import_module(f"inspector._internal.{name}")
        calls = ("report", "audit", "diff", "trace", "where", "doctor", "scan", "scrub", "symbolicate", "load", "save")
        print(all(callable(getattr(inspector, name)) and not hasattr(getattr(inspector, name), "__path__")
                  and type(getattr(inspector, name)).__name__ == "function" for name in calls))
        """
    )
    assert done.stdout.strip() == "True", done.stderr


def test_every_public_name_resolves() -> None:
    for name in inspector.__all__:
        assert getattr(inspector, name) is not None, name
    assert set(inspector.__all__) <= set(dir(inspector))


def test_scan_hands_back_every_record_and_the_summary() -> None:
    seen: list[str] = []
    result = inspector.scan([ROOT / "fixtures/models"], jobs=2, on_record=lambda r: seen.append(r.path))
    assert sorted(seen) == sorted(record.path for record in result.records)
    assert result.summary.models == len(result.records) > 5
    assert result.summary.statuses["findings"] > 0
    assert result.exit_code == 1
    assert "findings" in repr(result)


def test_an_unreadable_model_file_is_the_doctors_diagnosis(tmp_path: Path) -> None:
    (tmp_path / "saved_model.pb").write_bytes(b"\xff\xff not a protobuf")
    diagnosis = inspector.doctor(tmp_path)
    assert diagnosis.problems[0].kind.value == "corrupt-file"
    assert diagnosis.exit_code == 1


def test_a_keras_file_is_audited_for_what_keras_would_run(tmp_path: Path) -> None:
    import zipfile

    model = tmp_path / "model.keras"
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("metadata.json", '{"keras_version": "3.6.0"}')
        archive.writestr("config.json", '{"class_name": "Sequential", "config": {"layers": []}}')
    result = inspector.audit(model)
    assert result.model.path == model
    assert result.notices  # it says that it is not a SavedModel, and how to make one


def test_bad_input_raises_the_error_the_command_line_says_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(inspector.ModelLoadError) as raised:
        inspector.report(tmp_path / "missing")
    assert str(tmp_path / "missing") in str(raised.value)


def test_a_notebook_shows_a_summary_with_the_details_folded() -> None:
    result = inspector.audit(ROOT / RISKY_OPS, inspector.Policy(whitelist=("Acme",)))
    cell = result._repr_html_()
    whole = inspector.render(result, inspector.OutputFormat.HTML)
    assert "FAILED" in cell
    assert "At a glance" in cell
    assert "<details open" in cell  # the glance, open
    folded = re.findall(r"<details(?! open)", cell)
    assert len(folded) >= len(result.groups)  # every rule's section folded
    assert len(cell) < len(whole)
    assert result._repr_markdown_() == inspector.render(result, inspector.OutputFormat.MARKDOWN)


def test_the_readme_python_section_runs_and_says_what_it_shows() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Python API") :]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None
    namespace: dict[str, Any] = {}
    exec(compile(block.group(1).replace("print(", "str("), "README.md", "exec"), namespace)
    # The values its comments promise.
    assert [op.op_type for op in namespace["report"].flagged_ops] == ["Beta>Shift"]
    assert namespace["audit"].failing == 6
    groups = [(g.rule.id, len(g.findings)) for g in namespace["audit"].groups]
    assert groups == [("INS002", 8), ("INS008", 8)]
    assert namespace["changes"].verdict is Verdict.DIFFERENT
    assert namespace["diagnosis"].problems[0].op_type == "Acme>Scale"
    assert namespace["scanned"].summary.statuses == {
        "ok": 6,
        "findings": 5,
        "error": 0,
        "timeout": 0,
        "oom": 0,
        "unsigned": 0,
    }


def test_scrub_copies_the_model_and_leaves_the_original(tmp_path: Path) -> None:
    before = (ROOT / CUSTOM_OPS / "debug" / "saved_model_debug_info.pb").read_bytes()
    result = inspector.scrub(ROOT / CUSTOM_OPS, tmp_path / "out", strip_prefixes=["fixtures/"])
    assert result.exit_code == 0
    assert (tmp_path / "out" / "saved_model.pb").is_file()
    assert (ROOT / CUSTOM_OPS / "debug" / "saved_model_debug_info.pb").read_bytes() == before
