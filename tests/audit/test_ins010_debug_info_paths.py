"""INS010 debug-info-paths: what the recorded paths reveal about the saving machine."""

from __future__ import annotations

from typing import Any

from conftest import publish_as_saved_by_alice
from rule_helpers import NO_REGISTRY, audited

import inspector
from fixtures import catalog
from inspector._internal.audit import Severity, audit
from inspector._internal.protos import load_protos


def test_a_published_model_names_its_user(model_copy: Any) -> None:
    view = inspector.load(publish_as_saved_by_alice(model_copy("custom_ops")))
    findings = [f for f in audit(view, NO_REGISTRY).findings if f.rule_id == "INS010"]
    assert [f.severity for f in findings] == [Severity.WARNING]
    assert "user 'alice'" in findings[0].message and "scrub" in findings[0].fix


def test_scrubbed_fixtures_reveal_nothing(fixture: catalog.Fixture) -> None:
    findings = audited(fixture.path).findings
    assert not [f for f in findings if f.rule_id == "INS010" and f.severity >= Severity.WARNING]


def test_the_interpreters_own_frames_are_the_environment_not_a_leak(model_copy: Any) -> None:
    """A pyenv interpreter under a home folder records its stdlib there: the environment, not the author's
    files. The author's own paths are still reported."""
    path = model_copy("module_aliases")
    debug_file = path / "debug" / "saved_model_debug_info.pb"
    debug = load_protos().graph_debug_info.GraphDebugInfo()
    debug.ParseFromString(debug_file.read_bytes())
    debug.files[:] = ["/root/.pyenv/versions/3.11.7/lib/python3.11/runpy.py" for _ in debug.files]
    debug_file.write_bytes(debug.SerializeToString())
    assert [f for f in audited(path).findings if f.rule_id == "INS010"] == []
    debug.files[0] = "/home/alice/src/model.py"
    debug_file.write_bytes(debug.SerializeToString())
    assert [f.identity for f in audited(path).findings if f.rule_id == "INS010"] == ["user name:alice"]
