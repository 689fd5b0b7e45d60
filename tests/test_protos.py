"""The read path must never start the TensorFlow runtime, and must not break a later `import tensorflow`."""

from __future__ import annotations

import pytest
from conftest import run_python


def test_the_report_never_imports_the_tensorflow_runtime() -> None:
    result = run_python(
        """
        import sys
        from inspector._internal.cli import main
        for fmt in ("text", "json", "markdown"):
            main(["report", "fixtures/models/custom_ops", "--whitelist", "Acme", "--format", fmt,
                  "--output", "/dev/null"])
        loaded = sorted(m for m in sys.modules if m == "tensorflow" or m.startswith("tensorflow.python"))
        print("RUNTIME:", loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "RUNTIME: []" in result.stdout


@pytest.mark.slow  # imports TensorFlow in a child (seconds): CI runs it
def test_tensorflow_imports_normally_after_a_model_was_read() -> None:
    # The notebook sequence: read a model, then import TensorFlow in the same process.
    result = run_python(
        """
        import inspector
        view = inspector.load("fixtures/models/module_aliases")
        import tensorflow as tf
        from tensorflow.core.protobuf import meta_graph_pb2
        # inspector's own message classes: the same format, so TensorFlow's classes read their bytes.
        assert type(view.meta_graph_def).DESCRIPTOR.full_name == "tensorflow.MetaGraphDef"
        theirs = meta_graph_pb2.MetaGraphDef.FromString(view.meta_graph_def.SerializeToString())
        assert theirs.meta_info_def.tags == ["serve"]
        print("OK", tf.constant(2.0).numpy() * 2, hasattr(tf, "saved_model"))
        """
    )
    assert result.returncode == 0, result.stderr
    assert "OK 4.0 True" in result.stdout


@pytest.mark.slow  # imports TensorFlow in a child (seconds): CI runs it
def test_reading_after_tensorflow_was_imported_uses_its_modules() -> None:
    result = run_python(
        """
        import os
        import tensorflow as tf
        import inspector
        from tensorflow.core.protobuf import meta_graph_pb2
        own = inspector.load("fixtures/models/module_aliases")
        os.environ["INSPECTOR_PROTOS"] = "tensorflow"
        view = inspector.load("fixtures/models/module_aliases")
        print("SAME", isinstance(view.meta_graph_def, meta_graph_pb2.MetaGraphDef), own.nodes.keys() == view.nodes.keys())
        """
    )
    assert result.returncode == 0, result.stderr
    assert "SAME True True" in result.stdout
