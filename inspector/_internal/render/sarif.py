"""SARIF 2.1.0 for code-scanning tools: rules with their documentation and security severity, results
located at the user source line that created the op (from the debug info) with the function and node
as logical location, the creation stack, and the audit's notices as tool execution notifications.

With `source_root` (`inspector audit --source-root DIR`), every artifact URI is relative: recorded paths
under DIR (and the relative paths a scrubbed model records) are relative to `%SRCROOT%`, so alerts land
on the repository's files; a finding whose code lies elsewhere is located at the model file, relative
to `%SRCROOT%` or to `%MODELROOT%` (the model's folder); frames outside the checkout keep their text but
no location. Validated against the official SARIF 2.1.0 JSON schema in the tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from inspector import __version__
from inspector._internal.render import RenderOptions
from inspector._internal.render.safe import visible
from inspector._internal.view import Frame
from inspector.results.audit import AuditResult, Finding, RuleInfo

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/inspector-tf/inspector"
RULES_URI = INFORMATION_URI + "#audit-rules"
SOURCE_ROOT = "SRCROOT"
MODEL_ROOT = "MODELROOT"

_LEVEL = {"critical": "error", "error": "error", "warning": "warning", "note": "note"}
# GitHub code scanning ranks security results by this property (0.0 to 10.0).
_SECURITY_SEVERITY = {"critical": "9.5", "error": "7.5", "warning": "5.0", "note": "2.0"}


@dataclass(frozen=True)
class _Locator:
    """Turns recorded and model paths into SARIF artifact locations: relative to the source root when
    one is given (absolute `file://` URIs otherwise), or None for a path outside it."""

    source_root: Path | None
    model_dir: Path

    def base_ids(self) -> dict[str, Any]:
        if self.source_root is None:
            return {}
        return {
            SOURCE_ROOT: {"uri": self.source_root.resolve().as_uri() + "/"},
            MODEL_ROOT: {"uri": self.model_dir.resolve().as_uri() + "/"},
        }

    def recorded(self, path: str) -> dict[str, Any] | None:
        """A path from the debug info (recorded on the saving machine)."""
        posix = path.replace("\\", "/")
        if self.source_root is None:
            return {"uri": _uri(posix)}
        if not PurePosixPath(posix).is_absolute():
            return {"uri": quote(posix.removeprefix("./")), "uriBaseId": SOURCE_ROOT}
        root = self.source_root.resolve().as_posix().rstrip("/") + "/"
        if posix.startswith(root):
            return {"uri": quote(posix[len(root) :]), "uriBaseId": SOURCE_ROOT}
        return None

    def model_file(self, file: str) -> dict[str, Any]:
        """A file of the model (saved_model.pb, the debug info), named relative to the model folder."""
        if self.source_root is None:
            return {"uri": _uri(file)}
        absolute = Path(file).resolve()
        root = self.source_root.resolve()
        if absolute.is_relative_to(root):
            return {"uri": quote(absolute.relative_to(root).as_posix()), "uriBaseId": SOURCE_ROOT}
        model = self.model_dir.resolve()
        inside = absolute.relative_to(model).as_posix() if absolute.is_relative_to(model) else absolute.name
        return {"uri": quote(inside), "uriBaseId": MODEL_ROOT}


def render_audit(result: AuditResult, options: RenderOptions | None = None) -> str:
    """The audit as a SARIF 2.1.0 log (one run)."""
    options = options or RenderOptions()
    given = result.model.path
    model_dir = given if given.is_dir() else given.parent
    model_file = str(given / "saved_model.pb") if given.is_dir() else str(given)
    locator = _Locator(options.source_root, model_dir)
    rule_index = {rule.id: index for index, rule in enumerate(result.rules)}
    # Findings come most severe first: a cap leaves out the mildest, and a notification says how many.
    written = result.findings[: options.max_results]
    cut = len(result.findings) - len(written)
    capped = [
        {
            "level": "warning",
            "message": {
                "text": f"{cut} of {len(result.findings)} results left out (--max-results "
                f"{options.max_results}, the mildest first); --format json lists them all"
            },
        }
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "inspector",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in result.rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not result.incomplete,
                "toolExecutionNotifications": [
                    {
                        "level": "error" if notice.is_error else "note",
                        "message": {"text": visible(notice.message)},
                        "associatedRule": {"id": notice.rule_id, "index": rule_index[notice.rule_id]},
                    }
                    for notice in result.notices
                    if notice.rule_id in rule_index
                ]
                + (capped if cut else []),
            }
        ],
        "results": [_result(finding, rule_index, locator, model_file) for finding in written],
        "properties": {
            "model": str(result.model.path),
            "tags": list(result.model.tags),
            "verdict": result.verdict.value,
            "baselined": result.baselined,
            "failOn": result.fail_on.label,
        },
    }
    if locator.source_root is not None:
        run["originalUriBaseIds"] = locator.base_ids()
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _rule(rule: RuleInfo) -> dict[str, Any]:
    documentation = rule.documentation.strip()
    first_paragraph = documentation.split("\n\n", 1)[0].replace("\n", " ")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": first_paragraph},
        "help": {"text": documentation, "markdown": documentation},
        "helpUri": f"{RULES_URI}-{rule.id.lower()}",
        "defaultConfiguration": {"level": _LEVEL[rule.default_severity.label]},
        "properties": {
            "tags": ["security", "tensorflow", "savedmodel"],
            # GitHub ranks a rule's alerts by this (0.0-10.0), read from the rule, not the result.
            "security-severity": _SECURITY_SEVERITY[rule.default_severity.label],
            "precision": "high",
        },
    }


def _uri(path: str) -> str:
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix)
    return quote(posix)


def _region(location: dict[str, Any], line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": location}
    if line:
        physical["region"] = {"startLine": line}
    return physical


def _frame(frame: Frame, locator: _Locator) -> dict[str, Any]:
    text = visible(f"{frame.function or '?'} ({frame.file}:{frame.line})")
    location: dict[str, Any] = {"message": {"text": text}}
    artifact = locator.recorded(frame.file)
    if artifact is not None:
        location["physicalLocation"] = _region(artifact, frame.line)
    return {"location": location}


def _result(finding: Finding, rule_index: dict[str, int], locator: _Locator, model: str) -> dict[str, Any]:
    where = finding.location
    source = where.source
    artifact = locator.recorded(source.file) if source else None
    if artifact is not None and source is not None:
        physical = _region(artifact, source.line)
    else:
        physical = _region(locator.model_file(where.file or model), None)
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
        # Viewers draw message text: model strings in it are escaped as in every other format.
        "message": {"text": visible(f"{finding.message}. Fix: {finding.fix}.")},
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
            "tags": list(where.tags),
        },
    }
    if where.stack:
        # SARIF orders a stack's frames innermost first.
        result["stacks"] = [
            {
                "message": {"text": "creation stack"},
                "frames": [_frame(f, locator) for f in reversed(where.stack)],
            }
        ]
    return result
