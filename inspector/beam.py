"""Auditing a registry on many machines: an Apache Beam pipeline that writes the records `inspector scan`
writes, one per model (install `savedmodel-inspector[beam]`).

    import apache_beam as beam
    from inspector import Policy
    from inspector.beam import AuditSavedModels, ScanOptions

    with beam.Pipeline() as pipeline:
        records = pipeline | AuditSavedModels(["gs://models/prod"], ScanOptions(Policy(whitelist=("Acme",))))

or from a shell, on any runner Beam has (DirectRunner here, Dataflow, Flink, Spark):

    python -m inspector.beam --input gs://models/prod --output gs://audits/prod/records \\
        --runner DataflowRunner --project P --region R --temp_location gs://audits/tmp

Models are matched through Beam's own FileSystems (a folder holding saved_model.pb or .pbtxt, at any
depth), so every scheme Beam reads works: local paths, gs://, s3://, hdfs://. Matches are reshuffled
across workers; each DoFn instance keeps one worker process (spawned: a runner's threads make fork
unsafe) and audits each model in it under the same time and memory limits as `scan`. A model on a remote
filesystem is first copied to the machine's local disk (at most MAX_COPY_BYTES), its record naming the
remote path. As on one machine, a local walk follows no link.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

try:
    import apache_beam as beam
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.pvalue import PBegin, PCollection
except ImportError as missing:  # the extra is not installed: say so in one line, as every command does
    if __name__ == "__main__":
        sys.stderr.write(
            "python -m inspector.beam: error: Apache Beam is not installed: "
            "pip install 'savedmodel-inspector[beam]'\n"
        )
        raise SystemExit(2) from None
    raise ModuleNotFoundError(
        "inspector.beam needs Apache Beam: pip install 'savedmodel-inspector[beam]'", name=missing.name
    ) from missing

from inspector._internal.audit import Policy, read_baseline
from inspector._internal.discover import MODEL_FILES
from inspector._internal.errors import InspectorError
from inspector._internal.folderwalk import MAX_ENTRIES
from inspector._internal.policyargs import add_policy_options, add_verifier_options, policy_of, verifier_of
from inspector._internal.scanworkers import (
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_TIMEOUT,
    ScanOptions,
    Worker,
    error_record,
    line_of,
)
from inspector._internal.signing import signature_beside
from inspector.results.scan import ScanRecord, ScanStatus

__all__ = ["AuditSavedModels", "ScanOptions", "main"]

#: A remote model larger than this, or of more files, is not copied to the worker: an `error` record
#: says so (the local walk's bound on a model's folder is the same number of entries).
MAX_COPY_BYTES = 8 * 2**30
MAX_COPY_FILES = MAX_ENTRIES


class AuditSavedModels(beam.PTransform[PBegin, PCollection[ScanRecord]]):
    """PBegin -> a PCollection of records (dicts), one per SavedModel folder found under `patterns`."""

    def __init__(self, patterns: str | Sequence[str], options: ScanOptions | None = None) -> None:
        super().__init__()
        self.patterns = [patterns] if isinstance(patterns, str) else list(patterns)
        self.options = options or ScanOptions(Policy())

    def expand(self, pbegin: PBegin) -> PCollection[ScanRecord]:
        records: PCollection[ScanRecord] = (
            pbegin
            | "Patterns" >> beam.Create(self.patterns)
            | "FindModels" >> beam.FlatMap(find_model_folders)
            | "Once" >> beam.Distinct()
            | "Spread" >> beam.Reshuffle()
            | "Audit" >> beam.ParDo(_AuditModel(self.options))
        )
        return records


def _local_models(pattern: str) -> Iterator[str]:
    from inspector._internal.discover import Discovery, find_models
    from inspector._internal.errors import InspectorError

    discovery = Discovery()
    try:
        yield from (str(folder) for folder in find_models([pattern], discovery))
    except InspectorError:
        return  # the entry point checks that each --input matches something
    for cut in discovery.too_deep[:100]:
        yield _CUT + cut
    if discovery.stopped:
        yield _CUT + pattern


#: A found "model" that stands for a walk cut short: its record is an error, never a silent gap.
_CUT = "\0cut:"


def find_model_folders(pattern: str) -> Iterator[str]:
    """The SavedModel folders a pattern names or holds: on a local disk by scan's own bounded walk, which
    follows no link below the pattern (a folder named here is read even if it is a link), elsewhere through
    Beam's FileSystems. Like `scan`, a model inside another model's folder is not another model."""
    pattern = pattern.rstrip("/")
    if FileSystems.get_scheme(pattern) is None:
        # scan's own walk, bounded in depth and entries and following no link: Beam's `**` match recurses
        # once per level (a folder 1,100 levels deep killed the pipeline with a RecursionError).
        yield from _local_models(pattern)
        return
    wanted = [FileSystems.join(pattern, name) for name in MODEL_FILES]
    wanted += [FileSystems.join(pattern, "**", name) for name in MODEL_FILES]
    folders = set()
    for result in FileSystems.match(wanted):
        for metadata in result.metadata_list:
            folder, name = FileSystems.split(metadata.path)
            if name in MODEL_FILES:
                folders.add(folder)
    ordered = sorted(folders)
    outermost: list[str] = []
    for folder in ordered:
        if not any(folder.startswith(model.rstrip("/") + "/") for model in outermost):
            outermost.append(folder)
    yield from outermost


class _AuditModel(beam.DoFn):
    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        self.worker: Worker | None = None

    def setup(self) -> None:
        self.rules_version = self.options.rules_version()
        self.worker = Worker(self.options, self.rules_version, start_method="spawn")

    def process(self, folder: str) -> Iterable[ScanRecord]:
        assert self.worker is not None
        if folder.startswith(_CUT):
            where = folder.removeprefix(_CUT)
            yield error_record(
                where,
                ScanStatus.ERROR,
                f"{where}: not searched: the walk stops here (too deep, or too many entries)",
            )
            return
        if FileSystems.get_scheme(folder) is None:
            record, self.worker = self.worker.audit(Path(folder))
            yield record
            return
        with tempfile.TemporaryDirectory(prefix="inspector-beam-") as scratch:
            local = Path(scratch) / "model"
            problem = copy_model(folder, local)
            if problem:
                yield error_record(folder, ScanStatus.ERROR, f"{folder}: {problem}")
                return
            if self.options.verifier is not None:
                copy_signature(folder, local)
            record, self.worker = self.worker.audit(local)
        yield _named(record, folder)

    def teardown(self) -> None:
        if self.worker is not None:
            self.worker.stop()


def copy_model(folder: str, local: Path) -> str | None:
    """Copy a remote model folder to `local`; what is wrong, or None."""
    [result] = FileSystems.match([FileSystems.join(folder, "**")])
    files = [m for m in result.metadata_list if not m.path.endswith("/")]
    if len(files) > MAX_COPY_FILES:
        return f"{len(files)} files is over the {MAX_COPY_FILES}-file limit for copying a model to a worker"
    total = sum(m.size_in_bytes for m in files)
    if total > MAX_COPY_BYTES:
        return f"{total} bytes is over the {MAX_COPY_BYTES}-byte limit for copying a model to a worker"
    prefix = folder.rstrip("/") + "/"
    for metadata in files:
        relative = metadata.path[len(prefix) :]
        target = (local / relative).resolve()
        if not relative or ".." in Path(relative).parts or local.resolve() not in target.parents:
            return f"{metadata.path}: a name that leaves the model's folder"
        target.parent.mkdir(parents=True, exist_ok=True)
        with FileSystems.open(metadata.path) as source, open(target, "wb") as sink:  # noqa: PTH123
            shutil.copyfileobj(source, sink)
    return None


#: A signature is a small Sigstore bundle: a larger file beside a model is not copied to the worker.
MAX_SIGNATURE_BYTES = 16 * 2**20


def copy_signature(folder: str, local: Path) -> None:
    """The remote model's signature (FOLDER.sig beside it), copied beside the local copy, when there is
    one of a signature's size (--require-signature; without it the model's record says it is unsigned)."""
    remote = folder.rstrip("/") + ".sig"
    [result] = FileSystems.match([remote])
    found = [m for m in result.metadata_list if m.path == remote]
    if not found or found[0].size_in_bytes > MAX_SIGNATURE_BYTES:
        return
    with FileSystems.open(remote) as source, open(signature_beside(local), "wb") as sink:  # noqa: PTH123
        shutil.copyfileobj(source, sink)


def _named(record: ScanRecord, remote: str) -> ScanRecord:
    """A copied model's record as the remote path's: its path, and the model in the audit document."""
    document = record.audit
    if isinstance(document, dict) and isinstance(document.get("model"), dict):
        document = {**document, "model": {**document["model"], "path": remote}}
    return replace(record, path=remote, audit=document)


# --- python -m inspector.beam --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """The pipeline from a shell: exit 0 when every model is ok, 1 when one has findings at or above
    --fail-on, 2 for bad input, a model that could not be audited, or an --input that matches nothing --
    scan's statuses -- with a summary line on stderr, read back from the records written."""
    from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions

    parser = argparse.ArgumentParser(
        allow_abbrev=False,  # an option is named in full, never guessed from a prefix
        prog="python -m inspector.beam",
        description="Audit every SavedModel under --input, on any Beam runner; one JSON line per model, "
        "the records `inspector scan` writes. Other options go to Beam (--runner, --project, ...).",
    )
    parser.add_argument(
        "--input", action="append", required=True, help="a folder, model or glob (repeatable)"
    )
    parser.add_argument("--output", required=True, help="prefix of the JSON-lines files written")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per model")
    parser.add_argument("--max-memory", type=int, default=DEFAULT_MAX_MEMORY_MB, help="MB per model; 0: none")
    parser.add_argument(
        "--tags", type=lambda text: tuple(t for t in text.split(",") if t), metavar="TAG[,TAG]"
    )
    add_policy_options(parser)
    parser.add_argument(
        "--require-signature",
        action="store_true",
        help="verify each model's signature (MODEL.sig beside it) and audit record, as `scan` does",
    )
    add_verifier_options(parser)
    known, pipeline_args = parser.parse_known_args(argv)
    try:
        verifier = verifier_of(known) if known.require_signature else None
    except InspectorError as error:
        sys.stderr.write(f"{parser.prog}: error: {error}\n")
        return 2
    options = ScanOptions(
        policy_of(known),
        baseline=read_baseline(known.baseline),
        tags=known.tags,
        timeout=known.timeout,
        max_memory_mb=known.max_memory,
        verifier=verifier,
    )
    for pattern in known.input:
        if not _matches(pattern):
            sys.stderr.write(f"{parser.prog}: error: --input {pattern}: matches nothing\n")
            return 2
    pipeline_options = PipelineOptions(pipeline_args)
    # The workers import inspector: the pipeline's main session need not travel with them.
    pipeline_options.view_as(SetupOptions).save_main_session = False
    with beam.Pipeline(options=pipeline_options) as pipeline:
        (
            pipeline
            | "AuditSavedModels" >> AuditSavedModels(known.input, options)
            | "Json" >> beam.Map(line_of)
            | "Write" >> beam.io.WriteToText(known.output, file_name_suffix=".jsonl")
        )
    return _summary(known.output, parser.prog)


def _matches(pattern: str) -> bool:
    """Whether a pattern names anything Beam's FileSystems can read (a folder, a file, a glob's matches)."""
    try:
        found = FileSystems.match([pattern])
    except Exception:  # Beam raises its own errors for a scheme or a path it cannot read
        return False
    return any(result.metadata_list for result in found)


def _summary(output: str, prog: str) -> int:
    """The statuses of the records written (read back a line at a time), said in one line; scan's exit."""
    statuses: Counter[str] = Counter()
    for result in FileSystems.match([output + "*.jsonl"]):
        for metadata in result.metadata_list:
            with FileSystems.open(metadata.path) as stream:
                for line in stream:
                    statuses[str(json.loads(line).get("status", "error"))] += 1
    models = sum(statuses.values())
    said = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())) or "no model found"
    sys.stderr.write(f"{prog}: {models} model{'s' if models != 1 else ''}: {said}\n")
    if not models:
        return 2
    return max(
        ScanStatus(status).exit_code if status in ScanStatus.__members__.values() else 2
        for status in statuses
    )


if __name__ == "__main__":
    sys.exit(main())
