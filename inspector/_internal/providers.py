"""Who provides an op that stock TensorFlow does not register, and so what a user installs and imports
before loading the model.

One package gets one answer, however its ops are spelled: tensorflow-text registers `TFText>...` ops
next to unnamespaced ones (`NormalizeUTF8`), and a model's debug info names the package that created
each op (the installed package of the frames on its stack). The evidence, strongest first: the op's
namespace, the catalogue of each package's unnamespaced ops, the ops the registry snapshot recorded each
known package registering when imported, then the packages on the op's creation stacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inspector._internal.registry import snapshot
from inspector._internal.view import SavedModelView, namespace_of


@dataclass(frozen=True, slots=True)
class Provider:
    """An installable package that registers ops."""

    package: str  # the import name: tensorflow_text
    distribution: str  # the pip name: tensorflow-text
    namespaces: tuple[str, ...] = ()
    ops: frozenset[str] = frozenset()  # its unnamespaced op types

    @property
    def fix(self) -> str:
        return f"pip install {self.distribution}, then `import {self.package}`"


PROVIDERS = (
    Provider(
        "tensorflow_text",
        "tensorflow-text",
        ("TFText", "Text"),
        frozenset(
            {
                "CaseFoldUTF8",
                "NormalizeUTF8",
                "NormalizeUTF8WithOffsetsMap",
                "FindSourceOffsets",
                "RegexSplitWithOffsets",
                "SentencepieceOp",
                "SentencepieceTokenizeOp",
                "SentencepieceDetokenizeOp",
                "WhitespaceTokenizeWithOffsets",
                "WordpieceTokenizeWithOffsets",
                "UnicodeScriptTokenizeWithOffsets",
                "FastWordpieceTokenizeWithOffsets",
                "FastWordpieceDetokenize",
                "FastBertNormalize",
                "SplitMergeTokenizeWithOffsets",
                "SplitMergeFromLogitsTokenizeWithOffsets",
                "ConstrainedSequence",
                "MaxSpanningTree",
                "NgramsStringJoin",
                "RougeL",
                "SpanAlignment",
                "SpanOverlaps",
                "TokenizerFromLogits",
                "ToDenseTensor",
            }
        ),
    ),
    Provider(
        "tensorflow_decision_forests",
        "tensorflow-decision-forests",
        ("SimpleML",),
        frozenset(
            {
                "SimpleMLCreateModelResource",
                "SimpleMLInferenceOp",
                "SimpleMLInferenceOpWithHandle",
                "SimpleMLInferenceLeafIndexOpWithHandle",
                "SimpleMLLoadModelFromPath",
                "SimpleMLLoadModelFromPathWithHandle",
            }
        ),
    ),
    Provider("tensorflow_addons", "tensorflow-addons", ("Addons",)),
    Provider("tensorflow_io", "tensorflow-io", ("IO",)),
    Provider("tensorflow_recommenders_addons", "tensorflow-recommenders-addons", ("TFRA",)),
    Provider("tensorflow_probability", "tensorflow-probability"),
    Provider("tensorflow_transform", "tensorflow-transform"),
    Provider("sentencepiece", "sentencepiece"),
    Provider("tensorflow_ranking", "tensorflow-ranking"),
    Provider("tensorflow_recommenders", "tensorflow-recommenders"),
)

_BY_NAMESPACE = {namespace: p for p in PROVIDERS for namespace in p.namespaces}
_BY_OP = {op: p for p in PROVIDERS for op in p.ops}
_BY_PACKAGE = {p.package: p for p in PROVIDERS}

#: Packages on creation stacks that only pass ops through: they never register a missing op.
_PLUMBING = frozenset(
    {"tensorflow", "tensorflow_core", "keras", "tf_keras", "absl", "google", "numpy", "stdlib", "inspector"}
)

GENERIC_FIX = "load the op library with tf.load_op_library(PATH), or import the package that registers it"


def provider_of(op_type: str, stack_libraries: Iterable[str] = ()) -> Provider | None:
    """The package that registers `op_type`, from its namespace, the catalogue, or the installed
    packages on its creation stacks (innermost package last in `stack_libraries`)."""
    namespace = namespace_of(op_type)
    if namespace is not None and namespace in _BY_NAMESPACE:
        return _BY_NAMESPACE[namespace]
    if op_type in _BY_OP:
        return _BY_OP[op_type]
    recorded = snapshot().provider_of(op_type)  # the ops each known package registered when imported
    if recorded is not None:
        distribution, module = recorded
        return _BY_PACKAGE.get(module) or Provider(module, distribution)
    candidates = [
        name for name in stack_libraries if name and not name.startswith("<") and name not in _PLUMBING
    ]
    for name in reversed(candidates):  # the package nearest the op made it
        if name in _BY_PACKAGE:
            return _BY_PACKAGE[name]
    if candidates:
        name = candidates[-1]
        return Provider(name, name.replace("_", "-"))
    return None


def stack_libraries(view: SavedModelView, op_type: str, limit: int = 64) -> tuple[str, ...]:
    """The installed packages on the creation stacks of (up to `limit`) nodes of one op type."""
    found: dict[str, None] = {}
    for key in view.nodes_by_op.get(op_type, ())[:limit]:
        trace = view.trace(view.nodes[key])
        if trace is not None:
            found.update(dict.fromkeys(frame.library for frame in trace.frames if frame.library))
    return tuple(found)


def registration_fix(view: SavedModelView, op_type: str) -> str:
    """What to do so TensorFlow knows `op_type`: one answer per providing package."""
    provider = provider_of(op_type, stack_libraries(view, op_type))
    return provider.fix if provider is not None else GENERIC_FIX
