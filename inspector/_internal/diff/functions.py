"""The `functions` category: concrete functions added or removed, and paired ones whose interface changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.diff.paired import Paired
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
)

if TYPE_CHECKING:
    pass


def functions(paired: Paired) -> list[Change]:
    old, new, forward = paired.old, paired.new, paired.forward
    paired_new = set(forward.values())
    removed = [
        Change(Category.FUNCTIONS, ChangeKind.REMOVED, Aspect.FUNCTION, f, old_function=f)
        for f in sorted(old.functions)
        if f not in forward
    ]
    added = [
        Change(Category.FUNCTIONS, ChangeKind.ADDED, Aspect.FUNCTION, f, new_function=f)
        for f in sorted(new.functions)
        if f not in paired_new
    ]
    # Every concrete function of the object graph can be called with its input signature: a changed one
    # is a change to the model's interface (an aliased function's is said under aliases, the function a
    # SignatureDef calls under signatures).
    # What it returns, likewise (a SignatureDef's outputs are said under signatures; aliases compare only
    # what their functions take).
    by_signature = {f for view in (old, new) for s in view.signatures.values() for f in s.functions}
    aliased = set(old.function_aliases) | set(new.function_aliases)
    interface = [
        Change(
            Category.FUNCTIONS,
            ChangeKind.CHANGED,
            aspect,
            n,
            old_function=o,
            new_function=n,
            old=before[o],
            new=after[n],
        )
        for o, n in sorted(forward.items())
        for aspect, before, after, said in (
            (Aspect.FUNCTION_SIGNATURE, old.input_signatures, new.input_signatures, by_signature | aliased),
            (Aspect.FUNCTION_OUTPUTS, old.output_signatures, new.output_signatures, by_signature),
        )
        if o in before and n in after and before[o] != after[n] and o not in said and n not in said
    ]
    return [*removed, *added, *interface]
