"""A Keras model handed over as an object (``fer_report.Report(model=keras_model)`` in a notebook).

The report reads Keras models from their files without Keras (``load_keras``), so an object is saved,
by Keras itself, as the file a student would have saved (``.keras`` for Keras 3, ``.h5`` for tf.keras 2)
and given to the same path as ``--model model.keras``. The file lies in a folder named by a hash of the
architecture and the weights: re-running a cell after more training gives another file, so no cache
entry made for the old weights is reused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fer_report.errors import ConfigError

_PACKAGES = ("keras", "tf_keras", "tensorflow")


def is_keras_model(obj: Any) -> bool:
    """A Keras ``Model`` (Keras 3, tf.keras or tf_keras), told apart without importing Keras."""
    return (type(obj).__module__.split(".")[0] in _PACKAGES and callable(getattr(obj, "to_json", None))
            and callable(getattr(obj, "save", None)) and callable(getattr(obj, "get_weights", None)))


def save_keras_model(model: Any, inputs: Path) -> str:
    """The path of ``model`` saved under ``inputs`` (written once per architecture and weights)."""
    try:
        architecture = model.to_json()
        weights = model.get_weights()
    except Exception as exc:  # noqa: BLE001: an unbuilt or subclassed model says why in one line
        raise ConfigError(f"model: the Keras model '{getattr(model, 'name', '?')}' cannot be described as a file "
                          f"({type(exc).__name__}: {exc}); build it with an Input layer, or save it yourself and "
                          "pass the path") from None
    h = hashlib.sha256(architecture.encode())
    for w in weights:
        h.update(f"{w.dtype}:{w.shape}".encode())
        h.update(w.tobytes())
    suffix = ".keras" if _major_version(model) >= 3 else ".h5"
    folder = inputs / f"keras-{h.hexdigest()[:16]}"
    path = folder / f"{_file_stem(model)}{suffix}"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"partial{suffix}"
        model.save(partial)
        partial.replace(path)  # a crash mid-save leaves no file that looks complete
    return str(path)


def _major_version(model: Any) -> int:
    import importlib

    package = importlib.import_module(type(model).__module__.split(".")[0])
    version = getattr(package, "__version__", "3")
    if package.__name__ == "tensorflow":  # tf.keras: Keras 3 from TensorFlow 2.16 on
        version = getattr(getattr(package, "keras", None), "__version__", "2")
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return 3


def _file_stem(model: Any) -> str:
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(getattr(model, "name", "model")))
    return name or "model"
