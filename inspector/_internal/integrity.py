"""Integrity checks: does the model agree with itself?

- `stripped_op_list` against the op types the functions really use. TensorFlow fills the list with a walk
  (`ops_used_by_graph_def`) that misses tf.cond/while branches, tf.data functions and functions no
  signature calls -- and its save-time namespace whitelist check uses the same walk, so a namespaced op
  that is missing from the list also slipped past that check.
- `stripped_op_list` against TensorFlow's own OpDefs: a list that redefines which attrs of a TensorFlow op
  name functions is the writer hiding calls from whoever trusts it.
- `fingerprint.pb` against the model's files, recomputed by TensorFlow's own fingerprinting code (imported
  only here, only when asked: it reads files, it does not load the model).
"""

from __future__ import annotations

import os
from typing import NamedTuple

from inspector._internal.callgraph import FUNCTION_ATTR_TYPES, shipped_function_attrs
from inspector._internal.view import SavedModelView, namespace_of
from inspector.results.report import FingerprintCheck, FingerprintStatus, UnlistedOp


class RedefinedOp(NamedTuple):
    """An op type whose definition in the model's `stripped_op_list` says otherwise than TensorFlow's
    about which attrs name functions."""

    op_type: str
    declared: tuple[str, ...]  # the model's OpDef: its func / list(func) attrs
    tensorflow: tuple[str, ...]  # TensorFlow's OpDefs (the registry snapshot): its function attrs
    node_keys: tuple[str, ...]  # the model's nodes of that op type


def redefined_ops(view: SavedModelView) -> tuple[RedefinedOp, ...]:
    """Op types TensorFlow defines that the model's stripped_op_list redefines: an attr TensorFlow's
    OpDef takes a function in that the model's declares otherwise, or leaves out while a node of the
    model sets it; or a function attr TensorFlow's OpDef does not have. TensorFlow ignores the list when
    loading, so the redefinition changes nothing it runs, only what a tool trusting the list sees (an
    older release's OpDef lacking an attr a newer one added is no redefinition: its nodes do not set it)."""
    ours = shipped_function_attrs()
    found = []
    for op_type, declared_types in view.declared_op_attrs.items():
        if op_type not in ours.known:
            continue  # a custom op: only the model defines it
        tensorflow = ours.by_op.get(op_type, ())
        declared = tuple(name for name, kind in declared_types.items() if kind in FUNCTION_ATTR_TYPES)
        keys = tuple(view.nodes_by_op.get(op_type, ()))
        differs = any(name not in tensorflow for name in declared) or any(
            declared_types.get(name) not in FUNCTION_ATTR_TYPES
            and (name in declared_types or any(name in view.nodes[key].definition.attr for key in keys))
            for name in tensorflow
        )
        if differs:
            found.append(RedefinedOp(op_type, declared, tensorflow, keys))
    return tuple(found)


def unlisted_ops(view: SavedModelView) -> tuple[UnlistedOp, ...]:
    if not view.stripped_op_list:
        return ()  # hand-made or very old models carry no list: nothing to compare
    listed = frozenset(view.stripped_op_list)
    found = []
    for op_type in sorted(view.nodes_by_op):
        if op_type in listed or op_type in view.functions:  # a function name as op type is a call
            continue
        keys = view.nodes_by_op[op_type]
        found.append(
            UnlistedOp(
                op_type,
                namespace_of(op_type),
                tuple(keys),
                tuple(sorted({view.nodes[key].function for key in keys})),
                view.creation_sites(keys),
            )
        )
    return tuple(found)


#: The FingerprintDef fields, and the part of the model each one covers.
FINGERPRINT_PARTS = {
    "saved_model_checksum": "saved_model.pb as a whole",
    "graph_def_program_hash": "the graph and its functions",
    "signature_def_hash": "the signatures",
    "saved_object_graph_hash": "the saved object graph",
    "checkpoint_hash": "the variables checkpoint",
}


#: Fields whose algorithm changed between TensorFlow releases, and the releases that share one. Measured
#: here: TF 2.12.1 recomputes its own signature_def_hash but not 2.15.1's, and 2.15.1 and 2.21.0 agree
#: with each other but not with 2.12.1's. 2.13 was not measured, so it shares an algorithm with nothing.
_ALGORITHM_ERAS: dict[str, tuple[tuple[tuple[int, int], tuple[int, int], str], ...]] = {
    "signature_def_hash": (((2, 12), (2, 12), "2.12"), ((2, 14), (99, 0), "2.14 and later")),
}


def _era(field: str, version: str) -> str | None:
    parts = version.split(".")
    try:
        key = (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        return None
    for low, high, name in _ALGORITHM_ERAS[field]:
        if low <= key <= high:
            return name
    return None


def comparable_fields(writer: str, installed: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields both TensorFlow versions compute alike, fields they may compute differently)."""
    same: list[str] = []
    different: list[str] = []
    for name in FINGERPRINT_PARTS:
        if name not in _ALGORITHM_ERAS:
            same.append(name)
            continue
        era = _era(name, writer)
        (same if era is not None and era == _era(name, installed) else different).append(name)
    return tuple(same), tuple(different)


def verify_fingerprint(view: SavedModelView) -> FingerprintCheck:
    """Recompute the fingerprint from the model's files and compare it with fingerprint.pb."""
    if view.fingerprint is None:
        return FingerprintCheck(
            FingerprintStatus.ABSENT, detail=view.fingerprint_problem or "no fingerprint.pb"
        )
    try:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from inspector._internal.installed import native_stderr_silenced

        with native_stderr_silenced():
            from tensorflow.python.saved_model.pywrap_saved_model import fingerprinting
        from inspector._internal.protos import load_protos

        messages = load_protos().fingerprint
        if messages is None:  # a TensorFlow older than fingerprint.pb, asked for its own classes
            raise ImportError("this TensorFlow has no fingerprint_pb2")
        recomputed = messages.FingerprintDef()
        recomputed.ParseFromString(fingerprinting.CreateFingerprintDef(str(view.path)))
        import sys

        installed = str(getattr(sys.modules.get("tensorflow"), "__version__", ""))
    except Exception as error:  # not installed, too old, or the files are unreadable to it
        return FingerprintCheck(FingerprintStatus.UNAVAILABLE, detail=f"{type(error).__name__}: {error}")
    compared, unverified = comparable_fields(view.tensorflow_version, installed)
    note = ""
    if unverified:
        parts = "; ".join(FINGERPRINT_PARTS[name] for name in unverified)
        note = (
            f"not verifiable here: {parts} (written by TensorFlow {view.tensorflow_version or '?'}, "
            f"whose algorithm for it differs from TensorFlow {installed or '?'}'s)"
        )
    mismatched = tuple(
        name for name in compared if getattr(recomputed, name) != getattr(view.fingerprint, name)
    )
    if mismatched:
        parts = "; ".join(FINGERPRINT_PARTS[name] for name in mismatched)
        detail = f"changed since the fingerprint was written: {parts}" + (f"; {note}" if note else "")
        return FingerprintCheck(FingerprintStatus.MISMATCH, mismatched, detail, unverified)
    return FingerprintCheck(FingerprintStatus.MATCH, (), note, unverified)
