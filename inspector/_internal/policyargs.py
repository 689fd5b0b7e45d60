"""The audit's policy on a command line: the options `audit`, `scan` and `python -m inspector.beam` share,
and the policy they make (the policy file's or pyproject's, with the command line over it)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.results.policy import PolicyInEffect, Setting

if TYPE_CHECKING:  # the audit is imported by the commands that audit, when they run
    from inspector._internal.audit import Policy
    from inspector._internal.signing import Verifier


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    """What an audit checks, shared by `audit` and `scan` (which audits each model with them)."""
    parser.add_argument(
        "--whitelist", action="append", metavar="NS", help="allowed op namespace (repeatable)"
    )
    parser.add_argument("--deny", action="append", metavar="OP", help="also flag this op type (repeatable)")
    parser.add_argument("--allow", action="append", metavar="OP", help="never flag this op type as risky")
    parser.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        choices=("note", "warning", "error", "critical"),
        help="exit 1 for findings at or above this severity (default: error)",
    )
    parser.add_argument(
        "--require-alias", action="append", metavar="NAME", help="a function alias that must exist"
    )
    parser.add_argument(
        "--min-trace-coverage",
        type=float,
        metavar="PCT",
        help="percent of ops that need a trace (default 50)",
    )
    selection = "rule ids or prefixes (INS002, INS00), rule names (risky-op) or severities (note, warning, error, critical); comma-separated, repeatable"
    parser.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help=f"report only these, replacing the policy's: {selection}",
    )
    parser.add_argument("--extend-select", action="append", metavar="RULES", help="report these too")
    parser.add_argument("--ignore", action="append", metavar="RULES", help="never report these")
    parser.add_argument("--no-registry", action="store_true", help="skip the op registry check (INS004)")
    parser.add_argument(
        "--live-registry",
        action="store_true",
        help="check op types against the installed TensorFlow (imports it, ~3 s) instead of the shipped "
        "snapshot of TensorFlow 2.12-2.21's registries",
    )
    parser.add_argument(
        "--verify-fingerprint",
        action="store_true",
        help="recompute fingerprint.pb with TensorFlow (imports it; nothing is loaded) (INS009)",
    )
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="TOML policy (default: [tool.inspector.audit] of the nearest pyproject.toml)",
    )
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="accept the findings recorded in FILE")


def policy_file(args: argparse.Namespace) -> tuple[Path | None, bool]:
    """The file the policy is read from and whether the user named it: `--policy FILE`, else the nearest
    pyproject.toml at or above the working directory (None: no file, the defaults)."""
    from inspector._internal.audit import find_pyproject

    if args.policy is not None:
        return args.policy, True
    return find_pyproject(Path.cwd()), False


def policy_of(args: argparse.Namespace) -> Policy:
    """The policy file's (or pyproject's), with the command line's options over it."""
    from inspector._internal.audit import Policy, load_policy

    path, explicit = policy_file(args)
    return _with_options(load_policy(path, explicit=explicit) if path is not None else Policy(), args)


def _with_options(policy: Policy, args: argparse.Namespace) -> Policy:
    """`policy` with the command line's options over it: most replace the file's, some add to it."""
    from inspector._internal.audit import Severity

    return replace(
        policy,
        whitelist=tuple(args.whitelist) if args.whitelist is not None else policy.whitelist,
        deny=tuple(args.deny) if args.deny else policy.deny,
        allow=tuple(args.allow) if args.allow else policy.allow,
        fail_on=Severity.parse(args.fail_on) if args.fail_on else policy.fail_on,
        require_aliases=tuple(args.require_alias) if args.require_alias else policy.require_aliases,
        min_trace_coverage=(
            args.min_trace_coverage if args.min_trace_coverage is not None else policy.min_trace_coverage
        ),
        registry=False if args.no_registry else policy.registry,
        live_registry=True if args.live_registry else policy.live_registry,
        verify_fingerprint=True if args.verify_fingerprint else policy.verify_fingerprint,
        select=_tokens(args.select) or policy.select,
        extend_select=(*policy.extend_select, *_tokens(args.extend_select)),
        ignore=(*policy.ignore, *_tokens(args.ignore)),
    )


