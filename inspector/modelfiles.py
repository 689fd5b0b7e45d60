"""What a model's folder holds beyond the SavedModel format: a bounded walk that follows no link, and what
each file is, judged by its bytes rather than its name -- pickles (with the globals they import), shared
libraries and executables, scripts, archives.

A pickle is read with the standard library's `pickletools.genops`, which decodes opcodes and runs
nothing: the modules and names its GLOBAL / STACK_GLOBAL opcodes would import are what matters.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: What the SavedModel format (and Keras 2's loader) defines at the top of a model's folder.
FORMAT_FILES = frozenset({"saved_model.pb", "saved_model.pbtxt", "fingerprint.pb", "keras_metadata.pb"})
FORMAT_FOLDERS = frozenset({"variables", "assets", "assets.extra", "debug"})
#: The walk's bounds: more entries, or deeper, than any real model has.
MAX_ENTRIES = 10_000
MAX_DEPTH = 32
#: Bytes read from a file to tell what it is, and at most read of a pickle.
SNIFF_BYTES = 4096
MAX_PICKLE_BYTES = 64 * 2**20


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A file (or a link, or a special file) in the model's folder that is worth a word."""

    path: str  # relative to the model's folder
    kind: str  # pickle, shared-library, executable, script, archive, link, special, other
    in_format: bool  # where the format puts files (variables/, assets/, ...) rather than beside them
    size: int = 0
    globals: tuple[str, ...] = ()  # for a pickle: the `module.name` it would import
    problem: str = ""  # for a pickle that could not be read to the end


@dataclass(frozen=True, slots=True)
class FolderContents:
    files: tuple[ModelFile, ...]
    truncated: bool  # the walk stopped at MAX_ENTRIES or MAX_DEPTH


