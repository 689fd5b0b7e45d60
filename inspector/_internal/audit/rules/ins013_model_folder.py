"""INS013 model-folder: what the model's folder carries besides the SavedModel, judged by bytes, not names:
pickles wherever a loader starts one, archives opened, binaries, scripts -- and whatever could not be looked at.

Why it matters: a model travels as a folder, and whoever loads it may load more than the SavedModel -- a
pickled preprocessor beside it, a joblib file, a NumPy object array, a PyTorch checkpoint, a Keras file, an
op library. Unpickling runs whatever its GLOBAL opcodes import (`builtins.eval`, `os.system`), and
`pickle.load`, `np.load(allow_pickle=True)`, `joblib.load` and `torch.load` all unpickle. Every regular file
is classified by its content (`inspector/_internal/filecontent.py`): a pickle by decoding its opcodes (protocol 0 to 5,
with or without PROTO or FRAME), an `.npy` by its header (an object array is a pickle after it), a
compressed stream (joblib's zlib, gzip, bz2, xz, lzma) decompressed, a zip (`.pt`, `.keras`, `.npz`) or tar
opened and each member classified in turn -- within bounds on depth, members, sizes and compression ratio.
Nothing is run: pickles are decoded with `pickletools`, archives read, never extracted.

Severity: a pickle that imports a module or name that runs code, opens files or processes, or talks to
the network is critical; one that imports anything else a warning (it runs that class's code), one that
imports nothing a note. What could not be looked at -- a walk past 10,000 entries or 32 levels, an archive
past its bounds (a bomb), a format nothing here can read -- is an error: it is not passed. A file with more
than one hard link may be a file of the machine outside the model, linked in: a warning, and no command
shows its bytes. Shared libraries, executables, scripts and links are warnings; archives and other files
beside the format are notes (an archive's members are reported on their own).

Example: `pickle preprocess.joblib (zlib) (joblib.load) imports os.system: unpickling it runs that`.

Fix: ship what the model needs inside the SavedModel (assets, ops in the graph); replace pickles with a
format that holds data only (JSON, a numeric `.npy`, safetensors, a SavedModel).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from inspector._internal.audit.context import AuditContext
from inspector._internal.foldercontents import FolderContents, ModelFile
from inspector._internal.folderwalk import MAX_DEPTH, MAX_ENTRIES
from inspector._internal.pickles import dangerous
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
    "hard-link": (
        "a file with more than one hard link: it may be a file of the machine outside the model, linked in; "
        "no command shows its bytes",
        Severity.WARNING,
    ),
    "archive": ("an archive: its members are looked into, each reported on its own", Severity.NOTE),
    "archive-unread": (
        "an archive of a format nothing here opens (7z): its members were not looked into",
        Severity.ERROR,
    ),
    "uninspected": ("not looked into", Severity.ERROR),
    "hdf5": ("an HDF5 file without a Keras model config", Severity.NOTE),
    "numpy": ("a NumPy file", Severity.WARNING),
    "other": ("not part of the SavedModel format", Severity.NOTE),
}

#: How each loader is called, for the messages.
LOADERS = {
    "pickle": "pickle.load",
    "numpy": "np.load(allow_pickle=True)",
    "joblib": "joblib.load",
    "torch": "torch.load",
    "keras": "keras.saving.load_model",
    "tf_keras": "tf_keras.models.load_model",
}


def check(context: AuditContext) -> Iterator[Finding | Notice]:
    yield from folder_findings(context.scope.folder.contents(), context.view.path)


def folder_findings(contents: FolderContents, folder: Path) -> Iterator[Finding]:
    """The findings of what a folder (or one file given alone) carries, Keras configs aside."""
    for item in contents.files:
        if item.kind == "keras-config":
            continue  # what Keras rebuilds from it is INS012's
        # Located at the file itself (an archive's member: at the archive), a path from where the model is.
        where = Location(file=str(folder / item.path.split("!", 1)[0]))
        yield _pickle(item, where) if item.kind == "pickle" else _other(item, where)
    if contents.truncated:
        yield Finding(
            INFO.id,
            Severity.ERROR,
            f"the folder holds more than {MAX_ENTRIES} entries or folders deeper than {MAX_DEPTH}: the rest "
            "was not looked at, and what was not looked at is not passed",
            "ship the model without what it does not need",
            Location(file=str(folder)),
            identity="truncated",
            kind="truncated",
        )


def _pickle(item: ModelFile, where: Location) -> Finding:
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
    loader = LOADERS.get(item.loader, "pickle.load")
    return Finding(
        INFO.id,
        severity,
        f"pickle {item.path} ({loader}) {what}",
        "replace the pickle with a format that holds data only (JSON, .npy), or remove it from the model",
        where,
        identity=f"pickle:{item.path}",
        kind="pickle",
        evidence=tuple(f"global {name}" for name in item.globals[:64]),
    )


def _other(item: ModelFile, where: Location) -> Finding:
    what, severity = _WORDS.get(item.kind, _WORDS["other"])
    if item.problem:
        what += f": {item.problem}"
    if item.loader and item.kind in ("archive", "uninspected", "numpy"):
        what += f" (read by {LOADERS.get(item.loader, item.loader)})"
    return Finding(
        INFO.id,
        severity,
        f"{item.path} is {what}" if item.kind != "other" else f"{item.path} ({item.size} bytes) is {what}",
        "ship the model without it, or make sure whoever loads the model knows it is there",
        where,
        identity=f"{item.kind}:{item.path}",
        kind=item.kind,
    )
