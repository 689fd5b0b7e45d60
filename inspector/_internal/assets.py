"""A model's asset files -- `assets/` (vocabularies, label maps, a TF-DF forest) and `assets.extra/` (TF
Serving's warmup requests) -- each with its size, the SHA-256 of its bytes and what reads it: the asset
(`asset_file_def`, or a TF1 model's `saved_model_assets` collection) that names it and the ops that take that
asset's path. What `diff` compares (a new vocabulary is a new model, whatever the graph says) and `report`
lists.

Files are found with the same bounded walk that follows no link as the audit's (`folderwalk.FolderWalk`), and
read in chunks: an asset of gigabytes costs its reading time, never its size in memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from inspector._internal.callgraph import tensor_node_name
from inspector._internal.fileio import NotRegularFile, model_file
from inspector._internal.folderwalk import FolderWalk
from inspector._internal.view import TOP_LEVEL, SavedModelView
from inspector.results.report import AssetFile

#: The folders whose files are assets, relative to the model's folder.
ASSET_FOLDERS = ("assets", "assets.extra")
_CHUNK = 2**20


def asset_files(view: SavedModelView) -> tuple[AssetFile, ...]:
    """Every regular file under the model's assets/ and assets.extra/, in path order."""
    readers = _readers(view)
    declared = {f"assets/{asset.filename}" for asset in view.assets if asset.outside is None}
    found = []
    for path, relative, info in FolderWalk(view.path):
        if relative.split("/", 1)[0] not in ASSET_FOLDERS or not stat.S_ISREG(info.st_mode):
            continue
        digest, problem = _sha256(Path(path))
        found.append(
            AssetFile(
                relative,
                info.st_size,
                digest,
                readers.get(relative, ()),
                relative in declared,
                problem,
            )
        )
    return tuple(sorted(found, key=_by_path))


def _sha256(path: Path) -> tuple[str, str]:
    import hashlib  # OpenSSL's bindings: 3 ms a start, and most models have no asset

    digest = hashlib.sha256()
    try:
        with model_file(path) as descriptor:
            while chunk := os.read(descriptor, _CHUNK):
                digest.update(chunk)
    except NotRegularFile:
        return "", "not a regular file"
    except OSError as error:
        return "", f"cannot be read ({error.strerror or error})"
    return digest.hexdigest(), ""


def _readers(view: SavedModelView) -> dict[str, tuple[str, ...]]:
    """`assets/FILENAME` -> the ops that take the asset's path: in the top-level graph, those reading its
    tensor (TF1); in a function, those reading the argument the object graph binds to it (TF2)."""
    if not view.assets:
        return {}  # nothing to read: no graph walk (every report asks, most models have no asset)
    by_asset: dict[int, set[str]] = {}
    tensors = {
        tensor_node_name(asset.tensor_name): asset.position for asset in view.assets if asset.tensor_name
    }
    top_level = view.functions.get(TOP_LEVEL) if tensors else None
    for key in top_level.node_keys if top_level is not None else ():
        node = view.nodes[key]
        for tensor in node.definition.input:
            index = tensors.get(tensor_node_name(tensor))
            # TF2 models assign the path to a variable for their functions: that is wiring, not a reader.
            if index is not None and node.op not in ("Identity", "NoOp", "AssignVariableOp"):
                by_asset.setdefault(index, set()).add(f"{node.op} (top-level graph)")
    for function, bound in view.bound_assets.items():
        found = view.functions.get(function)
        if found is None:
            continue
        arguments = {argument.name: position for position, argument in enumerate(found.inputs)}
        for key in found.node_keys:
            node = view.nodes[key]
            for tensor in node.definition.input:
                position = arguments.get(tensor_node_name(tensor))
                if position is not None and position in bound:
                    by_asset.setdefault(bound[position], set()).add(f"{node.op} in {function}")
    return {
        f"assets/{view.assets[index].filename}": tuple(sorted(ops))
        for index, ops in by_asset.items()
        if 0 <= index < len(view.assets)
    }


def _by_path(item: AssetFile) -> str:
    return item.path
