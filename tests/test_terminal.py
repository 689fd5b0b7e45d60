"""The terminal page is drawn by rich: widths are rich's for every character (wide CJK, Hangul jamo,
combining marks, emoji with modifiers), tables keep inspector's one rule (no name folded), a tree too deep
for the width says what it leaves out, and the CI formats never import rich."""

from __future__ import annotations

import re

import pytest
from conftest import run_python
from rich.cells import cell_len

from inspector._internal.render.fittable import FitTable, KeyValues, _Unpadded
from inspector._internal.render.terminal import Panel, Text, Tree, to_html, to_text

#: Characters whose width rich and a naive count disagree on: emoji with a skin-tone modifier and with a
#: variation selector, Hangul jamo, a combining accent, wide CJK.
AWKWARD = ["👍🏽", "☁️", "ᄀ\u1161\u11a8", "e\u0301", "模型", "名前空間"]


@pytest.mark.parametrize("width", [40, 60, 100])
def test_a_table_of_awkward_characters_lines_up_in_richs_cells(width: int) -> None:
    table = FitTable()
    table.add_column("Name")
    table.add_column("Op type")
    for index, name in enumerate(AWKWARD):
        table.add_row(f"{name}_{index}", f"Op{name}")
    lines = to_text([Panel(table, "Awkward")], width, color=False).splitlines()
    assert {cell_len(line) for line in lines} == {width}  # every line one panel wide, in rich's cells
    drawn = "\n".join(lines)
    assert all(f"{name}_{index}" in drawn for index, name in enumerate(AWKWARD))  # no name folded


def test_a_table_too_narrow_for_its_names_becomes_blocks_in_richs_cells() -> None:
    table = FitTable()
    table.add_column("Object path")
    table.add_column("Name")
    table.add_row("model.layer", "👍🏽" * 30)
    lines = to_text([table], 40, color=False).splitlines()
    assert lines[0] == "model.layer" and lines[1].startswith("  Name: ")
    assert all(cell_len(line) <= 40 for line in lines)


def _mixed_table() -> FitTable:
    table = FitTable()
    table.add_column("Op type", style="cyan")
    table.add_column("Count", justify="right")
    table.add_column("Where", style="dim")
    table.add_row(Text("Const", style="bold"), Text("12"), Text.assemble(("a.py", "magenta"), ":3"))
    table.add_row(Text("MatMul"), Text(""), Text("b"))
    table.add_row(*(Text(name) for name in AWKWARD[:3]))
    table.add_row(Text("short row"))
    table.add_row(
        Text("Op", style="italic"), Text.assemble(("7", "red"), "0", style="bold"), Text("c", "bold")
    )
    return table


def _wrapping_table() -> FitTable:
    """Cells of several lines, cells that wrap (at spaces, a long word folded), wrapped right-justified
    and styled cells with spans across the wrap, wide characters, a header that wraps beside one that
    does not, and short rows."""
    table = FitTable()
    table.add_column("Object path", style="cyan")
    table.add_column("Shape of the tensor", justify="right")
    table.add_column("Doc", style="dim")
    table.add_row(Text("layer.kernel\n(not trainable)"), Text("[3, 3, 64, 64]"), Text("short"))
    table.add_row(
        Text.assemble(("a.py", "magenta"), ":3 and then some words", style="bold"),
        Text.assemble(("[1, 1, 1024, ", "red"), "256]", style="italic"),
        Text("words " * 9 + "模型名前空間" * 3),
    )
    table.add_row(Text("👍🏽 " * 7), Text(""), Text("x" * 30))
    table.add_row(Text("only one"))
    table.add_row(Text("\n\nlate"), Text("1\n2"), Text("", style="red"))
    return table


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize(
    ("table", "width"), [(_mixed_table(), 60), (_wrapping_table(), 70), (_wrapping_table(), 100)]
)
def test_a_table_is_drawn_line_by_line_exactly_as_richs_table(
    table: FitTable, width: int, color: bool
) -> None:
    """FitTable writes the lines itself, rich's Text wrapping each cell (a table is rich's costliest
    renderable per cell), and they are rich's own, styles and all; in a panel too."""
    widths, in_panel = table._widths(width), table._widths(width - 4)  # a panel's border and padding
    assert widths is not None and in_panel is not None
    assert to_text([table], width, color) == to_text([table._table(widths)], width, color)
    by_lines = to_text([Panel(table, "Ops")], width, color)
    assert by_lines == to_text([Panel(table._table(in_panel), "Ops")], width, color)


def test_the_wrapping_table_wraps() -> None:
    """The table above does what it is there to test: its rows take several lines, a header too."""
    drawn = to_text([_wrapping_table()], 70, color=False).splitlines()
    assert drawn[1].split() == ["Shape", "of", "the"] and drawn[2].split()[:3] == ["Object", "path", "tensor"]
    assert len(drawn) > 4 + 2 * len(_wrapping_table().rows)  # the header's two lines set low, rows of several


