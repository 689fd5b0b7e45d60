"""INS010 debug-info-paths: what the recorded paths reveal about the saving machine."""

from __future__ import annotations

from typing import Any

from conftest import publish_as_saved_by_alice
from rule_helpers import NO_REGISTRY, audited

import inspector
from fixtures import catalog
from inspector.audit import Severity, audit


def test_a_published_model_names_its_user(model_copy: Any) -> None:
    view = inspector.load(publish_as_saved_by_alice(model_copy("custom_ops")))
    findings = [f for f in audit(view, NO_REGISTRY).findings if f.rule_id == "INS010"]
    assert [f.severity for f in findings] == [Severity.WARNING]
    assert "user 'alice'" in findings[0].message and "scrub" in findings[0].fix


def test_scrubbed_fixtures_reveal_nothing(fixture: catalog.Fixture) -> None:
    findings = audited(fixture.path).findings
    assert not [f for f in findings if f.rule_id == "INS010" and f.severity >= Severity.WARNING]
