"""`inspector sign`: audit a model and, only when it passes, sign it with its audit record (model-signing)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.cli.arguments import add_text_or_json
from inspector._internal.cli.output import write_document
from inspector._internal.policyargs import add_certificate_chain, add_policy_options, policy_of
from inspector._internal.render.safe import visible
from inspector._internal.render.words import EXIT_MEANINGS

if TYPE_CHECKING:
    from inspector._internal.audit import Policy
    from inspector._internal.signing import Signer

EPILOG = f"""\
examples:
  inspector sign model/ --private-key release.pem                      # writes model.sig beside model/
  inspector sign model/ --private-key key.pem --certificate cert.pem --certificate-chain ca.pem
  inspector sign model/ --sigstore --signature model.sigstore.json     # keyless (needs the network)
  inspector verify model/ --signature model.sig --public-key release.pub.pem

The audit runs under the project's policy (pyproject.toml, --policy, the options below). Only when it
passes is one file added to the model, inspector-audit.json (the audit's JSON document, the rules'
version and the hash of what it read: no loader reads it), and the folder signed with model-signing, so
the signature covers the model and its audit together. A failing audit signs nothing.

exit status: {EXIT_MEANINGS["sign"]}.
"""


def declare(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Audit a SavedModel and, only when the audit passes, sign it with OpenSSF model signing "
        "(model-signing): its audit record is added to the folder and signed with every file of the model."
    )
    parser.epilog = EPILOG
    parser.add_argument("model", type=Path, help="the SavedModel directory to audit and sign")
    parser.add_argument(
        "--signature",
        type=Path,
        metavar="FILE",
        help="where to write the signature, outside the model (default: MODEL.sig beside the folder)",
    )
    mode = parser.add_argument_group("how to sign (key, certificate, or Sigstore keyless)")
    mode.add_argument(
        "--private-key", type=Path, metavar="PEM", help="the elliptic-curve private key to sign with"
    )
    mode.add_argument(
        "--certificate", type=Path, metavar="PEM", help="certificate mode: the signing certificate of the key"
    )
    add_certificate_chain(mode)
    mode.add_argument(
        "--sigstore",
        action="store_true",
        help="sign keyless with Sigstore: an OpenID Connect identity (CI's ambient one, or a browser flow)",
    )
    add_policy_options(parser)
    add_text_or_json(parser)
    parser.set_defaults(run=run)


class SignOptions(NamedTuple):
    """`inspector sign`'s command line, typed: who signs (`signing.Signer`, its modes checked) and the
    policy the audit runs under."""

    model: Path
    signature: Path | None  # None: MODEL.sig beside the model
    signer: Signer
    policy: Policy
    baseline: Path | None
    json: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SignOptions:
        from inspector._internal.signing import Signer, SigningError

        if args.sigstore and (args.private_key or args.certificate):
            raise SigningError("--sigstore signs keyless: give it without --private-key and --certificate")
        if args.certificate is not None and args.private_key is None:
            raise SigningError("--certificate needs --private-key, the certificate's key")
        signer = Signer(args.private_key, args.certificate, tuple(args.certificate_chain), args.sigstore)
        return cls(args.model, args.signature, signer, policy_of(args), args.baseline, args.format == "json")


def run(args: argparse.Namespace) -> int:
    return sign(SignOptions.from_args(args))


def sign(options: SignOptions) -> int:
    from inspector._internal.audit import read_baseline
    from inspector._internal.modelfile import resolve_model_path
    from inspector._internal.render import OutputFormat, RenderOptions, render
    from inspector._internal.signing import sign_model, signature_beside

    model_dir, _ = resolve_model_path(options.model)
    signature = options.signature or signature_beside(model_dir)
    baseline = read_baseline(options.baseline)
    outcome = sign_model(model_dir, options.policy, options.signer, signature, baseline)
    verdict = outcome.audit.verdict.value.upper()
    if options.json:
        write_document(
            "sign",
            {
                "model": str(model_dir),
                "signed": outcome.signature is not None,
                "audit_verdict": outcome.audit.verdict.value,
                "record": None if outcome.record is None else str(outcome.record),
                "signature": None if outcome.signature is None else str(outcome.signature),
                "signer": outcome.signer,
                "exit_code": outcome.exit_code,
            },
        )
        return outcome.exit_code
    if outcome.signature is None:
        sys.stdout.write(
            visible(f"NOT SIGNED: the audit of {model_dir} {verdict} (exit {outcome.exit_code})") + "\n"
        )
        quiet = RenderOptions(quiet=True, width=100)
        sys.stdout.write(render(outcome.audit, OutputFormat.TEXT, quiet))
        return outcome.exit_code
    sys.stdout.write(
        visible(
            f"SIGNED: {model_dir} audited {verdict}; record {outcome.record}; signature {outcome.signature} "
            f"({outcome.signer}) (exit 0)"
        )
        + "\n"
    )
    return 0
