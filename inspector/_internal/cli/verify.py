"""`inspector verify`: a signed model's signature and audit record checked, and the model audited again."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.cli.arguments import add_text_or_json
from inspector._internal.cli.output import write_document
from inspector._internal.policyargs import add_policy_options, add_verifier_options, policy_of, verifier_of
from inspector._internal.render.safe import visible
from inspector._internal.render.words import EXIT_MEANINGS

if TYPE_CHECKING:
    from inspector._internal.audit import Policy
    from inspector._internal.signing import Verifier

EPILOG = f"""\
examples:
  inspector verify model/ --public-key release.pub.pem                 # model.sig beside the folder
  inspector verify model/ --signature model.sig --certificate-chain ca.pem
  inspector verify model/ --signature model.sigstore.json \\
      --identity release@example.com --identity-provider https://accounts.google.com

model-signing verifies the signature over every file (a changed, added or missing file is named); the
audit record the model carries must describe these files; and the model is audited again with this
inspector's rules, under the project's policy. Both verdicts are said:
  VERIFIED: signed by ..., audited PASSED under rules R; today's rules: PASSED (exit 0)

exit status: {EXIT_MEANINGS["verify"]}.
"""


def declare(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Verify a model signed by `inspector sign`: its signature (model-signing), its audit record, and "
        "its audit again with today's rules."
    )
    parser.epilog = EPILOG
    parser.add_argument("model", type=Path, help="the signed SavedModel directory")
    parser.add_argument(
        "--signature", type=Path, metavar="FILE", help="the signature (default: MODEL.sig beside the folder)"
    )
    add_verifier_options(parser)
    add_policy_options(parser)
    add_text_or_json(parser)
    parser.set_defaults(run=run)


class VerifyOptions(NamedTuple):
    """`inspector verify`'s command line, typed: who must have signed (`signing.Verifier`) and the policy
    today's audit runs under."""

    model: Path
    signature: Path | None  # None: MODEL.sig beside the model
    verifier: Verifier
    policy: Policy
    baseline: Path | None
    json: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> VerifyOptions:
        verifier = verifier_of(args)
        return cls(
            args.model, args.signature, verifier, policy_of(args), args.baseline, args.format == "json"
        )


def run(args: argparse.Namespace) -> int:
    return verify(VerifyOptions.from_args(args))


def verify(options: VerifyOptions) -> int:
    from inspector._internal.audit import read_baseline
    from inspector._internal.modelfile import resolve_model_path
    from inspector._internal.signing import SigningError, signature_beside, verify_model

    model_dir, _ = resolve_model_path(options.model)
    signature = options.signature or signature_beside(model_dir)
    baseline = read_baseline(options.baseline)
    if not signature.is_file():
        raise SigningError(f"{signature}: no such signature file")
    outcome = verify_model(model_dir, signature, options.verifier, options.policy, baseline)
    check = outcome.signature
    today = outcome.today_verdict
    if options.json:
        write_document(
            "verify",
            {
                "model": str(model_dir),
                "signature": str(signature),
                "signed_by": check.signed_by,
                "signature_verified": not check.mismatches,
                "mismatches": list(check.mismatches),
                "record_problem": check.record_problem or None,
                "recorded_verdict": check.recorded_verdict,
                "recorded_rules": check.recorded_rules,
                "today_verdict": today,
                "exit_code": outcome.exit_code,
            },
        )
        return outcome.exit_code
    head = "VERIFIED" if outcome.exit_code == 0 else "FAILED"
    lines = [
        f"{head}: signed by {check.signed_by}"
        + (", the signature does not match the files" if check.mismatches else "")
        + f"; audited {check.recorded_verdict.upper()} under rules {check.recorded_rules}; "
        f"today's rules: {today.upper()} (exit {outcome.exit_code})"
    ]
    lines += [f"  changed: {item}" for item in check.mismatches]
    if check.record_problem:
        lines.append(f"  record: {check.record_problem}")
    if outcome.today is None:
        lines.append(f"  today's audit: the model cannot be read: {outcome.unreadable}")
    elif outcome.today.exit_code != 0:
        lines.append(f"  today's audit: {model_dir} fails it (inspector audit {model_dir} shows why)")
    sys.stdout.write("".join(visible(line) + "\n" for line in lines))
    return outcome.exit_code
