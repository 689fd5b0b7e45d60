"""From audit to a signed release: the audit's verdict bound to the model's bytes with OpenSSF model
signing (`model-signing`), and checked again by whoever loads the model.

`sign_model` audits the model; only when the audit passes does it add one new file to the folder, the
audit record (`RECORD_FILE`: the audit's JSON document, the rules' version and the hash of the content the
audit read), and sign the folder with model-signing -- a manifest of every file's digest, signed as an
in-toto statement in a Sigstore bundle -- so the signature covers the model and its audit together. No file
of the model is changed; the record is written new (never over a file, never through a link) and is
removed again when signing fails.

`verify_model` verifies the signature with model-signing (a changed, added or missing file is named), reads
the record back, checks that it describes these files, and audits the model again with this inspector's
rules: both verdicts are said.

No signature or manifest code lives here: model-signing does it, imported when a command signs or
verifies (the `sign` extra).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector import __version__
from inspector._internal.errors import InspectorError
from inspector._internal.fileio import NO_FOLLOW, model_file

if TYPE_CHECKING:
    from inspector._internal.audit.policy import Policy
    from inspector.results.audit import AuditResult

#: The audit record's name, at the top of the model folder: no TensorFlow loader, TF Serving or Keras reads
#: a file of this name there (they read saved_model.pb, variables/, assets/, assets.extra/, fingerprint.pb
#: and debug/ by name).
RECORD_FILE = "inspector-audit.json"
#: Bumped when the record's fields change meaning.
RECORD_VERSION = 1
#: A record is small (an audit document); a larger one is not ours.
MAX_RECORD_BYTES = 64 * 2**20

INSTALL_HINT = "signing needs model-signing: pip install 'savedmodel-inspector[sign]'"


def signature_beside(model_dir: Path) -> Path:
    """Where a model's signature is looked for when none is named: MODEL.sig beside the model's folder."""
    return model_dir.with_name(model_dir.name + ".sig")


class SigningError(InspectorError):
    """Bad input to signing or verifying: a missing key, an unreadable signature, an existing record."""


@dataclass(frozen=True)
class Signer:
    """How to sign: an elliptic-curve private key; with a certificate, certificate mode; or Sigstore's
    keyless signing (an OpenID Connect identity; needs the network)."""

    private_key: Path | None = None
    certificate: Path | None = None
    certificate_chain: tuple[Path, ...] = ()
    sigstore: bool = False
    identity_token: str | None = None  # Sigstore: an explicit OIDC token (CI's ambient one otherwise)

    def describe(self) -> str:
        if self.sigstore:
            return "Sigstore (keyless)"
        if self.certificate is not None:
            return f"certificate {self.certificate}"
        return f"key {self.private_key}"


@dataclass(frozen=True)
class Verifier:
    """How to verify: the signer's public key; the certificate chain of certificate mode; or the Sigstore
    identity (and its issuer) that must have signed."""

    public_key: Path | None = None
    certificate_chain: tuple[Path, ...] = ()
    identity: str | None = None
    identity_provider: str | None = None

    def describe(self) -> str:
        if self.identity is not None:
            return f"{self.identity} (Sigstore, {self.identity_provider})"
        if self.certificate_chain:
            return "a certificate of the chain " + ", ".join(str(c) for c in self.certificate_chain)
        return f"the key {self.public_key} ({_key_fingerprint(self.public_key)})"


@dataclass(frozen=True)
class SignOutcome:
    """What `sign` did: the audit's verdict, and where the record and the signature are (None when the
    audit failed and nothing was signed)."""

    audit: AuditResult
    record: Path | None
    signature: Path | None
    signer: str

    @property
    def exit_code(self) -> int:
        return 0 if self.signature is not None else max(1, self.audit.exit_code)


@dataclass(frozen=True)
class SignatureCheck:
    """A signed model's signature and audit record, checked (without auditing it again)."""

    signed_by: str
    mismatches: tuple[str, ...]  # what model-signing found changed, added or missing; empty: it verified
    record_problem: str  # why the record does not describe these files; empty: it does
    recorded_verdict: str  # the audit's verdict when the model was signed
    recorded_rules: str

    @property
    def verified(self) -> bool:
        return not self.mismatches and not self.record_problem and self.recorded_verdict == "passed"

    def problems(self) -> tuple[str, ...]:
        said = [*self.mismatches]
        if self.record_problem:
            said.append(self.record_problem)
        if not self.record_problem and self.recorded_verdict != "passed":
            said.append(f"the recorded audit {self.recorded_verdict}")
        return tuple(said)


