"""The layering rules, checked by parsing imports (not by trusting a comment)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "inspector"

# Modules that may use TensorFlow's runtime, and only inside functions.
# Saving; the audit's op-registry check; recomputing fingerprint.pb (reads files, loads nothing).
RUNTIME_USERS = {"save.py", "installed.py", "integrity.py"}
# Analysis and reading: no rich, no argparse, no printing.
ANALYSIS = {
    "coverage.py",
    "view.py",
    "loader.py",
    "debuginfo.py",
    "callgraph.py",
    "objectgraph.py",
    "report.py",
    "protos.py",
}


def top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def all_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_imports_tensorflow_at_top_level() -> None:
    for path in modules():
        assert not any(name.split(".")[0] == "tensorflow" for name in top_level_imports(path)), path


def test_only_the_save_module_touches_the_tensorflow_runtime() -> None:
    for path in modules():
        uses_runtime = any(
            name == "tensorflow" or name.startswith("tensorflow.python") for name in all_imports(path)
        )
        assert not uses_runtime or path.name in RUNTIME_USERS, path


def test_analysis_never_imports_rendering_or_the_cli() -> None:
    for name in ANALYSIS:
        imports = all_imports(PACKAGE / name)
        assert not any(i.split(".")[0] in {"rich", "argparse"} for i in imports), name
        assert not any(i.startswith(("inspector.render", "inspector.cli")) for i in imports), name


def test_renderers_take_results_and_never_load_models() -> None:
    for path in (PACKAGE / "render").glob("*.py"):
        imports = all_imports(path)
        assert not any(i in {"inspector.loader", "inspector.protos", "inspector.save"} for i in imports), path


def test_the_library_never_prints() -> None:
    for path in modules():
        if path.name in {"cli.py", "__main__.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"print", "exit", "quit"}, path
