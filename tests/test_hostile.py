"""Hostile models and inputs: crafted through the protobuf classes, as an attacker would. Each attack
gets a one-line error or a correct answer -- never a traceback, a write outside OUT, or live Markdown."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import cli, payload, run_cli
from markdown_it import MarkdownIt

from fixtures import catalog
from fuzz.check import tree_digest
from inspector._internal.protos import load_protos

#: Not a speed target (those live in benchmarks/, and no test times anything): the child process of an
#: attack below is killed at this bound, which only a blow-up reaches. Each took minutes, or never ended,
#: before its fix; each takes well under a second now.
NO_BLOW_UP = 30


def bounded(*args: Any) -> Any:
    """`inspector ARGS` in a child process that is killed at NO_BLOW_UP (the test then fails): a hang or a
    blow-up stops the test instead of the suite, and nothing is timed."""
    return run_cli(*args, process=True, timeout=NO_BLOW_UP)


def saved_model(path: Path) -> Any:
    message = load_protos().saved_model.SavedModel()
    message.ParseFromString((path / "saved_model.pb").read_bytes())
    return message


def write_model(path: Path, message: Any) -> None:
    (path / "saved_model.pb").write_bytes(message.SerializeToString())


def render_markdown(text: str) -> str:
    """CommonMark with GFM tables and strikethrough, as a job summary renders it."""
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(text)


# --- recursion on model-controlled depth ---------------------------------------------------------------------


def deep_call_chain(model_copy: Any, depth: int) -> Path:
    """module_aliases whose `serve` calls a chain of `depth` functions, each calling the next."""
    path = model_copy("module_aliases")
    message = saved_model(path)
    graph = message.meta_graphs[0].graph_def
    serve = next(f for f in graph.library.function if f.signature.name.startswith("__inference_serve"))
    names = [f"__inference_chain_{i}" for i in range(depth)]
    for index, name in enumerate(names):
        function = graph.library.function.add()
        function.signature.name = name
        if index + 1 < depth:
            call = function.node_def.add(name="call", op="PartitionedCall")
            call.attr["f"].func.name = names[index + 1]
    call = serve.node_def.add(name="chain", op="PartitionedCall")
    call.attr["f"].func.name = names[0]
    write_model(path, message)
    return path


def test_a_deep_call_chain_is_reported_with_a_bounded_tree(model_copy: Any) -> None:
    path = deep_call_chain(model_copy, 3000)
    for fmt in ("text", "markdown"):
        result = cli("report", path, "--format", fmt)
        assert result.code == 0, result.stderr
        assert "deeper calls not shown" in result.stdout, fmt
    result = cli("report", path, "--format", "json")
    assert result.code == 0, result.stderr
    nodes = [root for tree in json.loads(result.stdout)["result"]["call_trees"] for root in tree["roots"]]
    limited = []
    while nodes:  # the tree is as deep as the model says: walked with a work list
        node = nodes.pop()
        limited += [node["function"]] if node["depth_limited"] else []
        nodes += node["children"]
    assert len(limited) == 1 and limited[0].startswith("__inference_chain_")
    for command in (
        ["audit", "--no-registry"],
        ["trace", "--op", "Mul"],
        ["diff", path],
        ["doctor", "--no-registry"],
    ):
        result = cli(command[0], path, *command[1:])
        assert result.code in (0, 1), (command, result.stderr)


def test_a_pbtxt_nested_thousands_deep_is_a_one_line_error(tmp_path: Path) -> None:
    model = tmp_path / "deep"
    model.mkdir()
    depth = 20_000
    (model / "saved_model.pbtxt").write_text(
        "meta_graphs { graph_def { node { attr { key: 'a' value { list { " * 1
        + "func { attr { key: 'b' value { list { " * depth
        + "} } } } " * depth
        + "} } } } } }\n"
    )
    result = cli("report", model)
    assert result.code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "saved_model.pbtxt" in result.stderr


# --- Markdown ----------------------------------------------------------------------------------------------------

INJECTION = "evil|<img src=x onerror=alert(1)>`|`<b>bold</b>\\|<script>x</script>"


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_model_strings_never_become_html_in_markdown_or_the_page(model_copy: Any, fmt: str) -> None:
    path = model_copy("custom_ops")
    message = saved_model(path)
    graph = message.meta_graphs[0].graph_def
    for function in graph.library.function:
        for node in function.node_def:
            if node.op == "Beta>Shift":
                node.name = INJECTION
    signature = message.meta_graphs[0].signature_def["serving_default"]
    signature.inputs[INJECTION].CopyFrom(next(iter(signature.inputs.values())))
    write_model(path, message)
    runs = [
        cli("report", path, "--format", fmt, "--whitelist", "Acme"),
        cli("trace", path, "--format", fmt),
        cli("trace", path, "--op", "Beta>Shift", "--format", fmt),
        cli("where", path, "custom_ops.py", "--format", fmt),
        cli("audit", path, "--no-registry", "--whitelist", "Acme", "--format", fmt),
    ]
    for run in runs:
        assert run.code in (0, 1), run.stderr  # a failed command writes nothing, and would pass vacuously
    # The report, the op's trace and its audit finding name the injected node (escaped); the sites table
    # and `where` name lines, and the renamed node lost its trace.
    assert all("evil" in runs[index].stdout for index in (0, 2, 4))
    for index, text in enumerate(run.stdout for run in runs):
        html = render_markdown(text) if fmt == "markdown" else text
        for tag in ("<img", "<b>"):
            assert tag not in html, (tag, text[:2000])
        # The page's own search is its one script (beside the report's op index, a data block that never
        # runs); the model's `<script>` is text.
        data = html.count('<script type="application/json" id="inspector-ops">')
        assert html.count("<script") - data == (1 if fmt == "html" else 0), text[:2000]
        assert data == (1 if fmt == "html" and index == 0 else 0)  # the report's page indexes its ops


def test_a_call_of_a_name_the_library_lacks_is_audited_not_a_crash(model_copy: Any) -> None:
    """Found by the fuzzer: the top-level call re-pointed at an op's name (RestoreV2) crashed the plumbing
    analysis, which looked up the arguments of every function the signatures reach."""
    path = model_copy("threshold_05")  # a model with a Saver, whose wiring the analysis follows
    message = saved_model(path)
    # The top-level call the restore runs through (the other one is a signature's wrapper).
    call = next(
        node for node in message.meta_graphs[0].graph_def.node if node.op == "StatefulPartitionedCall"
    )
    call.attr["f"].func.name = "RestoreV2"
    write_model(path, message)
    for fmt in ("text", "json", "sarif"):
        result = cli("audit", path, "--no-registry", "--format", fmt)
        assert result.code in (0, 1), result.stderr


# --- output a small input multiplies ---------------------------------------------------------------------------


def test_the_human_formats_stay_bounded_however_many_names_a_model_holds(model_copy: Any) -> None:
    """Thousands of signatures, aliases and inputs: the terminal, Markdown and HTML pages show the first ones
    and count the rest (each was tens of thousands of lines); the JSON lists every one."""
    path = model_copy("module_aliases")
    message = saved_model(path)
    meta = message.meta_graphs[0]
    template = meta.signature_def["serving_default"]
    wide = meta.signature_def["wide"]
    wide.CopyFrom(template)
    spec = next(iter(template.inputs.values()))
    for index in range(2000):
        meta.signature_def[f"sig_{index}"].CopyFrom(template)
        wide.inputs[f"x_{index}"].CopyFrom(spec)
        meta.meta_info_def.function_aliases[f"__inference_missing_{index}"] = f"alias_{index % 3}"
    write_model(path, message)

    sizes = {
        fmt: len(cli("report", path, "--format", fmt).stdout.splitlines())
        for fmt in ("text", "markdown", "html")
    }
    assert max(sizes.values()) < 2000, sizes
    document = payload(cli("report", path, "--format", "json").stdout)
    assert len(document["signatures"]) == 2003  # with serving_default and the init op
    assert max(len(alias["targets"]) for alias in document["aliases"]) >= 667


# --- invalid UTF-8 ---------------------------------------------------------------------------------------------


def test_strings_that_are_not_utf8_are_shown_with_replacements(model_copy: Any) -> None:
    path = model_copy("module_aliases")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    # protobuf refuses to set invalid UTF-8 on a string field: patch the bytes on disk instead.
    frame_id = next(iter(debug.frames_by_id))
    debug.frames_by_id[frame_id].func = "FUNCNAME"
    for index in range(len(debug.files)):
        debug.files[index] = debug.files[index] + "#FILENAME"
    raw = debug.SerializeToString().replace(b"FUNCNAME", b"FUNC\xff\xfe").replace(b"#FILENAME", b"\xc3\x28")
    debug_file.write_bytes(raw)
    for command in (
        ["report", "--whitelist", "Nobody"],
        ["trace", "--op", "Mul"],
        ["trace"],
        ["where", "module_aliases.py"],
        ["audit", "--no-registry", "--format", "sarif"],
        ["audit", "--no-registry", "--format", "markdown"],
        ["report", "--format", "json"],
    ):
        result = cli(command[0], path, *command[1:])
        # This protobuf runtime (upb) refuses invalid UTF-8 in a string field: the debug info reads as
        # corrupt, which every command reports -- and `trace` and `where`, which need it, say so in one line.
        if command[0] in ("trace", "where"):
            assert result.code == 2 and "debug info is corrupt" in result.stderr
            continue
        assert result.code in (0, 1), (command, result.stderr)
        assert "internal error" not in result.stderr
        if "sarif" in command or "json" in command:
            json.loads(result.stdout)


# --- scrub never writes through a link ---------------------------------------------------------------------


@pytest.mark.parametrize("attack", ["absolute", "relative", "debug-folder", "asset-link", "fifo"])
def test_scrub_never_writes_through_a_link(tmp_path: Path, model_copy: Any, attack: str) -> None:
    model = model_copy("custom_ops")
    victim = tmp_path / "victim.pb"
    debug_file = model / "debug" / "saved_model_debug_info.pb"
    victim.write_bytes(debug_file.read_bytes())
    if attack == "absolute":
        debug_file.unlink()
        debug_file.symlink_to(victim)
    elif attack == "relative":
        debug_file.unlink()
        debug_file.symlink_to(os.path.relpath(victim, debug_file.parent))
    elif attack == "debug-folder":
        elsewhere = tmp_path / "elsewhere"
        (model / "debug").rename(elsewhere)
        (model / "debug").symlink_to(elsewhere)
    elif attack == "asset-link":
        (model / "assets").mkdir(exist_ok=True)
        (model / "assets" / "passwd").symlink_to("/etc/passwd")
    else:
        (model / "assets").mkdir(exist_ok=True)
        os.mkfifo(model / "assets" / "pipe")
    before_model, before_victim = tree_digest(model), victim.read_bytes()
    out = tmp_path / "out"
    result = cli("scrub", model, out, "--strip-prefix", "fixtures/")
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert tree_digest(model) == before_model
    assert victim.read_bytes() == before_victim
    assert not out.exists()


def test_scrub_refuses_an_output_that_is_a_link_or_inside_the_model(tmp_path: Path, model_copy: Any) -> None:
    model = model_copy("custom_ops")
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    assert cli("scrub", model, link, "--strip-prefix", "fixtures/").code == 2
    assert not any(target.iterdir())
    assert cli("scrub", model, model / "inner", "--strip-prefix", "fixtures/").code == 2
    assert cli("scrub", model, model, "--strip-prefix", "fixtures/").code == 2


def test_a_clean_scrub_copies_every_file_and_leaves_the_input_alone(tmp_path: Path, model_copy: Any) -> None:
    model = model_copy("custom_ops")
    before = tree_digest(model)
    out = tmp_path / "out"
    result = cli("scrub", model, out, "--strip-prefix", "fixtures/")
    assert result.code == 0, result.stderr
    assert tree_digest(model) == before
    after = tree_digest(out)
    assert set(after) == set(before)
    assert [name for name in before if before[name] != after[name]] == ["debug/saved_model_debug_info.pb"]


# --- inputs the user passes: baselines ---------------------------------------------------------------------------


def test_hostile_baselines_are_one_line_errors(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    path = catalog.get("keras_serving").path
    for baseline in (deep, Path("/dev/zero"), tmp_path):
        result = cli("audit", path, "--no-registry", "--baseline", baseline)
        assert result.code == 2, (baseline, result.stderr)
        assert result.stderr.count("\n") == 1 and str(baseline) in result.stderr


# --- the last line of defence ------------------------------------------------------------------------------------


def test_a_bug_is_named_as_one_never_as_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    import inspector._internal.reporting

    def broken(*_: Any, **__: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(inspector._internal.reporting, "build_report", broken)
    result = cli("report", catalog.get("keras_serving").path)
    assert result.code == 3
    assert result.stderr.startswith("inspector: internal error: KeyError") and result.stderr.count("\n") == 1
    with pytest.raises(KeyError):
        cli("--debug", "report", catalog.get("keras_serving").path)


def test_error_lines_are_cut_to_a_sane_length(tmp_path: Path) -> None:
    model = tmp_path / "long"
    model.mkdir()
    (model / "saved_model.pbtxt").write_text("meta_graphs { " + "x" * 5_000_000 + " }")
    result = cli("report", model)
    assert result.code == 2 and len(result.stderr) < 1000


# --- nested graphs: amplification and depth as an evasion ---------------------------------------------------


def carrier_graph(inner: bytes | None, carriers: int, payload_op: str = "") -> bytes:
    """A GraphDef whose `carriers` DatasetFromGraph nodes all read one string constant `inner`."""
    graph = load_protos().graph.GraphDef()
    if inner is not None:
        const = graph.node.add(name="blob", op="Const")
        const.attr["value"].tensor.dtype = 7  # DT_STRING
        const.attr["value"].tensor.string_val.append(inner)
        for index in range(carriers):
            graph.node.add(name=f"carrier_{index}", op="DatasetFromGraph", input=["blob"])
    if payload_op:
        graph.node.add(name="payload", op=payload_op)
    return graph.SerializeToString()


def with_nested(model_copy: Any, blob: bytes, carriers: int) -> Path:
    """module_aliases whose `serve` carries `blob` through `carriers` DatasetFromGraph nodes."""
    path = model_copy("module_aliases")
    message = saved_model(path)
    graph = message.meta_graphs[0].graph_def
    serve = next(f for f in graph.library.function if f.signature.name.startswith("__inference_serve"))
    const = serve.node_def.add(name="hidden_blob", op="Const")
    const.attr["value"].tensor.dtype = 7
    const.attr["value"].tensor.string_val.append(blob)
    for index in range(carriers):
        serve.node_def.add(name=f"hidden_{index}", op="DatasetFromGraph", input=["hidden_blob"])
    write_model(path, message)
    return path


def test_one_blob_read_by_many_carriers_at_every_level_is_decoded_once(model_copy: Any) -> None:

    from inspector._internal.nestedgraphs import MAX_NESTING

    blob = carrier_graph(None, 0, payload_op="WriteFile")
    # Ten carriers per level, as deep as the audit decodes: 10^4 decodes if each carrier decoded its own.
    for _ in range(MAX_NESTING - 1):
        blob = carrier_graph(blob, 10)
    path = with_nested(model_copy, blob, 10)
    result = bounded("audit", path, "--no-registry", "--format", "json")
    findings = payload(result.stdout)["findings"]
    risky = [f["location"]["op_type"] for f in findings if f["rule_id"] == "INS002"]
    assert risky.count("WriteFile") == 1  # found, once: the same graph is not scanned 10^4 times


def test_a_risky_op_one_level_past_the_decode_limit_fails_the_default_gate(model_copy: Any) -> None:
    from inspector._internal.nestedgraphs import MAX_NESTING

    blob = carrier_graph(None, 0, payload_op="WriteFile")
    for _ in range(MAX_NESTING):
        blob = carrier_graph(blob, 1)
    path = with_nested(model_copy, blob, 1)
    result = cli("audit", path, "--no-registry", "--format", "json")
    document = payload(result.stdout)
    assert result.code == 1 and document["failing"]
    [hidden] = [f for f in document["findings"] if f["rule_id"] == "INS003"]
    assert hidden["severity"] == "error" and "deeper than" in hidden["message"]


# --- symbolicate: linear in the log ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "log",
    [
        "[Op:" * 250_000,  # one 1 MB line of openings without a close
        "{{node " * 150_000,
        "[[a = " * 170_000,
        "{{function_node " * 60_000,
        "\n".join(
            f"  [[{{{{node n{i}}}}}]] [Op:__inference_f_{i}]" for i in range(60_000)
        ),  # 2 MB, 60k lines
    ],
    ids=["op-openings", "node-openings", "bracket-openings", "function-openings", "many-lines"],
)
def test_symbolicate_is_linear_in_its_log(tmp_path: Path, log: str) -> None:

    path = tmp_path / "error.log"
    path.write_text(log)
    result = bounded("symbolicate", catalog.get("runtime_errors").path, path, "--format", "json")
    assert result.code in (0, 1), result.stderr


# --- the checkpoint index: every count, length and handle checked ----------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _table_block(entries: list[tuple[bytes, bytes]]) -> bytes:
    body = b"".join(_varint(0) + _varint(len(k)) + _varint(len(v)) + k + v for k, v in entries)
    return body + (0).to_bytes(4, "little") + (1).to_bytes(4, "little")


def bundle_index(num_shards: int, entries: int, repeats: int, entry_value: bytes | None = None) -> bytes:
    """A tensor-bundle index (a LevelDB table) built by hand: one data block holding the header and
    `entries` entries, and an index block naming that data block `repeats` times."""
    bundle = load_protos().tensor_bundle
    header = bundle.BundleHeaderProto(num_shards=num_shards).SerializeToString()
    value = entry_value if entry_value is not None else bundle.BundleEntryProto(size=4).SerializeToString()
    data = _table_block([(b"", header)] + [(b"v%06d" % i, value) for i in range(entries)])
    handle = _varint(0) + _varint(len(data))
    index = _table_block([(b"z", handle)] * repeats)
    file = data + b"\0" * 5 + index + b"\0" * 5
    footer = _varint(0) + _varint(0) + _varint(len(data) + 5) + _varint(len(index))
    footer = footer.ljust(40, b"\0") + (0xDB4775248B80FB57).to_bytes(8, "little")
    return file + footer


@pytest.mark.parametrize(
    ("num_shards", "entries", "repeats", "value"),
    [
        (1, 3000, 3000, None),  # one handle 3,000 times: 9x10^6 entries if each were read again
        (2**31 - 1, 1, 1, None),  # a shard count that would size a table of two billion entries
        (1, 1, 1, b"\xff\xff\xff"),  # a value that is not a BundleEntryProto
    ],
    ids=["repeated-handles", "huge-shard-count", "corrupt-entry"],
)
def test_a_hostile_checkpoint_index_is_diagnosed_quickly(
    model_copy: Any, num_shards: int, entries: int, repeats: int, value: bytes | None
) -> None:

    path = model_copy("module_aliases")
    (path / "variables" / "variables.index").write_bytes(bundle_index(num_shards, entries, repeats, value))
    result = bounded("doctor", path, "--no-registry")
    assert result.code in (0, 1), result.stderr
    assert "internal error" not in result.stderr


# --- model parts: regular files inside the model only ----------------------------------------------------------


def test_parts_that_link_outside_the_model_are_not_read(tmp_path: Path, model_copy: Any) -> None:
    model = model_copy("module_aliases")
    debug_file = model / "debug" / "saved_model_debug_info.pb"
    debug_file.unlink()
    debug_file.symlink_to("/dev/zero")
    (model / "fingerprint.pb").unlink()
    (model / "fingerprint.pb").symlink_to(tmp_path)  # a folder
    result = cli("report", model, "--format", "json")
    assert result.code == 0, result.stderr
    overview = payload(result.stdout)["overview"]
    assert overview["debug_info"]["status"] == "corrupt"
    assert "outside the model" in json.dumps(overview) or "not a regular file" in json.dumps(overview)
    model_file = model / "saved_model.pb"
    outside = tmp_path / "elsewhere.pb"
    model_file.rename(outside)
    model_file.symlink_to(outside)
    linked = cli("report", model)
    assert linked.code == 2 and "symbolic link to a file outside the model" in linked.stderr


def test_an_object_graph_of_diamonds_keeps_a_bounded_number_of_paths(model_copy: Any) -> None:
    """Each level has two objects that both hold the next: 2^60 shortest paths to the last one."""

    path = model_copy("module_aliases")
    message = saved_model(path)
    objects = message.meta_graphs[0].object_graph_def
    first = len(objects.nodes)
    levels = 60
    for level in range(levels):
        for _ in range(2):  # two objects per level
            node = objects.nodes.add()
            node.user_object.identifier = "_generic_user_object"
            if level + 1 < levels:
                for name in ("left", "right"):
                    child = node.children.add()
                    child.local_name = name
                    child.node_id = first + 2 * (level + 1) + (0 if name == "left" else 1)
    for name, offset in (("a", 0), ("b", 1)):
        child = objects.nodes[0].children.add()
        child.local_name = name
        child.node_id = first + offset
    write_model(path, message)
    for command in (["report", "--format", "json"], ["diff", path], ["audit", "--no-registry"]):
        assert bounded(command[0], path, *command[1:]).code in (0, 1)


def test_a_table_initializer_called_with_a_constant_path_is_not_an_own_asset(model_copy: Any) -> None:
    """The own-asset note holds only while TensorFlow wires the asset in: a hand-made call that feeds
    the initializer function a constant path is the path's, and keeps the op's severity."""
    from inspector import load
    from inspector._internal.audit import Policy, Severity, audit

    path = model_copy("risky_ops")
    message = saved_model(path)
    graph = message.meta_graphs[0].graph_def
    initializer = next(
        f for f in graph.library.function if f.signature.name.startswith("__inference__initializer")
    )
    const = graph.node.add(name="stolen_path", op="Const")
    const.attr["value"].tensor.dtype = 7
    const.attr["value"].tensor.string_val.append(b"/etc/shadow")
    call = graph.node.add(name="call_initializer", op="StatefulPartitionedCall")
    call.attr["f"].func.name = initializer.signature.name
    arguments = [arg.name for arg in initializer.signature.input_arg]
    call.input.extend(
        "stolen_path" if "filepath" in name or "asset" in name else "hash_table" for name in arguments
    )
    write_model(path, message)
    [finding] = [
        f
        for f in audit(load(path), Policy(registry=False)).findings
        if f.location.op_type == "InitializeTableFromTextFileV2"
    ]
    assert finding.severity > Severity.NOTE and "own asset" not in finding.message


# --- the checkpoint plumbing's path following ----------------------------------------------------------------


def test_a_path_that_fans_out_exponentially_is_followed_within_a_budget(tmp_path: Path) -> None:
    """The restore's RestoreV2 reads a StringJoin of 40 copies of a StringJoin of 40 copies ... 16 levels
    deep: 40^16 paths to follow. The audit stops at its budget, exempts nothing, and says RestoreV2 runs."""
    import shutil

    from fixtures import canaries

    path = tmp_path / "fan"
    shutil.copytree(canaries.MODELS / "never", path)
    message = saved_model(path)
    restore = next(
        f for f in message.meta_graphs[0].graph_def.library.function if "_traced_restore_" in f.signature.name
    )
    argument = restore.signature.input_arg[0].name
    below = argument
    for level in range(16):
        join = restore.node_def.add(name=f"fan_{level}", op="StringJoin")
        join.input.extend([below if level == 0 else f"fan_{level - 1}:output:0"] * 40)
        below = f"fan_{level}"
    [reader] = [n for n in restore.node_def if n.op == "RestoreV2"]
    reader.input[0] = f"{below}:output:0"
    write_model(path, message)
    run = run_cli("audit", path, "--format", "json", process=True, timeout=NO_BLOW_UP)
    assert run.code == 1
    ops = {f["location"]["op_type"] for f in payload(run.stdout)["findings"] if f["rule_id"] == "INS002"}
    assert "RestoreV2" in ops


def test_names_built_to_backtrack_do_not_slow_the_diff(model_copy: Any) -> None:
    """The diff pairs nodes by their names without counters (`dense_1` -> `dense`). A name of 300,000
    `_1`s that does not end as a counter would make the obvious regex backtrack for hours; the diff reads
    each name once."""

    old = model_copy("custom_ops")
    new = old.parent / "renamed"
    shutil.copytree(old, new)
    message = saved_model(new)
    for function in message.meta_graphs[0].graph_def.library.function:
        for node in function.node_def:
            if node.op == "Acme>Scale":
                node.name = "scale" + "_1" * 300_000 + "x"
    write_model(new, message)
    result = bounded("diff", old, new, "--format", "json", "--only", "ops")
    assert result.code == 1
    aspects = {(c["kind"], c["aspect"]) for c in json.loads(result.stdout)["result"]["changes"]}
    assert ("added", "node") in aspects and ("removed", "node") in aspects
