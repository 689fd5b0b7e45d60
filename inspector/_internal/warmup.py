"""TF Serving's warmup requests, `assets.extra/tf_serving_warmup_requests`: a TFRecord file of
`PredictionLog`s that TF Serving replays when it loads the model -- a request naming a signature the model
lacks, or the wrong input keys, makes the load fail. Read without TensorFlow or TF Serving: TFRecord framing
(checksums checked, as TF Serving's reader checks them) and the messages of `inspector/format`.

Bounded: at most MAX_RECORDS records (TF Serving replays at most 1,000) and MAX_BYTES bytes are read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from inspector._internal.protos import which_oneof
from inspector._internal.view import Warmup, WarmupRequest

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt

WARMUP_FILE = Path("assets.extra") / "tf_serving_warmup_requests"
MAX_RECORDS = 1000
MAX_BYTES = 16 * 2**20
#: What TF Serving calls a request that names no signature.
DEFAULT_SIGNATURE = "serving_default"


def read_warmup(model_dir: Path) -> Warmup | None:
    """The warmup requests, or None when the model has no warmup file. Never raises for what it holds."""
    from inspector._internal.fileio import NotRegularFile, model_file, model_part_problem

    path = model_dir / WARMUP_FILE
    problem = model_part_problem(model_dir, path)
    if problem == "does not exist":
        return None
    if problem is not None:
        return Warmup(path, (), problem)
    data = b""
    try:
        with model_file(path) as descriptor:
            while len(data) <= MAX_BYTES and (chunk := os.read(descriptor, 2**20)):
                data += chunk
    except NotRegularFile:
        return Warmup(path, (), "is not a regular file")
    except OSError as error:
        return Warmup(path, (), f"cannot be read ({error.strerror or error})")
    return _parse(path, data)


def _parse(path: Path, data: bytes) -> Warmup:
    # Imported when a model has warmup records: the checkpoint reader is no part of every load.
    from inspector._internal.checkpoint import masked_crc32c
    from inspector.format.savedmodel_format_pb2 import PredictionLog

    limited = f"over {MAX_BYTES} bytes: the first were read" if len(data) > MAX_BYTES else ""
    data = data[:MAX_BYTES]
    requests: list[WarmupRequest] = []
    position = 0
    while position < len(data):
        if len(requests) == MAX_RECORDS:
            limited = limited or f"over {MAX_RECORDS} records: TF Serving replays the first {MAX_RECORDS}"
            break
        header = data[position : position + 12]
        if len(header) < 12:
            return Warmup(path, tuple(requests), f"record {len(requests)} is cut short", limited)
        length = int.from_bytes(header[:8], "little")
        if masked_crc32c(header[:8]) != int.from_bytes(header[8:12], "little"):
            return Warmup(
                path, tuple(requests), f"record {len(requests)}: its length fails its checksum", limited
            )
        body = data[position + 12 : position + 12 + length]
        footer = data[position + 12 + length : position + 16 + length]
        if len(body) < length or len(footer) < 4:
            if limited:
                break  # cut by the bound, not by the file
            return Warmup(path, tuple(requests), f"record {len(requests)} is cut short", limited)
        if masked_crc32c(body) != int.from_bytes(footer, "little"):
            return Warmup(
                path, tuple(requests), f"record {len(requests)}: its data fails its checksum", limited
            )
        try:
            log = PredictionLog.FromString(body)
        except Exception:  # protobuf's DecodeError, or RuntimeError for deep nesting
            return Warmup(path, tuple(requests), f"record {len(requests)} is not a PredictionLog", limited)
        requests.append(_request(len(requests), log))
        position += 16 + length
    return Warmup(path, tuple(requests), None, limited)


def _request(index: int, log: fmt.PredictionLog) -> WarmupRequest:
    kind = which_oneof(log, "log_type")
    if kind == "predict_log":
        request = log.predict_log.request
        return WarmupRequest(
            index, "predict", (_signature(request.model_spec),), tuple(sorted(request.inputs))
        )
    if kind == "classify_log":
        return WarmupRequest(index, "classify", (_signature(log.classify_log.request.model_spec),))
    if kind == "regress_log":
        return WarmupRequest(index, "regress", (_signature(log.regress_log.request.model_spec),))
    if kind == "multi_inference_log":
        tasks = log.multi_inference_log.request.tasks
        return WarmupRequest(index, "multi-inference", tuple(_signature(task.model_spec) for task in tasks))
    return WarmupRequest(index, "other", ())


def _signature(spec: fmt.ModelSpec) -> str:
    return spec.signature_name or DEFAULT_SIGNATURE
