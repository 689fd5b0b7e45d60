"""INS005 debug-info: missing, corrupt, stale or sparse creation traces."""

from __future__ import annotations

from typing import Any

from rule_helpers import NO_REGISTRY, audited, findings_of

import inspector
from inspector._internal.audit import Policy, Severity, audit
from inspector._internal.protos import load_protos


def test_missing_debug_info_is_a_warning(model_copy: Any) -> None:
    import shutil

    path = model_copy("module_aliases")
    shutil.rmtree(path / "debug")
    [finding] = [f for f in audit(inspector.load(path), NO_REGISTRY).findings if f.rule_id == "INS005"]
    assert finding.severity is Severity.WARNING and "no debug info" in finding.message


def test_low_trace_coverage_is_a_warning(model_copy: Any) -> None:
    policy = Policy(registry=False, min_trace_coverage=100.0)
    assert not [f for f in findings_of("module_aliases", policy) if f.rule_id == "INS005"]  # fully traced
    path = model_copy("module_aliases")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    keys = sorted(debug.name_to_trace_id)
    for key in keys[: len(keys) // 2]:  # half of the ops lose their trace
        del debug.name_to_trace_id[key]
    debug_file.write_bytes(debug.SerializeToString())
    result = audited(path, Policy(registry=False, min_trace_coverage=80.0))
    [finding] = [f for f in result.findings if f.rule_id == "INS005"]
    assert finding.severity is Severity.WARNING and "(minimum 80%)" in finding.message
