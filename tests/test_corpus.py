"""The real-library corpus is the spec: every command gives the right answer on models as people ship them
(Keras 3 and 2, transformers, TF-DF, tensorflow-text, a TF1 Builder model; TF 2.12, 2.15, 2.21).

Each test names the defect it pins down; the models are built by fixtures/build.py (see catalog.CORPUS).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from conftest import cli

import inspector
from fixtures import catalog
from inspector._internal.audit import Policy, Severity, audit
from inspector._internal.diff import diff
from inspector._internal.render import OutputFormat, RenderOptions, render
from inspector._internal.render.changes import value_text
from inspector._internal.reporting import build_report
from inspector._internal.tracing import Selector, WhereQuery, trace, where
from inspector.results.diff import Aspect, Category, TensorValue

CORPUS = [fixture.name for fixture in catalog.CORPUS]
#: Models with more than one meta graph, and the tags the tests read them with.
TAGS = {"tf1_two_graphs": ["serve"], "tft_v1": ["transform"]}  # tf.Transform tags its TF1 graph `transform`


def load(name: str) -> inspector.SavedModelView:
    return inspector.load(catalog.get(name).path, tags=TAGS.get(name))


def tag_args(name: str) -> list[str]:
    return ["--tags", ",".join(TAGS[name])] if name in TAGS else []


@pytest.fixture(params=CORPUS)
def corpus_model(request: pytest.FixtureRequest) -> catalog.Fixture:
    return catalog.get(request.param)


# --- 1. diff: a model is identical to itself and to a second save of the same code -----------------------


@pytest.mark.parametrize("name", CORPUS + [f.name for f in catalog.FIXTURES])
def test_every_model_diffs_identical_with_itself(name: str) -> None:
    path = catalog.get(name).path
    result = cli("diff", path, path, *tag_args(name))
    assert result.code == 0, result.stdout[-3000:] + result.stderr


@pytest.mark.parametrize(
    ("first", "second"),
    [("k3_text", "k3_text_again"), ("k2_215", "k2_215_again"), ("tfp_normal", "tfp_normal_again")],
)
def test_two_saves_of_the_same_code_diff_identical(first: str, second: str) -> None:
    result = diff(load(first), load(second))
    assert result.identical, [(c.category.value, c.subject, c.old, c.new) for c in result.changes]
    # Every function found its twin, though every counter differs.
    assert len(result.pairs) == len(load(first).functions) - 1


def test_functions_sharing_a_structure_pair_one_to_one_in_trace_order() -> None:
    old, new = load("k3_text"), load("k3_text_again")
    pairs = {pair.old: pair.new for pair in diff(old, new).pairs}
    assert len(set(pairs.values())) == len(pairs)  # one-to-one
    assert sorted(pairs) == sorted(f for f in old.functions if f)
    assert sorted(pairs.values()) == sorted(f for f in new.functions if f)


# --- 2. diff: constants --------------------------------------------------------------------------------------


def test_a_changed_threshold_constant_is_the_one_change() -> None:
    result = diff(load("threshold_05"), load("threshold_09"))
    [change] = result.changes
    assert change.category is Category.ATTRS
    assert isinstance(change.old, TensorValue) and isinstance(change.new, TensorValue)
    assert (change.old.values, change.new.values) == ((0.5,), (0.9,))
    assert (change.aspect, change.name, change.attr) == (Aspect.ATTR, "Greater/y", "value")
    assert (value_text(change.old), value_text(change.new)) == ("0.5", "0.9")
    assert cli("diff", catalog.get("threshold_05").path, catalog.get("threshold_09").path).code == 1


def test_a_widened_lstm_reports_its_variables_and_shape_constants_exactly() -> None:
    result = diff(load("k3_text"), load("k3_text_wide"))
    by_category = {category: [c for c in result.changes if c.category is category] for category in Category}
    assert not by_category[Category.FUNCTIONS] and not by_category[Category.SIGNATURES]
    variables = {c.name: (value_text(c.old), value_text(c.new)) for c in by_category[Category.VARIABLES]}
    assert variables == {
        "lstm/lstm_cell/kernel": ("2 × float32[16, 128]", "2 × float32[16, 192]"),
        "lstm/lstm_cell/recurrent_kernel": ("2 × float32[32, 128]", "2 × float32[48, 192]"),
        "lstm/lstm_cell/bias": ("2 × float32[128]", "2 × float32[192]"),
        "gru/gru_cell/kernel": ("2 × float32[32, 48]", "2 × float32[48, 48]"),
    }
    constants = [(value_text(c.old), value_text(c.new)) for c in by_category[Category.ATTRS]]
    assert constants and all("32" in old and "48" in new for old, new in constants)
    assert ("32", "48") in constants  # the LSTM's state size, a scalar shown as its value


def _changes(first: str, second: str) -> dict[Category, list[tuple[Aspect, str, str, str]]]:
    """Every change between two corpus models, by category: (aspect, name, old, new) as text."""
    found: dict[Category, list[tuple[Aspect, str, str, str]]] = {}
    for c in diff(load(first), load(second)).changes:
        found.setdefault(c.category, []).append((c.aspect, c.name, value_text(c.old), value_text(c.new)))
    return found


def test_a_changed_weight_is_the_one_change_and_values_shows_it() -> None:
    """tensorflow-probability: the same Normal saved with loc 0.0 and 0.5. Nothing in the graph differs;
    the checkpoint's checksum of `loc` does, and --values reads the two floats from the data shards."""
    changes = _changes("tfp_normal", "tfp_normal_shifted")
    assert changes == {Category.WEIGHTS: [(Aspect.WEIGHT, "loc", "float32[]", "float32[]")]}
    paths = catalog.get("tfp_normal").path, catalog.get("tfp_normal_shifted").path
    result = cli("diff", *paths, "--values")
    assert result.code == 1
    [weight] = json.loads(cli("diff", *paths, "--values", "--format", "json").stdout)["result"]["changes"]
    assert (weight["old"][0]["values"], weight["new"][0]["values"]) == ([0.0], [0.5])


