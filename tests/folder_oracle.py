"""Ask each loader what a file in a model's folder runs: load it as its users do, and report whether the
payload's marker appeared (fixtures/payloads.py: every malicious payload writes `canary.folder`).

    python tests/folder_oracle.py CASE_FOLDER LOADER FILE      # prints one JSON object: {"fired": bool, ...}

Run by tests/test_folder_payloads.py in a child process whose working directory is a fresh temporary
folder holding a copy of the case: whatever the payload does lands there and nowhere else.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import zipfile
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

MARKER = "canary.folder"


def load(loader: str, path: Path) -> Any:
    if loader == "pickle":
        if zipfile.is_zipfile(path):  # a pickle inside a zip: whoever unzips it unpickles the member
            with zipfile.ZipFile(path) as archive:
                return [pickle.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".pkl")]
        with path.open("rb") as stream:
            return pickle.load(stream)  # the point: what the loader runs
    if loader == "numpy":
        import numpy as np

        loaded = np.load(path, allow_pickle=True)
        return [loaded[key] for key in loaded.files] if hasattr(loaded, "files") else loaded
    if loader == "joblib":
        import joblib

        return joblib.load(path)
    if loader == "torch":
        # torch.load(weights_only=False) unpickles archive/data.pkl; torch is not installed here, so the
        # member is unpickled as torch would (its persistent_load only resolves tensor storages).
        with zipfile.ZipFile(path) as archive:
            [name] = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            return pickle.loads(archive.read(name))
    if loader == "keras":
        import keras

        return _called(keras.saving.load_model(path, safe_mode=False))
    if loader == "tf_keras":
        import tf_keras

        return _called(tf_keras.models.load_model(str(path)))
    raise SystemExit(f"no loader {loader}")


def _called(model: Any) -> Any:
    """A loaded Keras model, called once on zeros: a Lambda whose output shape was given runs then."""
    import numpy as np

    shape = [1 if dim is None else dim for dim in model.inputs[0].shape]
    return model(np.zeros(shape, np.float32))


def main(folder: str, loader: str, file: str) -> None:
    os.chdir(folder)
    error = ""
    try:
        load(loader, Path(file) if file else Path())
    except Exception as raised:  # what ran before the failure still counts
        error = f"{type(raised).__name__}: {str(raised).splitlines()[0][:200] if str(raised) else ''}"
    print(json.dumps({"fired": Path(MARKER).exists(), "error": error}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
