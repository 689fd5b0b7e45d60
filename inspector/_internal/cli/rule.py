"""`inspector rule`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
import sys
from typing import NamedTuple

from inspector._internal.errors import InspectorError


def declare(rule: argparse.ArgumentParser) -> None:
    rule.description = (
        "Print an audit rule's documentation: what it finds, why it matters, an example, the fix."
    )
    rule.epilog = """\
examples:
  inspector rule INS002
  inspector rule risky-op
  inspector rule --all
"""
    rule.add_argument("rule", nargs="?", metavar="RULE", help="a rule's id or name")
    rule.add_argument("--all", action="store_true", help="every rule's documentation")
    rule.set_defaults(run=run)


class RuleOptions(NamedTuple):
    """`inspector rule`'s command line, typed."""

    rule: str | None  # an id (INS002) or a name (risky-op); None: the list, or --all
    all: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RuleOptions:
        if args.all and args.rule is not None:
            raise InspectorError("name one rule (inspector rule INS002) or give --all, not both")
        return cls(args.rule, args.all)


def run(args: argparse.Namespace) -> int:
    return show_rules(RuleOptions.from_args(args))


def show_rules(options: RuleOptions) -> int:
    from inspector._internal.audit.rules import rules
    from inspector._internal.render.listings import rule_documentation

    infos = [rule.INFO for rule in rules()]
    wanted = options.rule
    if wanted is None and not options.all:  # bare `inspector rule`: the list
        width = max(len(info.name) for info in infos)
        sys.stdout.write(
            "".join(f"{info.id}  {info.name:<{width}}  {info.summary}\n" for info in infos)
            + "\ninspector rule ID (or NAME) prints a rule's documentation; --all prints every rule's\n"
        )
        return 0
    chosen = (
        infos
        if wanted is None
        else [info for info in infos if wanted.upper() == info.id or wanted.lower() == info.name]
    )
    if not chosen:
        raise InspectorError(
            f"{wanted}: no such rule (rules: {infos[0].id} to {infos[-1].id}; inspector rule --all)"
        )
    sys.stdout.write("\n".join(rule_documentation(info) for info in chosen))
    return 0
