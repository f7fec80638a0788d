"""Reading a Keras file of any of the kinds students hold, with h5py, json and zipfile only.

A full-model ``.h5`` (the ``model_config`` attribute and the ``model_weights`` group; Keras 2.0, tf.keras
2.x and Keras 3's legacy writer), a ``.keras`` zip (``config.json`` + ``model.weights.h5``), or a
``model.to_json()`` file whose weights come from ``--weights``. Nothing in the file is run: the
architecture is JSON and the weights are arrays, so there is no Lambda bytecode to unmarshal and no
custom class to import. Each refusal is one line naming the file, what it holds and what is expected.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fer_report.errors import UserError

from .config import MODEL_CLASSES, ModelSpec, Problem, model_spec
from .weights import LayerWeights, is_weights_file, read_weights

_HDF5, _ZIP = b"\x89HDF\r\n\x1a\n", b"PK\x03\x04"
_CORRUPT = (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)


@dataclass
class Source:
    spec: ModelSpec
    weights: LayerWeights
    kind: str  # the file's kind in words, for the report's header
    keras_version: str | None
    config: dict[str, Any]  # the serialized model as the file holds it


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _json(text, where: str) -> Any:
    try:
        return json.loads(_text(text))
    except ValueError as e:
        raise UserError(f"{where}: the architecture is not valid JSON ({e})") from None


def _version(value) -> str | None:
    version = _text(value) if value is not None else None
    if version and version.startswith("1."):
        raise Problem(f"written by Keras {version}; fer-report reads Keras 2 and 3 files: load it in Keras 2 "
                      "and save it again")
    return version


def _saved_model(path: Path) -> UserError:
    return UserError(f"{path}: a TensorFlow SavedModel folder, which needs TensorFlow to read; in TensorFlow, "
                     f"save it as one Keras file: tf.keras.models.load_model('{path}').save('model.keras') "
                     "(or 'model.h5'), and pass that file")


def _kind_of(path: Path) -> str:
    if path.is_dir():
        if (path / "saved_model.pb").exists() or (path / "keras_metadata.pb").exists():
            raise _saved_model(path)
        raise UserError(f"{path}: a folder, not a Keras model file (.h5, .keras, or a model.to_json() .json)")
    if not path.is_file():
        raise UserError(f"{path}: not found")
    with open(path, "rb") as f:
        head = f.read(1024)
    if head.startswith(_HDF5) or path.suffix.lower() in (".h5", ".hdf5") and _hdf5_at_offset(path):
        return "hdf5"
    if head.startswith(_ZIP):
        return "zip"
    if head.lstrip()[:1] == b"{":
        return "json"
    if path.name == "saved_model.pb":
        raise _saved_model(path.parent)
    if path.suffix.lower() in (".h5", ".hdf5", ".keras"):
        raise UserError(f"{path}: not a readable {path.suffix} file (no HDF5 or zip signature: truncated or "
                        "corrupt?); save the model again")
    raise UserError(f"{path}: not a Keras file (expected an HDF5 .h5, a .keras zip or a model.to_json() .json)")


def _hdf5_at_offset(path: Path) -> bool:
    import h5py

    return h5py.is_hdf5(str(path))


def _weights_of_hdf5(root, spec: ModelSpec, label: str) -> LayerWeights:
    group = root["model_weights"] if "model_weights" in root else root
    return read_weights(group, spec.layers, label)


def _from_hdf5(path: Path, weights: Path | None) -> Source:
    import h5py

    with h5py.File(path, "r") as root:
        if "model_config" not in root.attrs:
            if is_weights_file(root):
                raise UserError(f"{path}: a weights-only file (save_weights) holds no architecture; pass the "
                                "architecture (model.to_json() saved as a .json file) as the model and this "
                                "file with --weights")
            raise UserError(f"{path}: an HDF5 file without a Keras model in it (no model_config attribute)")
        config = _json(root.attrs["model_config"], str(path))
        version = _version(root.attrs.get("keras_version"))
        spec = model_spec(config)
        if weights is not None:
            return Source(spec, read_weights_file(weights, spec), "Keras .h5 with separate weights", version, config)
        if "model_weights" not in root:
            raise UserError(f"{path}: holds the architecture but no weights (no model_weights group); pass "
                            "the weights with --weights")
        store = _weights_of_hdf5(root, spec, path.name)
    return Source(spec, store, f"Keras {version or '?'} full-model .h5", version, config)


def _open_zip(path: Path) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(path)
    if "config.json" not in archive.namelist():
        raise UserError(f"{path}: a zip without config.json, not a .keras file")
    return archive


def _zip_weights(archive: zipfile.ZipFile, path: Path, spec: ModelSpec) -> LayerWeights:
    import h5py

    names = archive.namelist()
    if "model.weights.h5" not in names:
        found = "model.weights.npz (not supported; save with the default h5 weights)" \
            if "model.weights.npz" in names else "no model.weights.h5"
        raise UserError(f"{path}: {found}")
    with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as root:
        return read_weights(root, spec.layers, f"{path.name}:model.weights.h5")


def _from_zip(path: Path, weights: Path | None) -> Source:
    with _open_zip(path) as archive:
        config = _json(archive.read("config.json"), str(path))
        meta = _json(archive.read("metadata.json"), str(path)) if "metadata.json" in archive.namelist() else {}
        version = _version(meta.get("keras_version"))
        spec = model_spec(config)
        store = read_weights_file(weights, spec) if weights else _zip_weights(archive, path, spec)
    return Source(spec, store, f"Keras {version or '?'} .keras", version, config)


def _from_json(path: Path, weights: Path | None) -> Source:
    config = _json(path.read_bytes(), str(path))
    if not isinstance(config, dict) or config.get("class_name") not in MODEL_CLASSES:
        raise UserError(f"{path}: JSON that is not a Keras model (expected model.to_json()'s output, whose "
                        "class_name is Sequential, Functional or Model)")
    if weights is None:
        raise UserError(f"{path}: an architecture without weights (model.to_json()); pass the weights file "
                        "(model.save_weights()) with --weights")
    version = _version(config.get("keras_version"))
    spec = model_spec(config)
    return Source(spec, read_weights_file(weights, spec), "Keras model.to_json() + weights", version, config)


def read_weights_file(path: Path, spec: ModelSpec) -> LayerWeights:
    """The weights of ``spec`` from a `save_weights` file (either layout), a full-model .h5 or a .keras."""
    import h5py

    path = Path(path)
    kind = _kind_of(path)
    try:
        if kind == "zip":
            with _open_zip(path) as archive:
                return _zip_weights(archive, path, spec)
        if kind != "hdf5":
            raise UserError(f"{path}: not a Keras weights file (expected the HDF5 file model.save_weights() writes)")
        with h5py.File(path, "r") as root:
            return _weights_of_hdf5(root, spec, path.name)
    except _CORRUPT as e:
        raise UserError(f"{path}: cannot be read as Keras weights (truncated or corrupt: {_reason(e)})") from None


def _reason(e: BaseException) -> str:
    return " ".join(str(e).split())[:120] or type(e).__name__


def read_source(path: Path, weights: Path | None = None) -> Source:
    """The architecture and weights of a Keras file (see the module's docstring for the kinds read)."""
    path = Path(path)
    kind = _kind_of(path)
    reader = {"hdf5": _from_hdf5, "zip": _from_zip, "json": _from_json}[kind]
    try:
        return reader(path, weights)
    except (UserError, Problem):
        raise
    except _CORRUPT as e:
        raise UserError(f"{path}: cannot be read as a Keras {kind} file (truncated or corrupt: {_reason(e)}); "
                        "save the model again") from None
