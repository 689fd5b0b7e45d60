"""`debug/saved_model_debug_info.pb` (a GraphDebugInfo) in either layout -> one trace index.

Two layouts exist and both must read the same:
- id-based (TF >= 2.14): `name_to_trace_id[key] -> id`, `traces_by_id[id].frame_id[]`,
  `frames_by_id[frame_id]` -- frames and traces are shared, so we build each Frame and Trace once.
- legacy (TF 2.12 and 2.13): `traces[key].file_line_cols[]`, every trace spelled out, frames INNERMOST
  FIRST and cut to the 10 innermost (outer frames, often the user's, may be missing). We reverse them, so
  every Trace reads outermost first whatever the layout, and intern identical traces so that both layouts
  give one Trace per distinct stack, numbered in first-seen key order.

Frames are also classified here: a frame is the model author's ("user") unless its file belongs to an
installed package (any site-packages / dist-packages folder: TensorFlow, Keras, transformers,
tensorflow_text...), the standard library, or inspector itself; library frames keep the package's name.
The paths are the saving machine's, so classification reads the path's shape, not this machine's folders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from inspector._internal.fileio import PART_LIMIT, model_part_problem, read_regular_file
from inspector._internal.view import DebugInfo, DebugInfoLayout, DebugInfoStatus, Frame, Trace

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt

DEBUG_INFO_PATH = Path("debug") / "saved_model_debug_info.pb"

# Library code is any installed package, whatever it is called and wherever the venv or prefix lives:
# the folder after site-packages / dist-packages names the package, which is evidence in itself (it says
# who made an op: `tensorflow_text`, `transformers`).
_INSTALLED = re.compile(r"(?:^|[/\\])(?:site|dist)-packages[/\\]([^/\\]+)")
_STDLIB = re.compile(
    # .../lib/python3.11/x.py (site-packages was matched first), Windows' ...\Lib\x.py, frozen modules.
    r"(?:^|[/\\])lib[/\\]python\d+(?:\.\d+)?[/\\]|^[A-Za-z]:\\[^\\]*\\Lib\\|^<frozen "
)
_TOOLS = (
    # Code TensorFlow generates and exec()s, such as the Python wrappers of a custom-op library.
    (re.compile(r"^<string>$"), "<generated>"),
    # AutoGraph's conversion of a tf.function, written to a temporary file with a random name on every
    # trace: not a file the user has, and its lines are the converted code's.
    (re.compile(r"(?:^|[/\\])__autograph_generated_file\w*\.py$"), "<autograph>"),
    # inspector run from a source checkout (editable install): its own CLI and save entry points.
    (re.compile(r"(?:^|[/\\])inspector[/\\](?:cli|save|__main__)\.py$"), "inspector"),
    # A console script's wrapper (bin/inspector, bin/pytest).
    (re.compile(r"(?:^|[/\\])bin[/\\](inspector|pytest|py\.test|ipython)$"), ""),
)
#: The library name of standard-library frames.
STDLIB = "stdlib"


def library_of(path: str) -> str:
    """The library a frame's file belongs to, by the path's shape (the paths are the saving machine's):
    the installed package (`tensorflow`, `keras`, `tensorflow_text`), `stdlib`, or `` for the model
    author's own code."""
    installed = _INSTALLED.search(path)
    if installed:
        name: str = installed.group(1)
        return name[:-3] if name.endswith(".py") else name
    if _STDLIB.search(path):
        return STDLIB
    for pattern, name in _TOOLS:
        match = pattern.search(path)
        if match:
            return name or match.group(1)
    return ""


def is_user_file(path: str) -> bool:
    """True when a frame in `path` is the model author's code rather than a library's."""
    return not library_of(path)


def read_debug_info(model_dir: Path, graph_debug_info_cls: type[fmt.GraphDebugInfo]) -> DebugInfo:
    """Read the debug info beside a SavedModel; never raises for a bad file, it reports it."""
    path = model_dir / DEBUG_INFO_PATH
    problem = model_part_problem(model_dir, path)
    if problem == "does not exist":
        return DebugInfo(status=DebugInfoStatus.MISSING, path=path)
    if problem is not None:
        return DebugInfo(status=DebugInfoStatus.CORRUPT, path=path, problem=problem)
    message = graph_debug_info_cls()
    try:
        message.ParseFromString(read_regular_file(path, PART_LIMIT, "debug info"))
        return index_debug_info(message, path)
    except Exception as error:  # any parse failure means the same thing to the user: corrupt
        return DebugInfo(status=DebugInfoStatus.CORRUPT, path=path, problem=_describe(error))


def dangling_trace(info: DebugInfo, used: Iterable[int]) -> DebugInfo | None:
    """The debug info as corrupt when one of the trace ids the model's nodes use names no recorded trace
    (a hand-edited or hostile file); None when every one is recorded."""
    missing = min((trace_id for trace_id in used if trace_id not in info.traces), default=None)
    if missing is None:
        return None
    return DebugInfo(
        status=DebugInfoStatus.CORRUPT,
        path=info.path,
        problem=_describe(ValueError(f"a key names trace {missing} which is not recorded")),
    )


def _describe(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"cannot be parsed as a GraphDebugInfo ({text})"


def _text(value: str | bytes) -> str:
    """A string field as text: some protobuf runtimes hand back `bytes` for a value that is not valid
    UTF-8; decoded here, once, with visible replacement characters."""
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def index_debug_info(message: fmt.GraphDebugInfo, path: Path) -> DebugInfo:
    """Turn a parsed GraphDebugInfo into a DebugInfo; raises ValueError for dangling references."""
    files = tuple(_text(name) for name in message.files)
    libraries = [library_of(name) for name in files]

    def frame(file_line_col: fmt.GraphDebugInfo.FileLineCol) -> Frame:
        index = file_line_col.file_index
        if not 0 <= index < len(files):
            raise ValueError(f"a frame names file #{index} but the file list has {len(files)} entries")
        return Frame(
            files[index],
            file_line_col.line,
            file_line_col.col,
            _text(file_line_col.func),
            _text(file_line_col.code),
            not libraries[index],
            libraries[index],
        )

    if len(message.name_to_trace_id):
        frames_by_id = {frame_id: frame(flc) for frame_id, flc in message.frames_by_id.items()}
        traces: dict[int, Trace] = {}
        for trace_id, stack in message.traces_by_id.items():
            try:
                traces[trace_id] = Trace(trace_id, tuple(frames_by_id[f] for f in stack.frame_id))
            except KeyError as missing:
                raise ValueError(f"trace {trace_id} names frame {missing} which is not recorded") from None
        # The parsed map itself, not a copy: a large model has a key per node (200k of them), and copying
        # them into a dict costs more than every lookup the commands then make. Whether each id names a
        # recorded trace is checked by the loader for the ids its nodes use (`dangling_trace`): the only
        # ones ever read, and a few hundred distinct ids rather than 200k values.
        ids: Mapping[str, int] = message.name_to_trace_id
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
        trace_id_by_key=MappingProxyType(ids),  # read-only: a protobuf map would add keys it is asked for
    )


def _intern_legacy(
    legacy_traces: Mapping[str, fmt.GraphDebugInfo.StackTrace],
    frame: Callable[[fmt.GraphDebugInfo.FileLineCol], Frame],
) -> tuple[dict[int, Trace], dict[str, int]]:
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
        stack.reverse()  # stored innermost first; a Trace is outermost first
        frames_tuple = tuple(stack)
        trace_id = trace_ids.get(frames_tuple)
        if trace_id is None:
            trace_id = trace_ids[frames_tuple] = len(trace_ids)
            traces[trace_id] = Trace(trace_id, frames_tuple)
        ids[key] = trace_id
    return traces, ids