def test_a_changed_variable_policy_is_said_as_devices_and_the_savers_shards() -> None:
    """MirroredStrategy on two CPUs, saved under variable policy NONE and SAVE_VARIABLE_DEVICES: every
    variable's device, and the saver's second shard, and nothing else (the io device is recorded nowhere)."""
    changes = _changes("mirrored_policy_none", "mirrored_variable_devices")
    assert set(changes) == {Category.VARIABLES, Category.PLUMBING}
    devices = {(aspect, name, old) for aspect, name, old, _ in changes[Category.VARIABLES]}
    assert devices == {
        (Aspect.VARIABLE_DEVICE, name, "(none)") for name in ("bias", "ema", "kernel", "steps")
    }
    assert all(new.startswith("/job:localhost/") for *_, new in changes[Category.VARIABLES])
    [restore, save] = changes[Category.PLUMBING]
    assert "RestoreV2_1 " in restore[3] and "SaveV2_1 " in save[3]


@pytest.mark.parametrize("name", ["mirrored_policy_none", "mirrored_variable_devices"])
def test_save_options_read_the_variable_policy_and_never_claim_an_io_device(name: str) -> None:
    options = {o.option: o for o in build_report(load(name)).save_options}
    assert options["experimental_io_device"].recorded.value == "never"
    policy = options["experimental_variable_policy"]
    assert policy.recorded.value == ("yes" if name == "mirrored_variable_devices" else "no"), policy


