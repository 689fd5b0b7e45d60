"""INS004 unregistered-op: op types the installed TensorFlow does not know, and the fix."""

from __future__ import annotations

import pytest
from conftest import payload, run_cli
from rule_helpers import CUSTOM


@pytest.mark.tensorflow
def test_unregistered_custom_ops_name_the_fix() -> None:
    result = run_cli("audit", CUSTOM.path, "--format", "json")
    findings = [f for f in payload(result.stdout)["findings"] if f["rule_id"] == "INS004"]
    assert sorted(f["location"]["op_type"] for f in findings) == ["Acme>Scale", "Beta>Shift"]
    assert all("tf.load_op_library" in f["fix"] for f in findings)
    assert result.code == 1
    assert result.stderr == ""  # TensorFlow's start-up logs stay out of the output
