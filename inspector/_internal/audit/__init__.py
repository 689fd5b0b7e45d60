"""Pre-release audit of a SavedModel: static rules over every op, wherever it hides.

    from inspector._internal.audit import Policy, audit
    result = audit(inspector.load("model/"), Policy(whitelist=("Acme",)))
    result.verdict, [f.message for f in result.findings], result.groups  # findings by rule

The audit never loads or runs the model. A rule that crashes becomes an error notice in the result
(shown in every format, and failing the run), never a silent "clean".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from inspector._internal.audit.context import AuditContext
from inspector._internal.audit.policy import (
    Policy,
    PolicyError,
    baseline_document,
    find_pyproject,
    load_policy,
    read_baseline,
)
from inspector._internal.audit.rules import Rule, rules
from inspector._internal.audit.scope import build_scope
from inspector._internal.audit.selection import SEVERITY_NAMES, may_report, reported, unknown_tokens
from inspector._internal.view import SavedModelView
from inspector.results.audit import (
    AuditResult,
    Finding,
    Location,
    Notice,
    Reach,
    RuleInfo,
    Severity,
)
from inspector.results.common import ModelRef

__all__ = [
    "AuditResult",
    "Finding",
    "Location",
    "Notice",
    "Policy",
    "PolicyError",
    "Reach",
    "RuleInfo",
    "Severity",
    "audit",
    "audit_keras_file",
    "audit_meta_graphs",
    "baseline_document",
    "find_pyproject",
    "load_policy",
    "read_baseline",
    "run_rules",
]


def audit(view: SavedModelView, policy: Policy | None = None, baseline: Iterable[str] = ()) -> AuditResult:
    """Run every rule; findings whose fingerprint is in `baseline` are counted, not reported."""
    policy = policy or Policy()
    every_rule = rules()
    infos = [rule.INFO for rule in every_rule]
    for option, tokens in (
        ("select", policy.select),
        ("extend-select", policy.extend_select),
        ("ignore", policy.ignore),
    ):
        unknown = unknown_tokens(tokens, infos)
        if unknown:
            raise PolicyError(
                f"{option}: {', '.join(repr(t) for t in unknown)} names no rule and no severity (rules: "
                f"{infos[0].id} to {infos[-1].id}, or their names; severities: {', '.join(SEVERITY_NAMES)}); "
                "see `inspector rule --all`"
            )
    chosen = [
        rule
        for rule in every_rule
        if may_report(rule.INFO, policy.select, policy.extend_select, policy.ignore)
    ]
    by_id = {rule.INFO.id: rule.INFO for rule in chosen}
    found, notices = run_rules(view, policy, chosen)
    findings = [
        f for f in found if reported(f, by_id[f.rule_id], policy.select, policy.extend_select, policy.ignore)
    ]
    accepted = frozenset(baseline)
    kept = [finding for finding in findings if finding.fingerprint not in accepted]
    kept.sort(key=_report_order)
    return AuditResult(
        model=ModelRef.of(view),
        fail_on=policy.fail_on,
        whitelist=policy.whitelist,
        rules=tuple(rule.INFO for rule in chosen),
        findings=tuple(kept),
        baselined=len(findings) - len(kept),
        notices=tuple(notices),
    )


def _report_order(finding: Finding) -> tuple[int, str, str, str, str]:
    """The most severe first, then by rule and place: a page's, a baseline's and SARIF's order."""
    where = finding.location
    return (-finding.severity, finding.rule_id, where.function, where.node_key, finding.message)


