"""Every format renders every fixture; JSON follows its schema; model strings stay literal."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import flat, run_cli

import inspector
from fixtures import catalog
from inspector._internal.protos import load_protos
from inspector._internal.render import OutputFormat, RenderOptions, formats_for
from inspector._internal.render import render as render_as
from inspector._internal.render.safe import literal, visible
from inspector._internal.render.safe import markdown as markdown_escape

SCHEMA = json.loads(resources.files("inspector").joinpath("schemas/report.schema.json").read_text())


def as_json(report: inspector.Report) -> dict[str, Any]:
    """The report's JSON result (inside the envelope)."""
    return json.loads(render_as(report, OutputFormat.JSON))["result"]  # type: ignore[no-any-return]


def as_markdown(report: inspector.Report) -> str:
    return render_as(report, OutputFormat.MARKDOWN)


def render(report: inspector.Report, fmt: OutputFormat, color: bool = False) -> str:
    return render_as(report, fmt, RenderOptions(color=color, width=120))


@pytest.mark.parametrize("fmt", formats_for("report"))
def test_every_format_renders_every_fixture(fixture: catalog.Fixture, fmt: OutputFormat) -> None:
    report = inspector.build_report(inspector.load(fixture.path), whitelist=["Acme"])
    output = render(report, fmt)
    for alias in report.aliases:
        assert alias.name in output
    for signature in report.signatures:
        assert signature.name in output.replace("\\_", "_")


def test_json_follows_the_published_schema(fixture: catalog.Fixture) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    for whitelist in (None, ["Acme"]):
        report = inspector.build_report(inspector.load(fixture.path), whitelist=whitelist)
        document = json.loads(render_as(report, OutputFormat.JSON))
        jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)
        assert document["schema_version"] == 4


def test_json_and_markdown_carry_the_flagged_trace() -> None:
    fixture = catalog.get("custom_ops")
    report = inspector.build_report(inspector.load(fixture.path), whitelist=["Acme"])
    line = catalog.site_line(fixture, "postprocess.shift")
    [flagged] = as_json(report)["flagged_ops"]
    site = [f for f in flagged["trace"]["frames"] if f["is_user"]][-1]
    assert (Path(site["file"]).name, site["line"]) == ("custom_ops.py", line)
    assert f"custom_ops.py:{line} in postprocess" in as_markdown(report)
    assert f"custom_ops.py:{line} in postprocess" in flat(render(report, OutputFormat.TEXT))


def test_text_folds_framework_frames() -> None:
    """The Relu's stack holds TensorFlow's frames (--all-frames shows them); the page folds them away and
    keeps the user's line."""
    from conftest import run_cli

    model = catalog.get("legacy_traces").path
    every = run_cli("trace", model, "--op", "Relu", "--all-frames").stdout
    folded = run_cli("trace", model, "--op", "Relu").stdout
    assert "site-packages/tensorflow" in every
    assert "site-packages/tensorflow" not in folded and "module_aliases.py:38" in folded


# --- hostile strings ------------------------------------------------------------------------------------

HOSTILE_NAME = "[bold red]x[/]\x1b[31m\u202e"
HOSTILE_OP = "Evil>[link=http://evil]Op[/link]\x1b]8;;http://evil\x07"
HOSTILE_FILE = "/src/[bold red]x[/]\x1b[2J\rmodel.py"


def hostile_model(path: Path) -> Path:
    """A real model whose strings were rewritten into markup and terminal escapes (TF cannot write these)."""
    protos = load_protos()
    saved_model = protos.saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    debug = protos.graph_debug_info.GraphDebugInfo()
    debug.ParseFromString((path / "debug" / "saved_model_debug_info.pb").read_bytes())
    function = next(
        f for f in saved_model.meta_graphs[0].graph_def.library.function if "postprocess" in f.signature.name
    )
    node = next(n for n in function.node_def if n.op == "Beta>Shift")
    old_key = f"{node.name}@{function.signature.name}"
    node.name, node.op = HOSTILE_NAME, HOSTILE_OP
    debug.name_to_trace_id[f"{HOSTILE_NAME}@{function.signature.name}"] = debug.name_to_trace_id[old_key]
    for index, name in enumerate(debug.files):
        if name.endswith("custom_ops.py"):
            debug.files[index] = HOSTILE_FILE
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    (path / "debug" / "saved_model_debug_info.pb").write_bytes(debug.SerializeToString())
    return path


