"""Generate the benchmark models (not committed): a ResNet50-sized model and a >= 100k-node model.

Both are written through `inspector.save`, so they carry debug info and aliases like the fixtures.
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

import inspector

#: The synthetic model: BLOCKS tf.functions of STEPS steps, 4 nodes a step, all called from serve.
BLOCKS = 10
STEPS = 2600


def resnet50_again(out: Path) -> Path:
    """ResNet50 saved a second time after a first save in the same process: other function counters, for
    diffing two ResNet50-sized models that must pair up."""
    if (out / "saved_model.pb").exists():
        return out
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        resnet50(Path(scratch) / "first")
    return resnet50(out)


def resnet50(out: Path) -> Path:
    if (out / "saved_model.pb").exists():
        return out
    network = tf.keras.applications.ResNet50(weights=None)
    holder = tf.Module(name="resnet50")
    holder.network = network

    @tf.function(input_signature=[tf.TensorSpec([None, 224, 224, 3], tf.float32, name="images")])
    def serve(images: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"probabilities": network(images, training=False)}

    holder.serve = serve
    inspector.save(holder, out, aliases={"serve": serve}, signatures={"serving_default": serve})
    return out


def synthetic_200k(out: Path) -> Path:
    """200k nodes in 40 functions, traced by TensorFlow: the shape of the issue that set the targets."""
    return synthetic(out, blocks=40, steps=1250)


def synthetic(out: Path, blocks: int = BLOCKS, steps: int = STEPS) -> Path:
    if (out / "saved_model.pb").exists():
        return out

    def make_block(index: int) -> tf.types.experimental.PolymorphicFunction:
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def block(x: tf.Tensor) -> tf.Tensor:
            for step in range(steps):
                x = x * (1.0 + step * 1e-6) + float(index)
            return x

        return block

    holder = tf.Module(name="synthetic")
    holder.blocks = [make_block(i) for i in range(blocks)]

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def serve(x: tf.Tensor) -> dict[str, tf.Tensor]:
        for block in holder.blocks:
            x = block(x)
        return {"y": x}

    holder.serve = serve
    aliases = {f"block_{i}": block for i, block in enumerate(holder.blocks)}
    inspector.save(holder, out, aliases={"serve": serve, **aliases}, signatures={"serving_default": serve})
    return out
