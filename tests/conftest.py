"""Shared test helpers: the committed fixture models, and the command line run in process (or, for the
entry point's own tests, as the installed console script)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures import catalog  # noqa: E402

FIXTURE_NAMES = [fixture.name for fixture in catalog.FIXTURES]


@pytest.fixture(params=FIXTURE_NAMES)
def fixture(request: pytest.FixtureRequest) -> catalog.Fixture:
    """Every committed fixture model, one test each."""
    return catalog.get(request.param)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def console_script() -> list[str]:
    script = Path(sys.executable).with_name("inspector")
    if script.exists():
        return [str(script)]
    found = shutil.which("inspector")
    return [found] if found else [sys.executable, "-m", "inspector"]


def run_cli(
    *args: str | Path,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    process: bool = False,
) -> Run:
    """Run `inspector ARGS` as a user would, in the working directory `cwd` with `env` added: in this
    process (`main(argv)`, fast: modules stay imported), or with `process=True` as the installed console
    script in a child process (for the tests of the entry point itself)."""
    full_env = {"NO_COLOR": "1", "COLUMNS": "250", "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    if process:
        result = subprocess.run(
            [*console_script(), *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**os.environ, **full_env},
            timeout=timeout,
            check=False,
        )
        return Run(result.returncode, result.stdout, result.stderr)
    previous_dir = Path.cwd()
    previous_env = {name: os.environ.get(name) for name in full_env}
    os.environ.update(full_env)
    os.chdir(cwd)
    try:
        return _in_process(args)
    finally:
        os.chdir(previous_dir)
        for name, value in previous_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _in_process(args: tuple[str | Path, ...]) -> Run:
    import contextlib
    import io

    from inspector._internal.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 2
    return Run(code, out.getvalue(), err.getvalue())


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Python code in a fresh interpreter from the checkout: for what a process imports, or must not."""
    import textwrap

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"},
        timeout=300,
        check=False,
    )


def flat(text: str) -> str:
    """Terminal output without box drawing, its wrapped lines joined: for asserting on phrases."""
    for char in "│╭╮╰╯─":
        text = text.replace(char, " ")
    return " ".join(text.split())


@pytest.fixture
def model_copy(tmp_path: Path) -> callable:  # type: ignore[valid-type]
    """Copy a fixture model into tmp_path so a test can damage it without touching the original."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(catalog.get(name).path, target)
        return target

    return copy


#: Where the "published" copies below pretend to have been saved: the committed fixtures record paths
#: relative to the checkout (fixtures/build.py strips it), as a careful publisher's models do.
ALICE_ROOT = "/home/alice/src/project/"


def publish_as_saved_by_alice(path: Path) -> Path:
    """Rewrite a model's relative recorded paths (in place) as if saved from ALICE_ROOT: the absolute
    paths an unscrubbed model carries, for the tests of scrub, INS010 and --source-root."""
    from inspector._internal.protos import load_protos

    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    for index, recorded in enumerate(debug.files):
        if not recorded.startswith(("/", "<")):
            debug.files[index] = ALICE_ROOT + recorded
    debug_file.write_bytes(debug.SerializeToString())
    return path


def cli(*args: str | Path) -> Run:
    """`inspector ARGS` in this process, from the checkout."""
    return run_cli(*args)


def envelope(text: str) -> dict:  # type: ignore[type-arg]
    """A command's JSON document, checked against its shipped schema (the envelope and the result)."""
    import json

    import jsonschema

    from inspector._internal.schema import SCHEMA_DIR

    document = json.loads(text)
    schema = json.loads((SCHEMA_DIR / f"{document['kind']}.schema.json").read_text())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    return document  # type: ignore[no-any-return]


def payload(text: str) -> dict:  # type: ignore[type-arg]
    """The command's result from its JSON document (validated as `envelope` does)."""
    return envelope(text)["result"]  # type: ignore[no-any-return]
