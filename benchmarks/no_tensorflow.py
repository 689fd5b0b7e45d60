"""The light install: a fresh venv with inspector alone (protobuf and rich, no TensorFlow), its size, and
every static command on every fixture and corpus model giving the JSON the full install gives.

    python benchmarks/no_tensorflow.py            # needs the dev venv (with TensorFlow) to compare against

What the installed TensorFlow is (or that there is none) legitimately changes a few things, which are
set aside before comparing: notices that name it, and the audit's and doctor's findings about it
(INS004 names the release it checks against, INS007 compares versions with it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures import catalog  # noqa: E402

ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "TF_CPP_MIN_LOG_LEVEL": "2"}


def _size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _normalized(text: str) -> Any:
    document = json.loads(text)
    result = document["result"]
    if document["kind"] in ("audit", "doctor"):
        result["notices"] = [n for n in result.get("notices", []) if "TensorFlow" not in json.dumps(n)]
        for key in ("findings", "problems"):
            if key in result:
                result[key] = [f for f in result[key] if f.get("rule_id") not in ("INS004", "INS007")]
        for key in ("failing", "counts", "blocked"):
            result.pop(key, None)
        document.pop("verdict")
        document.pop("exit_code")
    return document


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="inspector-light-") as scratch:
        env_dir = Path(scratch) / "venv"
        venv.create(env_dir, with_pip=True)
        python = env_dir / "bin" / "python"
        base = _size_mib(env_dir)
        start = time.perf_counter()
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT)], check=True, env=ENV)
        seconds = time.perf_counter() - start
        site = next((env_dir / "lib").glob("python3.*/site-packages"))
        added = _size_mib(env_dir) - base
        has_tf = subprocess.run([str(python), "-c", "import tensorflow"], capture_output=True).returncode == 0
        print(
            f"install: {seconds:.1f} s, {added:.1f} MiB added to a fresh venv; TensorFlow importable: {has_tf}"
        )
        print(
            f"site-packages: {', '.join(sorted(p.name for p in site.iterdir() if p.is_dir() and not p.name.endswith('info')))}"
        )
        light = env_dir / "bin" / "inspector"
        full = Path(sys.executable).with_name("inspector")
        compared = differ = 0
        entries = [*catalog.FIXTURES, *catalog.CORPUS]
        for entry in entries:
            tags = ["--tags", "serve"] if entry.name == "tf1_two_graphs" else []
            path = str(entry.path)
            for command in (
                ["report", path, *tags],
                ["trace", path, *tags],
                ["where", path, ".py", *tags],
                ["audit", path, *tags],
                ["doctor", path, *tags],
                ["diff", path, path, *tags],
            ):
                runs = [
                    subprocess.run(
                        [str(tool), *command, "--format", "json"],
                        capture_output=True,
                        text=True,
                        cwd=ROOT,
                        env=ENV,
                    )
                    for tool in (light, full)
                ]
                if runs[0].returncode not in (0, 1) or runs[1].returncode not in (0, 1):
                    # `where .py` on a model without debug info is an error in both: the same answer.
                    same = runs[0].returncode == runs[1].returncode and runs[0].stderr == runs[1].stderr
                else:
                    same = _normalized(runs[0].stdout) == _normalized(runs[1].stdout)
                compared += 1
                if not same:
                    differ += 1
                    print(f"DIFFERENT: {' '.join(command)}")
        print(f"{compared} command runs on {len(entries)} models compared: {differ} differ")
        raise SystemExit(1 if differ else 0)


if __name__ == "__main__":
    main()
