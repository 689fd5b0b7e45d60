"""Semantic diff of two SavedModels: what changed between the model shipped today and the candidate.

One module per category (`diff/weights.py`: `weights(paired) -> changes`), each a function of the paired
models (`paired.Paired`), chosen by `comparison` with a `match` mypy proves exhaustive; `pairing.py` says
which function is which, `nodepairing.py` which node.

Concrete function names carry counters that change on every save (`__inference_serve_22` vs
`__inference_serve_57`), so functions are paired one to one (see `pair_functions`): the same name and body
first, then by alias (and input signature), object path, the signatures that call them (and then their
callees, call by call), the same name, structure (a hash of the body that ignores counters and constant
values), and name without its counter. What stays unpaired is added or removed. Everything else --
constants included, by digest -- is compared through that pairing.

TensorFlow's own plumbing -- the top-level graph (signature placeholders, variable handles, the saver) and
the checkpoint functions the saver runs (`inspector._internal.checkpointplumbing`, recognised by structure) -- mirrors the
signatures and variables, so its ops are left out of the op, attr and source comparisons. But what a load's
restore runs is code like any other: the `plumbing` category compares the saver's own subgraph and every
function it calls node by node (op, inputs, attrs, constants), one change per part, so an op added to a
restore function or a constant changed in a save function never diffs as identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import assert_never

from inspector._internal.diff.bodies import PER_FUNCTION, function_bodies
from inspector._internal.diff.paired import Paired
from inspector._internal.diff.pairing import pair_functions
from inspector._internal.view import TOP_LEVEL, SavedModelView
from inspector.results.common import ModelRef
from inspector.results.diff import Category, Change, DiffResult

#: A category's comparison: the paired models in, its changes out.
Comparison = Callable[[Paired], list[Change]]


def diff(
    old: SavedModelView,
    new: SavedModelView,
    *,
    only: Iterable[Category] | None = None,
    ignore: Iterable[Category] = (),
    values: bool = False,
    strict_names: bool = False,
) -> DiffResult:
    """What changed from `old` to `new`, in the categories asked for. `values` reads the values of small
    changed variables from the checkpoint's data shards (only their bytes) to show them old → new; without
    it weights are compared by the checksums in the index alone."""
    wanted = tuple(c for c in (tuple(only) if only else tuple(Category)) if c not in set(ignore))
    pairs = pair_functions(old, new)
    paired = Paired(old, new, pairs, values)
    # Ops, attrs and sources come from one pass over each paired function's nodes.
    bodies = function_bodies(paired, wanted) if set(wanted) & set(PER_FUNCTION) else {}
    changes: list[Change] = []
    for category in wanted:
        changes.extend(bodies[category] if category in bodies else comparison(category)(paired))
    return DiffResult(
        ModelRef.of(old),
        ModelRef.of(new),
        wanted,
        tuple(changes),
        tuple(p for o, p in sorted(pairs.items()) if o != TOP_LEVEL),
        strict_names,
    )


def comparison(category: Category) -> Comparison:
    """Each category's comparison, its module imported when asked for; a category without one is a type
    error at `assert_never`."""
    match category:
        case Category.VERSIONS:
            from inspector._internal.diff.versions import versions

            return versions
        case Category.SIGNATURES:
            from inspector._internal.diff.signatures import signatures

            return signatures
        case Category.ALIASES:
            from inspector._internal.diff.aliases import aliases

            return aliases
        case Category.FUNCTIONS:
            from inspector._internal.diff.functions import functions

            return functions
        case Category.OPS | Category.ATTRS | Category.SOURCES:
            return lambda paired: function_bodies(paired, [category])[category]
        case Category.NAMESPACES:
            from inspector._internal.diff.namespaces import namespaces

            return namespaces
        case Category.RISKY_OPS:
            from inspector._internal.diff.risky_ops import risky_ops

            return risky_ops
        case Category.VARIABLES:
            from inspector._internal.diff.variables import variables

            return variables
        case Category.WEIGHTS:
            from inspector._internal.diff.weights import weights

            return weights
        case Category.ASSETS:
            from inspector._internal.diff.assets import assets

            return assets
        case Category.DEBUG_INFO:
            from inspector._internal.diff.debug_info import debug_info

            return debug_info
        case Category.PLUMBING:
            from inspector._internal.diff.plumbing import plumbing

            return plumbing
        case _:
            assert_never(category)