def test_safe_helpers_make_controls_visible() -> None:
    assert visible("a\x1b[31mb\r\u202e") == "a\\x1b[31mb\\x0d\\u202e"
    assert literal("[bold]x[/]").plain == "[bold]x[/]"
    assert markdown_escape("a<b>&[x](y)_z|w") == "a&lt;b&gt;&amp;\\[x\\](y)\\_z\\|w"


@pytest.mark.parametrize("color", [False, True])
def test_hostile_strings_render_literally_in_the_terminal(model_copy: Any, color: bool) -> None:
    path = hostile_model(model_copy("custom_ops"))
    result = run_cli("report", path, "--whitelist", "Acme", *(["--color"] if color else ["--no-color"]))
    assert result.code == 1
    # With colour on, rich's own SGR styling (ESC [ ... m) is expected; nothing else may reach the terminal.
    out = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout) if color else result.stdout
    assert "\x1b" not in out
    assert "[bold red]x[/]\\x1b[31m\\u202e" in out
    assert "Evil>[link=http://evil]Op[/link]\\x1b]8;;http://evil\\x07" in out
    assert "[bold red]x[/]\\x1b[2J\\x0dmodel.py" in flat(out)
    for raw in ("\r", "\u202e", "\x07"):
        assert raw not in out


def test_hostile_strings_stay_literal_in_json_and_markdown(model_copy: Any) -> None:
    path = hostile_model(model_copy("custom_ops"))
    report = inspector.build_report(inspector.load(path), whitelist=["Acme"])
    document = render_as(report, OutputFormat.JSON)
    assert "\x1b" not in document and "\u202e" not in document
    [flagged] = as_json(report)["flagged_ops"]
    assert (flagged["node_name"], flagged["op_type"]) == (HOSTILE_NAME, HOSTILE_OP)
    assert HOSTILE_FILE in {frame["file"] for frame in flagged["trace"]["frames"]}
    markdown_text = as_markdown(report)
    assert "\x1b" not in markdown_text and "\r" not in markdown_text
    # In code spans Markdown shows text as it is; elsewhere its brackets are escaped.
    assert f"`{visible(HOSTILE_NAME)}@" in markdown_text
    escaped_op = markdown_escape(HOSTILE_OP)
    assert "\\[link=http://evil\\]" in escaped_op and "\x1b" not in escaped_op
    assert f"| Evil | {escaped_op} |" in markdown_text


@pytest.mark.parametrize(
    "args",
    [
        ("trace", "--op", "Evil*"),
        ("trace",),
        ("where", HOSTILE_FILE),
        ("trace", "--op", "Evil*", "--all-frames"),
        ("audit", "--no-registry", "--whitelist", "Acme", "--fail-on", "critical"),
        ("diff-from", str(catalog.get("custom_ops").path)),
    ],
)
def test_hostile_strings_stay_literal_in_trace_where_audit_and_diff(
    model_copy: Any, args: tuple[str, ...]
) -> None:
    path = hostile_model(model_copy("custom_ops"))
    command, *rest = args
    if command == "diff-from":  # the original against its hostile copy
        result = run_cli("diff", *rest, path, "--no-color")
        assert result.code == 1, result.stderr
    else:
        result = run_cli(command, path, *rest, "--no-color")
        assert result.code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\r" not in result.stdout and "\u202e" not in result.stdout
    assert "[bold red]x[/]\\x1b[2J\\x0dmodel.py" in flat(result.stdout)


# --- terminal tables ------------------------------------------------------------------------------------


def _drawn(renderable: Any, width: int) -> list[str]:
    from inspector._internal.render.terminal import to_text

    return to_text([renderable], width, color=False).splitlines()


def test_a_table_too_wide_narrows_its_widest_column_and_breaks_no_word() -> None:
    from inspector._internal.render.fittable import FitTable

    table = FitTable()
    table.add_column("Option")
    table.add_column("Value")
    table.add_column("Evidence")
    evidence = "the device of the saver's SaveV2 / RestoreV2 nodes: /device:CPU:*, /device:CPU:0"
    table.add_row("experimental_io_device", "no: default placement", evidence)
    lines = _drawn(table, 80)
    assert all(len(line) <= 80 for line in lines)
    assert any("experimental_io_device   no: default placement" in line for line in lines)  # one line each
    words = " ".join(lines).split()
    assert all(word in words for word in evidence.split())  # wrapped at spaces, no word folded