def test_a_widened_hub_keras_head_changes_exactly_its_layers_functions_and_variables() -> None:
    """tf_keras around a tensorflow-hub KerasLayer, the Dense head 4 then 8 wide: `score`'s own functions
    take 8 wide inputs, `hidden`'s return 8 wide outputs, three variables change shape; the shape attrs of
    the checkpoint plumbing restate those shapes and are no change of their own."""
    changes = _changes("hub_keras_narrow", "hub_keras_wide")
    assert set(changes) == {Category.FUNCTIONS, Category.VARIABLES}
    functions = sorted(
        (aspect, name.split("_layer_call")[0], old, new)
        for aspect, name, old, new in changes[Category.FUNCTIONS]
    )
    widened_input = ("(inputs: float32[None, 4])", "(inputs: float32[None, 8])")
    assert functions == [
        (Aspect.FUNCTION_OUTPUTS, "__inference_hidden", "(float32[None, 4], [])", "(float32[None, 8], [])"),
        (Aspect.FUNCTION_OUTPUTS, "__inference_hidden", "float32[None, 4]", "float32[None, 8]"),
        (Aspect.FUNCTION_SIGNATURE, "__inference_score", *widened_input),
        (Aspect.FUNCTION_SIGNATURE, "__inference_score", *widened_input),
    ]
    assert {name for _, name, _, _ in changes[Category.VARIABLES]} == {
        "hidden/bias",
        "hidden/kernel",
        "score/kernel",
    }


def test_tensorflow_text_models_list_no_variables() -> None:
    """TensorFlow's asset-path handle beside `asset_path_initializer` is no variable: the object graph
    names none, the checkpoint holds none."""
    for name in ("tftext_tokenizers", "tftext_221"):
        assert load(name).variables == (), name


# --- 3. legacy stacks, 5. library frames, 11-12. where ----------------------------------------------------------


def test_legacy_keras_stacks_read_outermost_first() -> None:
    """TF 2.12 keeps the 10 innermost frames, innermost first: read outermost first, a Keras 2 stack
    ends where TensorFlow made the op (tensor_spec.py, polymorphic_function.py), not in Keras's saving
    code where the cut left its outermost frame."""
    traces = load("k2_212").debug_info.traces.values()
    ends_in_tensorflow = sum(1 for t in traces if t.frames[-1].library == "tensorflow")
    starts_in_tensorflow = sum(1 for t in traces if t.frames[0].library == "tensorflow")
    assert ends_in_tensorflow >= 0.8 * len(traces) > starts_in_tensorflow


def test_ops_made_through_a_library_are_found_at_the_users_line() -> None:
    fixture = catalog.get("tftext_tokenizers")
    view = load("tftext_tokenizers")
    line = catalog.site_line(fixture, "text.whitespace")
    found = where(view, WhereQuery.parse(f"fixtures/corpus/text.py:{line}", innermost=True))
    ops = {op.op_type for g in found.groups for hit in g.hits for op in hit.ops}
    assert "TFText>WhitespaceTokenizeWithOffsetsV2" in ops
    [group] = trace(view, Selector(op="TFText>WhitespaceTokenizeWithOffsetsV2")).groups
    site = group.trace.creation_site
    assert site is not None and (site.file, site.line) == ("fixtures/corpus/text.py", line)
    assert "tensorflow_text" in {frame.library for frame in group.trace.frames}


def test_transformers_frames_are_library_frames() -> None:
    view = load("hf_bert")
    user_files = {frame.file for t in view.debug_info.traces.values() for frame in t.user_frames}
    assert user_files and all(not f.endswith(".py") or "site-packages" not in f for f in user_files)
    assert any(frame.library == "transformers" for t in view.debug_info.traces.values() for frame in t.frames)


def test_where_without_debug_info_says_so() -> None:
    result = cli("where", catalog.get("tf1_two_graphs").path, "--tags", "serve", "model.py:3")
    assert result.code == 2
    assert "no debug info" in result.stderr and "save_debug_info=True" in result.stderr


