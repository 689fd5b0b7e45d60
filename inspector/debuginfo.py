"""`debug/saved_model_debug_info.pb` (a GraphDebugInfo) in either layout -> one trace index.

Two layouts exist and both must read the same:
- id-based (TF >= 2.15): `name_to_trace_id[key] -> id`, `traces_by_id[id].frame_id[]`,
  `frames_by_id[frame_id]` -- frames and traces are shared, so we build each Frame and Trace once.
- legacy (TF <= 2.14): `traces[key].file_line_cols[]`, every trace spelled out; we intern identical
  traces so that both layouts give one Trace per distinct stack, numbered in first-seen key order.

Frames are also classified here: a frame is the model author's ("user") unless its file belongs to
TensorFlow, Keras, absl, other framework packages, the standard library, or inspector itself. The paths
are the saving machine's, so classification reads the path's shape, not this machine's folders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from inspector.view import DebugInfo, DebugInfoLayout, DebugInfoStatus, Frame, Trace

DEBUG_INFO_PATH = Path("debug") / "saved_model_debug_info.pb"

# Top-level packages whose frames are plumbing, not the model author's code, when they sit in an
# installed-packages folder.
FRAMEWORK_PACKAGES = (
    "tensorflow",
    "tensorflow_core",
    "tf_keras",
    "keras",
    "absl",
    "google",  # protobuf
    "numpy",
    "inspector",
    "_pytest",
    "pytest",
    "pluggy",
    "IPython",
    "ipykernel",
    "wrapt",
    "typing_extensions",
    "optree",
)

_SITE = r"(?:site|dist)-packages"
_FRAMEWORK_RE = re.compile(
    rf"(?:^|[/\\]){_SITE}[/\\](?:{'|'.join(re.escape(p) for p in FRAMEWORK_PACKAGES)})(?:[/\\]|\.py$)"
    # The standard library: .../lib/python3.11/x.py (but not its site-packages), and frozen modules.
    rf"|(?:^|[/\\])lib[/\\]python\d+(?:\.\d+)?[/\\](?!{_SITE})"
    r"|^<frozen "
    # Code TensorFlow generates and exec()s, such as the Python wrappers of a custom-op library.
    r"|^<string>$"
    # inspector run from a source checkout (editable install): its own CLI and save entry points.
    r"|(?:^|[/\\])inspector[/\\](?:cli|save|__main__)\.py$"
    # A console script's wrapper (bin/inspector, bin/pytest).
    r"|(?:^|[/\\])bin[/\\](?:inspector|pytest|py\.test|ipython)$"
)


def is_user_file(path: str) -> bool:
    """True when a frame in `path` is the model author's code rather than a framework's."""
    return not _FRAMEWORK_RE.search(path)


def read_debug_info(model_dir: Path, graph_debug_info_cls: Any) -> DebugInfo:
    """Read the debug info beside a SavedModel; never raises for a bad file, it reports it."""
    path = model_dir / DEBUG_INFO_PATH
    if not path.is_file():
        return DebugInfo(status=DebugInfoStatus.MISSING, path=path)
    message = graph_debug_info_cls()
    try:
        message.ParseFromString(path.read_bytes())
        return index_debug_info(message, path)
    except Exception as error:  # any parse failure means the same thing to the user: corrupt
        return DebugInfo(status=DebugInfoStatus.CORRUPT, path=path, problem=_describe(error))


def _describe(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"cannot be parsed as a GraphDebugInfo ({text})"


def index_debug_info(message: Any, path: Path) -> DebugInfo:
    """Turn a parsed GraphDebugInfo into a DebugInfo; raises ValueError for dangling references."""
    files = tuple(message.files)
    user_file = [is_user_file(name) for name in files]

    def frame(file_line_col: Any) -> Frame:
        index = file_line_col.file_index
        if not 0 <= index < len(files):
            raise ValueError(f"a frame names file #{index} but the file list has {len(files)} entries")
        return Frame(
            files[index],
            file_line_col.line,
            file_line_col.col,
            file_line_col.func,
            file_line_col.code,
            user_file[index],
        )

    if len(message.name_to_trace_id):
        frames_by_id = {frame_id: frame(flc) for frame_id, flc in message.frames_by_id.items()}
        traces: dict[int, Trace] = {}
        for trace_id, stack in message.traces_by_id.items():
            try:
                traces[trace_id] = Trace(trace_id, tuple(frames_by_id[f] for f in stack.frame_id))
            except KeyError as missing:
                raise ValueError(f"trace {trace_id} names frame {missing} which is not recorded") from None
        ids = dict(message.name_to_trace_id.items())
        dangling = next((i for i in ids.values() if i not in traces), None)
        if dangling is not None:
            raise ValueError(f"a key names trace {dangling} which is not recorded")
        layout = DebugInfoLayout.ID_BASED
    elif len(message.traces):
        traces, ids = _intern_legacy(message.traces, frame)
        layout = DebugInfoLayout.LEGACY
    else:
        traces, ids, layout = {}, {}, DebugInfoLayout.EMPTY
    return DebugInfo(
        status=DebugInfoStatus.PRESENT,
        path=path,
        layout=layout,
        files=files,
        traces=MappingProxyType(traces),
        trace_id_by_key=MappingProxyType(ids),
    )


def _intern_legacy(legacy_traces: Mapping[str, Any], frame: Any) -> tuple[dict[int, Trace], dict[str, int]]:
    frames: dict[tuple[int, int, int, str, str], Frame] = {}
    trace_ids: dict[tuple[Frame, ...], int] = {}
    traces: dict[int, Trace] = {}
    ids: dict[str, int] = {}
    for key in sorted(legacy_traces):  # a stable numbering, independent of map order on disk
        stack = []
        for flc in legacy_traces[key].file_line_cols:
            identity = (flc.file_index, flc.line, flc.col, flc.func, flc.code)
            cached = frames.get(identity)
            if cached is None:
                cached = frames[identity] = frame(flc)
            stack.append(cached)
        frames_tuple = tuple(stack)
        trace_id = trace_ids.get(frames_tuple)
        if trace_id is None:
            trace_id = trace_ids[frames_tuple] = len(trace_ids)
            traces[trace_id] = Trace(trace_id, frames_tuple)
        ids[key] = trace_id
    return traces, ids