def audit_meta_graphs(
    views: Sequence[SavedModelView], policy: Policy | None = None, baseline: Iterable[str] = ()
) -> AuditResult:
    """The audit of every meta graph of one model (`loader.load_all`), as one result: each op's finding
    names its meta graph's tag set (`Location.tags`); a finding about the model's files, the same from
    every graph, is said once. A loader given other tags (TF Serving's `--saved_model_tags`, a TF1
    `loader.load(sess, ["train"], ...)`) runs another graph: a gate that read one would pass the other."""
    if len(views) == 1:
        return audit(views[0], policy, baseline)
    results = [audit(view, policy, baseline) for view in views]
    first = results[0]
    findings: dict[str, Finding] = {}
    for result in results:
        for finding in result.findings:
            findings.setdefault(finding.fingerprint, finding)
    distinct_notices: dict[Notice, None] = dict.fromkeys(
        notice for result in results for notice in result.notices
    )
    notices = tuple(distinct_notices)
    kept = sorted(findings.values(), key=_graph_order)
    model = ModelRef(
        first.model.path,
        (),
        first.model.tensorflow_version,
        sum(result.model.function_count for result in results),
        sum(result.model.node_count for result in results),
        tuple(",".join(view.tags) or "(no tags)" for view in views),
    )
    return replace(
        first,
        model=model,
        findings=tuple(kept),
        baselined=sum(result.baselined for result in results),
        notices=notices,
    )


def _graph_order(finding: Finding) -> tuple[int, str, tuple[str, ...], str, str, str]:
    """Most severe first, then by rule, meta graph, function, node and message."""
    location = finding.location
    return (
        -finding.severity,
        finding.rule_id,
        location.tags,
        location.function,
        location.node_key,
        finding.message,
    )


def _file_order(finding: Finding) -> tuple[int, str, str, str]:
    """Most severe first, then by rule, file and message."""
    return (-finding.severity, finding.rule_id, finding.location.file, finding.message)


def audit_keras_file(path: Path, policy: Policy | None = None, baseline: Iterable[str] = ()) -> AuditResult:
    """The audit of a Keras model file given alone (`.keras`, `.h5`): what Keras's loaders run from its
    config (INS012) and what else it carries (INS013), read by content as a folder's files are. It is not a
    SavedModel: a notice says so, and how to make one."""
    from inspector._internal.audit.rules import ins012_keras_metadata, ins013_model_folder
    from inspector._internal.filemagic import SNIFF_BYTES, keras_file_kind
    from inspector._internal.foldercontents import scan_file
    from inspector._internal.modelfile import not_a_saved_model

    policy = policy or Policy()
    with path.open("rb") as stream:
        kind = keras_file_kind(stream.read(SNIFF_BYTES)) or "a file"
    contents = scan_file(path)
    found = [
        finding.with_fingerprint()
        for folder_findings in (ins012_keras_metadata.folder_findings, ins013_model_folder.folder_findings)
        for finding in folder_findings(contents, path.parent)
    ]
    chosen = (ins012_keras_metadata.INFO, ins013_model_folder.INFO)
    by_id = {info.id: info for info in chosen}
    findings = [
        f for f in found if reported(f, by_id[f.rule_id], policy.select, policy.extend_select, policy.ignore)
    ]
    accepted = frozenset(baseline)
    kept = sorted((f for f in findings if f.fingerprint not in accepted), key=_file_order)
    return AuditResult(
        model=ModelRef(path),
        fail_on=policy.fail_on,
        whitelist=policy.whitelist,
        rules=chosen,
        findings=tuple(kept),
        baselined=len(findings) - len(kept),
        notices=(Notice("INS013", not_a_saved_model(kind) + "; its graph was not audited"),),
    )


def run_rules(
    view: SavedModelView, policy: Policy, chosen: Iterable[Rule]
) -> tuple[list[Finding], list[Notice]]:
    """The findings (fingerprinted) and notices of some rules: the audit runs them all, the doctor the
    ones about loading. A rule that crashes is an error notice, never a silent "clean"."""
    context = AuditContext(view, build_scope(view), policy)
    findings: list[Finding] = []
    notices: list[Notice] = []
    # A model of several meta graphs: each op's finding names its graph's tags (its fingerprint too).
    tags = view.tags if len(view.meta_graphs) > 1 else ()
    for rule in chosen:
        try:
            for item in rule.check(context):
                if isinstance(item, Notice):
                    notices.append(item)
                elif tags and item.location.node_key:
                    findings.append(
                        item._replace(location=item.location._replace(tags=tags)).with_fingerprint()
                    )
                else:
                    findings.append(item.with_fingerprint())
        except Exception as error:  # degrade, don't abort: the other rules' findings still count
            notices.append(
                Notice(
                    rule.INFO.id,
                    f"the rule failed ({type(error).__name__}: {error}); its findings are missing",
                    is_error=True,
                )
            )
    return findings, notices
