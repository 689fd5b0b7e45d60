"""The layering rules, checked by parsing imports (not by trusting a comment).

Data flows one way: files -> reading -> view -> services and analysis -> results -> renderers -> CLI.
Every module of the package has a layer below, and may import only from the layers its own layer may
(`ALLOWED`); a new module fails these tests until it is given a layer.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "inspector"

#: Every module, by layer. A package's modules are named by their path below inspector/.
LAYERS: dict[str, set[str]] = {
    # What everything stands on: the view's data types, the file format's messages they hold, errors,
    # bounded file reads.
    "base": {
        "_internal/__init__.py",  # the private package: everything but the public API
        "_internal/view.py",
        "_internal/nodetable.py",  # the view's nodes, held as columns
        "format/__init__.py",  # the file format's messages, inspector's own (savedmodel_format.proto)
        "format/savedmodel_format_pb2.py",  # their classes, built from the compiled .proto
        "_internal/errors.py",
        "_internal/fileio.py",
        "_internal/filemagic.py",  # what a file is, from its first bytes
    },
    # Each command's result: data and the facts derived from it, nothing else.
    "results": {f"results/{p.name}" for p in (PACKAGE / "results").glob("*.py")},
    # Reading a SavedModel's files into a view.
    "reading": {
        "_internal/protos.py",
        "_internal/tfprotos.py",  # TensorFlow's generated classes, when asked for
        "_internal/loader.py",
        "_internal/modelfile.py",  # saved_model.pb found and parsed, the meta graph picked, fingerprint.pb
        "_internal/debuginfo.py",
        "_internal/objectgraph.py",
        "_internal/callgraph.py",
        "_internal/checkpoint.py",
        "_internal/tensors.py",
        "_internal/registry.py",  # the shipped snapshot of TensorFlow's op registries: data the reader needs
        "_internal/kerasmeta.py",  # keras_metadata.pb, read without Keras
        "_internal/foldercontents.py",  # what else a model's folder holds, by the files' bytes
        "_internal/folderwalk.py",  # the bounded walk over a model's folder, never through a link
        "_internal/pickles.py",  # what a pickle imports and calls, from its opcodes
        "_internal/warmup.py",  # TF Serving's warmup requests, read from their TFRecords
        "_internal/filecontent.py",  # what a file's bytes are: pickles, arrays, archives opened, Keras configs
        "_internal/discover.py",  # which folders under a scan's targets are SavedModels
    },
    # Shared services, owned by no single command: the installed TensorFlow, the risky-op catalogue, the
    # packages that provide ops, TensorFlow's error messages.
    "services": {
        "_internal/installed.py",
        "_internal/riskyops.py",
        "_internal/providers.py",
        "_internal/tferrors.py",
    },
    # Analysis: a view in, a result out.
    "analysis": {
        "_internal/coverage.py",
        "_internal/integrity.py",
        "_internal/reporting.py",
        "_internal/tracing.py",
        *(f"_internal/diff/{p.name}" for p in (PACKAGE / "_internal" / "diff").glob("*.py")),
        "_internal/doctor.py",
        "_internal/symbolicate.py",
        "_internal/scrub.py",
        "_internal/save.py",
        "_internal/assets.py",  # the asset files, hashed, with the ops that read each
        "_internal/xlamodules.py",  # XlaCallModule ops: version, platforms, custom calls, source paths
        "_internal/routes.py",  # where TensorFlow's loaders start running a model
        "_internal/reach.py",  # what TensorFlow's loaders run, and when
        "_internal/checkpointplumbing.py",  # TensorFlow's checkpoint plumbing, by its shape
        "_internal/nestedgraphs.py",  # graphs serialized in string constants, decoded within bounds
        "_internal/loadchild.py",  # the program doctor --try-load runs in a child: stdlib and TensorFlow only
        *(
            f"_internal/audit/{p.relative_to(PACKAGE / '_internal' / 'audit')}"
            for p in (PACKAGE / "_internal" / "audit").rglob("*.py")
        ),
    },
    # Many models: audits in worker processes with limits, cached (scan); on many machines (beam).
    "batch": {
        "_internal/scanworkers.py",
        "_internal/scanoutput.py",
        "beam.py",
        "_internal/policyargs.py",
        "_internal/signing.py",  # sign and verify: the audit, its record, model-signing
        "_internal/contenthash.py",  # the content the audit reads, hashed: the cache key, the record's claim
    },
    # Results in, text out.
    "render": {
        f"_internal/render/{p.relative_to(PACKAGE / '_internal' / 'render').as_posix()}"
        for p in (PACKAGE / "_internal" / "render").rglob("*.py")
    },
    # The JSON Schemas, derived from the result types.
    "schema": {"_internal/schema.py"},
    # The command line wires everything; the package facade re-exports the API.
    "cli": {
        *(f"_internal/cli/{p.name}" for p in (PACKAGE / "_internal" / "cli").glob("*.py")),
        "__main__.py",
        "_internal/precommit.py",
    },  # precommit: the pre-commit hook, over the command line
    # The package facade: one call per command (api), re-exported with the result types by __init__.
    "facade": {"__init__.py", "_internal/api.py"},
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
    "batch": {"base", "results", "reading", "services", "analysis", "render", "batch"},
    "cli": {"base", "results", "reading", "services", "analysis", "render", "schema", "batch", "cli"},
    "facade": {"base", "results", "reading", "services", "analysis", "batch", "render", "facade"},
}

#: Arrows against the flow, each for a stated reason.
EXCEPTIONS = {
    # Notebook display: a result draws itself when Jupyter asks (`_repr_html_`), importing the HTML
    # renderer then, inside the method; nothing is imported when results are.
    ("results/common.py", "_internal/render/html.py"),
    ("results/common.py", "_internal/render/__init__.py"),  # and its Markdown (`_repr_markdown_`)
}

# Modules that may use TensorFlow's runtime, and only inside functions.
# Saving; the op registry; recomputing fingerprint.pb (reads files, loads nothing).
RUNTIME_USERS = {
    "_internal/save.py",
    "_internal/installed.py",
    "_internal/integrity.py",
    "_internal/loadchild.py",  # run by path in doctor's child process, never imported
}


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
        dotted = "inspector." + imported.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
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
        assert not uses_runtime or name_of(path) in RUNTIME_USERS, path


def test_analysis_never_imports_rich_or_argparse() -> None:
    for name in LAYERS["analysis"] | LAYERS["reading"] | LAYERS["services"] | LAYERS["results"]:
        imports = all_imports(PACKAGE / name)
        assert not any(i.split(".")[0] in {"rich", "argparse"} for i in imports), name


#: Attributes that reach past the view into the raw file: only the reading layer builds from them.
RAW_DOORS = {"meta_graph_def", "graph_def", "object_graph_def", "collection_def", "saver_def"}


@pytest.mark.parametrize(
    "name",
    sorted(LAYERS["analysis"] | LAYERS["services"] | LAYERS["render"] | LAYERS["results"] | LAYERS["cli"]),
)
def test_the_view_is_the_only_door_to_the_model(name: str) -> None:
    """Analyses read the view's typed, indexed fields, never the raw MetaGraphDef: an analysis that parsed
    the assets or the saver itself would decide by its own reading of the file, not the view's."""
    for node in ast.walk(ast.parse((PACKAGE / name).read_text())):
        if isinstance(node, ast.Attribute):
            assert node.attr not in RAW_DOORS, f"{name}:{node.lineno} reads .{node.attr}"


