"""Audit policy: from `[tool.inspector.audit]` in the nearest pyproject.toml (or `--policy FILE`), then
the command line, which wins. And the baseline, which accepts known findings so CI fails on new ones."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from inspector import __version__
from inspector._internal.errors import InspectorError
from inspector._internal.fileio import BASELINE_LIMIT, POLICY_LIMIT, read_regular_file
from inspector.results.audit import FINGERPRINT_VERSION, AuditResult, Finding, Severity
from inspector.results.common import SCHEMA_VERSION

#: The JSON schema versions whose baseline files read as today's: the baseline's own fields have not
#: changed since 3 (4 changed a report's verdict only).
BASELINE_SCHEMAS = frozenset({3, SCHEMA_VERSION})


T = TypeVar("T")


class PolicyError(InspectorError):
    """A policy or baseline file that cannot be used: names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Policy:
    whitelist: tuple[str, ...] | None = None  # allowed op namespaces; None checks nothing, like TensorFlow
    deny: tuple[str, ...] = ()  # op types to flag in addition to the catalogue
    allow: tuple[str, ...] = ()  # op types never to flag as risky
    fail_on: Severity = Severity.ERROR
    require_aliases: tuple[str, ...] = ()
    min_trace_coverage: float = 50.0  # percent of function nodes that must have a creation trace
    registry: bool = True  # check op types against an op registry (the shipped snapshot by default)
    live_registry: bool = False  # ask the installed TensorFlow's registry instead (imports it, ~3 s)
    verify_fingerprint: bool = False  # recompute fingerprint.pb with TensorFlow (imports it)
    # Which findings are reported (inspector._internal.audit.selection): rule ids, prefixes, names or severities.
    select: tuple[str, ...] = ()  # empty: every finding
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    source: str | None = None  # the file the policy came from, if any


#: TOML key -> Policy field, in the order `inspector config` shows them.
POLICY_KEYS = {
    "whitelist": "whitelist",
    "deny": "deny",
    "allow": "allow",
    "fail-on": "fail_on",
    "require-aliases": "require_aliases",
    "min-trace-coverage": "min_trace_coverage",
    "registry": "registry",
    "live-registry": "live_registry",
    "verify-fingerprint": "verify_fingerprint",
    "select": "select",
    "extend-select": "extend_select",
    "ignore": "ignore",
}


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_policy(path: Path, *, explicit: bool) -> Policy:
    """Read `[tool.inspector.audit]` (or, in a file given with --policy, top-level keys too)."""
    table = policy_table(path, explicit=explicit)
    return Policy() if table is None else policy_from_table(table, path)


def policy_table(path: Path, *, explicit: bool) -> Mapping[str, object] | None:
    """The policy's TOML table as written: `[tool.inspector.audit]`, or a --policy file's top level; None
    when a pyproject has no such table."""
    content = read_regular_file(path, POLICY_LIMIT, "policy file").decode("utf-8", errors="replace")
    try:
        document: dict[str, object] = tomllib.loads(content)
    except RecursionError:
        raise PolicyError(f"{path}: nested too deeply to be a policy") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not valid TOML ({error})") from error
    table: object = document
    for key in ("tool", "inspector", "audit"):  # a pyproject's `tool = 1` is not ours to trip over
        parent = _table(table)
        table = parent.get(key) if parent is not None else None
    if table is None:
        if not explicit:
            return None
        table = {k: v for k, v in document.items() if k != "tool"}
    found = _table(table)
    if found is None:
        raise PolicyError(f"{path}: [tool.inspector.audit] must be a table")
    return found


def _table(value: object) -> Mapping[str, object] | None:
    """A TOML table (its keys are always strings), or None for any other value."""
    return cast("Mapping[str, object]", value) if isinstance(value, dict) else None


