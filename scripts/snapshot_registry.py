"""Regenerate `inspector/data/registry.json.gz` (and `function_attrs.json`, derived from it): the op types (and their attrs' types) that each
TensorFlow release registers, and those the known op-providing packages add, read from real installs.

    python scripts/snapshot_registry.py                       # every release in RELEASES (slow: a venv each)
    python scripts/snapshot_registry.py --release 2.21.0      # one release, merged into the snapshot
    python scripts/snapshot_registry.py --providers PYTHON    # the providers installed for that interpreter

Each release is installed into a scratch venv (`tensorflow-cpu==X`), imported there, and its registry
dumped with TF_GetAllOpList; nothing of it is kept but the op names and attr types. The default audit and
doctor read the snapshot instead of importing TensorFlow; `tests/test_registry.py` checks the installed
TensorFlow's release against its live registry.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspector._internal import callgraph, registry  # noqa: E402

SNAPSHOT = ROOT / "inspector" / "data" / "registry.json.gz"
RELEASES = (
    "2.12.1",
    "2.13.1",
    "2.14.1",
    "2.15.1",
    "2.16.2",
    "2.17.1",
    "2.18.1",
    "2.19.1",
    "2.20.0",
    "2.21.0",
)
#: Packages that register ops when imported: distribution -> module to import.
PROVIDERS = {
    "tensorflow-text": "tensorflow_text",
    "tensorflow-decision-forests": "tensorflow_decision_forests",
}

# Runs inside the interpreter that has TensorFlow: prints {"version", "ops": {op: {attr: type}}}, and with
# module names as arguments, the ops each module adds when imported.
_DUMP = r"""
import importlib, json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow as tf
from tensorflow.core.framework import op_def_pb2
from tensorflow.python.client import pywrap_tf_session as session

def registered():
    ops = op_def_pb2.OpList()
    ops.ParseFromString(session.TF_GetBuffer(session.TF_GetAllOpList()))
    return {op.name: {attr.name: attr.type for attr in op.attr} for op in ops.op}

base = registered()
providers = {}
for module in sys.argv[1:]:
    try:
        imported = importlib.import_module(module)
    except Exception as error:
        providers[module] = {"error": f"{type(error).__name__}: {error}"}
        continue
    now = registered()
    providers[module] = {
        "version": getattr(imported, "__version__", ""),
        "ops": {name: attrs for name, attrs in now.items() if name not in base},
    }
    base = now
print("@@registry@@" + json.dumps({"version": tf.__version__, "ops": registered() if not sys.argv[1:] else None, "providers": providers}))
"""


def dump(python: str, modules: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    result = subprocess.run(
        [python, "-c", _DUMP, *modules], capture_output=True, text=True, check=True, timeout=900
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("@@registry@@"))
    return json.loads(line.removeprefix("@@registry@@"))  # type: ignore[no-any-return]


def release_registry(release: str) -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix=f"tf-{release}-") as scratch:
        venv.create(scratch, with_pip=True)
        python = str(Path(scratch) / "bin" / "python")
        subprocess.run(
            [python, "-m", "pip", "install", "-q", f"tensorflow-cpu=={release}"], check=True, timeout=1800
        )
        found = dump(python)
    assert found["version"] == release, (found["version"], release)
    return found["ops"]  # type: ignore[no-any-return]


def load_snapshot() -> dict:  # type: ignore[type-arg]
    """The snapshot as {"releases": {release: {op: attrs}}, "providers": {...}}."""
    if not SNAPSHOT.is_file():
        return {"releases": {}, "providers": {}}
    stored = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    releases: dict[str, dict[str, dict[str, str]]] = {release: {} for release in stored["releases"]}
    for op, (attrs, present) in stored["ops"].items():
        for index in present:
            releases[stored["releases"][index]][op] = attrs
    return {"releases": releases, "providers": stored["providers"]}


def save_snapshot(snapshot: dict) -> None:  # type: ignore[type-arg]
    """Stored by op: its attrs (as the newest release has them) and the releases that register it."""
    releases = sorted(snapshot["releases"], key=lambda r: tuple(int(p) for p in r.split(".")[:3]))
    ops: dict[str, list] = {}  # type: ignore[type-arg]
    for index, release in enumerate(releases):
        for op, attrs in snapshot["releases"][release].items():
            entry = ops.setdefault(op, [attrs, []])
            entry[0] = attrs
            entry[1].append(index)
    stored = {"format": 1, "releases": releases, "ops": ops, "providers": snapshot["providers"]}
    SNAPSHOT.parent.mkdir(exist_ok=True)
    # Ops sorted by name; each op's attrs keep their OpDef order (the order a node's function attrs are
    # read in: If's then_branch before else_branch).
    stored["ops"] = dict(sorted(ops.items()))
    text = json.dumps(stored, separators=(",", ":"))
    SNAPSHOT.write_bytes(gzip.compress(text.encode(), mtime=0))
    registry.snapshot.cache_clear()
    derived = registry.derive_function_attrs(registry.snapshot())
    callgraph.FUNCTION_ATTRS_FILE.write_text(json.dumps(derived, separators=(",", ":")) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--release", action="append", help="a TensorFlow release (repeatable; default: all)")
    parser.add_argument(
        "--providers", metavar="PYTHON", help="dump the provider packages installed for PYTHON"
    )
    args = parser.parse_args()
    snapshot = load_snapshot()
    if args.providers:
        found = dump(args.providers, tuple(PROVIDERS.values()))
        for distribution, module in PROVIDERS.items():
            entry = found["providers"][module]
            if "error" in entry:
                sys.stderr.write(f"{distribution}: {entry['error']}\n")
                continue
            snapshot["providers"][distribution] = {
                "module": module,
                "version": entry["version"],
                "tensorflow": found["version"],
                "ops": entry["ops"],
            }
    else:
        for release in args.release or RELEASES:
            sys.stderr.write(f"TensorFlow {release}...\n")
            snapshot["releases"][release] = release_registry(release)
            save_snapshot(snapshot)  # one release at a time: a long run keeps what it has
    save_snapshot(snapshot)


if __name__ == "__main__":
    main()
