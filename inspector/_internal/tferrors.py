"""Reading TensorFlow's error messages: the nodes, functions and op types they name, and what kind of
load failure they describe. Shared by `symbolicate` (a runtime error's log) and `doctor` (a failed load).

Every pattern is linear by construction: no character class may also match the pattern's opening (`{{`,
`[`, the quote), so an attempt that fails stops at the next opening instead of scanning to the end of
the line, and a line of 100k `[Op:` costs 100k steps, not 10^10. A log is hostile input too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

#: Where a message names a node: `{{node X}}`, `Detected at node 'X'`, `[[X = Op[...]]]`.
NODE_PATTERNS = (
    re.compile(r"\{\{node (?P<name>[^{}]+)\}\}"),
    re.compile(r"Detected at node '(?P<name>[^']+)'"),
    re.compile(r"Detected at node (?P<name>[^\s']\S{0,1000}) defined at"),
    re.compile(r"\[\[(?!\{\{)(?:Node: )?(?P<name>[A-Za-z0-9_.>/-]+)(?: = [^\[\]]*)?\]\]"),
)
#: Where a message names a function: `{{function_node F}}`, `[Op:F]`.
FUNCTION_PATTERNS = (
    re.compile(r"\{\{function_node (?P<name>[^{}]+)\}\}"),
    re.compile(r"\[Op:(?P<name>[^\[\]\s]+)\]"),
)
_NOT_REGISTERED = re.compile(r"Op type not registered '(?P<name>[^']+)'")
_NO_KERNEL = re.compile(
    r"No OpKernel was registered to support Op '(?P<op>[^']+)'(?: used by \{\{node (?P<node>[^}]+)\}\})?"
)
_NO_FILE = re.compile(
    r"(?:Failed to find any matching files for |^)(?P<path>\S+?)(?:;| )?\s*No such file or directory|Failed to find any matching files for (?P<pattern>\S+)",
    re.M,
)
_TRUNCATED = re.compile(r"Read less bytes than requested|truncated|Data loss|DataLossError|corrupted", re.I)
_CORRUPT_PROTO = re.compile(
    r"Error parsing message|Unable to parse|DecodeError|SavedModel file does not exist", re.I
)
_VERSION = re.compile(r"(?:GraphDef )?min(?:imum)? consumer|producer version|is above current", re.I)


def node_names(text: str) -> list[str]:
    """The node names a line names, in pattern order."""
    return [m.group("name").strip() for pattern in NODE_PATTERNS for m in pattern.finditer(text)]


def function_names(text: str) -> list[str]:
    return [m.group("name") for pattern in FUNCTION_PATTERNS for m in pattern.finditer(text)]


def unregistered_op_types(text: str) -> list[str]:
    """`Op type not registered 'Acme>Scale' in binary running on ...`."""
    return [m.group("name") for m in _NOT_REGISTERED.finditer(text)]


@dataclass(frozen=True, slots=True)
class MissingKernel:
    op_type: str
    node: str  # "" when the message names no node


def missing_kernels(text: str) -> Iterator[MissingKernel]:
    """`No OpKernel was registered to support Op 'NcclAllReduce' used by {{node X}}`."""
    for m in _NO_KERNEL.finditer(text):
        yield MissingKernel(m.group("op"), m.group("node") or "")


class LoadFailure(StrEnum):
    """What a load error that names no op is about."""

    MISSING_FILE = "missing-file"
    TRUNCATED_FILE = "truncated-file"
    CORRUPT_FILE = "corrupt-file"
    VERSION = "version"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Reading:
    failure: LoadFailure
    path: str = ""  # the file a missing-file message names


def read_load_error(message: str) -> Reading:
    """The first thing a load error message is about, most specific first."""
    missing = _NO_FILE.search(message)
    if missing:
        return Reading(LoadFailure.MISSING_FILE, missing.group("path") or missing.group("pattern") or "")
    if _TRUNCATED.search(message):
        return Reading(LoadFailure.TRUNCATED_FILE)
    if _CORRUPT_PROTO.search(message):
        return Reading(LoadFailure.CORRUPT_FILE)
    if _VERSION.search(message):
        return Reading(LoadFailure.VERSION)
    return Reading(LoadFailure.OTHER)
