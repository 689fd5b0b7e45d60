"""The `aliases` category: function aliases added, removed, or pointing at other concrete functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector.results.diff import (
    Aspect,
    Category,
    Change,
    ChangeKind,
)

if TYPE_CHECKING:
    pass


from inspector._internal.diff.paired import Paired, changed


def aliases(paired: Paired) -> list[Change]:
    old, new, forward = paired.old, paired.new, paired.forward
    changes = []
    removed = sorted(set(old.aliases) - set(new.aliases))
    added = sorted(set(new.aliases) - set(old.aliases))
    renamed: dict[str, str] = {}
    for old_name in removed:
        behind = {forward.get(t.function) for t in old.aliases[old_name].targets if t.in_library}
        for new_name in added:
            if new_name not in renamed.values() and behind == {
                t.function for t in new.aliases[new_name].targets if t.in_library
            }:
                renamed[old_name] = new_name
                break
    for old_name, new_name in renamed.items():
        functions = tuple(t.function for t in new.aliases[new_name].targets if t.in_library)
        changes.append(
            Change(
                Category.ALIASES,
                ChangeKind.CHANGED,
                Aspect.ALIAS_NAME,
                new_name,
                old=old_name,
                new=new_name,
                functions=functions,
            )
        )
    for name in sorted((set(old.aliases) | set(new.aliases)) - set(renamed) - set(renamed.values())):
        before, after = old.aliases.get(name), new.aliases.get(name)
        if before is None:
            assert after is not None
            targets = tuple(t.function for t in after.targets)
            changes.append(Change(Category.ALIASES, ChangeKind.ADDED, Aspect.ALIAS, name, new=targets))
            continue
        if after is None:
            targets = tuple(t.function for t in before.targets)
            changes.append(Change(Category.ALIASES, ChangeKind.REMOVED, Aspect.ALIAS, name, old=targets))
            continue
        # Compare the functions behind the alias through the pairing, and their input signatures. An old
        # function without a counterpart is named as it was: it cannot equal any new name.
        old_set = tuple(sorted(forward.get(t.function, t.function) for t in before.targets if t.in_library))
        new_set = tuple(sorted(t.function for t in after.targets if t.in_library))
        changes += changed(Category.ALIASES, Aspect.ALIAS_FUNCTIONS, old_set, new_set, name=name)
        old_inputs = tuple(sorted(t.input_signature or "?" for t in before.targets if t.in_library))
        new_inputs = tuple(sorted(t.input_signature or "?" for t in after.targets if t.in_library))
        changes += changed(Category.ALIASES, Aspect.ALIAS_INPUT_SIGNATURES, old_inputs, new_inputs, name=name)
    return changes
