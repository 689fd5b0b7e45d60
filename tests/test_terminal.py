"""The terminal layout draws what rich draws (the pages were drawn with rich, and the tests and goldens hold
them to it), without importing rich: wrapping, styles, panels, trees and indents, on seeded random text."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from conftest import run_python
from rich import box
from rich import padding as rich_padding
from rich import panel as rich_panel
from rich import text as rich_text
from rich import tree as rich_tree
from rich.console import Console

from inspector.render import terminal
from inspector.render.terminal import Group, Padding, Panel, Text, Tree, to_html, to_text

STYLES = ["", "bold", "dim", "red", "bold cyan", "yellow", "bold white on red", "green", "dim", "magenta"]
WORDS = [
    "a",
    "op",
    "MatMul",
    "__inference_serve_57",
    "x" * 30,
    "  ",
    "·",
    "→",
    "模型",
    "名前空間",
    "e\u0301t\u00e9",
]


def _rich_lines(renderable: Any, width: int, color: bool) -> str:
    console = Console(
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="truecolor" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
    )
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _cells(drawn: str) -> list[tuple[str, str]]:
    """Each character with the SGR codes in force: the same picture, however the runs are grouped."""
    cells, codes, position = [], "", 0
    for match in _SGR.finditer(drawn):
        cells += [(char, codes) for char in drawn[position : match.start()]]
        codes = "" if match.group(1) in ("", "0") else match.group(1)
        position = match.end()
    return cells + [(char, codes) for char in drawn[position:]]


def _random_texts(seed: int, count: int) -> list[tuple[Text, rich_text.Text]]:
    """The same styled text built both ways: pieces appended with styles, some pieces Texts of their own."""
    chooser = random.Random(seed)
    pairs = []
    for _ in range(count):
        base = chooser.choice(STYLES)
        ours, theirs = Text("", base), rich_text.Text("", style=base)
        for _ in range(chooser.randint(0, 12)):
            piece = chooser.choice(WORDS) + chooser.choice([" ", "", "  ", "\n", " "])
            style = chooser.choice(STYLES)
            if chooser.random() < 0.3:
                ours.append_text(Text(piece, style))
                theirs.append_text(rich_text.Text(piece, style=style))
            else:
                ours.append(piece, style)
                theirs.append(piece, style=style)
        pairs.append((ours, theirs))
    return pairs


@pytest.mark.parametrize("seed", range(4))
def test_text_wraps_and_styles_as_rich_does(seed: int) -> None:
    for ours, theirs in _random_texts(seed, 150):
        for width in (2, 3, 7, 12, 25, 40, 80):  # (no page is narrower than a wide character)
            assert to_text([ours], width, color=False) == _rich_lines(theirs, width, False), (ours, width)
            assert _cells(to_text([ours], width, color=True)) == _cells(_rich_lines(theirs, width, True))


@pytest.mark.parametrize("seed", range(3))
def test_panels_trees_indents_and_groups_draw_as_rich_does(seed: int) -> None:
    chooser = random.Random(seed)
    texts = _random_texts(100 + seed, 60)
    for round_number in range(25):
        labels = [chooser.choice(texts) for _ in range(8)]
        ours_tree, theirs_tree = (
            Tree(labels[0][0].copy(), "dim"),
            rich_tree.Tree(labels[0][1].copy(), guide_style="dim"),
        )
        ours_nodes, theirs_nodes, depths = [ours_tree], [theirs_tree], [0]
        for ours_label, theirs_label in labels[1:]:
            parent = chooser.randrange(len(ours_nodes))
            ours_nodes.append(ours_nodes[parent].add(ours_label.copy()))
            theirs_nodes.append(theirs_nodes[parent].add(theirs_label.copy()))
            depths.append(depths[parent] + 1)
        title_ours, title_theirs = chooser.choice(texts)
        style = chooser.choice(["blue", "red", "yellow"])
        ours = Group(
            Panel(ours_tree, title=title_ours.copy(), border_style=style),
            Padding(Group(labels[1][0].copy(), labels[2][0].copy()), 4),
        )
        theirs = rich_panel.Panel(
            theirs_tree, title=title_theirs.copy(), title_align="left", border_style=style, box=box.ROUNDED
        )
        theirs_indent = rich_padding.Padding(
            rich_text.Text("\n").join([labels[1][1], labels[2][1]]), (0, 0, 0, 4)
        )
        # (Where the guides leave a level too little room, rich draws nothing of it: see the next test.)
        fits = 4 * max(depths) + 4 + Tree.MIN_LABEL + 4
        for width in [w for w in (20, 44, 60, 80, 123) if fits <= w]:
            expected = _rich_lines(theirs, width, False) + _rich_lines(theirs_indent, width, False)
            assert to_text([ours], width, color=False) == expected, (round_number, width)
            coloured = _rich_lines(theirs, width, True) + _rich_lines(theirs_indent, width, True)
            assert _cells(to_text([ours], width, color=True)) == _cells(coloured), (round_number, width)


def test_a_tree_deeper_than_the_width_allows_says_what_it_leaves_out() -> None:
    """A call chain 32 deep at 100 columns: rich drew the levels that did not fit as nothing at all."""
    root = node = Tree("signature serving_default")
    for depth in range(32):
        node = node.add(f"__inference_chain_{depth}")
    lines = to_text([Panel(root, "Function call tree")], 100, color=False).splitlines()
    assert all(terminal.cell_len(line) <= 100 for line in lines)
    shown = [int(found) for line in lines for found in re.findall(r"chain_(\d+)\b", line)]
    words = " ".join(" ".join(lines).replace("│", " ").split())
    assert shown == list(range(len(shown))) and 10 < len(shown) < 32
    assert "(deeper levels are left out: they do not fit this width)" in words
    wide = to_text([Panel(root, "Function call tree")], 200, color=False)
    assert "chain_31" in wide and "left out" not in wide


def test_wide_characters_take_two_cells_and_are_never_split() -> None:
    assert terminal.cell_len("模型a") == 5 and terminal.cell_len("e\u0301") == 1
    assert to_text([Text("模型模型模")], 3, color=False).splitlines() == ["模", "型", "模", "型", "模"]


def test_html_escapes_every_character_html_reads_and_styles_with_inline_css() -> None:
    drawn = to_html([Text("<script>&", "bold red").append(" ok", "dim")], 40)
    assert "<script>" not in drawn and "&lt;script&gt;&amp;" in drawn
    assert 'style="color: #800000; font-weight: bold"' in drawn and "opacity" in drawn


def test_a_text_page_never_imports_rich() -> None:
    result = run_python(
        """
        import sys
        from inspector.cli import main
        for command in (["report"], ["audit"], ["trace"], ["doctor"]):
            main([*command, "fixtures/models/custom_ops", "--output", "/dev/null"])
        print("RICH:", sorted(m for m in sys.modules if m.split(".")[0] == "rich"))
        """
    )
    assert result.returncode == 0, result.stderr
    assert "RICH: []" in result.stdout