def _key_values() -> KeyValues:
    """Values that wrap (at spaces, and a word longer than the line folded), of several lines and of
    blank lines, styled by spans and by a style of their own, empty, and in wide characters; a key with
    control codes."""
    return KeyValues(
        [
            ("Path", Text("/models/" + "deep/ " * 30 + "model")),
            ("TensorFlow", Text.assemble(("2.21.0", "green"), " (", ("v2.21.0-rc0", "dim"), ")")),
            ("Tags", Text("serve", style="cyan")),
            ("Empty", Text("")),
            ("Lines", Text("first\nsecond line\n\nafter a blank")),
            ("模型", Text("名前空間 " * 12, style="bold")),
            ("Fold", Text("x" * 150)),
            ("\x1b[31mRed\x07", Text("a key's control codes are dropped")),
        ]
    )


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("width", [12, 14, 40, 80, 160])
def test_key_values_are_drawn_exactly_as_richs_grid(width: int, color: bool) -> None:
    """KeyValues writes the lines of rich's two-column grid itself (and leaves a width with no room beside
    the keys to the grid): the same text and styles, alone and in a panel."""
    drawn = _key_values()
    assert to_text([drawn], width, color) == to_text([_Unpadded(drawn._grid())], width, color)
    in_panel = to_text([Panel(drawn, "Overview")], width, color)
    assert in_panel == to_text([Panel(_Unpadded(drawn._grid()), "Overview")], width, color)


def test_a_tree_deeper_than_the_width_allows_says_what_it_leaves_out() -> None:
    """A call chain 32 deep at 100 columns: rich alone draws the levels that do not fit as nothing."""
    root = node = Tree("signature serving_default")
    for depth in range(32):
        node = node.add(f"__inference_chain_{depth}")
    lines = to_text([Panel(root, "Function call tree")], 100, color=False).splitlines()
    assert all(cell_len(line) <= 100 for line in lines)
    shown = [int(found) for line in lines for found in re.findall(r"chain_(\d+)\b", line)]
    words = " ".join(" ".join(lines).replace("│", " ").split())
    assert shown == list(range(len(shown))) and 10 < len(shown) < 32
    assert "(deeper levels are left out: they do not fit this width)" in words
    wide = to_text([Panel(root, "Function call tree")], 200, color=False)
    assert "chain_31" in wide and "left out" not in wide


def test_html_escapes_every_character_html_reads_and_styles_with_inline_css() -> None:
    drawn = to_html([Text("<script>&", "bold red").append(" ok", "dim")], 40)
    assert "<script>" not in drawn and "&lt;script&gt;&amp;" in drawn
    assert "color: #800000" in drawn and "font-weight: bold" in drawn


def test_colour_and_width_come_from_the_caller_not_the_environment() -> None:
    result = run_python(
        """
        import os
        os.environ.update(
            COLUMNS="30", LINES="5", FORCE_COLOR="1", TERM="dumb", NO_COLOR="", TTY_COMPATIBLE="1",
            JUPYTER_COLUMNS="20", TTY_INTERACTIVE="1",
        )
        from inspector._internal.render.terminal import Text, to_text
        print(repr(to_text([Text("x" * 50, "bold")], 80, color=False)))
        print(repr(to_text([Text("y" * 50, "bold")], 80, color=True)))
        """
    )
    assert result.returncode == 0, result.stderr
    plain, coloured = result.stdout.splitlines()
    assert plain == "'" + "x" * 50 + "\\n'"  # one line of 50, no escape codes
    assert coloured == "'\\x1b[1m" + "y" * 50 + "\\x1b[0m\\n'"  # bold, whatever TERM says


def test_the_ci_formats_never_import_rich() -> None:
    result = run_python(
        """
        import sys
        from inspector._internal.cli import main
        for command in (["report"], ["audit"], ["trace"], ["diff", "fixtures/models/custom_ops"]):
            for fmt in ("json", "sarif") if command == ["audit"] else ("json",):
                main([*command, "fixtures/models/custom_ops", "--format", fmt, "--output", "/dev/null"])
        print("RICH:", sorted(m for m in sys.modules if m.split(".")[0] == "rich"))
        """
    )
    assert result.returncode == 0, result.stderr
    assert "RICH: []" in result.stdout


def test_a_report_page_draws_its_tables_without_richs_table_module() -> None:
    """rich's Table module (5 ms of a 150 ms start) is imported for a page that needs its grid (a finding's
    label beside it, a value too long for a table that became blocks), not for a report's tables and lists."""
    result = run_python(
        """
        import sys
        from inspector._internal.cli import main
        main(["report", "fixtures/models/custom_ops", "--output", "/dev/null"])
        print("TABLE:", "rich.table" in sys.modules, "rich.console" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "TABLE: False True" in result.stdout
