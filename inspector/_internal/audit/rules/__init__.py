"""The audit rules: one module each, whose docstring is the rule's documentation.

A rule module has `INFO` (a RuleInfo) and `check(context)`, which yields findings. Adding a rule means
adding its module here and its test.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
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
    INFO: RuleInfo

    def check(self, context: AuditContext) -> Iterable[Finding | Notice]: ...


RULE_MODULES: tuple[ModuleType, ...] = (
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
    return tuple(module for module in RULE_MODULES)
