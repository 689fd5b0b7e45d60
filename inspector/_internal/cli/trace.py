"""`inspector trace`: its parser and its runner, side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inspector._internal.cli.arguments import (
    add_output_options,
    add_reading_options,
    add_source_options,
    model_argument,
)
from inspector._internal.cli.output import Output, emit
from inspector._internal.render.words import EXIT_MEANINGS

if TYPE_CHECKING:
    from inspector.results.traces import Selector

EPILOG = f"""\
examples:
  inspector trace model/                              # every traced op, by the line that created it
  inspector trace model/ 'add@__inference_*'          # node key glob
  inspector trace model/ '*/Relu' --signature serving_default
  inspector trace model/ --op 'Acme>*' --alias serve --context 4
  inspector trace model/ --namespace Acme --source-root /home/ci/src=.

exit status: {EXIT_MEANINGS["trace"]}.
"""


def declare(trace_cmd: argparse.ArgumentParser) -> None:
    trace_cmd.description = (
        "Show the Python stacks that created ops, from the model's debug info. Selectors "
        "combine (all must match); without one, every traced op is listed by the source line that created it."
    )
    trace_cmd.epilog = EPILOG
    model_argument(trace_cmd)
    trace_cmd.add_argument(
        "pattern",
        nargs="?",
        metavar="KEY-OR-GLOB",
        help="node key (node@function) or glob; or a node name glob",
    )
    trace_cmd.add_argument("--op", metavar="TYPE", help="op type or glob (e.g. MatMul, 'Acme>*')")
    trace_cmd.add_argument("--function", metavar="NAME", help="function name or glob")
    trace_cmd.add_argument("--alias", metavar="ALIAS", help="every concrete function behind a function alias")
    trace_cmd.add_argument("--signature", metavar="NAME", help="every op reachable from a signature")
    trace_cmd.add_argument("--namespace", metavar="NS", help="ops of a namespace (NS>Op)")
    add_source_options(trace_cmd)
    trace_cmd.add_argument(
        "--all-frames", action="store_true", help="also show TensorFlow's and Python's frames"
    )
    add_reading_options(trace_cmd, whitelist=False)
    add_output_options(trace_cmd, "trace")
    trace_cmd.set_defaults(run=run)


class TraceOptions(NamedTuple):
    """`inspector trace`'s command line, typed."""

    model: Path
    tags: tuple[str, ...] | None
    selector: Selector
    all_frames: bool
    source_roots: tuple[str, ...]  # OLD=NEW, read by tracing.SourceRoot.parse
    context: int
    output: Output

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> TraceOptions:
        from inspector.results.traces import Selector

        selector = Selector(
            pattern=args.pattern,
            op=args.op,
            function=args.function,
            alias=args.alias,
            signature=args.signature,
            namespace=args.namespace,
        )
        return cls(
            args.model,
            args.tags,
            selector,
            args.all_frames,
            tuple(args.source_root),
            args.context,
            Output.from_args(args),
        )


def run(args: argparse.Namespace) -> int:
    return trace_ops(TraceOptions.from_args(args))


def trace_ops(options: TraceOptions) -> int:
    from inspector._internal.loader import load
    from inspector._internal.tracing import SourceRoot, trace

    roots = [SourceRoot.parse(entry) for entry in options.source_roots]
    view = load(options.model, tags=options.tags)
    result = trace(
        view, options.selector, all_frames=options.all_frames, source_roots=roots, context=options.context
    )
    return emit(result, options.output)
