"""The layering rules, checked by parsing imports (not by trusting a comment).

Data flows one way: files -> reading -> view -> services and analysis -> results -> renderers -> CLI.
Every module of the package has a layer below, and may import only from the layers its own layer may
(`ALLOWED`); a new module fails these tests until it is given a layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "inspector"

#: Every module, by layer. A package's modules are named by their path below inspector/.
LAYERS: dict[str, set[str]] = {
    # What everything stands on: the view's data types, errors, bounded file reads.
    "base": {"view.py", "errors.py", "files.py"},
    # Each command's result: data and the facts derived from it, nothing else.
    "results": {f"results/{p.name}" for p in (PACKAGE / "results").glob("*.py")},
    # Reading a SavedModel's files into a view.
    "reading": {
        "protos.py",
        "tfprotos.py",  # TensorFlow's generated classes, when asked for
        "loader.py",
        "debuginfo.py",
        "objectgraph.py",
        "callgraph.py",
        "checkpoint.py",
        "tensors.py",
        "messages.py",  # the file format's messages, inspector's own
        "message_classes.py",  # their classes, built from the compiled declarations
        "registry.py",  # the shipped snapshot of TensorFlow's op registries: data the reader needs
    },
    # Shared services, owned by no single command: the installed TensorFlow, the risky-op catalogue, the
    # packages that provide ops, TensorFlow's error messages.
    "services": {"installed.py", "riskyops.py", "providers.py", "tferrors.py"},
    # Analysis: a view in, a result out.
    "analysis": {
        "coverage.py",
        "integrity.py",
        "report.py",
        "traces.py",
        "diff.py",
        "doctor.py",
        "symbolicate.py",
        "scrub.py",
        "save.py",
        *(f"audit/{p.relative_to(PACKAGE / 'audit')}" for p in (PACKAGE / "audit").rglob("*.py")),
    },
    # Results in, text out.
    "render": {f"render/{p.name}" for p in (PACKAGE / "render").glob("*.py")},
    # The JSON Schemas, derived from the result types.
    "schema": {"schema.py"},
    # The command line wires everything; the package facade re-exports the API.
    "cli": {"cli.py", "__main__.py"},
    "facade": {"__init__.py"},
}

#: Which layers each layer may import from (its own included). The facade (`inspector`, for
#: `__version__`) may be imported by any layer: importing any module runs it anyway.
ALLOWED: dict[str, set[str]] = {
    "base": {"base"},
    "results": {"base", "results"},
    "reading": {"base", "reading"},
    "services": {"base", "results", "reading", "services"},
    "analysis": {"base", "results", "reading", "services", "analysis"},
    "render": {"base", "results", "render"},
    "schema": {"base", "results"},
    "cli": {"base", "results", "reading", "services", "analysis", "render", "schema", "cli"},
    "facade": {"base", "results", "reading", "analysis"},
}

#: Arrows against the flow, each for a stated reason.
EXCEPTIONS = {
    # Notebook display: a result draws itself when Jupyter asks (`_repr_html_`), importing the HTML
    # renderer then, inside the method; nothing is imported when results are.
    ("results/common.py", "render/html.py"),
}

# Modules that may use TensorFlow's runtime, and only inside functions.
# Saving; the op registry; recomputing fingerprint.pb (reads files, loads nothing).
RUNTIME_USERS = {"save.py", "installed.py", "integrity.py"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def layer_of(name: str) -> str:
    found = [layer for layer, members in LAYERS.items() if name in members]
    assert len(found) == 1, f"{name} belongs to {found or 'no layer'}: give it exactly one in LAYERS"
    return found[0]


def inspector_imports(path: Path) -> set[str]:
    """The package modules `path` imports, anywhere in it (function bodies too), as names in LAYERS."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for target in targets:
            if target != "inspector" and not target.startswith("inspector."):
                continue
            relative = target.removeprefix("inspector").lstrip(".").replace(".", "/")
            for candidate in (f"{relative}.py", f"{relative}/__init__.py" if relative else "__init__.py"):
                if (PACKAGE / candidate).is_file():
                    found.add(candidate)
    return found


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


def test_every_module_has_exactly_one_layer() -> None:
    for path in modules():
        layer_of(name_of(path))


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_imports_follow_the_allowed_arrows(path: Path) -> None:
    layer = layer_of(name_of(path))
    for imported in inspector_imports(path):
        if (name_of(path), imported) in EXCEPTIONS:
            continue
        target = layer_of(imported)
        assert target in ALLOWED[layer] or target == "facade", (
            f"{name_of(path)} ({layer}) imports {imported} ({target}): {layer} may import {sorted(ALLOWED[layer])}"
        )


def test_the_exceptions_are_lazy() -> None:
    """An exception to the arrows is an import inside a function, never at the top of the module."""
    for module, imported in EXCEPTIONS:
        dotted = "inspector." + imported.removesuffix(".py").replace("/", ".")
        assert dotted not in top_level_imports(PACKAGE / module), (module, imported)
        assert dotted in all_imports(PACKAGE / module), (
            f"{module} no longer imports {imported}: drop the exception"
        )


def test_results_are_light() -> None:
    """Result modules hold data: no rich, no protobuf, no TensorFlow, nothing but the standard library."""
    for name in LAYERS["results"]:
        external = {i.split(".")[0] for i in all_imports(PACKAGE / name)} - {"inspector", "__future__"}
        assert not external & {"rich", "google", "tensorflow", "argparse", "numpy"}, name


def test_no_module_imports_tensorflow_at_top_level() -> None:
    for path in modules():
        assert not any(name.split(".")[0] == "tensorflow" for name in top_level_imports(path)), path


def test_only_the_runtime_users_touch_the_tensorflow_runtime() -> None:
    for path in modules():
        uses_runtime = any(
            name == "tensorflow" or name.startswith("tensorflow.python") for name in all_imports(path)
        )
        assert not uses_runtime or path.name in RUNTIME_USERS, path


def test_analysis_never_imports_rich_or_argparse() -> None:
    for name in LAYERS["analysis"] | LAYERS["reading"] | LAYERS["services"] | LAYERS["results"]:
        imports = all_imports(PACKAGE / name)
        assert not any(i.split(".")[0] in {"rich", "argparse"} for i in imports), name


def test_the_library_never_prints() -> None:
    for path in modules():
        if path.name in {"cli.py", "__main__.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"print", "exit", "quit"}, path
