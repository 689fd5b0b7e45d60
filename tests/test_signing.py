"""From audit to a signed release: `inspector sign` signs only what passes its audit, with the audit record
inside the signature; `inspector verify` names whatever changed since, and audits the model again."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from fixtures import catalog
from inspector._internal.signing import RECORD_FILE

pytest.importorskip("model_signing")

SHARD = Path("variables") / "variables.data-00000-of-00001"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """A fresh elliptic-curve key pair, as `openssl ecparam -genkey` would make one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private, public = tmp_path / "release.pem", tmp_path / "release.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@pytest.fixture
def signed(tmp_path: Path, keys: tuple[Path, Path]) -> Path:
    """module_aliases, with an asset, signed: the model folder (its signature is MODEL.sig beside it)."""
    model = shutil.copytree(catalog.get("module_aliases").path, tmp_path / "model")
    (model / "assets").mkdir()
    (model / "assets" / "labels.txt").write_text("cat\ndog\n")
    run = run_cli("sign", model, "--private-key", keys[0])
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("SIGNED: ") and "audited PASSED" in run.stdout
    return model


def _verify(model: Path, public: Path) -> tuple[int, str, dict[str, object]]:
    text = run_cli("verify", model, "--public-key", public)
    document = run_cli("verify", model, "--public-key", public, "--format", "json")
    return text.code, text.stdout + text.stderr, json.loads(document.stdout)


