"""`inspector diff`: pairing across re-saves, exactly the changes made, categories, formats, exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import flat, payload, run_cli

import inspector
from fixtures import catalog
from inspector._internal.checkpoint import read_bundle_index
from inspector._internal.diff import diff
from inspector._internal.diff.pairing import pair_functions
from inspector._internal.protos import load_protos
from inspector._internal.render.changes import change_detail
from inspector._internal.render.jsonfmt import to_jsonable
from inspector.results.diff import Aspect, Category, ChangeKind, SourceSite

V1 = catalog.get("versioned_v1").path
V1_AGAIN = catalog.get("versioned_v1_again").path
V2 = catalog.get("versioned_v2").path

# (category, kind, aspect, name, attr, old, new): the changes as data, values as JSON holds them.
EXPECTED_V1_V2 = [
    (
        "signatures",
        "changed",
        "signature-input",
        "serving_default",
        "x",
        {"dtype": "float32", "shape": [None, 4], "values": None, "elements": None, "digest": ""},
        {"dtype": "float64", "shape": [None, 4], "values": None, "elements": None, "digest": ""},
    ),
    ("aliases", "changed", "alias-name", "infer", "", "predict", "infer"),
    ("namespaces", "added", "namespace", "Acme", "", None, ["Acme>Scale"]),
    (
        "variables",
        "added",
        "variable",
        "w2",
        "",
        None,
        [{"dtype": "float32", "shape": [8, 8], "values": None, "elements": None, "digest": ""}],
    ),
]
# The same changes as the terminal and Markdown say them: subject, old, new.
EXPECTED_WORDS = {
    ("serving_default input x", "float32[None, 4]", "float64[None, 4]"),
    ("alias name", "predict", "infer"),
    ("Acme", "", "Acme>Scale"),
    ("w2", "", "float32[8, 8]"),
}
# The added layer, the cast for the new dtype and the custom op, inside serve.
EXPECTED_NEW_NODES = {"Acme>Scale", "Cast", "MatMul_1", "MatMul_1/ReadVariableOp", "Relu_1"}


def test_the_same_code_saved_twice_is_identical() -> None:
    old, new = inspector.load(V1), inspector.load(V1_AGAIN)
    assert set(old.functions) != set(new.functions)  # the counters differ ...
    result = diff(old, new)
    assert result.identical  # ... and nothing else does
    assert {p.paired_by for p in result.pairs} >= {"alias"}
    for fmt in ("text", "json", "markdown"):
        assert run_cli("diff", V1, V1_AGAIN, "--format", fmt).code == 0


def _as_data(change: dict) -> str:  # type: ignore[type-arg]
    """A change as comparable text: its category, kind, subject and values as the JSON holds them."""
    fields = ("category", "kind", "aspect", "name", "attr", "old", "new")
    return json.dumps([change[field] for field in fields])


EXPECTED_DATA = {json.dumps(list(change)) for change in EXPECTED_V1_V2}


#: A new variable is saved and restored too: the saver's graph and both checkpoint functions change.
EXPECTED_PLUMBING = {"saver graph", "__inference__traced_save", "__inference__traced_restore"}


def test_v1_against_v2_reports_exactly_the_changes_made() -> None:
    result = diff(inspector.load(V1), inspector.load(V2))
    summary = {
        _as_data(to_jsonable(c))
        for c in result.changes
        if c.category not in (Category.OPS, Category.PLUMBING)
    }
    assert summary == EXPECTED_DATA
    plumbing = result.changes_in(Category.PLUMBING)
    assert {c.name for c in plumbing} == EXPECTED_PLUMBING
    assert all(c.kind is ChangeKind.CHANGED for c in plumbing)
    ops = [c for c in result.changes if c.category is Category.OPS]
    assert {
        c.name for c in ops if c.aspect is Aspect.NODE and c.kind is ChangeKind.ADDED
    } == EXPECTED_NEW_NODES
    counts = {c.name: (c.old, c.new) for c in ops if c.aspect is Aspect.OP_COUNT}
    assert counts == {
        "Acme>Scale": (0, 1),
        "Cast": (0, 1),
        "MatMul": (1, 2),
        "ReadVariableOp": (1, 2),
        "Relu": (1, 2),
    }
    assert all(c.new_function.startswith("__inference__serve_") for c in ops)
    assert all(c.old_function.startswith("__inference__serve_") for c in ops)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_every_format_carries_the_same_changes(fmt: str) -> None:
    result = run_cli("diff", V1, V2, "--format", fmt)
    assert result.code == 1
    if fmt == "json":
        changes = payload(result.stdout)["changes"]
        assert len(changes) == 17
        assert {_as_data(c) for c in changes} >= EXPECTED_DATA
        return
    out = flat(result.stdout).replace("\\_", "_")
    for subject, old, new in EXPECTED_WORDS:
        assert subject in out and new in out and old in out
    for node in EXPECTED_NEW_NODES:
        assert node in out
    assert "17 changes" in out


def test_functions_are_paired_through_a_renamed_alias() -> None:
    old, new = inspector.load(V1), inspector.load(V2)
    pairs = pair_functions(old, new)
    serve = next(p for o, p in pairs.items() if o.startswith("__inference__serve_"))
    assert serve.new.startswith("__inference__serve_") and serve.paired_by != "alias"
    assert not [c for c in diff(old, new).changes if c.category is Category.FUNCTIONS]


def test_only_ignore_and_stat() -> None:
    only = run_cli("diff", V1, V2, "--only", "variables", "--format", "json")
    assert {c["category"] for c in payload(only.stdout)["changes"]} == {"variables"}
    ignored = run_cli(
        "diff",
        V1,
        V2,
        "--ignore",
        "ops",
        "--ignore",
        "signatures",
        "--ignore",
        "plumbing",
        "--format",
        "json",
    )
    document = payload(ignored.stdout)
    assert "ops" not in document["categories"] and {c["category"] for c in document["changes"]} == {
        "aliases",
        "namespaces",
        "variables",
    }
    stat = run_cli("diff", V1, V2, "--stat", "--format", "json")
    counts = {c["category"]: c["added"] + c["removed"] + c["changed"] for c in payload(stat.stdout)["counts"]}
    assert counts["ops"] == 10
    assert "+1 added" in run_cli("diff", V1, V2, "--stat").stdout
    assert run_cli("diff", V1, V2, "--only", "debug-info").code == 0  # no change in what was compared


def edited_copy(model_copy: Any, name: str, edit: Any) -> Any:
    path = model_copy(name)
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    edit(saved_model.meta_graphs[0])
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    return path


def test_attr_changes_that_matter(model_copy: Any) -> None:
    def transpose(meta_graph: Any) -> None:
        for function in meta_graph.graph_def.library.function:
            for node in function.node_def:
                if node.op == "MatMul":
                    node.attr["transpose_a"].b = True

    path = edited_copy(model_copy, "versioned_v1_again", transpose)
    changes = [c for c in diff(inspector.load(V1), inspector.load(path)).changes]
    assert [(c.category.value, c.name, c.attr, c.old, c.new) for c in changes] == [
        ("attrs", "MatMul", "transpose_a", "(unset)", "True")
    ]


def test_moved_creation_sites(model_copy: Any) -> None:
    path = model_copy("versioned_v1_again")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    line = catalog.site_line(catalog.get("versioned_v1"), "layer1")
    for frame in debug.frames_by_id.values():
        if frame.line == line and debug.files[frame.file_index].endswith("versioned.py"):
            frame.line = line + 5
    debug_file.write_bytes(debug.SerializeToString())
    moved = [
        c for c in diff(inspector.load(V1), inspector.load(path)).changes if c.category is Category.SOURCES
    ]
    assert moved and all(
        (Path(c.old.file).name, c.old.line, Path(c.new.file).name, c.new.line)
        == ("versioned.py", line, "versioned.py", line + 5)
        for c in moved
        if isinstance(c.old, SourceSite) and isinstance(c.new, SourceSite)
    )
    assert all(
        change_detail(c) == f"now created at versioned.py:{line + 5}, was versioned.py:{line}" for c in moved
    )
    assert {c.name for c in moved} >= {"MatMul", "Relu"}


def test_newly_introduced_risky_ops() -> None:
    result = diff(
        inspector.load(V1), inspector.load(catalog.get("risky_ops").path), only=[Category.RISKY_OPS]
    )
    added = {c.name for c in result.changes if c.kind is ChangeKind.ADDED}
    assert {"WriteFile", "PrintV2", "ReadFile", "EagerPyFunc"} <= added
    assert all(c.reason and c.old is None and c.new for c in result.changes if c.kind is ChangeKind.ADDED)


def test_versions_and_debug_info() -> None:
    result = diff(
        inspector.load(V1), inspector.load(catalog.get("legacy_traces").path), only=[Category.VERSIONS]
    )
    subjects = {c.aspect: (c.old, c.new) for c in result.changes}
    assert subjects[Aspect.TENSORFLOW_VERSION] == ("2.21.0", "2.12.1")
    assert subjects[Aspect.PRODUCER][0] != subjects[Aspect.PRODUCER][1]


def test_bad_input_is_exit_2(tmp_path: Any) -> None:
    result = run_cli("diff", V1, tmp_path / "missing")
    assert (
        result.code == 2 and "no such file or directory" in result.stderr and "Traceback" not in result.stderr
    )


@pytest.mark.slow
@pytest.mark.tensorflow
def test_weights_and_variable_devices_are_compared(tmp_path: Path) -> None:
    """Two saves that differ in one variable's value, and one placed by the variable policy: the values are
    compared by the checksums in variables.index (no data file read), the devices by the object graph."""
    tf = pytest.importorskip("tensorflow")

    class Module(tf.Module):
        def __init__(self, loc: float) -> None:
            super().__init__()
            self.loc = tf.Variable(loc, name="loc")
            self.scale = tf.Variable(1.0, name="scale")

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def serve(self, x: object) -> object:
            return (x - self.loc) / self.scale

    def save(name: str, loc: float, policy: str | None = None) -> Path:  # one call site: the same stacks
        return inspector.save(Module(loc), tmp_path / name, variable_policy=policy)

    base, again, moved = save("base", 0.0), save("again", 0.0), save("moved", 0.5)
    placed = save("placed", 0.0, "save_variable_devices")
    same = diff(inspector.load(base), inspector.load(again))
    assert same.identical, [(c.category, c.aspect, c.name, c.old, c.new) for c in same.changes]
    changes = diff(inspector.load(base), inspector.load(moved)).changes
    assert [(c.category, c.aspect, c.name) for c in changes] == [(Category.WEIGHTS, Aspect.WEIGHT, "loc")]
    devices = diff(inspector.load(base), inspector.load(placed)).changes_in(Category.VARIABLES)
    assert {c.name for c in devices if c.aspect is Aspect.VARIABLE_DEVICE} == {"loc", "scale"}
    [weight] = payload(run_cli("diff", base, moved, "--values", "--format", "json").stdout)["changes"]
    assert weight["name"] == "loc"
    assert (weight["old"][0]["values"], weight["new"][0]["values"]) == ([0.0], [0.5])


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_changed_input_signature_of_an_object_graph_function_is_a_change(tmp_path: Path) -> None:
    """tf_keras `model.save(save_format='tf')` with a Dense widened 4 -> 8: the layers' own concrete
    functions (`..._layer_call_fn`, `..._call_and_return_conditional_losses`), which no signature or
    alias names: `out`'s now take 8 wide inputs, `hidden`'s return 8 wide outputs."""
    tf_keras = pytest.importorskip("tf_keras")

    def save(name: str, width: int) -> Path:
        inputs = tf_keras.Input((3,), name="x")
        hidden = tf_keras.layers.Dense(width, name="hidden")(inputs)
        outputs = tf_keras.layers.Dense(1, name="out")(hidden)
        tf_keras.Model(inputs, outputs).save(str(tmp_path / name), save_format="tf")
        return tmp_path / name

    narrow, wide = save("narrow", 4), save("wide", 8)
    changes = diff(inspector.load(narrow), inspector.load(wide)).changes_in(Category.FUNCTIONS)
    changed = [c for c in changes if c.aspect is Aspect.FUNCTION_SIGNATURE]
    assert changed and all("out" in c.name for c in changed), [c.name for c in changed]
    assert all("None, 4" in str(c.old) and "None, 8" in str(c.new) for c in changed)
    returning = [c for c in changes if c.aspect is Aspect.FUNCTION_OUTPUTS]  # what `hidden` returns widened
    assert returning and all("hidden" in c.name for c in returning), [c.name for c in returning]
    assert all("None, 4" in str(c.old) and "None, 8" in str(c.new) for c in returning)


# --- unnamed layers: the same model under new name counters -------------------------------------------

UNNAMED, UNNAMED_AGAIN = catalog.get("k3_unnamed").path, catalog.get("k3_unnamed_again").path


def test_an_unnamed_model_built_again_is_renamed_not_rewritten() -> None:
    """Keras names unnamed layers with counters that go on across the process (`dense_1` becomes
    `dense_5`): every op is still there, reading the same inputs. The diff says `renamed`, one change a
    node, and no op added or removed; the weights, variables and signatures are unchanged."""
    changes = diff(inspector.load(UNNAMED), inspector.load(UNNAMED_AGAIN)).changes
    ops = [c for c in changes if c.category is Category.OPS]
    assert ops and all(c.aspect is Aspect.NODE_NAME and c.kind is ChangeKind.CHANGED for c in ops)
    for change in ops:
        assert change.old == change.name != change.new
        assert re.sub(r"(?:_\d+)+(?=/|$)", "", str(change.old)) == re.sub(
            r"(?:_\d+)+(?=/|$)", "", str(change.new)
        )
    # The checkpoint's object graph holds the same names but for their counters: no plumbing change.
    assert {c.category for c in changes} == {Category.OPS}
    page = run_cli("diff", UNNAMED, UNNAMED_AGAIN)
    assert (
        f"ops         ~{len(ops)} changed" in page.stdout
        and ": renamed: sequential_1/dense_1/MatMul → " in page.stdout
    )
    # Issue 35: a re-export failed a "did the model change?" gate. Cosmetic renames are listed apart, and
    # the models are identical -- unless --strict-names.
    assert page.code == 0 and page.stdout.startswith(
        f"IDENTICAL: no change in 14 categories compared; {len(ops)} cosmetic renames"
    )
    assert f"cosmetic renames ({len(ops)})" in page.stdout
    strict = run_cli("diff", UNNAMED, UNNAMED_AGAIN, "--strict-names")
    assert strict.code == 1 and strict.stdout.startswith(f"DIFFERENT: {len(ops)} changes in 1 category")


def test_a_renamed_node_whose_inputs_changed_is_removed_and_added(model_copy: Any) -> None:
    """Pairing by name without counters is confirmed by the graph: the second layer's MatMul rewired to
    read the first layer's MatMul (not its Relu) is no longer the same node, nor is what reads it."""

    def rewire(meta_graph: Any) -> None:
        for function in meta_graph.graph_def.library.function:
            nodes = {node.name: node for node in function.node_def}
            for node in function.node_def:
                if node.op == "MatMul" and node.input[0].split(":")[0].endswith("/Relu"):
                    relu = nodes[node.input[0].split(":")[0]]
                    first = nodes[relu.input[0].split(":")[0]].input[0].split(":")[0]  # BiasAdd <- MatMul
                    node.input[0] = f"{first}:product:0"

    path = edited_copy(model_copy, "k3_unnamed_again", rewire)
    changes = diff(inspector.load(UNNAMED), inspector.load(path)).changes
    nodes = {(c.kind, c.name) for c in changes if c.aspect is Aspect.NODE}
    renamed = {c.name for c in changes if c.aspect is Aspect.NODE_NAME}
    removed = {name for kind, name in nodes if kind is ChangeKind.REMOVED}
    assert removed and not removed & renamed
    assert any(name.endswith("MatMul") for name in removed)  # the rewired one
    assert any(name.endswith("BiasAdd") for name in removed)  # what reads it, unconfirmed in turn
    assert any(name.endswith("/Relu") for name in renamed)  # the first layer is still itself
    assert len([k for k, _ in nodes if k is ChangeKind.ADDED]) == len(removed)