def test_where_on_a_keras_layer_line_lists_the_recorded_lines_nearby() -> None:
    fixture = catalog.get("k3_text")
    line = catalog.site_line(fixture, "k3.lstm")  # a layer definition: on no stack in Keras 3
    result = where(load("k3_text"), WhereQuery.parse(f"fixtures/corpus/keras3.py:{line}"))
    assert not result.found
    assert result.nearby and all(n.file == "fixtures/corpus/keras3.py" and n.op_count for n in result.nearby)
    out = cli("where", fixture.path, f"fixtures/corpus/keras3.py:{line}")
    assert out.code == 1 and "Nearest recorded lines of that file" in out.stdout


def test_keras3_trace_groups_that_share_user_frames_are_labelled_by_layer() -> None:
    result = trace(load("k3_text"), Selector(signature="serve"))
    assert len(result.groups) > 20
    labels = [group.label for group in result.groups]
    shared = {}
    for group in result.groups:
        key = tuple((f.file, f.line) for f in group.trace.user_frames)
        shared[key] = shared.get(key, 0) + 1
    for group in result.groups:  # labelled exactly when another group shows the same user frames
        key = tuple((f.file, f.line) for f in group.trace.user_frames)
        assert bool(group.label) == (shared[key] > 1)
    assert sum(map(bool, labels)) > 20
    assert any("name scope text_classifier_1/lstm_1" in label for label in labels)
    assert any("keras/src/" in label for label in labels)


# --- 4. fingerprints -------------------------------------------------------------------------------------------


@pytest.mark.tensorflow
@pytest.mark.parametrize("name", ["k2_212", "k2_215", "k3_text"])
def test_fingerprints_are_verified_only_where_the_algorithm_matches(name: str) -> None:
    pytest.importorskip("tensorflow")
    from inspector._internal.integrity import FingerprintStatus, verify_fingerprint

    check = verify_fingerprint(load(name))
    assert check.status is FingerprintStatus.MATCH, check.detail
    if name == "k2_212":  # written by TF 2.12, whose signature hash TF >= 2.14 computes differently
        assert check.unverified == ("signature_def_hash",)
        assert "2.12.1" in check.detail
    else:
        assert check.unverified == ()


# --- 6-7. the default audit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [f.name for f in catalog.CORPUS if not f.risky])
def test_the_default_audit_passes_every_clean_corpus_model(name: str) -> None:
    result = cli("audit", catalog.get(name).path, *tag_args(name))
    assert result.code == 0, result.stdout[-3000:]


def test_models_needing_an_op_package_warn_with_one_fix_per_package() -> None:
    """The ops of tensorflow-text and TF-DF are classified like core ops: needing the library is a
    deployment fact, a warning (issue 32), which `--fail-on warning` still fails."""
    expected = {
        "tftext_tokenizers": "pip install tensorflow-text, then `import tensorflow_text`",
        "tfdf_forest": "pip install tensorflow-decision-forests, then `import tensorflow_decision_forests`",
    }
    for name, fix in expected.items():
        result = audit(load(name), Policy())
        unregistered = [f for f in result.findings if f.rule_id == "INS004"]
        assert unregistered and not result.failed, name
        assert {f.severity for f in unregistered} == {Severity.WARNING}, name
        assert {f.fix for f in unregistered} == {fix + " before loading the model"}, name
        assert audit(load(name), Policy(fail_on=Severity.WARNING)).failed
    # Both spellings of tensorflow-text's ops are among them.
    ops = {
        f.location.op_type
        for f in audit(load("tftext_tokenizers"), Policy()).findings
        if f.rule_id == "INS004"
    }
    assert "TFText>WhitespaceTokenizeWithOffsetsV2" in ops and "NormalizeUTF8" in ops


def test_a_table_on_the_models_own_asset_is_a_note() -> None:
    [finding] = [
        f
        for f in audit(load("tf_module_table"), Policy(registry=False)).findings
        if f.location.op_type == "InitializeTableFromTextFileV2"
    ]
    assert finding.severity is Severity.NOTE and "own asset (vocabulary.txt)" in finding.message