@dataclass(frozen=True)
class VerifyOutcome:
    """What `verify` found: the signature's check, the record's, and the audit then and now."""

    signature: SignatureCheck
    today: AuditResult | None  # None: the model as it is now cannot be read (`unreadable` says why)
    unreadable: str = ""

    @property
    def exit_code(self) -> int:
        passed = self.today is not None and self.today.exit_code == 0
        return 0 if self.signature.verified and passed else 1

    @property
    def today_verdict(self) -> str:
        return self.today.verdict.value if self.today is not None else "unreadable"


def _model_signing() -> Any:
    try:
        import model_signing
    except ImportError as missing:
        raise SigningError(INSTALL_HINT) from missing
    return model_signing


def sign_model(
    model_dir: Path,
    policy: Policy,
    signer: Signer,
    signature: Path,
    baseline: frozenset[str] = frozenset(),
) -> SignOutcome:
    """Audit `model_dir`; only if it passes, write the audit record into it and sign the folder."""
    _check_signing_input(model_dir, signer, signature)
    record_path = model_dir / RECORD_FILE
    if record_path.exists() or record_path.is_symlink():
        raise SigningError(
            f"{record_path}: exists already (a model is signed once; remove the record and its old signature "
            "to audit and sign it again)"
        )
    signing = _model_signing()  # before the audit: a missing extra is said at once
    result = _audit(model_dir, policy, baseline)
    if result.exit_code != 0 or result.verdict.value != "passed":
        return SignOutcome(result, None, None, signer.describe())
    document = _record(model_dir, result, policy, baseline)
    _write_new(record_path, document)
    try:
        config = signing.signing.Config()
        if signer.sigstore:
            config.use_sigstore_signer(
                identity_token=signer.identity_token, use_ambient_credentials=signer.identity_token is None
            )
        elif signer.certificate is not None:
            config.use_certificate_signer(
                private_key=signer.private_key,
                signing_certificate=signer.certificate,
                certificate_chain=list(signer.certificate_chain),
            )
        else:
            config.use_elliptic_key_signer(private_key=signer.private_key)
        config.set_hashing_config(
            signing.hashing.Config().set_ignored_paths(paths=[], ignore_git_paths=False)
        )
        config.sign(model_dir, signature)
    except BaseException as error:
        record_path.unlink()  # ours, written a moment ago: the folder is left as it was given
        if signature.exists() and not signature.is_symlink():
            signature.unlink()
        if isinstance(error, Exception) and not isinstance(error, InspectorError):
            raise SigningError(f"{model_dir}: model-signing could not sign it ({_said(error)})") from error
        raise
    return SignOutcome(result, record_path, signature, signer.describe())


def verify_model(
    model_dir: Path,
    signature: Path,
    verifier: Verifier,
    policy: Policy,
    baseline: frozenset[str] = frozenset(),
) -> VerifyOutcome:
    """Verify the signature, read the record back and check it, and audit the model again. A model that
    no longer reads (a changed saved_model.pb) is a failed verification naming the file, not bad input."""
    check = check_signature(model_dir, signature, verifier)
    try:
        return VerifyOutcome(check, _audit(model_dir, policy, baseline))
    except InspectorError as error:
        if check.verified:
            raise  # signed as it is: the model's own problem, said as bad input
        return VerifyOutcome(check, None, str(error))


