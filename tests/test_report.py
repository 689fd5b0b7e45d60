"""What `report` says about each fixture: aliases, namespaces, whitelist flags, call tree, overview."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

import inspector
from fixtures import catalog
from inspector._internal.reporting import CallTreeNode, build_report
from inspector._internal.view import TOP_LEVEL


def report_of(name: str, whitelist: list[str] | None = None) -> inspector.Report:
    return build_report(inspector.load(catalog.get(name).path), whitelist=whitelist)


def test_one_alias_covers_several_concrete_functions() -> None:
    report = report_of("module_aliases")
    double = next(alias for alias in report.aliases if alias.name == "double")
    in_library = [t for t in double.targets if t.in_library]
    assert len(in_library) >= 3
    signatures = {t.input_signature for t in in_library if t.input_signature}
    assert {"(x: float32[])", "(x: float32[2])", "(x: float32[None])"} <= signatures
    assert any("serving_default" in t.signatures for t in in_library)
    assert any("double" in t.object_paths for t in in_library)


def test_aliases_naming_functions_absent_from_the_library_are_marked() -> None:
    # TensorFlow records the tf.function's first concrete functions too, which the library lacks.
    report = report_of("module_aliases")
    double = next(alias for alias in report.aliases if alias.name == "double")
    view = inspector.load(catalog.get("module_aliases").path)
    for target in double.targets:
        assert target.in_library == (target.function in view.functions)


def test_no_whitelist_checks_nothing_like_tensorflow() -> None:
    report = report_of("custom_ops")
    assert report.whitelist is None
    assert report.flagged_ops == ()
    assert {u.namespace: u.whitelisted for u in report.namespaces} == {"Acme": None, "Beta": None}


def test_whitelist_flags_exactly_the_other_namespace_with_its_trace() -> None:
    fixture = catalog.get("custom_ops")
    report = report_of("custom_ops", ["Acme"])
    assert report.whitelist_violated
    assert {u.namespace: u.whitelisted for u in report.namespaces} == {"Acme": True, "Beta": False}
    [flagged] = report.flagged_ops
    assert flagged.op_type == "Beta>Shift"
    assert flagged.function.startswith("__inference_postprocess_")
    assert flagged.aliases == ("postprocess",)
    assert flagged.signatures == ("serving_default",)
    assert flagged.trace is not None and flagged.trace.creation_site is not None
    site = flagged.trace.creation_site
    assert (Path(site.file).name, site.line) == (
        "custom_ops.py",
        catalog.site_line(fixture, "postprocess.shift"),
    )


def test_an_empty_whitelist_flags_every_namespaced_op() -> None:
    report = report_of("custom_ops", [])
    assert {op.op_type for op in report.flagged_ops} == {"Acme>Scale", "Beta>Shift"}


def test_the_call_tree_follows_calls_from_each_signature() -> None:
    report = report_of("custom_ops")
    [tree] = [t for t in report.call_trees if t.signature == "serving_default"]

    def names(node: CallTreeNode) -> list[str]:
        return [node.function.rsplit("_", 1)[0], *(n for child in node.children for n in names(child))]

    assert names(tree.roots[0]) == [
        "__inference_signature_wrapper_serve",
        "__inference_serve",
        "__inference_postprocess",
    ]


def test_namespaced_functions_list_where_the_ops_live() -> None:
    report = report_of("custom_ops")
    functions = {op.op_type: op.functions for usage in report.namespaces for op in usage.op_types}
    assert functions["Acme>Scale"][0].startswith("__inference_serve_")
    assert functions["Beta>Shift"][0].startswith("__inference_postprocess_")
    assert TOP_LEVEL not in functions["Beta>Shift"]


def test_overview_counts_and_coverage(fixture: catalog.Fixture) -> None:
    view = inspector.load(fixture.path)
    overview = build_report(view).overview
    assert overview.counts.nodes == len(view.nodes)
    assert overview.counts.functions == len(view.functions) - 1
    assert overview.debug_info.coverage_percent == 100.0
    assert overview.debug_info.stale_keys == 0
    assert overview.fingerprint is not None
    assert overview.tensorflow_version == catalog.manifest()[fixture.name]["tensorflow"]


def test_variables_have_object_paths() -> None:
    [variable] = report_of("module_aliases").variables
    assert (variable.object_path, variable.dtype, variable.shape, variable.trainable) == (
        "offset",
        "float32",
        (),
        True,
    )
    keras = report_of("keras_serving").variables
    assert {(v.name, v.shape) for v in keras} == {
        ("hidden/kernel", (4, 8)),
        ("hidden/bias", (8,)),
        ("logits/kernel", (8, 3)),
        ("logits/bias", (3,)),
    }
    assert all(v.object_path.startswith("model.") for v in keras)


def test_save_options_count_in_words_that_agree_with_their_numbers() -> None:
    """`1 alias over 1 concrete function`, never `1 aliases over 1 concrete functions`."""
    one = build_report(inspector.load(catalog.get("keras_serving").path))
    several = build_report(inspector.load(catalog.get("module_aliases").path))
    aliases = {r.option: r.value for r in one.save_options}["function_aliases"]
    assert aliases == "1 alias over 1 concrete function"
    assert {r.option: r.value for r in several.save_options}["function_aliases"] == (
        "2 aliases over 7 concrete functions"
    )


def test_a_model_with_an_object_graph_and_no_variable_lists_none() -> None:
    """tensorflow-text's tokenizers hold no tf.Variable: TensorFlow's asset-path handle beside
    `asset_path_initializer` is not one."""
    assert inspector.load(catalog.get("tftext_tokenizers").path).variables == ()
    assert len(inspector.load(catalog.get("tf1_two_graphs").path, tags=["serve"]).variables) == 2


@pytest.mark.slow
@pytest.mark.tensorflow
@pytest.mark.parametrize("io_device", [None, "/job:localhost"])
@pytest.mark.parametrize("policy", [None, "save_variable_devices"])
def test_save_options_are_right_for_every_variable_policy_and_io_device(
    tmp_path: Path, io_device: str | None, policy: str | None
) -> None:
    """TensorFlow writes the io device nowhere: it is never reported as recorded; the variable policy is
    read from the variables' devices (and the saver's per-device shards)."""
    tf = pytest.importorskip("tensorflow")

    class Module(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.v = tf.Variable(1.0)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def serve(self, x: object) -> object:
            return x * self.v

    model = inspector.save(Module(), tmp_path / "m", io_device=io_device, variable_policy=policy)
    options = {o.option: o for o in build_report(inspector.load(model)).save_options}
    assert options["experimental_io_device"].recorded.value == "never"
    recorded = options["experimental_variable_policy"].recorded.value
    assert recorded == ("yes" if policy else "no"), options["experimental_variable_policy"]


def test_the_report_lists_every_asset_with_its_digest_and_readers() -> None:
    """Issue 34: no assets section. A TF1 vocabulary (its asset only in the saved_model_assets collection)
    and TF-DF's forest files, each with its size, SHA-256 and the ops that read it."""
    import hashlib

    vocabulary = catalog.get("tf1_vocabulary").path
    [asset] = inspector.build_report(inspector.load(vocabulary)).assets
    data = (vocabulary / "assets" / "vocabulary.txt").read_bytes()
    assert (asset.path, asset.size, asset.sha256) == (
        "assets/vocabulary.txt",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    assert asset.readers == ("InitializeTableFromTextFileV2 (top-level graph)",) and asset.declared
    forest = inspector.build_report(inspector.load(catalog.get("tfdf_forest").path)).assets
    assert len(forest) == 5 and any(
        "StaticRegexReplace in __inference__initializer_" in r for a in forest for r in a.readers
    )
    text = run_cli("report", vocabulary).stdout
    assert "Assets" in text and "assets/vocabulary.txt" in text


def test_the_first_line_states_the_model_each_fact_once() -> None:
    """Issue 35: the report opened with `REPORTED: nothing was checked; ...`, and said its risky op types
    twice. It opens with the model: name, size, risky op types with the command that judges them."""
    out = run_cli("report", catalog.get("risky_ops").path).stdout
    first = " ".join(out.split("\n\n")[0].split("╭")[0].split())
    assert first.startswith("REPORTED: risky_ops · 15 functions · ")
    assert "risky op types DatasetFromGraph, EagerPyFunc" in first and "→ inspector audit" in first
    assert out.count("WriteFile → inspector audit") + out.count("WriteFile\n→ inspector audit") <= 1
    assert "Risky op types:" not in out
