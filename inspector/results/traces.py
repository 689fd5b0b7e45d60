"""The results of `inspector trace` and `inspector where`: ops, the stacks that created them, and the
source lines around each frame."""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass, field
from typing import ClassVar, Literal, NamedTuple

from inspector._internal.view import Frame, Trace
from inspector.results.common import Coverage, Displayable, ModelRef, Verdict


# A NamedTuple, as the view's nodes are: `where` on a large model's line lists 200k of them, and a
# frozen dataclass costs several times more to make.
class OpRef(NamedTuple):
    """An op, as trace and where list it."""

    node_key: str
    node_name: str
    op_type: str
    function: str
    aliases: tuple[str, ...]


class SourceContext(NamedTuple):
    """Lines around one frame's line, read from the local copy of the recorded file."""

    file: str  # as recorded in the debug info
    line: int
    local_path: str
    first_line: int
    lines: tuple[str, ...]


class Sources(NamedTuple):
    """Source context for the frames a result shows, the recorded files not found here, and those not
    read because a model names them: only `.py` files under the places the user named are read."""

    contexts: tuple[SourceContext, ...] = ()
    missing_files: tuple[str, ...] = ()
    withheld_files: tuple[str, ...] = ()  # outside the working directory and --source-root, or no .py
    read_from: tuple[str, ...] = ()  # the folders source may be read from (when some file was withheld)

    def context_for(self, frame: Frame) -> SourceContext | None:
        for context in self.contexts:
            if context.file == frame.file and context.line == frame.line:
                return context
        return None


class Selector(NamedTuple):
    """Which ops to trace; every given field must match (they combine with AND)."""

    pattern: str | None = None  # node key or glob; without `@` it may match the node name alone
    op: str | None = None  # op type or glob
    function: str | None = None  # function name or glob
    alias: str | None = None
    signature: str | None = None
    namespace: str | None = None

    @property
    def is_empty(self) -> bool:
        return all(
            value is None
            for value in (self.pattern, self.op, self.function, self.alias, self.signature, self.namespace)
        )


class TraceGroup(NamedTuple):
    """One distinct creation stack and every selected op it created."""

    trace: Trace
    ops: tuple[OpRef, ...]
    # When other groups show the same user frames (Keras 3 creates every layer's ops from one line of
    # the serving function), what tells this one apart: its ops' name scope (the layer) and the innermost
    # library frame. Empty when the user frames alone are distinct.
    label: str = ""


class SiteSummary(NamedTuple):
    """A source line that created ops (the innermost user frame of their traces)."""

    file: str
    line: int
    function: str
    op_count: int
    op_types: tuple[tuple[str, int], ...]  # most common first
    functions: tuple[str, ...]


@dataclass(frozen=True, slots=True, repr=False)
class TraceResult(Displayable):
    kind: ClassVar[Literal["trace"]] = "trace"

    model: ModelRef
    selector: Selector
    all_frames: bool
    selected_ops: int
    groups: tuple[TraceGroup, ...]  # with a selector: each distinct trace once, most ops first
    untraced: tuple[OpRef, ...]  # selected ops with no trace
    sites: tuple[SiteSummary, ...]  # without a selector: traced ops grouped by creating line
    coverage: Coverage
    sources: Sources = field(default_factory=Sources)

    @property
    def found(self) -> bool:
        return bool(self.selected_ops) if not self.selector.is_empty else bool(self.sites)

    @property
    def verdict(self) -> Verdict:
        return Verdict.FOUND if self.found else Verdict.NOT_FOUND

    @property
    def traced_ops(self) -> int:
        return self.selected_ops - len(self.untraced)


class WhereQuery(NamedTuple):
    """`FILE[:LINE]`: a path or path suffix (matched on whole path components) and an optional line."""

    file: str
    line: int | None
    innermost: bool = False

    @classmethod
    def parse(cls, text: str, innermost: bool = False) -> WhereQuery:
        head, sep, tail = text.rpartition(":")
        if sep and tail.isdigit() and head:
            return cls(head, int(tail), innermost)
        return cls(text, None, innermost)

    def matches_file(self, recorded: str) -> bool:
        """Whether a recorded path is the queried file, both normalized (`/src/../gen/x.py` is
        `/gen/x.py`: a script run as `python ../gen/x.py` records the first)."""
        recorded = normalized_path(recorded)
        wanted = normalized_path(self.file)
        return recorded == wanted or recorded.endswith("/" + wanted)


@functools.lru_cache(maxsize=4096)  # a model records few distinct files, each on thousands of frames
def normalized_path(path: str) -> str:
    """A recorded path with `.`, `..` and repeated separators resolved lexically, `/` as separator."""
    posix = path.replace("\\", "/")
    normal = posixpath.normpath(posix) if posix else posix
    return normal[2:] if normal.startswith("./") else normal


class WhereHit(NamedTuple):
    """Ops of one function created by one stack that holds the queried source."""

    lines: tuple[int, ...]  # the query file's lines on that stack
    site: Frame | None  # the stack's creation site (innermost user frame)
    ops: tuple[OpRef, ...]


class WhereGroup(NamedTuple):
    function: str
    aliases: tuple[str, ...]
    signatures: tuple[str, ...]
    hits: tuple[WhereHit, ...]

    @property
    def op_count(self) -> int:
        return sum(len(hit.ops) for hit in self.hits)


class NearbyLine(NamedTuple):
    """A recorded line of the queried file near a line that created nothing, and how many ops it made."""

    file: str
    line: int
    op_count: int


@dataclass(frozen=True, slots=True, repr=False)
class WhereResult(Displayable):
    kind: ClassVar[Literal["where"]] = "where"

    model: ModelRef
    query: WhereQuery
    files: tuple[str, ...]  # recorded paths that matched the query's file
    op_count: int
    groups: tuple[WhereGroup, ...]
    coverage: Coverage
    # When a line created nothing but its file is recorded: the nearest lines that did (Keras 3 creates
    # a layer's ops when the model is called, so its definition line is on no stack, but the call is).
    nearby: tuple[NearbyLine, ...] = ()

    @property
    def found(self) -> bool:
        return self.op_count > 0

    @property
    def verdict(self) -> Verdict:
        return Verdict.FOUND if self.found else Verdict.NOT_FOUND
