"""The result of `inspector diff`: structured changes between two SavedModels, and the function pairing
they were compared through. Labels, arrows and wording belong to the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Literal, NamedTuple

from inspector.results.common import Displayable, ModelRef, Verdict


class Category(StrEnum):
    VERSIONS = "versions"
    SIGNATURES = "signatures"
    ALIASES = "aliases"
    FUNCTIONS = "functions"
    OPS = "ops"
    ATTRS = "attrs"
    NAMESPACES = "namespaces"
    RISKY_OPS = "risky-ops"
    VARIABLES = "variables"
    DEBUG_INFO = "debug-info"
    SOURCES = "sources"
    PLUMBING = "plumbing"  # TensorFlow's checkpoint plumbing: what a load's restore and a save run
    WEIGHTS = "weights"  # the variables' values, by the checksums the checkpoint index stores
    ASSETS = "assets"  # the files under assets/ and assets.extra/, by their bytes' SHA-256


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Aspect(StrEnum):
    """What part of the model a change is about: with `Change.name` and the functions, the change's subject."""

    TENSORFLOW_VERSION = "tensorflow-version"
    PRODUCER = "producer"
    MIN_CONSUMER = "min-consumer"
    SIGNATURE = "signature"  # added or removed
    SIGNATURE_METHOD = "signature-method"
    SIGNATURE_INPUT = "signature-input"
    SIGNATURE_OUTPUT = "signature-output"
    ALIAS = "alias"  # added or removed; old/new: the functions behind it
    ALIAS_NAME = "alias-name"  # renamed: the same functions under a new name
    ALIAS_FUNCTIONS = "alias-functions"
    ALIAS_INPUT_SIGNATURES = "alias-input-signatures"
    FUNCTION = "function"  # a function with no counterpart
    FUNCTION_SIGNATURE = "function-signature"  # a paired concrete function's input signature: old/new
    FUNCTION_OUTPUTS = "function-outputs"  # the structure a paired concrete function returns: old/new
    OP_COUNT = "op-count"  # how many nodes of op type `name` a paired function has
    NODE = "node"  # a node of a paired function: old/new its op type
    NODE_NAME = (
        "node-name"  # the same node (op, inputs) renamed: its name's counters changed; old/new the names
    )
    ATTR = "attr"  # an attr of a node of a paired function
    NAMESPACE = "namespace"  # old/new: its op types
    NAMESPACED_OP = "namespaced-op"  # one op type of a namespace present on both sides
    RISKY_OP = "risky-op"  # old/new: how many nodes of that risky op type
    VARIABLE = "variable"  # a variable group (checkpoint name without counters): old/new its specs
    VARIABLE_DEVICE = "variable-device"  # old/new: the devices a variable group is placed on
    WEIGHT = "weight"  # a variable group whose values differ: old/new its specs, digest its checksums
    DEBUG_INFO = "debug-info"  # old/new: the status of the debug info
    SOURCE = "source"  # the creation site of a node of a paired function moved
    PLUMBING = "plumbing"  # a part of the checkpoint plumbing: old/new its nodes that differ
    ASSET = "asset"  # a file under assets/ or assets.extra/: old/new its size and SHA-256; reason its readers


class TensorValue(NamedTuple):
    """A tensor's spec, and its values when they are few enough to show (a threshold, a shape)."""

    dtype: str
    shape: tuple[int | None, ...] | None  # None: unknown rank
    values: tuple[float | int | str | bool, ...] | None = None  # None: not read, or too many to show
    elements: int | None = None  # how many values it holds, when known
    digest: str = ""  # sha256 of the stored tensor: a constant's identity; "" for a spec alone


class SourceSite(NamedTuple):
    file: str
    line: int


#: A changed thing's value: a count, a name or text (an op type, a dtype, a version, an attr as
#: TensorFlow prints it), several names (functions, op types, input signatures), tensors, or a site.
Value = int | str | tuple[str, ...] | TensorValue | tuple[TensorValue, ...] | SourceSite


class Change(NamedTuple):
    category: Category
    kind: ChangeKind
    aspect: Aspect
    name: str = ""  # the signature, alias, op type, node, namespace, variable group... it is about
    old_function: str = ""  # for changes inside paired functions: the function on each side
    new_function: str = ""
    attr: str = ""  # Aspect.ATTR, and the input/output of a signature
    old: Value | None = None  # None: absent on that side (added / removed), or not applicable
    new: Value | None = None
    differing_elements: int | None = None  # large tensors: how many elements differ
    reason: str = ""  # why it matters: the risky-op catalogue's reason
    functions: tuple[str, ...] = ()  # Aspect.ALIAS_NAME: the functions behind both names


class FunctionPair(NamedTuple):
    old: str
    new: str
    paired_by: str  # alias, object path, signature, structure, name


class CategoryCount(NamedTuple):
    category: Category
    added: int
    removed: int
    changed: int

    @property
    def total(self) -> int:
        return self.added + self.removed + self.changed


@dataclass(frozen=True, slots=True, repr=False)
class DiffResult(Displayable):
    kind: ClassVar[Literal["diff"]] = "diff"
    JSON_DERIVED: ClassVar[tuple[str, ...]] = ("counts",)

    old_model: ModelRef
    model: ModelRef  # the candidate, compared against old_model
    categories: tuple[Category, ...]  # the categories compared (after --only / --ignore)
    changes: tuple[Change, ...]
    pairs: tuple[FunctionPair, ...]
    # --strict-names: a node renamed only in its name's counters is a difference like any other.
    strict_names: bool = False

    @property
    def new_model(self) -> ModelRef:
        return self.model

    @property
    def cosmetic(self) -> tuple[Change, ...]:
        """Renames that change only a name's counters (`dense_1` -> `dense_5`: an unnamed Keras layer built
        again, the same op reading the same inputs): listed, but no difference -- unless --strict-names."""
        if self.strict_names:
            return ()
        return tuple(change for change in self.changes if change.aspect is Aspect.NODE_NAME)

    @property
    def material(self) -> tuple[Change, ...]:
        """The changes that make the models different."""
        if self.strict_names:
            return self.changes
        return tuple(change for change in self.changes if change.aspect is not Aspect.NODE_NAME)

    @property
    def identical(self) -> bool:
        return not self.material

    @property
    def verdict(self) -> Verdict:
        return Verdict.IDENTICAL if self.identical else Verdict.DIFFERENT

    def count(self, category: Category) -> int:
        return sum(1 for change in self.changes if change.category is category)

    def changes_in(self, category: Category) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.category is category)

    @property
    def counts(self) -> tuple[CategoryCount, ...]:
        """Per compared category, in order, how many changes of each kind."""
        found = []
        for category in self.categories:
            changes = self.changes_in(category)
            found.append(
                CategoryCount(
                    category,
                    sum(1 for c in changes if c.kind is ChangeKind.ADDED),
                    sum(1 for c in changes if c.kind is ChangeKind.REMOVED),
                    sum(1 for c in changes if c.kind is ChangeKind.CHANGED),
                )
            )
        return tuple(found)