def test_a_tf1_savers_checkpoint_ops_are_not_findings() -> None:
    view = load("tf1_two_graphs")
    assert {"SaveV2", "RestoreV2", "MergeV2Checkpoints"} <= set(view.nodes_by_op)
    result = audit(view, Policy(registry=False))
    assert not result.incomplete  # a crashed rule would find nothing too
    assert not [f for f in result.findings if f.rule_id == "INS002"]


def test_ins008_reports_once_per_op_type() -> None:
    findings = [f for f in audit(load("hf_bert"), Policy(registry=False)).findings if f.rule_id == "INS008"]
    op_types = [f.location.op_type for f in findings]
    assert findings and len(op_types) == len(set(op_types))


# --- 8-9. doctor and TF1 variables -----------------------------------------------------------------------------


def test_doctor_asks_for_tags_on_a_model_with_two_meta_graphs() -> None:
    path = catalog.get("tf1_two_graphs").path
    result = cli("doctor", path)
    assert result.code == 2 and "--tags" in result.stderr and "copy the file" not in result.stdout
    assert cli("doctor", path, "--tags", "serve", "--no-registry").code == 0


def test_tf1_models_list_their_graph_variables() -> None:
    view = load("tf1_two_graphs")
    variables = {(v.name, v.dtype, v.shape, v.trainable, v.origin) for v in view.variables}
    assert variables == {
        ("weights", "float32", (4, 2), True, "graph"),
        ("bias", "float32", (2,), True, "graph"),
    }
    run = cli("report", catalog.get("tf1_two_graphs").path, "--tags", "serve", "--format", "json")
    document = json.loads(run.stdout)["result"]
    assert document["overview"]["counts"]["variables"] == 2
    assert {v["name"] for v in document["variables"]} == {"weights", "bias"}


# --- 10. rendering ------------------------------------------------------------------------------------------------


def test_the_variables_table_shows_each_column_and_explains_duplicates() -> None:
    out = cli("report", catalog.get("k3_text").path).stdout
    row = next(line for line in out.splitlines() if "_all_variables.0" in line)
    assert "embedding/embeddings" in row and "float32" in row and "[500, 16]" in row
    assert "distinct weights" in out


def test_our_own_separators_are_not_escaped(tmp_path: Path) -> None:
    """A cell that lists several functions breaks lines between them (our newline, not the model's)."""
    view = load("tf_module_table")
    report = build_report(view)
    first = report.signatures[0]
    several = first._replace(functions=("fn_alpha", "fn_beta\nforged"))
    text = render(
        dataclasses.replace(report, signatures=(several,)), OutputFormat.TEXT, RenderOptions(width=200)
    )
    assert "\\x0a" not in text.replace("fn_beta\\x0aforged", "")
    assert "fn_beta\\x0aforged" in text  # a newline inside a model string is still shown escaped
    # TensorFlow indents its error messages with tabs: symbolicate shows the log, tabs as spaces.
    log = tmp_path / "error.log"
    log.write_text("Graph execution error:\n\tDetected at node 'x'\n")
    out = cli("symbolicate", catalog.get("runtime_errors").path, log).stdout
    assert "\\x09" not in out and "Detected at node" in out


# --- every command on every corpus model --------------------------------------------------------------------------


def test_every_command_answers_on_every_corpus_model(corpus_model: catalog.Fixture) -> None:
    path, tags = corpus_model.path, tag_args(corpus_model.name)
    for command in (
        ["report"],
        ["report", "--format", "json"],
        ["report", "--format", "markdown"],
        ["trace"],
        ["audit", "--no-registry", "--format", "sarif"],
        ["doctor", "--no-registry"],
    ):
        result = cli(command[0], path, *command[1:], *tags)
        if command[0] == "trace" and not (path / "debug").is_dir():  # no stacks to trace: bad input
            assert result.code == 2 and "no debug info" in result.stderr, result.stderr
            continue
        assert result.code in (0, 1), (command, result.stderr)
        assert "Traceback" not in result.stderr
        if "--format" in command and command[-1] in ("json", "sarif"):
            json.loads(result.stdout)