def _tokens(values: Sequence[str] | None) -> tuple[str, ...]:
    """`--select A,B --select C`: each comma-separated word once, in order."""
    words = (word.strip() for value in values or () for word in value.split(","))
    return tuple(dict.fromkeys(word for word in words if word))


#: Each policy key's option on the command line, and whether the user gave it (its dest in `args`).
_OPTIONS = {
    "whitelist": ("--whitelist", "whitelist"),
    "deny": ("--deny", "deny"),
    "allow": ("--allow", "allow"),
    "fail-on": ("--fail-on", "fail_on"),
    "require-aliases": ("--require-alias", "require_alias"),
    "min-trace-coverage": ("--min-trace-coverage", "min_trace_coverage"),
    "registry": ("--no-registry", "no_registry"),
    "live-registry": ("--live-registry", "live_registry"),
    "verify-fingerprint": ("--verify-fingerprint", "verify_fingerprint"),
    "select": ("--select", "select"),
    "extend-select": ("--extend-select", "extend_select"),
    "ignore": ("--ignore", "ignore"),
}
#: Keys whose command-line values add to the file's rather than replace them.
_ADDED = frozenset({"extend-select", "ignore"})


def policy_in_effect(args: argparse.Namespace) -> PolicyInEffect:
    """Every policy key's value in effect and where it came from. The values are `policy_of`'s: the one
    policy audit and scan would use with these options, here."""
    from inspector._internal.audit import Policy
    from inspector._internal.audit.policy import POLICY_KEYS, policy_from_table, policy_table

    path, explicit = policy_file(args)
    written = policy_table(path, explicit=explicit) if path is not None else None
    from_file = policy_from_table(written, path) if written is not None and path is not None else Policy()
    policy = _with_options(from_file, args)
    settings = []
    for key, field in POLICY_KEYS.items():
        option, dest = _OPTIONS[key]
        given = getattr(args, dest, None) not in (None, False, [])
        in_file = str(path) if written is not None and key in written else ""
        if given and in_file and key in _ADDED:
            origin = f"{in_file} + {option}"
        else:
            origin = option if given else in_file or "default"
        settings.append(Setting(key, _toml_value(getattr(policy, field)), origin))
    return PolicyInEffect(tuple(settings), path, explicit, written is not None)


def _toml_value(value: object) -> str | float | bool | list[str] | None:
    from inspector.results.audit import Severity

    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Severity):
        return value.label
    if isinstance(value, (bool, float)) or value is None:
        return value
    return str(value)


def add_verifier_options(parser: argparse.ArgumentParser) -> None:
    """Who must have signed a model (`verify`, `scan --require-signature`): a key, a certificate chain, or
    a Sigstore identity."""
    mode = parser.add_argument_group("who must have signed (key, certificate, or Sigstore identity)")
    mode.add_argument("--public-key", type=Path, metavar="PEM", help="the signer's public key")
    add_certificate_chain(mode)
    mode.add_argument("--identity", metavar="ID", help="Sigstore: the identity that must have signed")
    mode.add_argument("--identity-provider", metavar="URL", help="Sigstore: the OIDC issuer of --identity")


def verifier_of(args: argparse.Namespace) -> Verifier:
    from inspector._internal.signing import SigningError, Verifier

    if args.public_key is None and not args.certificate_chain and args.identity is None:
        raise SigningError("give --public-key, --certificate-chain, or --identity with --identity-provider")
    if (args.identity is None) != (args.identity_provider is None):
        raise SigningError(
            "--identity and --identity-provider go together (the identity, and its OIDC issuer)"
        )
    return Verifier(args.public_key, tuple(args.certificate_chain), args.identity, args.identity_provider)


def add_certificate_chain(group: argparse._ArgumentGroup) -> None:
    """Certificate mode's chain, for signing (`sign`) and verifying (`verify`, `scan`, the pipeline)."""
    group.add_argument(
        "--certificate-chain",
        type=Path,
        action="append",
        default=[],
        metavar="PEM",
        help="certificate mode: the certificates up to the root of trust (repeatable)",
    )
