"""Errors the library raises for bad input.

The library never prints and never exits: it raises one of these, carrying the path it was reading and
what is wrong with it, and the CLI turns them into a one-line message and exit code 2 in one place.
Anything else escaping the library is a bug in inspector and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class InspectorError(Exception):
    """Base class of the errors caused by the user's input, not by a bug in inspector."""


class ModelLoadError(InspectorError):
    """A SavedModel (or one of its files) cannot be read: names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UndecodableError(ModelLoadError):
    """saved_model.pb's bytes did not decode. protobuf says the same when they are corrupt and when
    memory ran out while decoding them, so `size` is kept: a scan under a memory limit tells them apart."""

    def __init__(self, path: Path | str, problem: str, size: int) -> None:
        super().__init__(path, problem)
        self.size = size


class KerasFileError(ModelLoadError):
    """The file given is a Keras model file (`.keras`, `.h5`), not a SavedModel: only the audit reads it."""


class TagSelectionError(ModelLoadError):
    """The requested meta graph tags match none, or more than one, of the model's meta graphs."""


class SaveError(InspectorError):
    """`inspector save` was asked for something that cannot be saved (bad factory, alias, signature)."""


class TensorFlowMissingError(InspectorError):
    """TensorFlow (needed for its protobuf definitions, or for saving) is not installed."""

    def __init__(self, purpose: str) -> None:
        super().__init__(
            f"TensorFlow is needed {purpose} but is not installed; "
            "install it with: pip install 'savedmodel-inspector[tensorflow]'"
        )


class ReaderGone(Exception):
    """Standard output's pipe closed while a result was written (`| head`): not an error of the input (any
    other broken pipe, such as a child process's, is one). The command ends as SIGPIPE would end it."""
