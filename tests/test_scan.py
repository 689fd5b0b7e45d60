"""`inspector scan`: every model under the targets gets exactly one record, whatever it does to its worker.

The registry below mixes the fixtures with a corrupt model, a model too large for the timeout and the
memory limit, a link to a model (not followed), a saved_model.pb that is a link (an error record) and
models at several depths. Scans run as the console script, in a child process: scan forks its workers.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from fixtures import catalog

sys.path.insert(0, str(ROOT / "benchmarks"))
import shapes  # benchmarks/ is not a package: on the path above

FIXTURES = [fixture.name for fixture in catalog.FIXTURES]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("registry")
    for name in FIXTURES:
        shutil.copytree(catalog.get(name).path, root / "team" / name / "1")
    corrupt = root / "broken" / "corrupt"
    corrupt.mkdir(parents=True)
    (corrupt / "saved_model.pb").write_bytes(b"\x0a\xff\xff\xff\xff not a protobuf")
    linked = root / "broken" / "linked_file"
    linked.mkdir()
    (linked / "saved_model.pb").symlink_to(catalog.get("custom_ops").path / "saved_model.pb")
    (root / "link_to_a_model").symlink_to(catalog.get("custom_ops").path, target_is_directory=True)
    # ~200k nodes: about a second to audit, where a fixture takes a hundredth of that.
    shapes.write(root / "huge" / "model", blocks=40, nodes_per_block=5_000)
    return root


MODELS_IN_REGISTRY = len(FIXTURES) + 3  # the fixtures, corrupt, linked_file, huge/model


SCHEMA = json.loads((ROOT / "inspector" / "schemas" / "scan.schema.json").read_text())


def scan(*args: str | Path) -> tuple[int, list[dict[str, Any]], dict[str, Any], str]:
    """Every line follows scan.schema.json: the records, then the summary."""
    import jsonschema

    run = run_cli("scan", *args, process=True, timeout=300)
    assert run.code in (0, 1, 2), run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    for line in lines:
        jsonschema.validate(line, SCHEMA)
    records, summary = lines[:-1], lines[-1]
    assert summary["record"] == "summary" and all(r["record"] == "model" for r in records)
    return run.code, records, summary, run.stderr


def by_path(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    paths = [record["path"] for record in records]
    assert len(paths) == len(set(paths)), "a model got two records"
    return {record["path"]: record for record in records}


def test_every_model_gets_one_record_and_a_bad_or_slow_one_does_not_stop_the_scan(registry: Path) -> None:
    code, records, summary, stderr = scan(registry, "--jobs", "2", "--timeout", "0.6", "--no-registry")
    found = by_path(records)
    assert len(found) == MODELS_IN_REGISTRY == summary["models"]
    assert str(registry / "link_to_a_model") not in found  # links are not followed
    assert summary["walk"]["links_skipped"] == 1

    corrupt = found[str(registry / "broken" / "corrupt")]
    assert corrupt["status"] == "error" and corrupt["verdict"] is None and corrupt["audit"] is None
    assert "not a valid SavedModel protobuf" in corrupt["error"]
    linked = found[str(registry / "broken" / "linked_file")]
    assert linked["status"] == "error" and "link" in linked["error"]
    huge = found[str(registry / "huge" / "model")]
    assert huge["status"] == "timeout" and "0.6 s" in huge["error"]

    risky = found[str(registry / "team" / "risky_ops" / "1")]
    assert risky["status"] == "findings" and risky["verdict"] == "failed" and risky["exit_code"] == 1
    assert risky["findings"] == sum(risky["counts"].values()) > 0
    assert risky["audit"]["kind"] == "audit" and risky["audit"]["verdict"] == "failed"
    assert found[str(registry / "team" / "keras_serving" / "1")]["status"] == "ok"

    assert summary["statuses"]["timeout"] == 1 and summary["statuses"]["error"] == 2
    assert code == summary["exit_code"] == 2  # the worst model's
    assert f"{MODELS_IN_REGISTRY} models" in stderr and "1 timeout" in stderr


def test_a_record_holds_the_same_audit_as_the_audit_command(registry: Path) -> None:
    """Every audit option applies per model, and the document is `inspector audit --format json`'s."""
    model = registry / "team" / "custom_ops" / "1"
    options = ("--whitelist", "Acme", "--fail-on", "warning", "--no-registry")
    _, [record], _, _ = scan(model, *options)
    alone = run_cli("audit", model, *options, "--format", "json")
    assert record["audit"] == json.loads(alone.stdout)
    assert record["status"] == ("findings" if alone.code == 1 else "ok")


