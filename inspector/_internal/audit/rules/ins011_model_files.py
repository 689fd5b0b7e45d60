"""INS011 model-files: the files a SavedModel needs to load, present and whole.

Why it matters: a SavedModel is a folder, and it is copied, uploaded and downloaded as many files. A
variables data shard left behind, a shard cut short by an interrupted transfer, a variables index that
cannot be read or an asset that did not come along makes the model fail to load -- at deploy time, far
from where the copy went wrong. An asset whose recorded file name leads out of assets/ (`..`, an absolute
path, a symbolic link) makes the loader open a file of the serving machine instead. The checkpoint index says which shards the variables need and how many
bytes of each; it is read without TensorFlow. A saved_model.pb close to protobuf's 2 GiB limit for one
message is a warning: the next export may not save at all. TF Serving replays `assets.extra/
tf_serving_warmup_requests` at load: a request naming a signature the model lacks, or other input keys than
the signature's, or a file it cannot read, fails the load (an error).

Example: `variables data shard variables.data-00000-of-00001 is truncated: 100 bytes, the index needs 239`.

Fix: copy the whole SavedModel folder again (variables/ and assets/ included) from the original export;
move large constants into variables or assets so they are saved outside the graph.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector._internal.audit.context import AuditContext
from inspector._internal.checkpoint import INDEX_FILE, CheckpointIndexError, read_bundle_index
from inspector._internal.modelfile import PROTOBUF_LIMIT
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS011",
    "model-files",
    "A file the model needs to load is missing, truncated or unreadable",
    __doc__ or "",
    Severity.ERROR,
)

#: Share of protobuf's 2 GiB message limit above which saved_model.pb gets a warning.
SIZE_WARNING_FRACTION = 0.8

# The sorts of finding (Finding.kind), as the doctor names its problems.
MISSING = "missing-file"
TRUNCATED = "truncated-file"
CORRUPT = "corrupt-file"
SIZE = "file-size"
OUTSIDE = "asset-outside"
WARMUP = "warmup"


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    view = context.view
    size = view.model_file.stat().st_size
    if size > SIZE_WARNING_FRACTION * PROTOBUF_LIMIT:
        yield _finding(
            Severity.WARNING,
            SIZE,
            f"{view.model_file.name} is {size / 2**30:.2f} GiB, close to protobuf's 2 GiB limit for one message",
            "move large constants into variables or assets, so they are saved outside the graph",
            str(view.model_file),
        )
    yield from _checkpoint(context)
    yield from _warmup(context)
    for asset in view.assets:
        path = view.path / "assets" / asset.filename
        if asset.outside is not None:
            # Not joined into a path of ours: the name is the author's, and it leads out of the model.
            yield _finding(
                Severity.ERROR,
                OUTSIDE,
                f"asset {asset.filename!r} (tensor {asset.tensor_name}) {asset.outside}: a loader opens a "
                "file outside the model's assets/ folder",
                "re-export the model with the asset copied in; never serve a model whose assets lead out of it",
                f"assets/{asset.filename}",
            )
        elif not path.is_file():
            yield _finding(
                Severity.ERROR,
                MISSING,
                f"asset {asset.filename!r} (tensor {asset.tensor_name}) is missing",
                f"copy the asset back to {path}, or re-export the model",
                str(path),
            )


def _finding(severity: Severity, kind: str, message: str, fix: str, file: str, identity: str = "") -> Finding:
    return Finding(INFO.id, severity, message, fix, Location(file=file), identity=identity or kind, kind=kind)


def _warmup(context: AuditContext) -> Iterator[Finding]:
    """TF Serving replays the warmup requests when it loads the model, and fails the load when one names a
    signature the model lacks or other input keys than the signature's, or the file cannot be read."""
    view = context.view
    warmup = view.warmup
    if warmup is None:
        return
    where = str(warmup.path)
    fix = "regenerate the warmup requests against this model's signatures, or remove the file"
    if warmup.problem is not None:
        yield _finding(
            Severity.ERROR,
            WARMUP,
            f"TF Serving's warmup file {warmup.problem}: it refuses the load",
            fix,
            where,
            "warmup:file",
        )
    if warmup.limited:
        yield _finding(
            Severity.WARNING,
            WARMUP,
            f"TF Serving's warmup file is {warmup.limited}",
            fix,
            where,
            "warmup:limited",
        )
    for request in warmup.requests:
        for signature_name in request.signatures:
            signature = view.signatures.get(signature_name)
            if signature is None:
                yield _finding(
                    Severity.ERROR,
                    WARMUP,
                    f"warmup request {request.position} ({request.kind}) calls signature {signature_name!r}, which the "
                    f"model does not have ({', '.join(sorted(view.signatures)) or 'none'}): TF Serving refuses the load",
                    fix,
                    where,
                    f"warmup:{request.position}:{signature_name}",
                )
            elif request.kind == "predict":
                wanted = {spec.name for spec in signature.inputs}
                if set(request.inputs) != wanted:
                    yield _finding(
                        Severity.ERROR,
                        WARMUP,
                        f"warmup request {request.position} feeds {', '.join(request.inputs) or 'no input'} to "
                        f"{signature_name!r}, which takes {', '.join(sorted(wanted)) or 'none'}: TF Serving "
                        "refuses the load",
                        fix,
                        where,
                        f"warmup:{request.position}:{signature_name}:inputs",
                    )


def _checkpoint(context: AuditContext) -> Iterator[Finding]:
    view = context.view
    index_path = view.path / INDEX_FILE
    if not index_path.is_file():
        if view.variables:
            yield _finding(
                Severity.ERROR,
                MISSING,
                f"the model has {len(view.variables)} variables but no {INDEX_FILE}",
                "copy the whole SavedModel directory, variables/ included",
                str(index_path),
            )
        return
    try:
        index = read_bundle_index(index_path)
    except (CheckpointIndexError, OSError) as error:
        yield _finding(
            Severity.ERROR,
            CORRUPT,
            f"the variables index cannot be read: {error}",
            "copy variables/ again from the original export",
            str(index_path),
        )
        return
    for shard, needed in sorted(index.required_sizes().items()):
        path = index.shard_path(view.path, shard)
        if not path.is_file():
            yield _finding(
                Severity.ERROR,
                MISSING,
                f"variables data shard {path.name} is missing ({shard + 1} of {index.num_shards})",
                "copy the whole variables/ directory from the original export",
                str(path),
            )
        elif path.stat().st_size < needed:
            yield _finding(
                Severity.ERROR,
                TRUNCATED,
                f"variables data shard {path.name} is truncated: {path.stat().st_size} bytes, the index needs {needed}",
                "copy the file again (an interrupted upload or download truncates it)",
                str(path),
            )