def test_a_signed_model_verifies_with_both_verdicts(signed: Path, keys: tuple[Path, Path]) -> None:
    record = json.loads((signed / RECORD_FILE).read_text())
    assert record["verdict"] == "passed" and record["content_hash"].startswith("sha256:")
    assert record["audit"]["kind"] == "audit" and record["rules_version"]
    code, said, document = _verify(signed, keys[1])
    assert code == 0, said
    assert said.startswith("VERIFIED: signed by the key") and "today's rules: PASSED" in said
    assert document["signature_verified"] is True and document["today_verdict"] == "passed"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("shard", "variables/variables.data-00000-of-00001: its bytes differ"),
        ("asset", "assets/labels.txt: its bytes differ"),
        ("record", f"{RECORD_FILE}: its bytes differ"),
        ("added", "added since signing: assets/evil.pkl"),
    ],
)
def test_any_changed_byte_fails_verification_naming_it(
    signed: Path, keys: tuple[Path, Path], change: str, named: str
) -> None:
    if change == "shard":
        data = bytearray((signed / SHARD).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (signed / SHARD).write_bytes(bytes(data))
    elif change == "asset":
        (signed / "assets" / "labels.txt").write_text("cat\ndoge\n")
    elif change == "record":
        record = json.loads((signed / RECORD_FILE).read_text())
        record["verdict"] = "passed"
        record["audit"]["result"]["findings"] = []  # the same claim, edited: still not the signed bytes
        (signed / RECORD_FILE).write_text(json.dumps(record) + " ")
    else:
        (signed / "assets" / "evil.pkl").write_bytes(b"\x80\x04N.")
    code, said, document = _verify(signed, keys[1])
    assert code == 1, said
    assert said.startswith("FAILED: ") and named in said
    assert document["signature_verified"] is False and document["exit_code"] == 1


def test_another_key_does_not_verify(signed: Path, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = tmp_path / "other.pub.pem"
    other.write_bytes(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    code, said, _ = _verify(signed, other)
    assert code == 1 and "the signature does not verify" in said


def test_a_model_whose_audit_fails_is_not_signed(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    model = shutil.copytree(catalog.get("risky_ops").path, tmp_path / "risky")
    before = sorted(p.relative_to(model) for p in model.rglob("*"))
    run = run_cli("sign", model, "--private-key", keys[0])
    assert run.code == 1
    assert run.stdout.startswith("NOT SIGNED: the audit of") and "INS002" in run.stdout
    assert not (tmp_path / "risky.sig").exists()
    assert sorted(p.relative_to(model) for p in model.rglob("*")) == before  # no record left either


def test_signing_never_changes_a_file_of_the_model_nor_writes_where_it_should_not(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    model = shutil.copytree(catalog.get("module_aliases").path, tmp_path / "model")
    before = {p.relative_to(model): p.read_bytes() for p in model.rglob("*") if p.is_file()}
    inside = run_cli("sign", model, "--private-key", keys[0], "--signature", model / "model.sig")
    assert inside.code == 2 and "must be outside the model" in inside.stderr
    assert run_cli("sign", model, "--private-key", keys[0]).code == 0
    after = {p.relative_to(model): p.read_bytes() for p in model.rglob("*") if p.is_file()}
    assert {k: v for k, v in after.items() if k != Path(RECORD_FILE)} == before
    again = run_cli("sign", model, "--private-key", keys[0], "--signature", tmp_path / "again.sig")
    assert again.code == 2 and "exists already" in again.stderr
    missing = run_cli(
        "sign", model, "--private-key", tmp_path / "nope.pem", "--signature", tmp_path / "x.sig"
    )
    assert missing.code == 2 and "no such private key" in missing.stderr


def test_without_the_extra_one_line_says_how_to_get_it(
    tmp_path: Path, keys: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "model_signing", None)  # as if it were not installed
    model = shutil.copytree(catalog.get("module_aliases").path, tmp_path / "model")
    run = run_cli("sign", model, "--private-key", keys[0])
    assert run.code == 2
    assert run.stderr.strip() == (
        "inspector: error: signing needs model-signing: pip install 'savedmodel-inspector[sign]'"
    )
    assert not (model / RECORD_FILE).exists()


def test_scan_requires_a_signature_and_records_the_signer(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    for name in ("signed", "unsigned", "tampered"):
        shutil.copytree(catalog.get("module_aliases").path, registry / name)
    for name in ("signed", "tampered"):
        assert run_cli("sign", registry / name, "--private-key", keys[0]).code == 0
    (registry / "tampered" / "assets").mkdir()
    (registry / "tampered" / "assets" / "new.txt").write_text("added after signing")
    run = run_cli(
        "scan", registry, "--require-signature", "--public-key", keys[1], "--format", "jsonl", "--jobs", "1"
    )
    assert run.code == 1, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    records = {Path(r["path"]).name: r for r in lines if r["record"] == "model"}
    assert records["signed"]["status"] == "ok" and records["signed"]["signature"]["verified"] is True
    assert "release.pub.pem" in records["signed"]["signature"]["signed_by"]
    assert records["unsigned"]["status"] == "unsigned"
    assert records["unsigned"]["signature"]["problems"][0].startswith("no signature:")
    assert records["tampered"]["status"] == "unsigned"
    assert "added since signing: assets/new.txt" in records["tampered"]["signature"]["problems"]
    assert lines[-1]["statuses"]["unsigned"] == 2
    table = run_cli("scan", registry, "--require-signature", "--public-key", keys[1], "--format", "table")
    [row] = [line for line in table.stdout.splitlines() if line.startswith("unsigned") and "tampered" in line]
    assert "unsigned: added since signing: assets/new.txt" in row
    without = run_cli("scan", registry, "--public-key", keys[1])
    assert without.code == 2 and "give --require-signature" in without.stderr


def test_a_sigstore_identity_needs_its_issuer(signed: Path) -> None:
    run = run_cli("verify", signed, "--identity", "release@example.com")
    assert run.code == 2 and "--identity and --identity-provider go together" in run.stderr
    none = run_cli("verify", signed)
    assert none.code == 2 and "give --public-key" in none.stderr


def _certificate_chain(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a code-signing certificate it issued: (the leaf's key, the leaf, the CA)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "inspector test CA")])

    def issued(
        subject: x509.Name, public_key: ec.EllipticCurvePublicKey, *, ca: bool
    ) -> x509.CertificateBuilder:
        """A certificate the CA issues, valid today: a CA's signs certificates, a leaf's only signatures."""
        usage = x509.KeyUsage(
            digital_signature=True,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=ca,
            crl_sign=ca,
            encipher_only=False,
            decipher_only=False,
        )
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage, critical=True)
        )

    ca = issued(ca_name, ca_key.public_key(), ca=True).sign(ca_key, hashes.SHA256())
    leaf = (
        issued(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "release@example.com")]),
            key.public_key(),
            ca=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "leaf.key", folder / "leaf.pem", folder / "ca.pem"
    paths[0].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return paths


def test_certificate_mode_signs_and_names_the_certificate_on_verify(tmp_path: Path) -> None:
    key, leaf, ca = _certificate_chain(tmp_path)
    model = shutil.copytree(catalog.get("module_aliases").path, tmp_path / "model")
    signed = run_cli("sign", model, "--private-key", key, "--certificate", leaf, "--certificate-chain", ca)
    assert signed.code == 0, signed.stderr
    verified = run_cli("verify", model, "--certificate-chain", ca)
    assert verified.code == 0, verified.stdout
    assert verified.stdout.startswith("VERIFIED: signed by CN=release@example.com")
    (model / "saved_model.pb").write_bytes((model / "saved_model.pb").read_bytes() + b"\x00")
    tampered = run_cli("verify", model, "--certificate-chain", ca)
    assert tampered.code == 1 and "saved_model.pb: its bytes differ" in tampered.stdout