def _weight_values(old: Path, new: Path) -> tuple[object, object]:
    document = payload(run_cli("diff", old, new, "--values", "--format", "json").stdout)
    [weight] = [c for c in document["changes"] if c["category"] == "weights"]
    return weight["old"][0]["values"], weight["new"][0]["values"]


def test_values_are_shown_only_from_a_shard_that_is_the_models_own_and_checks(tmp_path: Path) -> None:
    """Issue 33: `diff --values` printed 8 bytes of a hard-linked outside file as a variable's values. A
    shard with several hard links shows none of its bytes; nor does a tensor whose bytes fail its CRC-32C."""
    old, new = catalog.get("tfp_normal").path, tmp_path / "new"
    assert _weight_values(old, catalog.get("tfp_normal_shifted").path) == ([0.0], [0.5])
    shutil.copytree(catalog.get("tfp_normal_shifted").path, new)
    shard = new / "variables" / "variables.data-00000-of-00001"
    outside = tmp_path / "outside-secret"
    outside.write_bytes(shard.read_bytes())
    shard.unlink()
    shard.hardlink_to(outside)
    assert _weight_values(old, new) == ([0.0], None)
    shard.unlink()
    [loc] = [
        e
        for e in read_bundle_index(new / "variables" / "variables.index").entries
        if e.name.startswith("loc/")
    ]
    tampered = bytearray(outside.read_bytes())
    tampered[loc.offset] ^= 0x01  # loc's bytes no longer match the checksum its index entry records
    shard.write_bytes(bytes(tampered))
    assert _weight_values(old, new) == ([0.0], None)


