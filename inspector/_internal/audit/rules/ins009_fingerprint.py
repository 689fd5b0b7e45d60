"""INS009 fingerprint: `fingerprint.pb` no longer matches the model's files.

Why it matters: TensorFlow (>= 2.12) writes a fingerprint of the SavedModel's parts -- saved_model.pb,
the graph and its functions, the signatures, the object graph, the checkpoint -- when it saves. Tools
and serving infrastructure use it to identify a model. A mismatch means a part was changed after saving
(edited by hand, re-exported partly, damaged in a copy) and says which part. The check recomputes the
fingerprint with TensorFlow's own code, so it runs only when asked (`--verify-fingerprint`: TensorFlow is
imported for it; the model is read, not loaded).

Example: `fingerprint.pb does not match: the variables checkpoint changed since it was written`.

Fix: re-export the model in one piece; if a part was changed on purpose, write a new fingerprint with
TensorFlow (`tensorflow.python.saved_model.fingerprinting_utils.write_fingerprint(export_dir)`).
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector._internal.audit.context import AuditContext
from inspector._internal.integrity import verify_fingerprint
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity
from inspector.results.report import FingerprintStatus

INFO = RuleInfo(
    "INS009", "fingerprint", "fingerprint.pb does not match the model's files", __doc__ or "", Severity.ERROR
)


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    if not context.policy.verify_fingerprint:
        yield Notice(INFO.id, "fingerprint.pb not recomputed (--verify-fingerprint does it, with TensorFlow)")
        return
    result = verify_fingerprint(context.view)
    if result.status is FingerprintStatus.MISMATCH:
        yield Finding(
            INFO.id,
            Severity.ERROR,
            f"fingerprint.pb does not match the files: {result.detail}",
            "re-export the model in one piece, or write a new fingerprint if the change was intended",
            Location(file=str(context.view.path / "fingerprint.pb")),
            identity="mismatch:" + ",".join(result.mismatched),
        )
    elif result.status is FingerprintStatus.MATCH and result.unverified:
        yield Notice(INFO.id, f"the fingerprint matches; {result.detail}")
    elif result.status is FingerprintStatus.ABSENT:
        yield Notice(INFO.id, f"no fingerprint to check ({result.detail})")
    elif result.status is FingerprintStatus.UNAVAILABLE:
        yield Notice(INFO.id, f"the fingerprint could not be recomputed: {result.detail}")
