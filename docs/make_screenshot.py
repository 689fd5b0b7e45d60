"""Regenerate docs/report.svg, the README's picture of the terminal report (drawn by inspector, turned
into SVG by rich).

python docs/make_screenshot.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from rich.console import Console
from rich.text import Text

import inspector
from inspector._internal.render import OutputFormat, RenderOptions, render

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    model = Path("fixtures/models/custom_ops")
    os.chdir(ROOT)  # so the report shows the relative path a user would type
    report = inspector.build_report(inspector.load(model), whitelist=["Acme"])
    width = 104
    ansi = render(report, OutputFormat.TEXT, RenderOptions(color=True, width=width))
    console = Console(record=True, width=width, force_terminal=True, file=io.StringIO())
    console.print(Text.from_ansi(ansi))
    title = f"inspector report {model} --whitelist Acme"
    (ROOT / "docs" / "report.svg").write_text(console.export_svg(title=title))


if __name__ == "__main__":
    main()