def check_signature(model_dir: Path, signature: Path, verifier: Verifier) -> SignatureCheck:
    """The signature verified with model-signing (what changed, named), and the audit record read back and
    held to the files. A missing signature is a mismatch of its own, not bad input: `scan
    --require-signature` records it for the model."""
    if not signature.is_file():
        return SignatureCheck(
            verifier.describe(), (f"no signature: {signature} is missing",), "", "unknown", "unknown"
        )
    signing = _model_signing()
    config = signing.verifying.Config()
    if verifier.identity is not None:
        if verifier.identity_provider is None:
            raise SigningError("--identity needs --identity-provider (the OIDC issuer that vouched for it)")
        config.use_sigstore_verifier(identity=verifier.identity, oidc_issuer=verifier.identity_provider)
    elif verifier.certificate_chain:
        config.use_certificate_verifier(certificate_chain=list(verifier.certificate_chain))
    elif verifier.public_key is not None:
        if not verifier.public_key.is_file():
            raise SigningError(f"{verifier.public_key}: no such public key")
        config.use_elliptic_key_verifier(public_key=verifier.public_key)
    else:
        raise SigningError("give --public-key, --certificate-chain, or --identity with --identity-provider")
    mismatches: tuple[str, ...] = ()
    try:
        config.verify(model_dir, signature)
    except ValueError as error:
        text = str(error)
        if text.startswith("Signature mismatch"):
            mismatches = tuple(_mismatches(text))
        else:
            mismatches = (f"the signature does not verify: {_said(error)}",)
    except Exception as error:  # a bundle that is not one, a key of another kind: the signature fails
        mismatches = (f"the signature does not verify: {_said(error)}",)
    recorded, problem = _read_record(model_dir)
    signer = _certificate_subject(signature) if not mismatches else None
    return SignatureCheck(
        f"{signer}, {verifier.describe()}" if signer else verifier.describe(),
        mismatches,
        problem,
        str(recorded.get("verdict", "unknown")),
        str(recorded.get("rules_version", "unknown")),
    )


def _audit(model_dir: Path, policy: Policy, baseline: frozenset[str]) -> AuditResult:
    """The audit of every meta graph, as `inspector audit` runs it."""
    from inspector._internal.audit import audit_meta_graphs
    from inspector._internal.loader import load_all

    return audit_meta_graphs(load_all(model_dir), policy, baseline)


def _check_signing_input(model_dir: Path, signer: Signer, signature: Path) -> None:
    if not signer.sigstore:
        if signer.private_key is None:
            raise SigningError("give --private-key KEY (or --sigstore to sign keyless)")
        if not signer.private_key.is_file():
            raise SigningError(f"{signer.private_key}: no such private key")
    for path in (signer.certificate, *signer.certificate_chain):
        if path is not None and not path.is_file():
            raise SigningError(f"{path}: no such certificate")
    if signature.exists() or signature.is_symlink():
        raise SigningError(f"{signature}: exists already; give --signature a new file")
    resolved, model = signature.parent.resolve() / signature.name, model_dir.resolve()
    if model in resolved.parents:
        raise SigningError(f"{signature}: must be outside the model it signs")


def _record(model_dir: Path, result: AuditResult, policy: Policy, baseline: frozenset[str]) -> dict[str, Any]:
    """The audit record: the audit's document, the rules' version, and the hash of what it read."""
    from inspector._internal.contenthash import content_hash
    from inspector._internal.render import OutputFormat, render
    from inspector._internal.scanworkers import ScanOptions

    content = content_hash(model_dir, exclude=frozenset({RECORD_FILE}))
    if content is None:
        raise SigningError(f"{model_dir}: too many files to hash; a model this large is not signed")
    return {
        "tool": "inspector",
        "kind": "audit-record",
        "record_version": RECORD_VERSION,
        "inspector_version": __version__,
        "rules_version": ScanOptions(policy, baseline).rules_version(),
        "content_hash": content,
        "verdict": result.verdict.value,
        "exit_code": result.exit_code,
        "audit": json.loads(render(result, OutputFormat.JSON)),
    }