@pytest.mark.slow  # audits the 200k-node model until its memory runs out
def test_a_model_over_the_memory_limit_is_an_oom_record(registry: Path) -> None:
    _, records, summary, _ = scan(registry / "huge", registry / "team" / "custom_ops", "--max-memory", "150")
    found = by_path(records)
    huge = found[str(registry / "huge" / "model")]
    assert huge["status"] == "oom" and "150 MB" in huge["error"]
    # The worker was replaced: the next model is audited as usual.
    assert found[str(registry / "team" / "custom_ops" / "1")]["status"] == "findings"
    assert summary["statuses"]["oom"] == 1


def test_a_scan_resumes_from_its_output(registry: Path, tmp_path: Path) -> None:
    output = tmp_path / "records.jsonl"
    team = registry / "team"
    first = run_cli("scan", team, "-o", output, "--no-registry", process=True)
    assert first.code == 1 and first.stdout == ""
    lines = output.read_text().splitlines(keepends=True)
    assert json.loads(lines[-1])["record"] == "summary"
    # A run stopped midway: three records and the summary lost, the last line cut short; and a model
    # recorded twice (two runs appending at once).
    output.write_text(lines[0] + "".join(lines[: len(FIXTURES) - 3]) + lines[len(FIXTURES) - 3][:40])
    again = run_cli("scan", team, "-o", output, "--no-registry", process=True)
    assert again.code == 1
    records = [json.loads(line) for line in output.read_text().splitlines()]
    models, summary = records[:-1], records[-1]
    assert len(by_path(models)) == len(FIXTURES)
    assert summary["resumed"] == len(FIXTURES) - 3 and summary["audited"] == 3
    assert summary["statuses"]["findings"] == json.loads(lines[-1])["statuses"]["findings"]


