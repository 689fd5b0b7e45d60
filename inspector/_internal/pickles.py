"""What a pickle does when it is loaded, read from its opcodes and never by unpickling it: the globals it
imports, whether it calls them, and whether any of them runs code, opens files or processes, or talks
out. The unpickler's stack is followed, so a pickle that only holds data (a vocabulary) is not a payload.
"""

from __future__ import annotations

import io
import pickletools
from typing import Any

#: The most of a pickle that is decoded (a real one's opcodes before its raw data are far fewer).
MAX_PICKLE_BYTES = 64 * 2**20
UNKNOWN = "?"

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
        "torch.hub",
        "numpy.testing",
    }
)
DANGEROUS_NAMES = frozenset(
    {"eval", "exec", "compile", "__import__", "open", "getattr", "system", "popen", "apply", "load", "loads"}
)
#: What pickle_globals calls a module or name it could not follow (a STACK_GLOBAL fed by computed values).


def dangerous(global_name: str) -> bool:
    """Whether importing `module.name` from a pickle can run code, open files or processes, or talk out;
    a global whose module or name could not be read is, until shown otherwise."""
    module, _, name = global_name.rpartition(".")
    if UNKNOWN in (module, name):
        return True
    parts = module.split(".")
    prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
    return bool(prefixes & DANGEROUS_MODULES) or name in DANGEROUS_NAMES


#: Opcodes that import, and opcodes that call what was imported (or build an object of it).
_IMPORTS = frozenset({"GLOBAL", "STACK_GLOBAL", "INST"})
_CALLS = frozenset({"REDUCE", "BUILD", "OBJ", "NEWOBJ", "NEWOBJ_EX", "INST"})


def pickle_like(head: bytes) -> bool:
    """Whether the bytes could start a pickle: a byte that is an opcode (decoding decides the rest)."""
    if not head:
        return False
    try:
        next(pickletools.genops(io.BytesIO(head[:64])))
    except StopIteration:
        return False
    except Exception:  # not an opcode, or a truncated argument of a valid one
        return head[:1] in _OPENERS
    return True


_OPENERS = frozenset(bytes([code]) for code in b"\x80(cij]})NSVX\x8c\x95")


def pickle_facts(data: bytes) -> tuple[tuple[str, ...], str] | None:
    """(the `module.name` globals a pickle would import, why it could not be read to the end) when the
    bytes are a pickle -- they decode to STOP, or decode far enough to import a name (a dotted identifier)
    and call it, which pickle.load does before it meets whatever follows -- else None. Nothing is run."""
    problem = (
        f"over {MAX_PICKLE_BYTES} bytes: only the start was read" if len(data) > MAX_PICKLE_BYTES else ""
    )
    found: dict[str, None] = {}
    # What the last pushes were, for STACK_GLOBAL (its module and name come off the stack): strings, or
    # None for anything else; the memo, as far as it holds strings (protocol 4 memoizes both names).
    pushed: list[str | None] = []
    memo: dict[int, str | None] = {}
    opcodes = 0
    imported = called = stopped = False
    stack = _StackDepth()
    try:
        for opcode, argument, _ in pickletools.genops(io.BytesIO(data[:MAX_PICKLE_BYTES])):
            if not stack.step(opcode):
                # pickle.load stops here (it pops from an empty stack): nothing after it runs, and bytes
                # that get no further than this -- a vocabulary's `bird` is BUILD then INST -- are no pickle.
                problem = problem or f"stops after {opcodes} opcodes: {opcode.name} finds too few items"
                break
            opcodes += 1
            name = opcode.name
            if name in ("GLOBAL", "INST") and isinstance(argument, str):
                module, _, attribute = argument.partition(" ")
                if _dotted(module) and _dotted(attribute):
                    found[f"{module}.{attribute}"] = None
                    imported = True
            elif name == "STACK_GLOBAL":
                module_name = pushed[-2] if len(pushed) >= 2 else None
                member = pushed[-1] if pushed else None
                # A name this reading cannot follow is reported as unknown, never skipped.
                found[f"{module_name or UNKNOWN}.{member or UNKNOWN}"] = None
                imported = True
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
            if name in _CALLS and imported:
                called = True
            del pushed[:-4]
            if name == "STOP":
                stopped = True
                break
    except Exception as error:  # a corrupt or hostile stream: what was decoded still counts
        problem = problem or f"stops decoding after {opcodes} opcodes ({type(error).__name__})"
    if (stopped and opcodes >= 2) or (imported and called):
        return tuple(found), "" if stopped else problem
    return None


class _StackDepth:
    """How many items the unpickler's stack holds, opcode by opcode (pickletools' stack effects): an opcode
    that needs more than there are is where pickle.load raises, before it does anything."""

    def __init__(self) -> None:
        self.depth = 0
        self.marks: list[int] = []

    def step(self, opcode: Any) -> bool:
        before, after = opcode.stack_before, opcode.stack_after
        if pickletools.markobject in before:
            if not self.marks:
                return False
            self.depth = self.marks.pop()
            below = before.index(pickletools.markobject)
            if self.depth < below:
                return False
            self.depth -= below
        else:
            if self.depth < len(before):
                return False
            self.depth -= len(before)
        if pickletools.markobject in after:
            self.marks.append(self.depth)
            return True
        self.depth += len(after)
        return True


def _dotted(text: str) -> bool:
    return bool(text) and len(text) <= 256 and all(part.isidentifier() for part in text.split("."))