def _write_new(path: Path, document: dict[str, Any]) -> None:
    """A new file, never over one and never through a link (O_EXCL refuses both)."""
    data = (json.dumps(document, indent=2, ensure_ascii=True, sort_keys=True) + "\n").encode()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_FOLLOW, 0o644)
    except OSError as error:
        raise SigningError(f"{path}: cannot be written ({error.strerror or error})") from error
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def _read_record(model_dir: Path) -> tuple[dict[str, Any], str]:
    """The record, and why it does not describe the model's files ("" when it does)."""
    from inspector._internal.contenthash import content_hash

    path = model_dir / RECORD_FILE
    try:
        with model_file(path) as descriptor:
            raw = os.read(descriptor, MAX_RECORD_BYTES + 1)
    except FileNotFoundError:
        return {}, f"{RECORD_FILE} is missing: the model carries no audit record"
    except OSError as error:
        return {}, f"{RECORD_FILE} cannot be read ({error.strerror or error})"
    try:
        document = json.loads(raw) if len(raw) <= MAX_RECORD_BYTES else None
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("kind") != "audit-record":
        return {}, f"{RECORD_FILE} is not an inspector audit record"
    now = content_hash(model_dir, exclude=frozenset({RECORD_FILE}))
    if document.get("content_hash") != now:
        return document, f"{RECORD_FILE} describes other files than these (its content hash differs)"
    return document, ""


def _mismatches(text: str) -> list[str]:
    """model-signing's list of differences, each as one phrase naming the file (its digests left out)."""
    import ast
    import re

    body = text.removeprefix("Signature mismatch:").strip()
    try:
        # model-signing prints a Python list of strings
        items = ast.literal_eval(body) if body.startswith("[") else [body]
    except (ValueError, SyntaxError):
        items = [body]
    said = []
    for entry in items if isinstance(items, list) and items else [body]:
        item = str(entry)
        changed = re.match(r"Hash mismatch for '(.*?)': Expected", item)
        added = re.match(r"Extra files found in model '.*?': (.*)$", item)
        missing = re.match(r"Missing files in model '.*?': (.*)$", item)
        if changed:
            said.append(f"{changed.group(1)}: its bytes differ from the signed ones")
        elif added:
            said.append(f"added since signing: {added.group(1)}")
        elif missing:
            said.append(f"missing since signing: {missing.group(1)}")
        else:
            said.append(item)
    return said


def _certificate_subject(signature: Path) -> str | None:
    """Who a verified certificate-mode or Sigstore bundle names as its signer: the leaf certificate's
    e-mail or URI identity, else its subject. None for a key's bundle (the key says who)."""
    import base64

    from cryptography import x509

    try:
        with model_file(signature) as descriptor:
            bundle = json.loads(os.read(descriptor, MAX_RECORD_BYTES))
        material = bundle.get("verificationMaterial", {})
        chain = material.get("x509CertificateChain", {}).get("certificates") or [material.get("certificate")]
        raw = base64.b64decode(chain[0]["rawBytes"])
        leaf = x509.load_der_x509_certificate(raw)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found = [
            *names.get_values_for_type(x509.RFC822Name),
            *names.get_values_for_type(x509.UniformResourceIdentifier),
        ]
        if found:
            return str(found[0])
    except x509.ExtensionNotFound:
        pass
    return leaf.subject.rfc4514_string() or None


def _key_fingerprint(path: Path | None) -> str:
    if path is None or not path.is_file():
        return "no key"
    import hashlib

    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _said(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return (text[:300] + "…") if len(text) > 300 else (text or type(error).__name__)