def policy_from_table(table: Mapping[str, object], path: Path) -> Policy:
    """The policy a table read from `path` says (`policy_table`); a key or value it cannot use is an error."""
    for key in table:
        if key not in POLICY_KEYS:
            raise PolicyError(
                f"{path}: unknown key {key!r} in the audit policy (known: {', '.join(POLICY_KEYS)})"
            )

    def value(key: str, convert: Callable[[object, str, Path], T], default: T) -> T:
        return convert(table[key], key, path) if key in table else default

    default = Policy()
    return Policy(
        whitelist=value("whitelist", _words, default.whitelist),
        deny=value("deny", _words, default.deny),
        allow=value("allow", _words, default.allow),
        fail_on=value("fail-on", _severity, default.fail_on),
        require_aliases=value("require-aliases", _words, default.require_aliases),
        min_trace_coverage=value("min-trace-coverage", _percent, default.min_trace_coverage),
        registry=value("registry", _flag, default.registry),
        live_registry=value("live-registry", _flag, default.live_registry),
        verify_fingerprint=value("verify-fingerprint", _flag, default.verify_fingerprint),
        select=value("select", _words, default.select),
        extend_select=value("extend-select", _words, default.extend_select),
        ignore=value("ignore", _words, default.ignore),
        source=str(path),
    )


def _words(value: object, key: str, path: Path) -> tuple[str, ...]:
    if isinstance(value, list):
        words = tuple(word for word in cast("list[object]", value) if isinstance(word, str))
        if len(words) == len(cast("list[object]", value)):
            return words
    raise PolicyError(f"{path}: {key} must be a list of strings")


def _severity(value: object, key: str, path: Path) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError as error:
        raise PolicyError(f"{path}: {key}: {error}") from None


def _percent(value: object, key: str, path: Path) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 100:
        raise PolicyError(f"{path}: {key} must be a number from 0 to 100")
    return float(value)


def _flag(value: object, key: str, path: Path) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"{path}: {key} must be true or false")
    return value


# --- baseline -------------------------------------------------------------------------------------------


def read_baseline(given: str | os.PathLike[str] | None) -> frozenset[str]:
    """The finding fingerprints a baseline file (`audit --write-baseline`) accepts; none without a file."""
    if given is None:
        return frozenset()
    path = Path(given)
    content = read_regular_file(path, BASELINE_LIMIT, "baseline")
    try:
        parsed: object = json.loads(content)
    except RecursionError:
        raise PolicyError(f"{path}: not a baseline file (nested too deeply)") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not a baseline file (not UTF-8 JSON)") from None
    except json.JSONDecodeError as error:
        raise PolicyError(
            f"{path}: not a baseline file (invalid JSON: {error.msg} at line {error.lineno})"
        ) from error
    document = _table(parsed)
    if document is None or document.get("kind") != "audit-baseline":
        raise PolicyError(f"{path}: not an inspector audit baseline (write one with --write-baseline)")
    if document.get("fingerprint_version") != FINGERPRINT_VERSION:
        raise PolicyError(
            f"{path}: written by an earlier inspector, whose fingerprints left out the path, reach and "
            "severity of a finding (a retargeted op would still match); review the findings and write the "
            "baseline again with --write-baseline"
        )
    schema = document.get("schema_version")
    if schema not in BASELINE_SCHEMAS:
        raise PolicyError(f"{path}: baseline schema version {schema!r} is not {SCHEMA_VERSION}")
    entries = document.get("findings", [])
    tables = [_table(entry) for entry in cast("list[object]", entries)] if isinstance(entries, list) else None
    if tables is None or not all(table is not None and "fingerprint" in table for table in tables):
        raise PolicyError(f"{path}: findings must be a list of objects with a fingerprint")
    return frozenset(str(table["fingerprint"]) for table in tables if table is not None)


def _fingerprint(finding: Finding) -> str:
    return finding.fingerprint


def baseline_document(result: AuditResult) -> str:
    """The findings of an audit, to accept them: the common envelope's head (tool, version, kind,
    schema_version, model) and the findings named as the audit's JSON names them."""
    entries = [
        {
            "fingerprint": finding.fingerprint,
            "rule_id": finding.rule_id,
            "severity": finding.severity.label,
            "message": finding.message,
            "node_key": finding.location.node_key,
        }
        for finding in sorted(result.findings, key=_fingerprint)
    ]
    document = {
        "tool": "inspector",
        "version": __version__,
        "kind": "audit-baseline",
        "schema_version": SCHEMA_VERSION,
        "fingerprint_version": FINGERPRINT_VERSION,
        "model": {"path": str(result.model.path), "tags": list(result.model.tags)},
        "findings": entries,
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