def test_the_library_never_prints() -> None:
    for path in modules():
        if name_of(path) in LAYERS["cli"]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"print", "exit", "quit"}, path


#: The modules that decide what runs and what is TensorFlow's own plumbing.
VERDICT_MODULES = (
    "_internal/routes.py",
    "_internal/reach.py",
    "_internal/checkpointplumbing.py",
    "_internal/audit",
)
#: The only prefixes those modules may test strings for, none of them a name a model's author picks:
#: a control input's `^`, a print's `file://` output stream, an absolute path's root.
ALLOWED_PREFIXES = {"^", "file://", b"/"}
_AFFIX_METHODS = {"startswith", "endswith", "removeprefix", "removesuffix"}
#: Fragments of the names TensorFlow gives its checkpoint functions: no verdict may test for them.
NAME_FRAGMENTS = ("__inference", "_traced_", "traced_save", "traced_restore")


#: Modules under VERDICT_MODULES that read no model string: `audit/selection.py` matches the user's
#: --select tokens against inspector's own rule ids (`INS00` selects INS001 to INS009).
NOT_ABOUT_THE_MODEL = {"_internal/audit/selection.py"}


def verdict_module_paths() -> list[Path]:
    found: list[Path] = []
    for entry in VERDICT_MODULES:
        target = PACKAGE / entry
        found.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return [path for path in found if name_of(path) not in NOT_ABOUT_THE_MODEL]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


@pytest.mark.parametrize("path", verdict_module_paths(), ids=name_of)
def test_no_reach_or_exemption_decision_reads_a_name_prefix(path: Path) -> None:
    """What runs and what is exempt is decided by structure: a function called `_traced_save_` by its
    author, or a node under a chosen name scope, must get no different verdict (issue 19)."""
    tree = ast.parse(path.read_text())
    docstrings = _docstrings(tree)
    problems = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _AFFIX_METHODS
        ):
            literals = [a for a in node.args if isinstance(a, ast.Constant)]
            if len(literals) != len(node.args) or any(a.value not in ALLOWED_PREFIXES for a in literals):
                problems.append(
                    f"line {node.lineno}: .{node.func.attr}({ast.unparse(node.args[0]) if node.args else ''})"
                )
        text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
        if id(node) not in docstrings and any(part in text for part in NAME_FRAGMENTS):
            problems.append(f"line {node.lineno}: the function name {text!r}")
    assert problems == [], f"{name_of(path)} decides by a name: " + "; ".join(problems)


