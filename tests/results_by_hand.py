"""Results built by hand, for the golden tests: every renderer's exact output is pinned on these.

They hold the cases that went wrong before: severities that interleave across rules (the Markdown
audit printed a rule's heading twice), structured diff values of every kind, a model string that looks
like markup, and counts of one (plural slips).
"""

from __future__ import annotations

from pathlib import Path

from inspector._internal.view import DebugInfoStatus, Frame
from inspector.results.audit import AuditResult, Finding, Location, Notice, Reach, RuleInfo, Severity
from inspector.results.common import Coverage, ModelRef
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
    DiffResult,
    FunctionPair,
    SourceSite,
    TensorValue,
)
from inspector.results.doctor import Diagnosis, LoadAttempt, LoadOutcome, Problem, ProblemKind
from inspector.results.scrub import ScrubResult
from inspector.results.traces import OpRef, WhereGroup, WhereHit, WhereQuery, WhereResult

MODEL = ModelRef(Path("models/shop"), ("serve",))
SITE = Frame("src/shop/model.py", 42, 8, "serve", "return scale(x)", True)
CALLER = Frame("src/shop/export.py", 12, 4, "main", "model.serve(batch)", True)

RULES = (
    RuleInfo(
        "INS001", "namespace-whitelist", "Namespaced op outside the whitelist", "INS001 doc.", Severity.ERROR
    ),
    RuleInfo("INS002", "risky-op", "Op with side effects", "INS002 doc.\n\nMore.", Severity.ERROR),
    RuleInfo("INS005", "debug-info", "Creation traces missing", "INS005 doc.", Severity.WARNING),
)


def audit_result() -> AuditResult:
    serve = "__inference_serve_12"
    findings = (
        Finding(
            "INS002",
            Severity.CRITICAL,
            "WriteFile writes files when the model is loaded",
            "remove the write from the init function",
            Location(
                serve,
                "WriteFile@" + serve,
                "WriteFile",
                Reach.LOAD,
                ("__saved_model_init_op",),
                source=SITE,
                stack=(CALLER, SITE),
            ),
            fingerprint="a" * 24,
        ),
        Finding(
            "INS001",
            Severity.ERROR,
            "Acme>[bold]Scale[/] is outside the whitelist (Beta)",
            "add Acme to --whitelist, or remove the op",
            Location(serve, "scale@" + serve, "Acme>[bold]Scale[/]", Reach.SIGNATURE, ("serving_default",)),
            fingerprint="b" * 24,
        ),
        Finding(
            "INS002",
            Severity.WARNING,
            "PrintV2 prints to the server's log",
            "drop the tf.print",
            Location(serve, "print@" + serve, "PrintV2", Reach.SIGNATURE, ("serving_default",)),
            fingerprint="c" * 24,
        ),
        Finding(
            "INS005",
            Severity.WARNING,
            "debug info covers 40.0% of function nodes (minimum 50%)",
            "save with save_debug_info=True",
            Location(file="models/shop/debug/saved_model_debug_info.pb"),
            fingerprint="d" * 24,
        ),
    )
    return AuditResult(
        model=MODEL,
        fail_on=Severity.ERROR,
        whitelist=("Beta",),
        rules=RULES,
        findings=findings,
        baselined=1,
        notices=(Notice("INS005", "one function has no trace"),),
    )


def diff_result() -> DiffResult:
    spec = TensorValue("float32", (None, 4))
    return DiffResult(
        old_model=ModelRef(Path("models/v1"), ("serve",)),
        model=ModelRef(Path("models/v2"), ("serve",)),
        categories=(Category.SIGNATURES, Category.ALIASES, Category.OPS, Category.ATTRS, Category.SOURCES),
        changes=(
            Change(
                Category.SIGNATURES,
                ChangeKind.CHANGED,
                Aspect.SIGNATURE_INPUT,
                "serving_default",
                attr="x",
                old=spec,
                new=TensorValue("float64", (None, 4)),
            ),
            Change(
                Category.ALIASES,
                ChangeKind.CHANGED,
                Aspect.ALIAS_NAME,
                "infer",
                old="predict",
                new="infer",
                functions=("__inference_serve_57",),
            ),
            Change(
                Category.OPS,
                ChangeKind.CHANGED,
                Aspect.OP_COUNT,
                "MatMul",
                old_function="__inference_serve_22",
                new_function="__inference_serve_57",
                old=1,
                new=2,
            ),
            Change(
                Category.OPS,
                ChangeKind.ADDED,
                Aspect.NODE,
                "Relu_1",
                old_function="__inference_serve_22",
                new_function="__inference_serve_57",
                new="Relu",
            ),
            Change(
                Category.ATTRS,
                ChangeKind.CHANGED,
                Aspect.ATTR,
                "Greater/y",
                old_function="__inference_serve_22",
                new_function="__inference_serve_57",
                attr="value",
                old=TensorValue("float32", (), (0.5,), 1, "1" * 64),
                new=TensorValue("float32", (), (0.9,), 1, "2" * 64),
            ),
            Change(
                Category.SOURCES,
                ChangeKind.CHANGED,
                Aspect.SOURCE,
                "MatMul",
                old_function="__inference_serve_22",
                new_function="__inference_serve_57",
                old=SourceSite("/home/ci/src/model.py", 10),
                new=SourceSite("/home/ci/src/model.py", 15),
            ),
        ),
        pairs=(FunctionPair("__inference_serve_22", "__inference_serve_57", "alias"),),
    )


