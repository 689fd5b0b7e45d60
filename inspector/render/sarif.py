"""SARIF 2.1.0 for code-scanning tools: rules with their documentation, results located at the user
source line that created the op (from the debug info) with the function and node as logical location,
the creation stack, and the audit's notices as tool execution notifications.

Validated against the official SARIF 2.1.0 JSON schema in the tests.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from inspector import __version__

if TYPE_CHECKING:
    from inspector.audit.model import AuditResult, Finding, RuleInfo
    from inspector.view import Frame

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/inspector-tf/inspector"

_LEVEL = {"critical": "error", "error": "error", "warning": "warning", "note": "note"}
# GitHub code scanning ranks security results by this property (0.0 to 10.0).
_SECURITY_SEVERITY = {"critical": "9.5", "error": "7.5", "warning": "5.0", "note": "2.0"}


def render_audit(result: AuditResult) -> str:
    rule_index = {rule.id: index for index, rule in enumerate(result.rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "inspector",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in result.rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not any(n.is_error for n in result.notices),
                "toolExecutionNotifications": [
                    {
                        "level": "error" if notice.is_error else "note",
                        "message": {"text": notice.message},
                        "associatedRule": {"id": notice.rule_id, "index": rule_index[notice.rule_id]},
                    }
                    for notice in result.notices
                    if notice.rule_id in rule_index
                ],
            }
        ],
        "results": [_result(finding, rule_index, str(result.model)) for finding in result.findings],
        "properties": {
            "model": str(result.model),
            "baselined": result.baselined,
            "failOn": result.fail_on.label,
        },
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _rule(rule: RuleInfo) -> dict[str, Any]:
    first_paragraph = rule.documentation.strip().split("\n\n", 1)[0].replace("\n", " ")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": first_paragraph},
        "help": {"text": rule.documentation.strip(), "markdown": rule.documentation.strip()},
        "properties": {"tags": ["security", "tensorflow", "savedmodel"]},
    }


def _uri(path: str) -> str:
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix)
    return quote(posix)


def _physical(file: str, line: int | None) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
    if line:
        location["region"] = {"startLine": line}
    return location


def _frame(frame: Frame) -> dict[str, Any]:
    return {
        "location": {
            "physicalLocation": _physical(frame.file, frame.line),
            "message": {"text": frame.function or "?"},
        }
    }


def _result(finding: Finding, rule_index: dict[str, int], model: str) -> dict[str, Any]:
    where = finding.location
    source = where.source
    physical = _physical(source.file, source.line) if source else _physical(where.file or model, None)
    location: dict[str, Any] = {"physicalLocation": physical}
    if where.node_key:
        # A node: named by itself, qualified by its function (and the serialized graphs around it).
        node_name = where.node_key.rsplit("@", 1)[0]
        qualified = "/".join((*where.nesting, where.function or "<graph>", node_name))
        location["logicalLocations"] = [
            {"name": node_name, "fullyQualifiedName": qualified, "kind": "member"}
        ]
    elif where.function:
        # A whole function: its name once, not `f/f`.
        qualified = "/".join((*where.nesting, where.function))
        location["logicalLocations"] = [
            {"name": where.function, "fullyQualifiedName": qualified, "kind": "function"}
        ]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": _LEVEL[finding.severity.label],
        "message": {"text": f"{finding.message}. Fix: {finding.fix}."},
        "locations": [location],
        "partialFingerprints": {"inspectorFinding/v1": finding.fingerprint},
        "properties": {
            "severity": finding.severity.label,
            "security-severity": _SECURITY_SEVERITY[finding.severity.label],
            "opType": where.op_type,
            "function": where.function,
            "reach": where.reach.value if where.reach else None,
            "reachedBy": list(where.reached_by),
            "nesting": list(where.nesting),
        },
    }
    if where.stack:
        # SARIF orders a stack's frames innermost first.
        result["stacks"] = [
            {"message": {"text": "creation stack"}, "frames": [_frame(f) for f in reversed(where.stack)]}
        ]
    return result
