"""The README's first lines are the quickstart, and CI runs exactly its test command."""

from __future__ import annotations

import re

from conftest import ROOT


def _quickstart() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block is not None, "the README opens with a bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    """`.ci/run`'s steps, joined with `&&` (its `-q` aside), are the README's second quickstart line."""
    steps = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert " && ".join(steps).replace(" -q ", " ") == _quickstart()[1]


def test_the_quickstart_reports_a_bundled_model() -> None:
    install, *_ = _quickstart()
    model = install.rsplit(" ", 1)[1]
    assert (ROOT / model / "saved_model.pb").is_file()
