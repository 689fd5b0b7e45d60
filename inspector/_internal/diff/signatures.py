"""The `signatures` category: signatures added, removed, or with other inputs or outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.view import (
    TensorSpec,
)
from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
    TensorValue,
)

if TYPE_CHECKING:
    pass


from inspector._internal.diff.paired import Paired, changed


def _spec_value(spec: TensorSpec) -> TensorValue:
    return TensorValue(spec.dtype, spec.shape)


def signatures(paired: Paired) -> list[Change]:
    old, new = paired.old, paired.new
    changes = []
    for name in sorted(set(old.signatures) | set(new.signatures)):
        before, after = old.signatures.get(name), new.signatures.get(name)
        if before is None:
            changes.append(Change(Category.SIGNATURES, ChangeKind.ADDED, Aspect.SIGNATURE, name))
            continue
        if after is None:
            changes.append(Change(Category.SIGNATURES, ChangeKind.REMOVED, Aspect.SIGNATURE, name))
            continue
        changes += changed(
            Category.SIGNATURES, Aspect.SIGNATURE_METHOD, before.method_name, after.method_name, name=name
        )
        for aspect, old_side, new_side in (
            (Aspect.SIGNATURE_INPUT, before.inputs, after.inputs),
            (Aspect.SIGNATURE_OUTPUT, before.outputs, after.outputs),
        ):
            old_specs = {s.name: s for s in old_side}
            new_specs = {s.name: s for s in new_side}
            for key in sorted(set(old_specs) | set(new_specs)):
                if key not in old_specs:
                    changes.append(
                        Change(
                            Category.SIGNATURES,
                            ChangeKind.ADDED,
                            aspect,
                            name,
                            attr=key,
                            new=_spec_value(new_specs[key]),
                        )
                    )
                elif key not in new_specs:
                    changes.append(
                        Change(
                            Category.SIGNATURES,
                            ChangeKind.REMOVED,
                            aspect,
                            name,
                            attr=key,
                            old=_spec_value(old_specs[key]),
                        )
                    )
                else:
                    changes += changed(
                        Category.SIGNATURES,
                        aspect,
                        _spec_value(old_specs[key]),
                        _spec_value(new_specs[key]),
                        name=name,
                        attr=key,
                    )
    return changes
