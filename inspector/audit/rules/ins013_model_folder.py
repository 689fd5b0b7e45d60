"""INS013 model-folder: files in the model's folder that the SavedModel format does not define, and files
anywhere in it whose bytes are a pickle, a shared library, an executable or a script.

Why it matters: a model travels as a folder, and whoever loads it may load more than the SavedModel -- a
pickled preprocessor beside it, a tokenizer, an op library. Unpickling runs whatever its GLOBAL opcodes
import (`builtins.eval`, `os.system`): modelscan and ModelAudit report such files as critical. Shared
libraries and scripts are legitimate beside a model (an op library) but must be seen. The walk is bounded
(10,000 entries, 32 levels), follows no link, and judges a file by its bytes, not its name; pickles are
decoded with `pickletools`, which runs nothing.

Severity: a pickle that imports a module or name that runs code, opens files or processes, or talks to
the network is critical; one that imports anything else a warning (it runs that class's code), one that
imports nothing a note. Shared libraries, executables, scripts and links are warnings; archives and other
files beside the format are notes.

Example: `pickle preprocess.pkl imports builtins.eval: unpickling it runs that`.

Fix: ship what the model needs inside the SavedModel (assets, ops in the graph); replace pickles with a
format that holds data only (JSON, `.npy`, a SavedModel).
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector.audit.context import AuditContext
from inspector.modelfiles import MAX_DEPTH, MAX_ENTRIES, ModelFile, dangerous, scan_folder
from inspector.results.audit import Finding, Location, Notice, RuleInfo, Severity

INFO = RuleInfo(
    "INS013",
    "model-folder",
    "A pickle, binary or script in the model's folder, or a file the format does not define",
    __doc__ or "",
    Severity.ERROR,
)

_WORDS = {
    "shared-library": ("a shared library or executable: whoever loads it runs native code", Severity.WARNING),
    "script": ("a script: whoever runs it runs code", Severity.WARNING),
    "link": (
        "a symbolic link: copying or serving the model may follow it out of the folder",
        Severity.WARNING,
    ),
    "special": ("not a regular file (a FIFO, socket or device)", Severity.WARNING),
    "archive": ("an archive: its contents were not looked into", Severity.NOTE),
    "other": ("not part of the SavedModel format", Severity.NOTE),
}


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    contents = scan_folder(context.view.path)
    for item in contents.files:
        yield _pickle(item) if item.kind == "pickle" else _other(item)
    if contents.truncated:
        yield Finding(
            INFO.id,
            Severity.WARNING,
            f"the folder holds more than {MAX_ENTRIES} entries or folders deeper than {MAX_DEPTH}: the rest "
            "was not looked at",
            "ship the model without what it does not need",
            Location(file=str(context.view.path)),
            identity="truncated",
            kind="truncated",
        )


def _pickle(item: ModelFile) -> Finding:
    risky = [name for name in item.globals if dangerous(name)]
    if risky:
        severity, what = Severity.CRITICAL, f"imports {', '.join(risky)}: unpickling it runs that"
    elif item.globals:
        severity, what = (
            Severity.WARNING,
            f"imports {', '.join(item.globals[:12])}: unpickling it runs their code",
        )
    else:
        severity, what = Severity.NOTE, "imports nothing: data only"
    if item.problem:
        severity = max(severity, Severity.WARNING)
        what += f" ({item.problem})"
    return Finding(
        INFO.id,
        severity,
        f"pickle {item.path} {what}",
        "replace the pickle with a format that holds data only (JSON, .npy), or remove it from the model",
        Location(file=item.path),
        identity=f"pickle:{item.path}",
        kind="pickle",
        evidence=tuple(f"global {name}" for name in item.globals[:64]),
    )


def _other(item: ModelFile) -> Finding:
    what, severity = _WORDS.get(item.kind, _WORDS["other"])
    return Finding(
        INFO.id,
        severity,
        f"{item.path} is {what}" if item.kind != "other" else f"{item.path} ({item.size} bytes) is {what}",
        "ship the model without it, or make sure whoever loads the model knows it is there",
        Location(file=item.path),
        identity=f"{item.kind}:{item.path}",
        kind=item.kind,
    )
