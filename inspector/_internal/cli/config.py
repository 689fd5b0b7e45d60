"""`inspector config`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector._internal.cli.arguments import add_text_or_json
from inspector._internal.cli.output import write_document
from inspector._internal.policyargs import add_policy_options
from inspector._internal.render.safe import visible


def declare(config: argparse.ArgumentParser) -> None:
    config.description = (
        "Print the audit policy in effect here: each setting's value and where it came from (the default, "
        "--policy FILE or [tool.inspector.audit] of the nearest pyproject.toml, or an option). Give the "
        "options you would give audit or scan to see what they would make of them. Reads no model."
    )
    config.epilog = """\
examples:
  inspector config
  inspector config --policy release.toml --fail-on warning
  inspector config --format json
"""
    add_policy_options(config)
    add_text_or_json(config)
    config.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from inspector._internal.policyargs import policy_in_effect
    from inspector._internal.render.listings import policy_settings

    policy = policy_in_effect(args)
    if args.format == "json":
        write_document(
            "config",
            {
                "policy_file": None
                if policy.file is None
                else {"path": str(policy.file), "explicit": policy.explicit, "has_policy": policy.table},
                "baseline": None if args.baseline is None else str(args.baseline),
                "settings": [{"key": s.key, "value": s.value, "from": s.origin} for s in policy.settings],
            },
        )
        return 0
    baseline = f"baseline: {visible(str(args.baseline))}\n" if args.baseline is not None else ""
    sys.stdout.write(policy_settings(policy, Path.cwd()) + baseline)
    return 0
