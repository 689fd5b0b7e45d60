"""The audit rules: one module each, whose docstring is the rule's documentation.

A rule module has `INFO` (a RuleInfo) and `check(context)`, which yields findings: the `Rule` protocol,
which mypy checks each module of `RULES` against (a module without them is a type error). Adding a rule
means adding its module to `RULES` and its test.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from inspector._internal.audit.context import AuditContext
from inspector._internal.audit.rules import (
    ins001_namespace_whitelist,
    ins002_risky_ops,
    ins003_nested_graphs,
    ins004_unregistered_ops,
    ins005_debug_info,
    ins006_aliases,
    ins007_versions,
    ins008_stripped_op_list,
    ins009_fingerprint,
    ins010_debug_info_paths,
    ins011_model_files,
    ins012_keras_metadata,
    ins013_model_folder,
)
from inspector.results.audit import Finding, Notice, RuleInfo


class Rule(Protocol):
    """An audit rule: what it is (its id, name, summary, severity and documentation) and its check."""

    @property
    def INFO(self) -> RuleInfo: ...  # the module constant each rule module defines

    def check(self, context: AuditContext) -> Iterable[Finding | Notice]: ...


#: Every rule, in id order: the one list.
RULES: tuple[Rule, ...] = (
    ins001_namespace_whitelist,
    ins002_risky_ops,
    ins003_nested_graphs,
    ins004_unregistered_ops,
    ins005_debug_info,
    ins006_aliases,
    ins007_versions,
    ins008_stripped_op_list,
    ins009_fingerprint,
    ins010_debug_info_paths,
    ins011_model_files,
    ins012_keras_metadata,
    ins013_model_folder,
)


def rules() -> tuple[Rule, ...]:
    return RULES