def test_a_table_whose_words_cannot_fit_becomes_blocks() -> None:
    from inspector._internal.render.fittable import FitTable

    table = FitTable()
    table.add_column("Object path")
    table.add_column("Name")
    long_name = "network._operations.100.moving_variance/" + "x" * 40
    table.add_row("model.layer", long_name)
    lines = _drawn(table, 60)
    assert lines[0] == "model.layer" and lines[1].startswith("  Name: ")
    assert long_name in "".join(line.strip() for line in lines[1:])


def test_a_blocks_later_lines_hang_under_its_first_value() -> None:
    """A signature's second input, or a wrapped value, starts under the first, not at the margin where
    the row names go."""
    from inspector._internal.render.fittable import FitTable

    table = FitTable()
    table.add_column("Signature")
    table.add_column("Inputs")
    table.add_row("serving_default", "x" * 50 + ": float32[None]\nmask: int32[None]")
    lines = _drawn(table, 60)
    assert lines[0] == "serving_default"
    assert lines[1].startswith("  Inputs: " + "x" * 50)
    assert lines[-1] == " " * len("  Inputs: ") + "mask: int32[None]"


def test_key_values_wrap_each_value_beside_its_key() -> None:
    from inspector._internal.render.fittable import KeyValues
    from inspector._internal.render.terminal import Text

    rows = [("Path", Text("models/shop")), ("Contents", Text("5 functions · 7213 nodes · 32 op types"))]
    assert _drawn(KeyValues(rows), 30) == [
        "Path      models/shop",
        "Contents  5 functions · 7213",
        "          nodes · 32 op types",
    ]


# --- escapes by Unicode category --------------------------------------------------------------------------


def _expected_unsafe(code: int) -> bool:
    import unicodedata

    ignorable = (
        code in (0x00AD, 0x034F, 0x061C, 0x3164, 0xFEFF, 0xFFA0)
        or 0x115F <= code <= 0x1160
        or 0x17B4 <= code <= 0x17B5
        or 0x180B <= code <= 0x180F
        or 0x200B <= code <= 0x200F
        or 0x202A <= code <= 0x202E
        or 0x2060 <= code <= 0x206F
        or 0xFE00 <= code <= 0xFE0F
        or 0xFFF0 <= code <= 0xFFF8
        or 0x1BCA0 <= code <= 0x1BCA3
        or 0x1D173 <= code <= 0x1D17A
        or 0xE0000 <= code <= 0xE0FFF
    )
    return ignorable or unicodedata.category(chr(code)) in {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}


def test_every_character_that_can_hide_or_reorder_text_is_escaped_and_no_other() -> None:
    """All 1,114,112 code points: the ones of categories Cc, Cf, Zl, Zp, Co, Cs, Cn and the default-
    ignorable ones become escapes; every other character -- letters of every script, marks, emoji -- stays."""
    wrong = []
    for code in range(0x110000):
        char = chr(code)
        escaped = visible(char) != char
        if escaped != _expected_unsafe(code):
            wrong.append(f"U+{code:04X}")
    assert wrong == []
    # The ones a list once missed, by name.
    for char in "\u061c\u2028\u2029\U000e0041\u00ad\u180e\u3164\ufe0f\u034f\x1b\r\u202e":
        assert char not in visible(f"a{char}b")


UNSAFE_BMP = "".join(
    chr(code) for code in range(0x10000) if _expected_unsafe(code) and not 0xD800 <= code <= 0xDFFF
)


@pytest.mark.parametrize(
    "fmt", [OutputFormat.TEXT, OutputFormat.MARKDOWN, OutputFormat.HTML, OutputFormat.SARIF]
)
def test_no_format_carries_an_unsafe_character_raw(fmt: OutputFormat) -> None:
    import dataclasses

    import results_by_hand

    base = results_by_hand.audit_result()
    hostile = base.findings[0]._replace(message=f"WriteFile {UNSAFE_BMP} {HOSTILE_NAME}")
    result = dataclasses.replace(base, findings=(hostile, *base.findings[1:]))
    output = render_as(result, fmt, RenderOptions(color=False, width=120))
    if fmt is OutputFormat.SARIF:
        texts = [r["message"]["text"] for run in json.loads(output)["runs"] for r in run["results"]]
        output = "\n".join(texts)
    raw = sorted({f"U+{ord(c):04X}" for c in output if c not in "\n" and _expected_unsafe(ord(c))})
    assert raw == []
