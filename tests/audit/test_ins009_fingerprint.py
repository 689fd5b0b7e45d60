"""INS009 fingerprint: fingerprint.pb against the files, and only the parts this TensorFlow can verify."""

from __future__ import annotations

from typing import Any

import pytest
from rule_helpers import audited

from fixtures import catalog
from inspector._internal.audit import Policy, Severity
from inspector._internal.protos import load_protos


@pytest.mark.tensorflow
def test_an_untouched_model_has_no_finding() -> None:
    pytest.importorskip("tensorflow")
    findings = audited(catalog.get("module_aliases").path, Policy(verify_fingerprint=True)).findings
    assert not [f for f in findings if f.rule_id == "INS009"]


@pytest.mark.tensorflow
def test_an_edited_signature_is_an_error_naming_the_part(model_copy: Any) -> None:
    pytest.importorskip("tensorflow")
    path = model_copy("module_aliases")
    saved_model = load_protos().saved_model.SavedModel()
    saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
    saved_model.meta_graphs[0].signature_def["serving_default"].method_name = "tensorflow/serving/classify"
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    [finding] = [f for f in audited(path, Policy(verify_fingerprint=True)).findings if f.rule_id == "INS009"]
    assert finding.severity is Severity.ERROR and "signature" in finding.message


def test_by_default_it_says_it_did_not_look() -> None:
    result = audited(catalog.get("module_aliases").path, Policy())
    assert not [f for f in result.findings if f.rule_id == "INS009"]
    assert [n for n in result.notices if n.rule_id == "INS009"]