#: The audit's data, one pass down: the view's call graph -> the loaders' roots -> reach -> plumbing ->
#: the scope the rules read. Each step imports only the steps before it (issue 32: it climbed back 4 times).
AUDIT_PIPELINE = (
    "_internal/callgraph.py",
    "_internal/routes.py",
    "_internal/reach.py",
    "_internal/checkpointplumbing.py",
    "_internal/audit/scope.py",
)


@pytest.mark.parametrize("step", AUDIT_PIPELINE)
def test_each_step_of_the_audit_pipeline_uses_only_the_steps_before_it(step: str) -> None:
    later = set(AUDIT_PIPELINE[AUDIT_PIPELINE.index(step) + 1 :]) | {
        "_internal/audit/__init__.py",
        "_internal/audit/context.py",
    }
    assert inspector_imports(PACKAGE / step) & later == set()


def test_the_load_child_needs_only_the_standard_library_and_tensorflow() -> None:
    """`doctor --python` runs it with a serving environment's interpreter, which has no inspector."""
    import sys

    imported = {name.split(".")[0] for name in all_imports(PACKAGE / "_internal/loadchild.py")}
    assert imported - {"__future__", "tensorflow"} <= set(sys.stdlib_module_names)
    for path in modules():
        assert "inspector._internal.loadchild" not in all_imports(path), f"{name_of(path)} imports it"


def test_no_type_ignore_outside_generated_code() -> None:
    """Types are proved, not silenced: protoc's module aside, no line of the package waives mypy."""
    waived = [
        f"{name_of(path)}:{number}"
        for path in modules()
        if not path.name.endswith("_pb2.py")
        for number, text in enumerate(path.read_text().splitlines(), 1)
        if "type: ignore" in text
    ]
    assert waived == []


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_no_module_is_over_600_lines(path: Path) -> None:
    """One room, one job: a module past 600 lines is doing several (generated code aside)."""
    if path.name.endswith("_pb2.py"):
        return
    assert len(path.read_text().splitlines()) <= 600, f"{name_of(path)}: split it by what it does"


#: The modules no expression of type Any may reach (mypy's disallow_any_expr): the loader, the view and the
#: analyses every command's facts come from.
ANY_FREE = (
    "_internal/loader.py",
    "_internal/modelfile.py",
    "_internal/objectgraph.py",
    "_internal/debuginfo.py",
    "_internal/warmup.py",
    "_internal/view.py",
    "_internal/nodetable.py",
    "_internal/tracing.py",
    "_internal/reporting.py",
    "_internal/nestedgraphs.py",
    *(
        f"_internal/audit/{p.relative_to(PACKAGE / '_internal/audit')}"
        for p in (PACKAGE / "_internal/audit").rglob("*.py")
    ),
    *(f"_internal/diff/{p.name}" for p in (PACKAGE / "_internal/diff").glob("*.py")),
)


def test_the_analyses_hold_no_any_expression() -> None:
    """mypy (run by CI over the package) proves them free of Any only while pyproject lists them: a module
    added to the audit or the diff is covered by its package's wildcard, and none may be dropped."""
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    listed = {
        module
        for override in config["tool"]["mypy"]["overrides"]
        if override.get("disallow_any_expr")
        for module in override["module"]
    }

    def covered(path: str) -> bool:
        dotted = "inspector." + path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        parts = dotted.split(".")
        # mypy's `package.*` covers the package and every module below it.
        return dotted in listed or any(
            ".".join(parts[:end]) + ".*" in listed for end in range(1, len(parts) + 1)
        )

    assert [path for path in ANY_FREE if not covered(path)] == []


#: Where argparse's Namespace may be read: each command's `run` hands it to its options' `from_args`, and
#: `main` checks the outputs and the TF Serving version before any command runs.
NAMESPACE_READERS = {"run", "from_args", "serving_version", "check_outputs"}


def test_past_the_parser_every_command_works_on_typed_options() -> None:
    """A runner reads its typed options object (`ReportOptions`, `AuditOptions`, ...), never argparse's
    Namespace, whose every attribute is Any: only `run` and `from_args` see it."""
    readers = []
    for path in sorted((PACKAGE / "_internal/cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                annotations = [ast.unparse(arg.annotation) for arg in node.args.args if arg.annotation]
                if "argparse.Namespace" in annotations:
                    readers.append((name_of(path), node.name))
    assert readers and all(name in NAMESPACE_READERS for _, name in readers), [
        reader for reader in readers if reader[1] not in NAMESPACE_READERS
    ]
    commands = {path for path, name in readers if name == "run"} - {"_internal/cli/completion.py"}  # one str
    assert len(commands) == 14 and commands <= {path for path, name in readers if name == "from_args"}