def test_a_rerun_with_the_cache_reads_every_unchanged_model_from_it(registry: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    team = registry / "team"
    _, cold, summary, _ = scan(team, "--cache", cache, "--no-registry")
    # Fixtures with identical files (versioned_v1 and its twin) share one entry.
    assert summary["cached"] < 2
    _, warm, summary, _ = scan(team, "--cache", cache, "--no-registry")
    assert summary["cached"] == len(FIXTURES) and summary["audited"] == 0
    for before, after in zip(sorted(cold, key=_path), sorted(warm, key=_path), strict=True):
        assert after["cached"] is True
        ignored = ("cached", "seconds")
        assert {k: v for k, v in before.items() if k not in ignored} == {
            k: v for k, v in after.items() if k not in ignored
        }
    # Another policy is another rules version: nothing is reused.
    _, _, summary, _ = scan(team, "--cache", cache, "--no-registry", "--whitelist", "Acme")
    assert summary["cached"] < 2


def test_a_changed_model_is_audited_again(registry: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(registry / "team" / "custom_ops" / "1", model)
    cache = tmp_path / "cache"
    scan(model, "--cache", cache, "--no-registry")
    (model / "debug" / "saved_model_debug_info.pb").write_bytes(b"")
    _, [record], summary, _ = scan(model, "--cache", cache, "--no-registry")
    assert record["cached"] is False and summary["audited"] == 1


def _path(record: dict[str, Any]) -> str:
    return str(record["path"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nowhere/at/all"], "nowhere/at/all: no such file or folder"),
        (["fixtures/models/custom_ops/saved_model.pb/x"], "no such file or folder"),
        (["fixtures/models", "--jobs", "0"], "--jobs must be at least 1"),
        (["fixtures/models", "--timeout", "0"], "--timeout must be positive"),
        (["fixtures/models/custom_ops", "-o", "fixtures/models/custom_ops/out.jsonl"], "never modifies"),
        (["fixtures/models", "--cache", "fixtures/models/risky_ops/assets/cache"], "inside the model"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(args: list[str], expected: str) -> None:
    from fuzz.check import tree_digest

    before = tree_digest(ROOT / "fixtures" / "models")
    run = run_cli("scan", *args)
    assert run.code == 2 and expected in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert tree_digest(ROOT / "fixtures" / "models") == before  # nothing made inside a model


def test_the_output_is_never_written_through_a_link(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.jsonl"
    target.write_text("")
    (tmp_path / "out.jsonl").symlink_to(target)
    run = run_cli("scan", catalog.get("custom_ops").path, "-o", tmp_path / "out.jsonl")
    assert run.code == 2 and "symbolic link" in run.stderr and target.read_text() == ""


def test_a_glob_finds_models_and_never_a_link(registry: Path) -> None:
    _, records, summary, _ = scan(f"{registry}/team/*_ops/1", f"{registry}/link_to_*", "--no-registry")
    assert sorted(Path(r["path"]).parent.name for r in records) == ["custom_ops", "risky_ops"]
    assert summary["walk"]["links_skipped"] == 1
    # A model's file stands for its folder; a match reached through a link is left out.
    _, records, summary, _ = scan(f"{registry}/*/saved_model.pb", f"{registry}/team/*/1/saved_model.pb")
    assert len(records) == len(FIXTURES) and summary["walk"]["links_skipped"] == 1


def test_a_folder_the_user_names_is_followed_even_when_it_is_a_link(registry: Path, tmp_path: Path) -> None:
    """`/data/models` is often a link: the user named it, so it is read; links below it are not."""
    (tmp_path / "models").symlink_to(registry / "team", target_is_directory=True)
    _, records, _, _ = scan(tmp_path / "models", "--no-registry")
    assert len(records) == len(FIXTURES)


def test_a_model_given_by_its_file_is_its_folder(registry: Path) -> None:
    model = registry / "team" / "custom_ops" / "1"
    _, [record], _, _ = scan(model / "saved_model.pb", "--no-registry")
    assert record["path"] == str(model)


def test_no_model_found_is_said_and_passes(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, records, summary, stderr = scan(tmp_path / "empty")
    assert (code, records, summary["models"]) == (0, [], 0) and "0 models" in stderr


def test_the_walk_never_goes_through_a_folder_link_inside_the_tree(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    shutil.copytree(catalog.get("custom_ops").path, tmp_path / "a" / "m")
    _, records, summary, _ = scan(tmp_path, "--no-registry")
    assert [Path(r["path"]).name for r in records] == ["m"] and summary["walk"]["links_skipped"] == 1


def test_scan_is_documented_with_examples() -> None:
    run = run_cli("scan", "--help")
    assert run.code == 0 and "--max-memory" in run.stdout and "inspector scan registry/" in run.stdout
    assert os.linesep not in run.stdout.strip().splitlines()[0]


@pytest.mark.slow  # audits the 200k-node model to the end
def test_a_timeout_is_remembered_for_the_same_limits_only(registry: Path, tmp_path: Path) -> None:
    """A registry's nightly rerun does not spend the timeout on the same huge model again; a scan given
    more time audits it."""
    cache = tmp_path / "cache"
    huge = registry / "huge"
    _, [first], _, _ = scan(huge, "--cache", cache, "--timeout", "0.5", "--no-registry")
    assert first["status"] == "timeout" and first["content_hash"].startswith("sha256:")
    _, [again], _, _ = scan(huge, "--cache", cache, "--timeout", "0.5", "--no-registry")
    assert again["status"] == "timeout" and again["cached"] is True  # read back, not audited again
    _, [longer], _, _ = scan(huge, "--cache", cache, "--timeout", "120", "--no-registry")
    assert longer["status"] == "ok" and longer["cached"] is False


@pytest.mark.slow
def test_a_thousand_models_hostile_ones_included_get_one_record_each(tmp_path: Path) -> None:
    """The acceptance of the scan: 1,000 models (benchmarks/scan.py's registry), each exactly one record;
    corrupt, empty, truncated, linked and FIFO model files are `error` records and the 1M-node model a
    `timeout` (or, on a fast machine, audited in time: the timeout itself is tested on its own, with a
    fraction of a second), and none stops the run; the rerun from the cache reads every model from it. The
    limit is generous: no test holds a model to a wall-clock time (a loaded machine is slow)."""
    import scan as bench  # benchmarks/scan.py

    registry = bench.build_registry(tmp_path / "registry")
    cache = tmp_path / "cache"
    code, records, summary, _ = scan(registry, "-j", "2", "--timeout", "60", "--cache", cache)
    found = by_path(records)
    assert len(found) == bench.MODELS == summary["models"]
    hostile = {Path(path).name: record for path, record in found.items() if "/hostile/" in path}
    assert {hostile[name]["status"] for name in ("corrupt", "truncated", "empty", "linked", "fifo")} == {
        "error"
    }
    assert hostile["huge"]["status"] in ("ok", "findings", "timeout") and code == 2  # the error records
    assert all(
        r["status"] in ("ok", "findings")
        for name, r in hostile.items()
        if name not in ("corrupt", "truncated", "empty", "linked", "fifo", "huge")
    )
    _, again, summary, _ = scan(registry, "-j", "2", "--timeout", "60", "--cache", cache)
    assert summary["cached"] == bench.MODELS and len(by_path(again)) == bench.MODELS
    assert sorted((r["path"], r["status"]) for r in again) == sorted(
        (r["path"], r["status"]) for r in records
    )


def _on_a_terminal(*args: str | Path, stdout_too: bool = False) -> tuple[int, str, bytes]:
    """Run a scan with stderr (and with `stdout_too`, stdout) on a pseudo-terminal, read as it is drawn
    (a terminal nobody reads fills up and stops the writer): its exit status, stdout, and the drawing."""
    import pty
    import select
    import subprocess
    import tempfile

    from conftest import console_script

    leader, follower = pty.openpty()
    with tempfile.TemporaryFile() as captured:
        process = subprocess.Popen(
            [*console_script(), "scan", *map(str, args)],
            stdout=follower if stdout_too else captured,
            stderr=follower,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        )
        os.close(follower)
        drawn = b""
        while True:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the other side closed: everything was read
                    break
                if not chunk:
                    break
                drawn += chunk
            elif process.poll() is not None:
                break
        os.close(leader)
        code = process.wait(timeout=120)
        captured.seek(0)
        return code, captured.read().decode(), drawn


def test_a_terminal_sees_a_progress_bar_on_stderr_and_stdout_stays_json(registry: Path) -> None:
    code, stdout, drawn = _on_a_terminal(registry / "team", "--no-registry")
    assert code == 1
    assert b"scanning" in drawn and f"{len(FIXTURES)}/{len(FIXTURES)}".encode() in drawn
    assert all(json.loads(line)["record"] in ("model", "summary") for line in stdout.splitlines())


def test_a_terminal_reads_a_row_per_model_and_no_bar_tears_it(registry: Path) -> None:
    """Issue 35: on a terminal, scan printed a 20-40 KB JSON record per model. A person gets a row per model
    (status, path, counts, the first finding), the summary, and no progress bar over the rows."""
    code, _, drawn = _on_a_terminal(registry / "team", "--no-registry", stdout_too=True)
    assert code == 1 and b"scanning" not in drawn
    text = drawn.decode()
    rows = [line for line in text.splitlines() if line.split(" ", 1)[0] in ("ok", "findings", "error")]
    assert len(rows) == len(FIXTURES) and not any(line.startswith("{") for line in text.splitlines())
    assert any(row.startswith("findings") and "INS002" in row for row in rows)
    piped = run_cli(
        "scan", registry / "team", "--no-registry", "--format", "jsonl", process=True, timeout=300
    )
    assert all(json.loads(line)["record"] for line in piped.stdout.splitlines())


def test_a_baseline_applies_to_every_model(registry: Path, tmp_path: Path) -> None:
    model = registry / "team" / "risky_ops" / "1"
    baseline = tmp_path / "baseline.json"
    assert run_cli("audit", model, "--no-registry", "--write-baseline", baseline, "-q").code == 0
    _, [record], _, _ = scan(model, "--no-registry", "--baseline", baseline)
    assert record["status"] == "ok" and record["findings"] == 0
    assert record["audit"]["result"]["baselined"] > 0


def test_a_worker_that_died_between_models_is_replaced_before_the_next() -> None:
    """Killed while idle (by the kernel, by an operator): the next model is not blamed for it."""
    from inspector._internal.audit import Policy
    from inspector._internal.scanworkers import ScanOptions, Worker

    options = ScanOptions(Policy(registry=False), timeout=60)
    worker = Worker(options, "test", start_method="spawn")
    model = catalog.get("custom_ops").path
    first, worker = worker.audit(model)
    worker.process.kill()
    worker.process.join(5)
    second, worker = worker.audit(model)
    worker.stop()
    assert first.status == second.status and first.audit and second.audit == first.audit


def test_a_glob_over_looping_links_ends(tmp_path: Path) -> None:
    """Two links in a folder back to it: glob's own `**` follows them and doubles at every level (it ran
    past any bound before); the scan's `**` is one level, and the walk below follows no link."""
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "x").symlink_to(folder, target_is_directory=True)
    (folder / "y").symlink_to(folder, target_is_directory=True)
    shutil.copytree(catalog.get("custom_ops").path, folder / "m")
    _, records, summary, _ = scan(f"{tmp_path}/**", "--no-registry")
    assert [Path(r["path"]).name for r in records] == ["m"] and summary["walk"]["links_skipped"] == 2


def _children(pid: int) -> list[int]:
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat_file.parent.name))
    return found


@pytest.mark.slow  # waits for a scan to be under way, then for its workers to go
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_workers_end_with_their_scan_however_it_ends(registry: Path) -> None:
    """Killed outright (no cleanup runs), the scan leaves no worker behind: each worker dies with its
    parent. A worker left over would keep auditing, and hold the terminal's pipes open."""
    import signal
    import subprocess
    import time

    from conftest import console_script

    process = subprocess.Popen(
        [*console_script(), "scan", str(registry), "--jobs", "2", "--no-registry", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    process.stdout.readline()  # a record: the workers are at work
    workers = _children(process.pid)
    assert workers
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def _look_alike(model: Path, source: Path, op: str) -> None:
    """A copy of `source` whose serving function gains a 70 MiB constant and then a node of type `op`
    reading a path: two copies differing only in `op` (Identity / ReadFile, 8 letters each) have the same
    size and the same first 64 MiB of saved_model.pb."""
    from inspector._internal.protos import load_protos

    shutil.copytree(source, model)
    message = load_protos().saved_model.SavedModel()
    message.ParseFromString((model / "saved_model.pb").read_bytes())
    library = message.meta_graphs[0].graph_def.library.function
    [serve] = [f for f in library if f.signature.name.startswith("__inference_serve_")][:1]
    for name, value in (("padding", b"p" * (70 * 2**20)), ("path", b"/etc/passwd")):
        const = serve.node_def.add(name=name, op="Const")
        const.attr["dtype"].type = 7  # DT_STRING
        const.attr["value"].tensor.dtype = 7
        const.attr["value"].tensor.string_val.append(value)
    serve.node_def.add(name="probe", op=op, input=["path:output:0"])
    (model / "saved_model.pb").write_bytes(message.SerializeToString())


@pytest.mark.slow  # writes and hashes 2 x 70 MiB
def test_a_look_alike_of_a_cached_model_is_audited_not_given_its_verdict(tmp_path: Path) -> None:
    """Issue 32: the cache keyed a file over 64 MiB by its size and head, so a hostile saved_model.pb of
    the benign one's size and head was handed the benign one's pass. Every byte the audit parses counts."""
    source = catalog.get("module_aliases").path
    benign, hostile = tmp_path / "benign", tmp_path / "hostile"
    _look_alike(benign, source, "Identity")
    _look_alike(hostile, source, "ReadFile")
    benign_bytes = (benign / "saved_model.pb").read_bytes()
    hostile_bytes = (hostile / "saved_model.pb").read_bytes()
    assert len(benign_bytes) == len(hostile_bytes) > 70 * 2**20
    assert benign_bytes[: 64 * 2**20] == hostile_bytes[: 64 * 2**20]
    del benign_bytes, hostile_bytes
    cache = tmp_path / "cache"
    code, [first], _, _ = scan(benign, "--cache", cache, "--no-registry")
    assert code == 0 and first["status"] == "ok"
    code, [second], _, _ = scan(hostile, "--cache", cache, "--no-registry")
    assert second["cached"] is False and second["status"] == "findings" and code == 1


def test_the_cache_key_holds_the_installed_tensorflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """INS007 and INS004 read the installed TensorFlow: another install is another key."""
    from inspector._internal import installed
    from inspector._internal.audit import Policy
    from inspector._internal.scanworkers import ScanOptions

    options = ScanOptions(Policy())
    here = options.rules_version()
    monkeypatch.setattr(installed, "tensorflow_distribution", lambda: ("tensorflow", "2.99.0"))
    assert options.rules_version() != here


def test_a_walk_cut_short_is_never_all_ok(tmp_path: Path) -> None:
    """Issue 35: a tree whose models all lay deeper than the walk's bound scanned as `0 models`, exit 0."""
    deep = tmp_path.joinpath(*["d"] * 40)
    deep.mkdir(parents=True)
    shutil.copytree(catalog.get("module_aliases").path, deep / "model")
    code, records, summary, _ = scan(tmp_path, "--no-registry")
    assert records == [] and summary["walk"]["too_deep"] and code == 2
