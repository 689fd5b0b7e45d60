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


def test_the_readme_says_each_commands_exit_status_as_the_pages_and_help_do() -> None:
    """One table (`words.EXIT_MEANINGS`) ends every page and every command's --help; the README's table
    is held to it, row by row."""
    from inspector._internal.cli import build_parser
    from inspector._internal.render.words import EXIT_MEANINGS

    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z]+)` \| (.+?) \|$", readme, re.M))
    assert rows == EXIT_MEANINGS
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command, meaning in EXIT_MEANINGS.items():
        assert f"exit status: {meaning}." in (commands[command].epilog or ""), command


def _readme_command_lines() -> list[str]:
    """Every `inspector ...` line of the README's shell examples, continuation lines joined."""
    readme = (ROOT / "README.md").read_text()
    lines = []
    for block in re.findall(r"```(?:bash|sh|console)\n(.*?)```", readme, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("inspector "):
                lines.append(line)
    return lines


def test_every_command_line_the_readme_shows_parses() -> None:
    """A renamed option or command breaks the README's examples: each one is parsed as the command line
    would parse it (up to a pipe, a redirection or a comment)."""
    import shlex

    import pytest

    from inspector._internal.cli import build_parser

    lines = _readme_command_lines()
    assert len(lines) > 30
    for line in lines:
        words = shlex.split(line, comments=True)
        cut = next((i for i, word in enumerate(words) if word in ("|", ">", ">>", "&&", "2>&1")), len(words))
        argv = words[1:cut]
        try:
            build_parser().parse_args(argv)
        except SystemExit as stopped:
            # --help and --version exit 0 after printing; anything else is a usage error.
            if stopped.code != 0:
                pytest.fail(f"the README's `{line}` does not parse")


#: The import name of each declared distribution, where it differs from the distribution's name.
IMPORT_NAMES = {
    "markdown_it_py": "markdown_it",
    "pyyaml": "yaml",
    "protobuf": "google",
    "tensorflow_cpu": "tensorflow",
    "tensorflow_serving_api": "tensorflow_serving",
    "grpcio_tools": "grpc_tools",
}


def _requirement_name(requirement: str) -> str:
    return re.split(r"[<>=;\[ ]", requirement)[0].lower().replace("-", "_")


def test_every_import_of_the_tests_is_declared() -> None:
    """A test that imports a package the test extra does not name fails to collect on a clean install
    that resolves differently (rich 13.0 brings no markdown-it)."""
    import ast
    import sys
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"]]
    for extra in ("test", "beam", "h5", "jax", "completion", "tensorflow"):
        requirements += project["optional-dependencies"][extra]
    importable = {IMPORT_NAMES.get(name, name) for name in map(_requirement_name, requirements)}
    local = {
        p.stem
        for folder in ("tests", "tests/audit", "fixtures", "benchmarks", "fuzz")
        for p in (ROOT / folder).glob("*.py")
    }
    local |= {"tests", "fixtures", "benchmarks", "fuzz", "inspector", "__future__"}
    found: set[str] = set()
    for path in [*ROOT.glob("tests/*.py"), *ROOT.glob("tests/audit/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    undeclared = found - set(sys.stdlib_module_names) - local - importable
    assert undeclared == set()
