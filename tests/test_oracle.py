"""TensorFlow is the oracle: what the audit says runs, and when, is what TensorFlow's loaders really run.

Every canary model (fixtures/canaries.py: a WriteFile and an EagerPyFunc -- or a raw Save -- planted at
one place a loader can reach) is loaded by TF2's `tf.saved_model.load` and by the TF1 loader (the path of
TF Serving) in a child process (tests/oracle.py), which calls every signature, restored function and alias
and runs the TF1 saver's save, and reports which canaries fired. The audit, which loads nothing, must have
called each one that fired an error or worse at the reach it fired at, and none that fired unreachable.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import inspector
from fixtures import canaries
from inspector._internal.audit import Finding, Policy, Reach, Severity, audit, audit_meta_graphs
from inspector._internal.loader import load_all

ORACLE = Path(__file__).resolve().parent / "oracle.py"
#: What each phase of a run requires of the audit's reach.
PHASE_REACHES = {
    "load": {Reach.LOAD},
    "unload": {Reach.LOAD},  # a restored resource's destroyer: every load is followed by one
    "call": {Reach.LOAD, Reach.SIGNATURE, Reach.OBJECT},
    "gradient": {Reach.LOAD, Reach.SIGNATURE, Reach.OBJECT, Reach.GRADIENT},
}


@cache
def oracle() -> dict[str, Any]:
    pytest.importorskip("tensorflow")
    models = [str(case.path) for case in canaries.CASES] + [
        str(canaries.MODELS / name) for name in ("asset_outside", *canaries.PEER_CASES)
    ]
    run = subprocess.run(
        [sys.executable, str(ORACLE), *models],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr[-4000:]
    report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return report


def canary_findings(case: str) -> dict[str, list[Finding]]:
    """The INS002 findings of the canary ops, by the marker each leaves when it runs."""
    result = audit_meta_graphs(load_all(canaries.MODELS / case), Policy())
    names = {node: op for op, node in canaries.CANARY_NODES.items()}
    found: dict[str, list[Finding]] = {}
    for finding in result.findings:
        op = names.get(finding.location.node_key.split("@")[0].rsplit("/", 1)[-1])
        if finding.rule_id == "INS002" and op == finding.location.op_type:
            marker = next(m for m, kind in canaries.MARKERS.items() if kind == op)
            found.setdefault(marker, []).append(finding)
    return found


@pytest.mark.slow
@pytest.mark.tensorflow
@pytest.mark.parametrize("case", [case.name for case in canaries.CASES])
@pytest.mark.parametrize("loader", ["tf2", "tf1"])
def test_every_canary_tensorflow_runs_fails_the_default_audit_at_its_reach(case: str, loader: str) -> None:
    ran = oracle()[case][loader]
    findings = canary_findings(case)
    for phase, markers in ran.items():
        if phase == "errors":
            continue
        for marker in markers:
            assert marker in findings, (
                f"{marker} fired at {phase} under {loader}, and the audit has no finding"
            )
            # Several copies of one op (a function traced twice) each must hold.
            strongest = max(findings[marker], key=lambda f: (f.severity, f.location.reach == Reach.LOAD))
            assert strongest.severity >= Severity.ERROR, (marker, phase, strongest.message)
            assert strongest.location.reach in PHASE_REACHES[phase], (marker, phase, strongest.location)


@pytest.mark.slow
@pytest.mark.tensorflow
def test_nothing_the_audit_calls_unreachable_ever_runs() -> None:
    report = oracle()
    unreachable = 0
    for case in canaries.CASES:
        for marker, findings in canary_findings(case.name).items():
            if all(f.location.reach is Reach.UNREACHABLE for f in findings):
                unreachable += 1
                for loader, ran in report[case.name].items():
                    fired = [
                        phase for phase, markers in ran.items() if phase != "errors" and marker in markers
                    ]
                    assert not fired, (
                        f"{case.name}: {marker} is unreachable to the audit, ran at {fired} ({loader})"
                    )
    assert unreachable >= 2  # the `never` case's two canaries: the test can fail


@pytest.mark.slow
@pytest.mark.tensorflow
def test_every_route_is_exercised() -> None:
    """The oracle is worth something only if the canaries fire: every case but `never` fires under some
    loader, and the routes at load fire at load."""
    report = oracle()
    fired = {
        case: {
            phase
            for ran in loaders.values()
            for phase, markers in ran.items()
            if phase != "errors" and markers
        }
        for case, loaders in report.items()
    }
    assert fired["never"] == set()
    at_load = {
        "init_signature",
        "main_op",
        "legacy_init_op",
        "restore_function",
        "resource_initialize",
        "resource_create",
        "saveable_restore",
        "tf1_main_op",
    }
    for case in canaries.CASES:
        if case.name != "never":
            assert fired[case.name], case.name
    for case in at_load | {"dump_tensor"}:
        assert "load" in fired[case], case
    # Issue 32: only a gradient tape runs the custom gradient; only the train graph's signature the write.
    assert fired["custom_gradient"] == {"gradient"}
    assert report["second_meta_graph"]["tf1"]["call"] == ["canary.write"]
    # The served table reads the file its asset's name climbs out to.
    assert "asset.outside" in report["asset_outside"]["tf2"]["call"]


@pytest.mark.slow
@pytest.mark.tensorflow
@pytest.mark.parametrize("case", sorted(canaries.PEER_CASES))
def test_what_keras_and_the_graph_loaders_run_of_the_peers_cases_is_a_failing_finding(case: str) -> None:
    """Keras's own loader rebuilds a Lambda from keras_metadata.pb and runs its bytecode at load (the
    graph loaders never do): the audit must call that model failed, and pass the safe counterparts."""
    pytest.importorskip("tf_keras")
    report = oracle()[case]
    result = audit(inspector.load(canaries.MODELS / case), Policy())
    fired = {
        marker
        for ran in report.values()
        for phase, markers in ran.items()
        if phase != "errors"
        for marker in markers
    }
    if case == "keras_lambda_write":
        assert report["keras"]["load"] == ["canary.write"]
        assert not report["tf2"]["load"] and not report["tf1"]["load"]
        [lambda_code] = [f for f in result.findings if f.rule_id == "INS012"]
        assert lambda_code.severity >= Severity.ERROR and "open" in lambda_code.message
    assert result.failed == canaries.PEER_CASES[case], [f.message for f in result.findings]
    if not canaries.PEER_CASES[case]:
        assert not fired
