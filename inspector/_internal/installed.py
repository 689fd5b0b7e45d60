"""What the installed TensorFlow supports: its GraphDef versions (read from its C++ header, without
importing it) and its op registry (which does need the runtime, imported only when asked)."""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import os
import re
import sys
from collections.abc import Container, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel", "tf-nightly")


def distribution_version(name: str) -> str | None:
    """An installed distribution's version, from its metadata (nothing is imported)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def tensorflow_distribution() -> tuple[str, str] | None:
    """Which TensorFlow distribution is installed (tensorflow, tensorflow-cpu, ...) and its version."""
    for name in _DISTRIBUTIONS:
        version = distribution_version(name)
        if version is not None:
            return name, version
    return None


@dataclass(frozen=True, slots=True)
class InstalledTensorFlow:
    version: str
    producer: int  # TF_GRAPH_DEF_VERSION: the newest GraphDef version it writes and reads
    min_producer: int  # TF_GRAPH_DEF_VERSION_MIN_PRODUCER: the oldest it reads


@cache
def installed_tensorflow() -> InstalledTensorFlow | None:
    """The installed TensorFlow's versions, or None when it (or its headers) is not installed."""
    spec = importlib.util.find_spec("tensorflow")
    if spec is None or not spec.submodule_search_locations:
        return None
    header = Path(next(iter(spec.submodule_search_locations))) / "include/tensorflow/core/public/version.h"
    try:
        text = header.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    defines = dict(re.findall(r"#define\s+(TF_GRAPH_DEF_VERSION\w*)\s+(\d+)", text))
    if "TF_GRAPH_DEF_VERSION" not in defines:
        return None
    distribution = tensorflow_distribution()
    return InstalledTensorFlow(
        version=distribution[1] if distribution else "unknown",
        producer=int(defines["TF_GRAPH_DEF_VERSION"]),
        min_producer=int(defines.get("TF_GRAPH_DEF_VERSION_MIN_PRODUCER", 0)),
    )


class VersionGap(StrEnum):
    """Ways a model's GraphDef versions fall outside what the installed TensorFlow reads."""

    MIN_CONSUMER = "min_consumer"  # the model needs a newer GraphDef version: loaders that check refuse it
    PRODUCER = "producer"  # written by a newer TensorFlow: ops or attrs may be unknown
    MIN_PRODUCER = "min_producer"  # older than the oldest GraphDef the installed TensorFlow reads


def version_gaps(producer: int, min_consumer: int, installed: InstalledTensorFlow) -> tuple[VersionGap, ...]:
    """The one comparison of versions the audit and the doctor both report."""
    gaps = []
    if min_consumer > installed.producer:
        gaps.append(VersionGap.MIN_CONSUMER)
    elif producer > installed.producer:
        gaps.append(VersionGap.PRODUCER)
    if producer < installed.min_producer:
        gaps.append(VersionGap.MIN_PRODUCER)
    return tuple(gaps)


def needs_registration(op_type: str, functions: Container[str]) -> bool:
    """Whether an op type must be in the op registry: not a call of a library function (its op type is
    the function's name), and not one of TensorFlow's internal ops (`_Retval`, `_Arg`)."""
    return not op_type.startswith("_") and op_type not in functions


class OpRegistry:
    """The installed TensorFlow's op registry. Importing TensorFlow takes seconds, so only the
    registry rule asks for it, once."""

    def __init__(self) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        with native_stderr_silenced():
            from tensorflow.python.framework import op_def_registry

        self._registry = op_def_registry

    def knows(self, op_type: str) -> bool:
        return self._registry.get(op_type) is not None


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """TensorFlow's C++ start-up logs (absl, oneDNN) bypass Python and would land in the audit's output
    stream: point file descriptor 2 at /dev/null while it imports."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:  # noqa: PTH123 - a file descriptor is needed, not a Path
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@cache
def op_registry() -> OpRegistry | str:
    """The registry, or why it is not available."""
    if importlib.util.find_spec("tensorflow") is None:
        return "TensorFlow is not installed: op types were not checked against an op registry"
    try:
        return OpRegistry()
    except Exception as error:  # a broken install must not stop the rest of the audit
        return (
            f"TensorFlow could not be imported ({type(error).__name__}: {error}): op types were not checked"
        )
