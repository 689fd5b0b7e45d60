"""The `versions` category: the producer, the TensorFlow that wrote the model and its graph versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector.results.diff import (
    Aspect,
    Category,
    Change,
)

if TYPE_CHECKING:
    pass


from inspector._internal.diff.paired import Paired, changed


def versions(paired: Paired) -> list[Change]:
    old, new = paired.old, paired.new
    return [
        *changed(
            Category.VERSIONS, Aspect.TENSORFLOW_VERSION, old.tensorflow_version, new.tensorflow_version
        ),
        *changed(Category.VERSIONS, Aspect.PRODUCER, old.producer, new.producer),
        *changed(Category.VERSIONS, Aspect.MIN_CONSUMER, old.min_consumer, new.min_consumer),
    ]
