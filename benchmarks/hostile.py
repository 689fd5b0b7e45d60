"""Every command on ~1 MB hostile inputs: wall time and peak memory of each, one process per run.

    python benchmarks/hostile.py            # prints a table; exit 1 if any run breaks 5 s or 1 GiB
    python benchmarks/hostile.py many_aliases many_signatures   # some of the inputs

The inputs are the shapes of issue 11, each about 1 MB: a call chain thousands deep, one nested graph
read by many carriers at every level, an inflated node list with hostile names, a signature of 20,000 inputs,
20,000 signatures, 40,000 aliases, a checkpoint index that repeats one block handle, and a symbolicate log
of openings that never close.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_hostile import saved_model as _load  # noqa: E402
from test_hostile import write_model as _save  # noqa: E402

from fixtures import catalog  # noqa: E402
from inspector._internal.protos import load_protos  # noqa: E402

LIMIT_SECONDS = 5.0
LIMIT_BYTES = 2**30


def _copy(name: str, folder: Path, label: str) -> Path:
    target = folder / label
    shutil.copytree(catalog.get(name).path, target)
    return target


def deep_chain(folder: Path) -> Path:
    path = _copy("module_aliases", folder, "deep-chain")
    message = _load(path)
    graph = message.meta_graphs[0].graph_def  # type: ignore[attr-defined]
    serve = next(f for f in graph.library.function if f.signature.name.startswith("__inference_serve"))
    depth = 12_000
    for index in range(depth):
        function = graph.library.function.add()
        function.signature.name = f"__inference_chain_{index}"
        call = function.node_def.add(name="call", op="PartitionedCall")
        call.attr["f"].func.name = f"__inference_chain_{(index + 1) % depth}"
    serve.node_def.add(name="chain", op="PartitionedCall").attr["f"].func.name = "__inference_chain_0"
    _save(path, message)
    return path


def nested_blobs(folder: Path) -> Path:
    graph_cls = load_protos().graph.GraphDef
    blob = graph_cls()
    blob.node.add(name="payload", op="WriteFile")
    for _ in range(4):
        outer = graph_cls()
        const = outer.node.add(name="blob", op="Const")
        const.attr["value"].tensor.dtype = 7
        const.attr["value"].tensor.string_val.append(blob.SerializeToString())
        for index in range(10):
            outer.node.add(name=f"carrier_{index}", op="DatasetFromGraph", input=["blob"])
        blob = outer
    path = _copy("module_aliases", folder, "nested-blobs")
    message = _load(path)
    serve = next(
        f
        for f in message.meta_graphs[0].graph_def.library.function  # type: ignore[attr-defined]
        if f.signature.name.startswith("__inference_serve")
    )
    for node in blob.node:
        serve.node_def.add().CopyFrom(node)
    # Pad with copies of the blob's constant until the file is about 1 MB.
    while len(message.SerializeToString()) < 2**20:  # type: ignore[attr-defined]
        serve.node_def.add().CopyFrom(blob.node[0])
        serve.node_def[-1].name = f"pad_{len(serve.node_def)}"
    _save(path, message)
    return path


def hostile_names(folder: Path) -> Path:
    path = _copy("custom_ops", folder, "hostile-names")
    message = _load(path)
    serve = message.meta_graphs[0].graph_def.library.function[0]  # type: ignore[attr-defined]
    for index in range(12_000):
        node = serve.node_def.add(name=f"n{index}|<img src=x onerror=1>`\x1b[2J[bold]", op="Acme>Evil|<b>")
        node.input.append(f"n{index - 1}|<img src=x onerror=1>`\x1b[2J[bold]" if index else "x")
    _save(path, message)
    return path


def wide_signature(folder: Path) -> Path:
    """A signature of 20,000 inputs: one terminal cell of as many styled lines."""
    path = _copy("module_aliases", folder, "wide-signature")
    message = _load(path)
    signature = message.meta_graphs[0].signature_def["serving_default"]  # type: ignore[attr-defined]
    for index in range(20_000):
        spec = signature.inputs[f"input_{index}\x1b[2J"]
        spec.name = f"serving_default_input_{index}:0"
        spec.dtype = 1
        spec.tensor_shape.dim.add(size=-1)
    _save(path, message)
    return path


def many_signatures(folder: Path) -> Path:
    """20,000 signatures, each reaching the serving function through the top-level call."""
    path = _copy("module_aliases", folder, "many-signatures")
    message = _load(path)
    meta = message.meta_graphs[0]  # type: ignore[attr-defined]
    template = meta.signature_def["serving_default"]
    for index in range(20_000):
        meta.signature_def[f"sig_{index}"].CopyFrom(template)
    _save(path, message)
    return path


def many_aliases(folder: Path) -> Path:
    """40,000 aliases: of functions the model has not, and 100 names shared by many."""
    path = _copy("module_aliases", folder, "many-aliases")
    message = _load(path)
    aliases = message.meta_graphs[0].meta_info_def.function_aliases  # type: ignore[attr-defined]
    for index in range(40_000):
        aliases[f"__inference_missing_{index}"] = f"alias_{index % 100}"
    _save(path, message)
    return path


def many_findings(folder: Path) -> Path:
    """40,000 aliases each of its own absent function: 40,000 findings of one rule (INS006)."""
    path = _copy("module_aliases", folder, "aliases_40k")
    message = _load(path)
    aliases = message.meta_graphs[0].meta_info_def.function_aliases  # type: ignore[attr-defined]
    for index in range(40_000):
        aliases[f"__inference_missing_{index}"] = f"alias_{index}"
    _save(path, message)
    return path


def repeated_handles(folder: Path) -> Path:
    from test_hostile import bundle_index

    path = _copy("module_aliases", folder, "index-handles")
    (path / "variables" / "variables.index").write_bytes(bundle_index(1, 8000, 8000))
    return path


def commands(model: Path, log: Path, out: Path) -> list[list[str]]:
    text = str(model)
    return [
        ["report", text],
        ["report", text, "--format", "json"],
        ["report", text, "--format", "markdown", "--whitelist", "Acme"],
        ["trace", text],
        ["trace", text, "--op", "*", "--format", "json"],
        ["where", text, "module_aliases.py"],
        ["audit", text, "--no-registry", "--format", "sarif"],
        ["diff", text, text],
        ["doctor", text, "--no-registry"],
        ["symbolicate", text, str(log)],
        ["scrub", text, str(out), "--strip-prefix", "fixtures/"],
    ]


def measure(argv: list[str]) -> tuple[int, float, int]:
    """(exit status, seconds, peak RSS bytes) of one run in a child process of its own."""
    script = Path(sys.executable).with_name("inspector")
    start = time.perf_counter()
    child = subprocess.Popen(
        [str(script), *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss * 1024


BUILDERS = (
    deep_chain,
    nested_blobs,
    hostile_names,
    wide_signature,
    many_signatures,
    many_aliases,
    many_findings,
    repeated_handles,
)


def main(only: list[str]) -> int:
    worst = 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        log = folder / "error.log"
        log.write_text("[Op:" * 100_000 + "\n" + "{{node " * 60_000 + "\n")
        models = [build(folder) for build in BUILDERS if not only or build.__name__ in only]
        print(f"{'input':<16} {'size':>9}  {'command':<44} {'exit':>4} {'seconds':>8} {'peak MiB':>9}")
        for model in models:
            size = sum(p.stat().st_size for p in model.rglob("*") if p.is_file())
            for index, argv in enumerate(commands(model, log, folder / f"out-{model.name}")):
                code, seconds, peak = measure(argv)
                broke = code not in (0, 1, 2) or seconds > LIMIT_SECONDS or peak > LIMIT_BYTES
                worst += broke
                shown = " ".join(argv[:1] + [a for a in argv[2:] if not a.startswith("/")])
                print(
                    f"{model.name if index == 0 else '':<16} {size if index == 0 else '':>9}  {shown:<44} "
                    f"{code:>4} {seconds:>8.2f} {peak / 2**20:>9.0f}{'  <- over the limit' if broke else ''}"
                )
    print(
        f"runs over {LIMIT_SECONDS:g} s or {LIMIT_BYTES / 2**30:g} GiB, or with an undocumented exit: {worst}"
    )
    return 1 if worst else 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    raise SystemExit(main(sys.argv[1:]))  # optionally the names of some builders: many_aliases ...