def diagnosis() -> Diagnosis:
    return Diagnosis(
        MODEL,
        (
            Problem(
                ProblemKind.UNREGISTERED_OP,
                True,
                "Acme>Scale is not registered in TensorFlow 2.21.0: loading the model fails without its library",
                "tf.load_op_library('libacme.so') before loading the model",
                op_type="Acme>Scale",
                functions=("__inference_serve_12",),
                signatures=("serving_default",),
                sources=(SITE,),
                rule_id="INS004",
                severity=Severity.ERROR,
            ),
            Problem(
                ProblemKind.DEBUG_INFO,
                False,
                "no debug info: findings cannot name the code that created ops",
                "save with save_debug_info=True",
                file="models/shop/debug/saved_model_debug_info.pb",
                rule_id="INS005",
                severity=Severity.WARNING,
            ),
        ),
        notices=("op registry check skipped (--no-registry)",),
    )


def diagnosis_after_a_timeout() -> Diagnosis:
    """`doctor --try-load` whose child never finished loading: killed at the timeout."""
    load = LoadAttempt(LoadOutcome.TIMEOUT, 30.2, 30.0, op_libraries=("libacme.so",), imports=("acme_ops",))
    problem = Problem(
        ProblemKind.TIMEOUT,
        True,
        "loading did not finish within 30 s and was killed",
        "raise --timeout if the model is simply large; otherwise look for init-op work (tables, asset "
        "reads) or an op library that blocks at load (--verbose shows the child's log)",
    )
    return Diagnosis(MODEL, (problem,), load=load)


def scrub_result() -> ScrubResult:
    return ScrubResult(
        MODEL, Path("public/shop"), 3, 1, (("debug/saved_model_debug_info.pb", "/home/alice/"),)
    )


def where_result(ops: int) -> WhereResult:
    """A `where` whose one stack created `ops` ops in one function, as a large model's line does."""
    refs = tuple(
        OpRef(f"mul_{i}@__inference_block_7", f"mul_{i}", "Mul", "__inference_block_7", ())
        for i in range(ops)
    )
    hit = WhereHit((42,), SITE, refs)
    group = WhereGroup("__inference_block_7", ("serve",), ("serving_default",), (hit,))
    coverage = Coverage(DebugInfoStatus.PRESENT, ops, ops, 0, (), 1)
    return WhereResult(
        MODEL, WhereQuery("src/shop/model.py", 42), ("src/shop/model.py",), ops, (group,), coverage
    )


def audit_result_of_many_findings() -> AuditResult:
    """23 findings of one rule and one of another: the page lists each rule's first 20 and counts the rest."""
    reads = tuple(
        Finding(
            "INS002",
            Severity.ERROR,
            f"ReadFile reads a file whose path is an input ({index} of 23)",
            "read files outside the model",
            Location(
                f"__inference_read_{index}", f"ReadFile@__inference_read_{index}", "ReadFile", Reach.SIGNATURE
            ),
            fingerprint=f"{index:024d}",
        )
        for index in range(1, 24)
    )
    coverage = Finding(
        "INS005",
        Severity.WARNING,
        "debug info covers 40.0% of function nodes (minimum 50%)",
        "save with save_debug_info=True",
        Location(file="models/shop/debug/saved_model_debug_info.pb"),
        fingerprint="e" * 24,
    )
    return AuditResult(
        model=MODEL,
        fail_on=Severity.ERROR,
        whitelist=None,
        rules=RULES,
        findings=(*reads, coverage),
        baselined=0,
    )