@pytest.mark.parametrize("folder", ["assets", "assets.extra"])
def test_a_changed_asset_is_a_difference_naming_the_file_and_its_readers(tmp_path: Path, folder: str) -> None:
    """Issue 34: two models differing only in an asset's bytes (a vocabulary: bird -> fish) diffed as
    IDENTICAL, exit 0, while TensorFlow serves other labels. The same for assets.extra (TF Serving's warmup)."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(catalog.get("tf1_vocabulary").path, old)
    if folder == "assets.extra":
        (old / "assets.extra").mkdir()
        (old / "assets.extra" / "tf_serving_warmup_requests").write_bytes(b"one")
    shutil.copytree(old, new)
    target = (
        new / "assets" / "vocabulary.txt"
        if folder == "assets"
        else new / "assets.extra" / "tf_serving_warmup_requests"
    )
    target.write_bytes(target.read_bytes().replace(b"bird", b"fish") if folder == "assets" else b"two")
    run = run_cli("diff", old, new, "--format", "json")
    assert run.code == 1
    [change] = payload(run.stdout)["changes"]
    assert (change["category"], change["kind"], change["name"]) == (
        "assets",
        "changed",
        target.relative_to(new).as_posix(),
    )
    if folder == "assets":
        assert change["reason"] == "read by InitializeTableFromTextFileV2 (top-level graph)"
    assert run_cli("diff", old, old).code == 0


@pytest.mark.slow
@pytest.mark.tensorflow
def test_same_named_variables_are_told_apart_by_object_path(tmp_path: Path) -> None:
    """Issue 34: jax2tf's documented `tf.nest.map_structure(tf.Variable, params)` names every variable
    `Variable`; a change to one was `~ Variable: float32[4, 8]; float32[8, 2]; ... (values differ)`. Each is
    now its own group, named by its object path, and the diff names the one that changed."""
    tf = pytest.importorskip("tensorflow")

    class Jax2TfLike(tf.Module):
        def __init__(self, bias: float) -> None:
            super().__init__()
            params = {"w1": tf.ones([4, 8]), "w2": tf.ones([8, 2]), "b": tf.fill([2], bias)}
            self.params = tf.nest.map_structure(tf.Variable, params)

        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
        def serve(self, x: object) -> object:
            return tf.matmul(tf.matmul(x, self.params["w1"]), self.params["w2"]) + self.params["b"]

    def save(name: str, bias: float) -> Path:
        return inspector.save(Jax2TfLike(bias), tmp_path / name)

    base, changed = save("base", 0.0), save("changed", 0.5)
    assert {v.name for v in inspector.load(base).variables} == {"Variable"}
    changes = diff(inspector.load(base), inspector.load(changed)).changes_in(Category.WEIGHTS)
    assert [c.name for c in changes] == ["Variable (params.b)"]
    assert not diff(inspector.load(base), inspector.load(save("again", 0.0))).changes_in(Category.WEIGHTS)


def test_a_plumbing_change_names_the_attr_and_the_writers() -> None:
    """Issue 34: `~ saver graph: w (VarHandleOp) → w (VarHandleOp)` said nothing. TF 2.14 added `debug_name`
    to the saver's VarHandleOps: the change names it, and says the writers differ."""
    changes = diff(
        inspector.load(catalog.get("k2_212").path), inspector.load(catalog.get("k2_215").path)
    ).changes_in(Category.PLUMBING)
    [saver] = [c for c in changes if c.name == "saver graph"]
    assert isinstance(saver.new, tuple)
    assert "hidden/kernel (VarHandleOp): attr debug_name added" in saver.new
    assert "written by TensorFlow 2.12.1 → 2.15.1" in saver.reason


def test_every_category_has_its_comparison() -> None:
    """Categories are registered like audit rules: one module each, chosen by an exhaustive `match`."""
    from inspector._internal.diff import comparison
    from inspector.results.diff import Category

    for category in Category:
        assert callable(comparison(category)), category