@pytest.mark.tensorflow
def test_corpus_facts_equal_tensorflows(corpus_model: catalog.Fixture) -> None:
    pytest.importorskip("tensorflow")
    from tensorflow.python.saved_model import loader_impl

    view = load(corpus_model.name)
    # A TF Serving base path is read as its latest version, the folder TensorFlow is then given.
    saved_model = loader_impl.parse_saved_model(str(view.path))
    tags = set(TAGS.get(corpus_model.name, ["serve"]))
    [meta] = [m for m in saved_model.meta_graphs if set(m.meta_info_def.tags) == tags]
    graph = meta.graph_def
    op_types = {n.op for n in graph.node} | {n.op for f in graph.library.function for n in f.node_def}
    assert set(view.nodes_by_op) == op_types
    assert len(view.nodes) == len(graph.node) + sum(len(f.node_def) for f in graph.library.function)
    assert set(view.signatures) == set(meta.signature_def)
    assert dict(view.function_aliases) == dict(meta.meta_info_def.function_aliases)
    assert view.tensorflow_version == meta.meta_info_def.tensorflow_version


def test_audit_locations_keep_their_separators() -> None:
    """A finding about a whole function names it once (SARIF), and its file apart from it (text)."""
    path = catalog.get("legacy_traces").path
    sarif = json.loads(cli("audit", path, "--no-registry", "--format", "sarif").stdout)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "INS006"]
    [logical] = result["locations"][0]["logicalLocations"]
    assert logical["fullyQualifiedName"] == logical["name"] and "/" not in logical["name"]
    out = cli("audit", path, "--no-registry").stdout
    line = next(text for text in out.splitlines() if " in __inference_double_" in text)
    assert f"{logical['name']}  {path}" in line


def test_a_tf1_models_assets_are_read_from_its_collection(tmp_path: Path) -> None:
    """Issue 34: a TF1 Builder model lists its vocabulary only in collection_def['saved_model_assets'] (the
    constant holds the build machine's path; the TF1 loader feeds assets/vocabulary.txt). It is an asset like
    any: the table reading it is a note, not a warning about the path; without the file, doctor blocks."""
    view = load("tf1_vocabulary")
    assert [(a.filename, a.tensor_name) for a in view.assets] == [("vocabulary.txt", "asset_path:0")]
    table = [f for f in audit(view, Policy()).findings if f.rule_id == "INS002"]
    assert [(f.severity, "own asset" in f.message) for f in table] == [(Severity.NOTE, True)]
    broken = tmp_path / "model"
    shutil.copytree(catalog.get("tf1_vocabulary").path, broken)
    (broken / "assets" / "vocabulary.txt").unlink()
    run = cli("doctor", broken, "--format", "json")
    assert run.code == 1
    [missing] = [p for p in json.loads(run.stdout)["result"]["problems"] if p["blocker"]]
    assert missing["kind"] == "missing-file" and "vocabulary.txt" in missing["message"]


def _framed(record: bytes) -> bytes:
    """One TFRecord: length, its masked CRC-32C, the data, its masked CRC-32C (TensorFlow's framing)."""
    from inspector._internal.checkpoint import masked_crc32c

    length = len(record).to_bytes(8, "little")
    return (
        length
        + masked_crc32c(length).to_bytes(4, "little")
        + record
        + masked_crc32c(record).to_bytes(4, "little")
    )