class FolderWalk:
    """Every entry under a model's folder, folder by folder in name order, never through a link: its
    path, its path relative to the folder (with `/`) and its lstat. Bounded by MAX_ENTRIES entries and
    MAX_DEPTH levels; `truncated` says, once the walk is done, whether a bound cut it short. The audit's
    look at a folder (`scan_folder`) and the scan's content hash walk the same entries."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self.truncated = False

    def __iter__(self) -> Iterator[tuple[str, str, os.stat_result]]:
        prefix = len(str(self.model_dir).rstrip(os.sep)) + 1  # entry.path: the folder, a separator, names
        stack: list[tuple[str, int]] = [(str(self.model_dir), 0)]
        entries = 0
        while stack:
            folder, depth = stack.pop()
            try:
                children = sorted(os.scandir(folder), key=lambda entry: entry.name)
            except OSError:
                continue
            for entry in children:
                entries += 1
                if entries > MAX_ENTRIES:
                    self.truncated = True
                    return
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # gone since the folder was listed
                if stat.S_ISDIR(info.st_mode):
                    if depth + 1 >= MAX_DEPTH:
                        self.truncated = True
                        continue
                    stack.append((entry.path, depth + 1))
                relative = entry.path[prefix:]
                yield entry.path, relative if os.sep == "/" else relative.replace(os.sep, "/"), info


def scan_folder(model_dir: Path) -> FolderContents:
    """Every entry under `model_dir` (a `FolderWalk`); the ones the format does not define and the ones
    whose bytes say pickle, binary or script."""
    found: list[ModelFile] = []
    walk = FolderWalk(model_dir)
    for path, relative, info in walk:
        in_format = _in_format(relative)
        if stat.S_ISLNK(info.st_mode):
            found.append(ModelFile(relative, "link", in_format))
        elif stat.S_ISDIR(info.st_mode):
            continue
        elif not stat.S_ISREG(info.st_mode):
            found.append(ModelFile(relative, "special", in_format))
        else:
            described = _describe(Path(path), relative, in_format, info.st_size)
            if described is not None:
                found.append(described)
    return FolderContents(tuple(found), walk.truncated)


def _in_format(relative: str) -> bool:
    top, _, rest = relative.partition("/")
    return (not rest and top in FORMAT_FILES) or top in FORMAT_FOLDERS


def _describe(path: Path, relative: str, in_format: bool, size: int) -> ModelFile | None:
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError:
        return ModelFile(relative, "other", in_format, size, problem="cannot be read")
    kind = _kind(head, relative)
    if kind == "pickle":
        imported, problem = pickle_globals(path)
        return ModelFile(relative, "pickle", in_format, size, imported, problem)
    if kind or not in_format:
        return ModelFile(relative, kind or "other", in_format, size)
    return None


def _kind(head: bytes, relative: str) -> str:
    if head.startswith((b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"MZ")):
        return "shared-library"
    if head.startswith(b"#!"):
        return "script"
    if (
        head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf"))
        or head[257:262] == b"ustar"
    ):
        return "archive"
    if _looks_like_pickle(head):
        return "pickle"
    if relative.endswith((".py", ".sh", ".bat", ".ps1", ".pyc")):
        return "script"
    return ""


def _looks_like_pickle(head: bytes) -> bool:
    """Protocol 2 and later open with PROTO; older ones are tried when they open with an opcode that
    starts a pickle (MARK, a GLOBAL, an empty container) and decode cleanly for a while."""
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return True
    if not head or head[:1] not in (b"(", b"c", b"]", b"}", b")", b"I", b"S", b"V", b"N"):
        return False
    import io
    import pickletools

    try:
        opcodes = 0
        for opcode, _, _ in pickletools.genops(io.BytesIO(head)):
            opcodes += 1
            if opcode.name == "STOP":
                return True
        return opcodes >= 8
    except Exception:  # not a pickle, or cut by the sniff: a short clean run already decided above
        return False


#: Modules and names whose import from a pickle runs code, opens files or processes, or talks out.
DANGEROUS_MODULES = frozenset(
    {
        "builtins",
        "__builtin__",
        "os",
        "posix",
        "nt",
        "subprocess",
        "sys",
        "socket",
        "shutil",
        "importlib",
        "runpy",
        "pty",
        "ctypes",
        "pickle",
        "marshal",
        "code",
        "codeop",
        "webbrowser",
        "urllib",
        "requests",
        "http",
        "asyncio",
        "multiprocessing",
        "tempfile",
        "pathlib",
        "io",
        "operator",
        "functools",
        "types",
        "posixpath",
        "ntpath",
        "genericpath",
    }
)
DANGEROUS_NAMES = frozenset(
    {"eval", "exec", "compile", "__import__", "open", "getattr", "system", "popen", "apply"}
)


#: What pickle_globals calls a module or name it could not follow (a STACK_GLOBAL fed by computed values).
UNKNOWN = "?"


def dangerous(global_name: str) -> bool:
    """Whether importing `module.name` from a pickle can run code, open files or processes, or talk out;
    a global whose module or name could not be read is, until shown otherwise."""
    module, _, name = global_name.rpartition(".")
    return UNKNOWN in (module, name) or module.split(".")[0] in DANGEROUS_MODULES or name in DANGEROUS_NAMES


def pickle_globals(path: Path) -> tuple[tuple[str, ...], str]:
    """The `module.name` globals a pickle would import, in order, each once; and why it could not be
    read to the end, if it could not. Nothing in it is run."""
    import io
    import pickletools

    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_PICKLE_BYTES + 1)
    except OSError as error:
        return (), f"cannot be read ({error.strerror or error})"
    problem = (
        f"over {MAX_PICKLE_BYTES} bytes: only the start was read" if len(data) > MAX_PICKLE_BYTES else ""
    )
    found: dict[str, None] = {}
    # What the last pushes were, for STACK_GLOBAL (its module and name come off the stack): strings, or
    # None for anything else; the memo, as far as it holds strings (protocol 4 memoizes both names).
    pushed: list[str | None] = []
    memo: dict[int, str | None] = {}
    try:
        for opcode, argument, _ in pickletools.genops(io.BytesIO(data[:MAX_PICKLE_BYTES])):
            name = opcode.name
            if name in ("GLOBAL", "INST") and isinstance(argument, str):
                module, _, attribute = argument.partition(" ")
                found[f"{module}.{attribute}"] = None
            elif name == "STACK_GLOBAL":
                module_name = pushed[-2] if len(pushed) >= 2 else None
                member = pushed[-1] if pushed else None
                # A name this reading cannot follow is reported as unknown, never skipped.
                found[f"{module_name or UNKNOWN}.{member or UNKNOWN}"] = None
                pushed.append(None)
            elif name == "MEMOIZE":
                memo[len(memo)] = pushed[-1] if pushed else None
            elif name in ("PUT", "BINPUT", "LONG_BINPUT") and isinstance(argument, int):
                memo[argument] = pushed[-1] if pushed else None
            elif name in ("GET", "BINGET", "LONG_BINGET") and isinstance(argument, int):
                pushed.append(memo.get(argument))
            elif opcode.stack_after and opcode.stack_after[-1].name in ("str", "bytes_or_str", "unicode"):
                pushed.append(str(argument) if isinstance(argument, str) else None)
            elif opcode.stack_after:
                pushed.append(None)
            del pushed[:-4]
            if name == "STOP":
                break
    except Exception as error:  # a corrupt or hostile stream: what was decoded still counts
        problem = problem or f"stops decoding ({type(error).__name__})"
    return tuple(found), problem
