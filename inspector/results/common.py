"""What every command's result shares: the verdict (and the exit status it means), the model it is
about, and the debug info's coverage. A light module: data only, no analysis, no rendering.

Every result type carries `kind` (its command), `model`, `verdict` and `exit_code`; the JSON envelope,
the terminal's first line and the CLI's exit status are all read from them, so they cannot disagree.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol, cast, get_args

from inspector._internal.view import DebugInfoStatus

if TYPE_CHECKING:
    from inspector._internal.view import SavedModelView
    from inspector.results import CommandResult

#: The version of every command's JSON document (the envelope and its payload). Bumped when a field is
#: removed or changes meaning; adding a field keeps it. 2: the common envelope, structured diff changes.
#: 3: an audit's reach `init` became `load` (every route a loader runs at load, inspector._internal.reach).
#: 4: a report without --whitelist is `reported` (it was `passed`, though nothing was checked).
SCHEMA_VERSION = 4

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_BAD_INPUT = 2
#: A bug in inspector, never the input's fault: one line naming it, the traceback behind --debug.
EXIT_INTERNAL_ERROR = 3


class Verdict(StrEnum):
    """What a command concluded. Each verdict has one exit status, for every command."""

    PASSED = "passed"  # audit, report (--whitelist), doctor: nothing at or above the bar
    FAILED = (
        "failed"  # audit: findings at or above --fail-on; report: ops miss the whitelist; doctor: a blocker
    )
    INCOMPLETE = "incomplete"  # audit: a rule could not run, so findings may be missing
    RECORDED = "recorded"  # audit --write-baseline: today's findings were accepted
    FOUND = "found"  # trace, where, symbolicate: what was asked for is in the model
    NOT_FOUND = "not-found"
    IDENTICAL = "identical"  # diff
    DIFFERENT = "different"
    REPORTED = "reported"  # report without --whitelist: described, nothing checked
    WRITTEN = "written"  # scrub: the copy was written and verified
    LEAKED = "leaked"  # scrub: a stripped prefix still occurs in the copy

    @property
    def exit_code(self) -> int:
        if self in (
            Verdict.PASSED,
            Verdict.RECORDED,
            Verdict.REPORTED,
            Verdict.FOUND,
            Verdict.IDENTICAL,
            Verdict.WRITTEN,
        ):
            return EXIT_OK
        return EXIT_FOUND

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


class ModelRef(NamedTuple):
    """The model a result is about: the path the user gave, the meta graph read (its tags), the
    TensorFlow that wrote it and its size; empty and 0 when the model could not be read."""

    path: Path
    tags: tuple[str, ...] = ()
    tensorflow_version: str = ""
    function_count: int = 0  # library functions
    node_count: int = 0  # every op: top-level graph and functions
    # The tag sets of the meta graphs read, when the result covers several (an audit of a model of two
    # reads both: 'serve', 'train'); `tags` is then empty and the counts are the meta graphs' sum.
    meta_graphs: tuple[str, ...] = ()

    @classmethod
    def of(cls, view: SavedModelView) -> ModelRef:
        return cls(view.path, view.tags, view.tensorflow_version, len(view.functions) - 1, len(view.nodes))


class _Concluded(Protocol):
    """What `Displayable`'s methods read from the result they are mixed into."""

    @property
    def model(self) -> ModelRef: ...

    @property
    def verdict(self) -> Verdict: ...


class Displayable:
    """What every result type shares (mixed into each, declared `repr=False`): the exit status its verdict
    means; and in a notebook a one-line repr (not the dataclass's, which runs to megabytes on a large
    model), a summary a screen high with the details folded (HTML), and the Markdown page."""

    __slots__ = ()

    @property
    def exit_code(self: _Concluded) -> int:
        return self.verdict.exit_code

    def __repr__(self: _Concluded) -> str:
        tags = f" [{','.join(self.model.tags)}]" if self.model.tags else ""
        return f"<{type(self).__name__} of {str(self.model.path)!r}{tags}: {self.verdict.value}, exit {self.verdict.exit_code}>"

    def _repr_html_(self) -> str:
        # Drawn on demand only: a result never imports a renderer until a notebook asks to display it.
        from inspector._internal.render.html import render_fragment

        return render_fragment(_command_result(self), compact=True)

    def _repr_markdown_(self) -> str:
        from inspector._internal.render import OutputFormat, render

        return render(_command_result(self), OutputFormat.MARKDOWN)


def _command_result(result: Displayable) -> CommandResult:
    """Every class that mixes in Displayable is one of `CommandResult`'s (a test holds the two lists equal)."""
    return cast("CommandResult", result)


#: Each command with a result, in command order: a result's `kind`. `CommandResult` (inspector.results) is
#: the union of their types, each told apart by its kind.
Kind = Literal["report", "trace", "where", "audit", "diff", "doctor", "symbolicate", "scrub"]
KINDS: tuple[Kind, ...] = get_args(Kind)


class Result(Protocol):
    """What every command's result offers the renderers and the CLI."""

    @property
    def kind(
        self,
    ) -> Kind: ...  # each type's own ClassVar, read-only here: a protocol's ClassVar is invariant

    @property
    def model(self) -> ModelRef: ...

    @property
    def verdict(self) -> Verdict: ...

    @property
    def exit_code(self) -> int: ...


class Coverage(NamedTuple):
    """How much of the model the debug info explains, and what it names that the model lacks."""

    debug_info: DebugInfoStatus
    function_nodes: int
    traced_nodes: int
    untraced_nodes: int  # nodes TensorFlow added itself (saver plumbing, identities) or missing keys
    stale_keys: tuple[str, ...]  # keys naming a function absent from the model: debug info of another save
    # keys naming no node in a function that exists: arguments and captures that TF renamed when saving
    argument_keys: int


#: A result field's metadata that keeps it out of JSON (and so out of the schema): an internal aid, such
#: as an index kept for the pages. A field is in JSON unless it says so here: `repr` has no say.
NOT_IN_JSON: Mapping[str, bool] = MappingProxyType({"json": False})


@functools.cache
def json_fields(cls: type) -> tuple[str, ...]:
    """The names a dataclass or NamedTuple contributes to JSON: its fields (but those declared with
    `metadata=NOT_IN_JSON`), then the derived facts it names in JSON_DERIVED. The JSON renderer and the
    schemas both read this."""
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("json", True))
    else:
        names = tuple(vars(cls)["_fields"])  # a NamedTuple's, in order
    return names + tuple(getattr(cls, "JSON_DERIVED", ()))
