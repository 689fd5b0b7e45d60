"""A SavedModel's own files: where the model file is (a folder, the file itself, or a TF Serving base
path's latest version), saved_model.pb or .pbtxt parsed within protobuf's bounds (a Keras file given
instead is said to be one), the meta graph a tag set picks, and fingerprint.pb."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from inspector._internal.errors import (
    InspectorError,
    KerasFileError,
    ModelLoadError,
    TagSelectionError,
    UndecodableError,
)
from inspector._internal.fileio import model_part_problem, read_regular_file
from inspector._internal.filemagic import SNIFF_BYTES, keras_file_kind
from inspector._internal.protos import ProtoModules
from inspector._internal.view import (
    Fingerprint,
)

if TYPE_CHECKING:
    from inspector.format import savedmodel_format_pb2 as fmt


MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
FINGERPRINT_FILE = "fingerprint.pb"
# protobuf's hard limit on one message; a larger saved_model.pb cannot have been written by TensorFlow.
PROTOBUF_LIMIT = 2**31 - 1


def resolve_model_path(path: Path) -> tuple[Path, Path]:
    """(SavedModel directory, model file) for a directory or a direct path to the model file. A TF Serving
    base path -- a folder of numbered versions, each a SavedModel -- stands for its latest version, the one
    TF Serving serves by default (`serving_versions` lists them)."""
    if not path.exists():
        raise ModelLoadError(path, "no such file or directory")
    if path.is_dir():
        for name in MODEL_FILES:
            if (path / name).is_file():
                return path, path / name
        versions = serving_versions(path)
        if versions:
            return resolve_model_path(versions[-1][1])
        raise ModelLoadError(
            path,
            "not a SavedModel directory: it holds no saved_model.pb or saved_model.pbtxt, nor numbered "
            "version folders holding one (a TF Serving base path)",
        )
    return path.parent, path


def serving_versions(base: Path) -> list[tuple[int, Path]]:
    """The numbered version folders of a TF Serving base path that hold a SavedModel, oldest first: real
    folders named by digits only (a link is never followed), as TF Serving's file system source finds them."""
    import stat

    found = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return []
    for entry in entries[:10_000]:
        if not entry.name.isdigit() or len(entry.name) > 18:
            continue
        try:
            if not stat.S_ISDIR(entry.stat(follow_symlinks=False).st_mode):
                continue
        except OSError:
            continue
        folder = Path(entry.path)
        if any((folder / name).is_file() and not (folder / name).is_symlink() for name in MODEL_FILES):
            found.append((int(entry.name), folder))
    return sorted(found)


def parse_model_file(model_file: Path, protos: ProtoModules) -> tuple[fmt.SavedModel, str]:
    """The parsed SavedModel, and a warning when a text-format file named fields that were skipped."""
    saved_model = protos.saved_model.SavedModel()
    skipped = ""
    problem = model_part_problem(model_file.parent, model_file)
    if problem is not None:
        raise ModelLoadError(model_file, problem)
    try:
        size = model_file.stat().st_size
        if size == 0:
            raise ModelLoadError(model_file, "the file is empty")
        if size > PROTOBUF_LIMIT:
            raise ModelLoadError(model_file, f"{size} bytes is over protobuf's 2 GiB limit for one message")
        content = read_regular_file(model_file, PROTOBUF_LIMIT, "model file")
    except OSError as error:
        raise ModelLoadError(model_file, f"cannot be read ({error.strerror or error})") from error
    except InspectorError as error:
        raise ModelLoadError(model_file, str(error).removeprefix(f"{model_file}: ")) from None
    kind = keras_file_kind(content[:SNIFF_BYTES])
    if kind is not None:
        raise KerasFileError(model_file, not_a_saved_model(kind))
    if model_file.suffix == ".pbtxt":
        skipped = _parse_text(content, saved_model, model_file)
    else:
        try:
            saved_model.ParseFromString(content)
        except Exception as error:  # protobuf raises DecodeError, or RuntimeError for deep nesting
            raise UndecodableError(
                model_file,
                f"not a valid SavedModel protobuf: truncated or corrupt ({_first_line(error)})",
                len(content),
            ) from error
    if not saved_model.meta_graphs:
        raise ModelLoadError(model_file, "not a SavedModel: it contains no meta graphs")
    return saved_model, skipped


_UNKNOWN_FIELD = re.compile(r'Message type "([^"]+)" has no field named "([^"]+)"')


