"""`inspector save`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import NamedTuple

from inspector._internal.cli.arguments import add_output_options
from inspector._internal.cli.output import Output, working
from inspector._internal.cli.report import emit_report

EPILOG = """\
examples:
  inspector save mypkg.models:build out/model --alias serve --signature serving_default=serve
  inspector save mypkg.models:build out/model --alias double=double_fn --whitelist Acme

FACTORY is called with no arguments and returns a tf.Module or Keras model; the working directory is
on the import path. The SavedModel is written with save_debug_info=True, then reported.
"""


def declare(save: argparse.ArgumentParser) -> None:
    save.description = (
        "Build a model with FACTORY and save it as a SavedModel with save_debug_info=True, "
        "function aliases and the other SaveOptions; then print its report."
    )
    save.epilog = EPILOG
    save.add_argument(
        "factory", metavar="PKG.MODULE:FACTORY", help="callable returning the tf.Module / Keras model"
    )
    save.add_argument("out", type=Path, help="export directory to write")
    save.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="NAME[=ATTR]",
        help="record every concrete function of the tf.function at attribute ATTR (default: NAME) as alias "
        "NAME (repeatable)",
    )
    save.add_argument(
        "--signature",
        action="append",
        default=[],
        metavar="NAME=ATTR",
        help="export the tf.function at attribute ATTR as signature NAME (repeatable)",
    )
    save.add_argument(
        "--whitelist",
        action="append",
        metavar="NS",
        help="namespaces TensorFlow allows in the saved ops (repeatable); also flags others in the report",
    )
    save.add_argument(
        "--strip-prefix",
        action="append",
        default=[],
        metavar="PREFIX",
        help="remove PREFIX from the source paths recorded in the debug info (repeatable)",
    )
    save.add_argument(
        "--io-device", metavar="DEVICE", help="device for saving variables, e.g. /job:localhost"
    )
    save.add_argument(
        "--variable-policy",
        choices=("none", "save_variable_devices", "expand_distributed_variables"),
        metavar="POLICY",
        help="TensorFlow's experimental_variable_policy: none, save_variable_devices or "
        "expand_distributed_variables",
    )
    add_output_options(save, "report")
    save.set_defaults(run=run)


class SaveOptions(NamedTuple):
    """`inspector save`'s command line, typed: the aliases and signatures read from their NAME=ATTR."""

    factory: str
    out: Path
    aliases: dict[str, str]  # alias -> the attribute holding its tf.function
    signatures: dict[str, str]  # signature -> the attribute holding its tf.function
    whitelist: tuple[str, ...] | None
    strip_prefixes: tuple[str, ...]
    io_device: str | None
    variable_policy: str | None
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SaveOptions:
        from inspector._internal.errors import SaveError

        aliases = {}
        for entry in args.alias:
            name, _, attribute = entry.partition("=")
            if not name:
                raise SaveError(f"--alias {entry!r}: the alias name is empty")
            aliases[name] = attribute or name
        signatures = {}
        for entry in args.signature:
            name, sep, attribute = entry.partition("=")
            if not sep or not name or not attribute:
                raise SaveError(f"--signature {entry!r} is not of the form NAME=ATTR")
            signatures[name] = attribute
        return cls(
            factory=args.factory,
            out=args.out,
            aliases=aliases,
            signatures=signatures,
            whitelist=tuple(args.whitelist) if args.whitelist is not None else None,
            strip_prefixes=tuple(args.strip_prefix),
            io_device=args.io_device,
            variable_policy=args.variable_policy,
            output=Output.from_args(args),
        )


def run(args: argparse.Namespace) -> int:
    return save_and_report(SaveOptions.from_args(args))


def save_and_report(options: SaveOptions) -> int:
    # Keep TensorFlow's C++ start-up chatter off the report.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from inspector._internal.errors import SaveError
    from inspector._internal.loader import load
    from inspector._internal.save import load_factory, save

    out = options.out
    if out.is_file() or (out.is_dir() and any(out.iterdir())):
        raise SaveError(f"{out}: already exists and is not empty; choose a new export directory")
    # The factory's and TensorFlow's own prints would otherwise interleave with the report on stdout.
    with (
        contextlib.redirect_stdout(sys.stderr),
        working("importing TensorFlow and saving the model", quiet=options.output.quiet),
    ):
        model = load_factory(options.factory)
        save(
            model,
            out,
            aliases=options.aliases,
            signatures=options.signatures or None,
            namespace_whitelist=options.whitelist,
            io_device=options.io_device,
            variable_policy=options.variable_policy,
        )
    if options.strip_prefixes:
        from inspector._internal.scrub import scrub_in_place

        scrub_in_place(out, options.strip_prefixes)
    view = load(out)
    empty = sorted(name for name in options.aliases if name not in view.aliases)
    if empty:
        sys.stderr.write(
            f"inspector: warning: alias {', '.join(empty)} covers no concrete function: call the tf.function "
            "or give it an input_signature before saving\n"
        )
    code = emit_report(view, options.whitelist, False, options.output)
    # Where it went and what it holds, last (on stderr: the report on stdout stays the report).
    recorded = [f"debug info ({view.debug_info.status.value})"]
    if view.aliases:
        recorded.append(f"aliases {', '.join(sorted(view.aliases))}")
    if view.signatures:
        recorded.append(f"signatures {', '.join(sorted(view.signatures))}")
    sys.stderr.write(f"inspector: saved {out}: {'; '.join(recorded)}\n")
    return code