def test_a_tf_serving_base_path_reads_its_latest_version_and_its_warmup(tmp_path: Path) -> None:
    """Issue 34: `report models/serving` failed `not a SavedModel directory`; the warmup requests that TF
    Serving replays at load were never read. The base path stands for its latest version, and each warmup
    request (TFRecords written by TensorFlow, PredictionLogs by tensorflow-serving-api) is read."""
    base = catalog.get("tf_serving").path
    view = inspector.load(base)
    assert view.path == base / "2" and any("TF Serving base path" in w for w in view.warnings)
    assert view.warmup is not None and view.warmup.problem is None
    [request] = view.warmup.requests
    assert (request.kind, request.signatures, request.inputs) == ("predict", ("serving_default",), ("x",))
    assert cli("doctor", base).code == 0


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ("signature", "calls signature 'missing', which the model does not have"),
        ("inputs", "feeds x, z to 'serving_default', which takes x"),
        ("checksum", "its data fails its checksum"),
    ],
)
def test_a_warmup_request_the_model_cannot_serve_blocks_the_load(
    tmp_path: Path, edit: str, says: str
) -> None:
    from inspector.format.savedmodel_format_pb2 import PredictionLog

    model = tmp_path / "model"
    shutil.copytree(catalog.get("tf_serving").path / "2", model)
    warmup = model / "assets.extra" / "tf_serving_warmup_requests"
    raw = warmup.read_bytes()
    log = PredictionLog.FromString(raw[12 : 12 + int.from_bytes(raw[:8], "little")])
    if edit == "signature":
        log.predict_log.request.model_spec.signature_name = "missing"
    elif edit == "inputs":
        log.predict_log.request.inputs["z"].CopyFrom(log.predict_log.request.inputs["x"])
    framed = _framed(log.SerializeToString())
    if edit == "checksum":
        framed = framed[:-5] + bytes([framed[-5] ^ 1]) + framed[-4:]
    warmup.write_bytes(framed)
    run = cli("doctor", model, "--format", "json")
    assert run.code == 1
    [blocker] = [p for p in json.loads(run.stdout)["result"]["problems"] if p["blocker"]]
    assert blocker["kind"] == "warmup" and says in blocker["message"], blocker


def _jax2tf_edited(tmp_path: Path, old: bytes, new: bytes) -> Path:
    """The jax2tf model with a byte string of saved_model.pb replaced by one of the same length."""
    assert len(old) == len(new)
    model = tmp_path / "model"
    shutil.copytree(catalog.get("jax2tf").path, model)
    data = (model / "saved_model.pb").read_bytes()
    assert old in data
    (model / "saved_model.pb").write_bytes(data.replace(old, new))
    return model


def test_an_xla_call_module_says_its_version_platforms_and_calls() -> None:
    """Issue 34: a jax2tf model is one XlaCallModule; the report showed neither its serialization version nor
    its platforms. (Custom calls are read with jaxlib's StableHLO bindings, when installed.)"""
    report = inspector.build_report(load("jax2tf"))
    assert report.xla_modules and {(m.version, m.platforms) for m in report.xla_modules} == {(10, ("CPU",))}
    assert all(m.module_bytes > 1000 and m.function_list == () for m in report.xla_modules)
    text = cli("report", catalog.get("jax2tf").path).stdout
    assert "XLA modules" in text and "CPU" in text
    if importlib.util.find_spec("jaxlib") is not None:  # the jax extra, in the test environment
        assert {m.custom_calls for m in report.xla_modules} == {("shape_assertion",)}


def test_a_host_callback_in_an_xla_module_fails_the_audit(tmp_path: Path) -> None:
    """A custom-call target neither XLA nor jax2tf lowers to (a host callback runs Python in the server)."""
    pytest.importorskip("jaxlib")
    model = _jax2tf_edited(tmp_path, b"shape_assertion", b"host_callback_x")
    [first, *_] = [
        f for f in audit(inspector.load(model), Policy()).findings if f.location.op_type == "XlaCallModule"
    ]
    assert first.severity is Severity.ERROR and "host_callback_x" in first.message


def test_source_paths_in_an_xla_modules_locations_are_checked(tmp_path: Path) -> None:
    """jax2tf records the exporting machine's paths in the module's locations, where the debug info's scrub
    does not reach: INS010 reads them from the module's bytes."""
    model = _jax2tf_edited(tmp_path, b"/work/main/", b"/home/adam/")
    findings = [f for f in audit(inspector.load(model), Policy()).findings if f.rule_id == "INS010"]
    assert findings and all("StableHLO module" in f.message and "user 'adam'" in f.message for f in findings)
    assert all(f.location.op_type == "XlaCallModule" for f in findings)