def _parse_text(content: bytes, saved_model: fmt.SavedModel, model_file: Path) -> str:
    """Parse; a field the messages do not declare (inspector/format/savedmodel_format.proto declares what the reader uses)
    is skipped, as the binary reader keeps it as an unknown field, and named in the returned warning:
    it may be one inspector does not read, or a misspelt one TensorFlow would refuse."""
    from google.protobuf import text_format

    from inspector.format import fields_not_read

    try:
        text = content.decode("utf-8")
        try:
            text_format.Parse(text, saved_model)
            return ""
        except text_format.ParseError as error:
            unknown = _UNKNOWN_FIELD.search(str(error))
            if unknown is None:
                raise
            saved_model.Clear()
            text_format.Parse(text, saved_model, allow_unknown_field=True)
            named: str = unknown.group(1)
            field: str = unknown.group(2)
            message = named.removeprefix("tensorflow.")
            if (message, field) in fields_not_read():
                return ""  # a field of the format the reader has no use for, as TensorFlow writes it
            return (
                f"{model_file}: skipped fields inspector does not read (the first: {unknown.group(2)!r} in "
                f"{unknown.group(1)}); if TensorFlow does not know them either, it will refuse the file"
            )
    except UnicodeDecodeError as error:
        raise ModelLoadError(model_file, f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    except text_format.ParseError as error:
        raise ModelLoadError(model_file, f"not a valid SavedModel in text format ({error})") from error
    except RecursionError:
        # protobuf's text parser recurses once per nested message; the binary one stops at 100 levels.
        raise ModelLoadError(model_file, "messages nested too deeply to parse") from None


def not_a_saved_model(kind: str) -> str:
    return (
        f"{kind}, not a SavedModel: `inspector audit` audits it as a Keras file; to make a SavedModel, "
        "model.export(DIR) (Keras 3) or tf.saved_model.save(model, DIR)"
    )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def select_meta_graph(
    saved_model: fmt.SavedModel, model_file: Path, tags: Iterable[str] | None
) -> fmt.MetaGraphDef:
    meta_graphs = list(saved_model.meta_graphs)
    available = " | ".join(",".join(mg.meta_info_def.tags) or "(no tags)" for mg in meta_graphs)
    if tags is None:
        if len(meta_graphs) == 1:
            return meta_graphs[0]
        raise TagSelectionError(
            model_file,
            f"holds {len(meta_graphs)} meta graphs; choose one with --tags (available tag sets: {available})",
        )
    wanted = set(tags)
    matches = [mg for mg in meta_graphs if set(mg.meta_info_def.tags) == wanted]
    if len(matches) == 1:
        return matches[0]
    shown = ",".join(sorted(wanted)) or "(no tags)"
    if not matches:
        raise TagSelectionError(
            model_file, f"has no meta graph tagged {shown!r} (available tag sets: {available})"
        )
    raise TagSelectionError(model_file, f"has {len(matches)} meta graphs tagged {shown!r}; it is ambiguous")


def read_fingerprint(model_dir: Path, protos: ProtoModules) -> tuple[Fingerprint | None, str | None]:
    """The decoded fingerprint.pb, or (None, why) when it is present but unreadable."""
    path = model_dir / FINGERPRINT_FILE
    problem = model_part_problem(model_dir, path)
    if problem == "does not exist":
        return None, None
    if problem is not None:
        return None, f"{path}: {problem}"
    if protos.fingerprint is None:
        return None, f"{path}: this TensorFlow install has no FingerprintDef definition"
    message = protos.fingerprint.FingerprintDef()
    try:
        message.ParseFromString(read_regular_file(path, 2**20, "fingerprint"))
    except Exception as error:  # any parse failure means the same thing to the user: corrupt
        return None, f"{path}: cannot be parsed as a FingerprintDef ({_first_line(error)})"
    uuid: str = getattr(message, "uuid", "")  # an older TensorFlow's FingerprintDef has no uuid
    return (
        Fingerprint(
            saved_model_checksum=message.saved_model_checksum,
            graph_def_program_hash=message.graph_def_program_hash,
            signature_def_hash=message.signature_def_hash,
            saved_object_graph_hash=message.saved_object_graph_hash,
            checkpoint_hash=message.checkpoint_hash,
            uuid=uuid,
            version=message.version.producer,
        ),
        None,
    )
