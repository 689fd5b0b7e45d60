"""`inspector doctor`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import NamedTuple

from inspector._internal.cli.arguments import (
    add_output_options,
    add_reading_options,
    model_argument,
)
from inspector._internal.cli.output import Output, emit, working
from inspector._internal.errors import InspectorError
from inspector._internal.render.words import EXIT_MEANINGS

EPILOG = f"""\
examples:
  inspector doctor model/                                   # static checks only: nothing is loaded
  inspector doctor model/ --try-load                        # load it in a child process, explain the error
  inspector doctor model/ --try-load --op-library ./libacme_ops.so --import tensorflow_text
  inspector doctor model/ --try-load --timeout 30 --verbose
  inspector doctor model/ --live-registry                   # the installed TensorFlow's own op registry

exit status: {EXIT_MEANINGS["doctor"]}.
"""


def declare(doctor_cmd: argparse.ArgumentParser) -> None:
    doctor_cmd.description = (
        "Diagnose what keeps a SavedModel from loading: statically (unregistered ops, missing or "
        "truncated files, versions, file size, debug info), and with --try-load by loading it with TensorFlow "
        "in a child process with a timeout, turning the error into the op, function, signatures and source "
        "line involved, and the fix."
    )
    doctor_cmd.epilog = EPILOG
    model_argument(doctor_cmd)
    doctor_cmd.add_argument(
        "--try-load",
        action="store_true",
        help="load the model with TensorFlow in a child process: this runs the model's code (init ops, "
        "restore, resource initializers); refused when the audit finds risky ops that run at load",
    )
    doctor_cmd.add_argument(
        "--allow-risky-load",
        action="store_true",
        help="with --try-load, load even a model whose load runs file, Python, network or process ops "
        "(they run on this machine)",
    )
    doctor_cmd.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="kill the loading process after this long (default 120)",
    )
    doctor_cmd.add_argument(
        "--op-library",
        action="append",
        default=[],
        metavar="PATH",
        help="tf.load_op_library(PATH) before loading (repeatable)",
    )
    doctor_cmd.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE before loading (repeatable): from the working directory, PYTHONPATH or the installed packages",
    )
    doctor_cmd.add_argument(
        "--python",
        metavar="PATH",
        help="load with this interpreter (the serving environment's, with the packages the model needs) "
        "instead of inspector's own",
    )
    doctor_cmd.add_argument("--no-registry", action="store_true", help="skip the static op-registry check")
    doctor_cmd.add_argument(
        "--live-registry",
        action="store_true",
        help="check op types against the installed TensorFlow (imports it, ~3 s) instead of the shipped snapshot",
    )
    doctor_cmd.add_argument(
        "--verbose", "-v", action="store_true", help="include the loading process's own log"
    )
    add_reading_options(doctor_cmd, whitelist=False)
    add_output_options(doctor_cmd, "doctor")
    doctor_cmd.set_defaults(run=run)


class DoctorOptions(NamedTuple):
    """`inspector doctor`'s command line, typed, its paths checked before any work."""

    model: Path
    tags: tuple[str, ...] | None
    try_load: bool
    allow_risky_load: bool
    timeout: float
    op_libraries: tuple[str, ...]
    imports: tuple[str, ...]
    python: str | None
    registry: bool
    live_registry: bool
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DoctorOptions:
        from inspector._internal.doctor import tensorflow_missing

        if args.timeout <= 0:
            raise InspectorError(f"--timeout must be positive, not {args.timeout:g}")
        for library in args.op_library:
            if not Path(library).is_file():
                raise InspectorError(f"{library}: no such op library")
        python = args.python
        if python is not None and not (Path(python).is_file() and os.access(python, os.X_OK)):
            raise InspectorError(f"{python}: not an executable Python interpreter (--python)")
        if args.try_load and tensorflow_missing(python):
            where = python or "inspector's Python"
            raise InspectorError(
                f"{where}: has no TensorFlow to load the model with (--try-load); install the extra "
                "(pip install 'savedmodel-inspector[tensorflow]') or point --python at an interpreter that "
                "has it"
            )
        return cls(
            model=args.model,
            tags=args.tags,
            try_load=args.try_load,
            allow_risky_load=args.allow_risky_load,
            timeout=args.timeout,
            op_libraries=tuple(args.op_library),
            imports=tuple(args.imports),
            python=python,
            registry=not args.no_registry,
            live_registry=args.live_registry,
            output=Output.from_args(args),
        )


def run(args: argparse.Namespace) -> int:
    return diagnose_model(DoctorOptions.from_args(args))


def diagnose_model(options: DoctorOptions) -> int:
    from inspector._internal import api

    doing = (
        f"loading the model in a child process (timeout {options.timeout:g} s)"
        if options.try_load
        else "importing TensorFlow for its op registry"
    )
    slow = options.try_load or (options.live_registry and options.registry)
    with working(doing, when=slow, quiet=options.output.quiet):
        result = api.doctor(
            options.model,
            tags=options.tags,
            try_load=options.try_load,
            timeout=options.timeout,
            op_libraries=options.op_libraries,
            imports=options.imports,
            registry=options.registry,
            live_registry=options.live_registry,
            python=options.python,
            allow_risky_load=options.allow_risky_load,
        )
    return emit(result, options.output)