@pytest.mark.slow
@pytest.mark.tensorflow
def test_doctor_blocks_an_xla_module_the_loading_tensorflow_cannot_run(tmp_path: Path) -> None:
    """The model loads and its first call fails: the child's TensorFlow says the highest version it runs
    (TF 2.21: 10); a module of version 99, or lowered for TPU only, is a blocker."""
    from inspector._internal.protos import load_protos

    for attr, says in (("version", "serialization version 99"), ("platforms", "was lowered for TPU")):
        model = tmp_path / attr
        shutil.copytree(catalog.get("jax2tf").path, model)
        message = load_protos().saved_model.SavedModel()
        message.ParseFromString((model / "saved_model.pb").read_bytes())
        for function in message.meta_graphs[0].graph_def.library.function:
            for node in function.node_def:
                if node.op == "XlaCallModule" and attr == "version":
                    node.attr["version"].i = 99
                elif node.op == "XlaCallModule":
                    del node.attr["platforms"].list.s[:]
                    node.attr["platforms"].list.s.append(b"TPU")
        (model / "saved_model.pb").write_bytes(message.SerializeToString())
        run = cli("doctor", model, "--try-load", "--no-registry", "--format", "json")
        blockers = [p for p in json.loads(run.stdout)["result"]["problems"] if p["blocker"]]
        assert run.code == 1 and any(p["kind"] == "xla-module" and says in p["message"] for p in blockers), (
            blockers
        )


def test_a_version_of_a_tf_serving_base_path_is_chosen_by_number() -> None:
    base = catalog.get("tf_serving").path
    for command in ("report", "audit", "doctor"):
        run = cli(command, base, "--model-version", "1", "--format", "json")
        assert json.loads(run.stdout)["model"]["path"] == str(base / "1"), command
    missing = cli("report", base, "--model-version", "7")
    assert missing.code == 2 and "no version 7" in missing.stderr and "1, 2" in missing.stderr


@pytest.mark.parametrize("name", ["tft_v1", "tft_v2"])
def test_a_tf_transform_vocabulary_is_an_asset_and_its_change_a_difference(name: str, tmp_path: Path) -> None:
    """tf.Transform's transform_fn, TF1 and TF2 forms (written by tf.Transform 1.21's Beam pipeline): the
    vocabulary is the model's own asset (a note), and a new vocabulary is a diff, naming its reader."""
    view = load(name)
    assert [a.filename for a in view.assets] == ["words"]
    [note] = [f for f in audit(view, Policy()).findings if f.rule_id == "INS002"]
    assert note.severity is Severity.NOTE and "own asset (words)" in note.message
    changed = tmp_path / "changed"
    shutil.copytree(catalog.get(name).path, changed)
    (changed / "assets" / "words").write_text("fish\nbird\n")
    run = cli("diff", catalog.get(name).path, changed, "--format", "json")
    [change] = json.loads(run.stdout)["result"]["changes"]
    assert (
        run.code == 1
        and change["name"] == "assets/words"
        and "InitializeTableFromTextFileV2" in change["reason"]
    )


def test_keras_hub_exports_read_as_tensorflow_writes_them() -> None:
    """keras-hub 0.32 (Keras 3): a BERT backbone's export passes the audit; its tokenizer's ops are
    tensorflow-text's, classified like core ops, so needing the library is a warning with its fix."""
    assert not audit(load("keras_hub_bert"), Policy()).failed
    tokenizer = audit(load("keras_hub_tokenizer"), Policy())
    needs = [f for f in tokenizer.findings if f.rule_id == "INS004"]
    assert not tokenizer.failed and needs and {f.severity for f in needs} == {Severity.WARNING}
    assert all("tensorflow_text" in f.fix for f in needs)
