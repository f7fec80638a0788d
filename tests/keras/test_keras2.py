"""Files as Keras 2 wrote them, written here by hand with h5py (Keras 3 cannot write them).

A Keras 2.0.5-style full-model .h5 (a Functional "Model" config: class names without `module`,
`batch_input_shape`, inbound_nodes as `[[["name", 0, 0, {}]]]`, a training config with `lr`/`decay`),
and a Keras 2.0-2.12 `save_weights` file (`layer_names` / `weight_names` attributes, datasets
`<layer>/<layer>/kernel:0`) with a Keras 2.0 Sequential `to_json` whose config is a bare list.
Outputs are compared with the same architecture built in Keras 3 holding the same arrays.
"""

from __future__ import annotations

import json
import os

import pytest

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from keras import layers  # noqa: E402

from fer_report.model.keras import load_keras  # noqa: E402

from . import kmodels  # noqa: E402

#: The arrays each Keras 2 layer saves, in Keras 2's order.
NAMES = {"Conv2D": ("kernel", "bias"), "Dense": ("kernel", "bias"),
         "BatchNormalization": ("gamma", "beta", "moving_mean", "moving_variance")}


def _layer(cls: str, name: str, inbound=None, **config) -> dict:
    entry = {"class_name": cls, "config": {"name": name, "trainable": True, **config}}
    if inbound is not None:
        entry["name"] = name
        entry["inbound_nodes"] = [[[src, 0, 0, {}] for src in inbound]] if inbound else []
    return entry


def _conv(name, inbound, filters, **kw):
    return _layer("Conv2D", name, inbound, filters=filters, kernel_size=[3, 3], strides=[1, 1],
                  padding=kw.pop("padding", "same"), data_format="channels_last", dilation_rate=[1, 1],
                  activation=kw.pop("activation", "linear"), use_bias=True, **kw)


def functional_keras2() -> dict:
    """A Keras 2.0.5 Functional config: conv-BN-LeakyReLU, a second conv, an Add, pooling, softmax head."""
    return {"class_name": "Model", "keras_version": "2.0.5", "backend": "tensorflow", "config": {
        "name": "model_1",
        "layers": [
            _layer("InputLayer", "input_1", [], batch_input_shape=[None, 12, 12, 1], dtype="float32", sparse=False),
            _conv("conv2d_1", ["input_1"], 4, activation="relu"),
            _layer("BatchNormalization", "batch_normalization_1", ["conv2d_1"], axis=-1, momentum=0.99,
                   epsilon=0.001, center=True, scale=True),
            _layer("LeakyReLU", "leaky_re_lu_1", ["batch_normalization_1"], alpha=0.30000001192092896),
            _conv("conv2d_2", ["leaky_re_lu_1"], 4),
            _layer("Add", "add_1", ["conv2d_2", "leaky_re_lu_1"]),
            _layer("MaxPooling2D", "max_pooling2d_1", ["add_1"], pool_size=[2, 2], padding="valid",
                   strides=[2, 2], data_format="channels_last"),
            _layer("Flatten", "flatten_1", ["max_pooling2d_1"]),
            _layer("Dense", "dense_1", ["flatten_1"], units=7, activation="softmax", use_bias=True),
        ],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]}}


def sequential_keras20() -> dict:
    """Keras 2.0's Sequential to_json: the config is the list of layers; the first has batch_input_shape."""
    return {"class_name": "Sequential", "keras_version": "2.0.8", "backend": "tensorflow", "config": [
        _conv("conv2d_1", None, 3, padding="valid", batch_input_shape=[None, 10, 10, 1], dtype="float32"),
        _layer("Activation", "activation_1", activation="relu"),
        _layer("Dropout", "dropout_1", rate=0.25),
        _layer("Flatten", "flatten_1"),
        _layer("Dense", "dense_1", units=7, activation="softmax", use_bias=True)]}


def reference(config: dict) -> keras.Model:
    """The same architecture in Keras 3 (same layer names), random weights."""
    layer_list = config["config"] if isinstance(config["config"], list) else config["config"]["layers"]
    made, tensors = {}, {}
    for entry in layer_list:
        cls, cfg = entry["class_name"], dict(entry["config"])
        if cls == "InputLayer":
            tensors[cfg["name"]] = keras.Input(tuple(cfg["batch_input_shape"][1:]), name=cfg["name"])
            continue
        shape = cfg.pop("batch_input_shape", None)
        cfg.pop("dtype", None)
        if cls == "LeakyReLU":
            cfg["negative_slope"] = cfg.pop("alpha")
        made[cfg["name"]] = layer = getattr(layers, cls).from_config(cfg)
        if "inbound_nodes" in entry:
            ins = [tensors[src] for src, *_ in entry["inbound_nodes"][0]]
            tensors[cfg["name"]] = layer(ins if len(ins) > 1 else ins[0])
        elif shape:
            made["__input__"] = keras.Input(tuple(shape[1:]))
    if isinstance(config["config"], list):
        model = keras.Sequential([made.pop("__input__"), *made.values()])
    else:
        model = keras.Model(tensors["input_1"], tensors[config["config"]["output_layers"][0][0]])
    return kmodels.randomize(model, seed=7)


def write_weights(group, model: keras.Model, version: str, *, shuffle_bn: bool = False) -> None:
    """Keras 2.0-2.12's layout: layer_names, then per layer weight_names and <layer>/<layer>/<w>:0."""
    group.attrs["layer_names"] = np.array([layer.name.encode() for layer in model.layers])
    group.attrs["backend"], group.attrs["keras_version"] = b"tensorflow", version.encode()
    for layer in model.layers:
        g = group.create_group(layer.name)
        pairs = list(zip(NAMES.get(layer.__class__.__name__, ()), layer.get_weights()))
        if shuffle_bn and layer.__class__.__name__ == "BatchNormalization":
            pairs = pairs[2:] + pairs[:2]  # order differs from Keras's: the names must decide
        g.attrs["weight_names"] = np.array([f"{layer.name}/{w}:0".encode() for w, _ in pairs], dtype="S")
        for w, array in pairs:
            g.create_dataset(f"{layer.name}/{w}:0", data=array)


def _compare(converted, model: keras.Model) -> float:
    x = kmodels.images(model, n=3)
    with torch.no_grad():
        ours = converted.module(torch.from_numpy(x).permute(0, 3, 1, 2)).numpy()
    return float(np.abs(ours - kmodels.keras_output(model, x)).max())


def test_keras205_full_model_h5(tmp_path):
    config = functional_keras2()
    model = reference(config)
    path = tmp_path / "model.h5"
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"], f.attrs["backend"] = b"2.0.5", b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["training_config"] = json.dumps({"optimizer_config": {"class_name": "Adam", "config":
                                                 {"lr": 0.001, "decay": 0.0}}, "loss": "categorical_crossentropy"})
        write_weights(f.create_group("model_weights"), model, "2.0.5", shuffle_bn=True)
    converted = load_keras(path)
    assert _compare(converted, model) <= 1e-4
    assert converted.keras_version == "2.0.5" and converted.kind == "Functional"
    assert converted.rows[0].class_name == "InputLayer" and converted.rows[0].shape_text == "(None, 12, 12, 1)"
    assert (converted.total_params, converted.non_trainable_params) == (model.count_params(), 8)
    assert "add_1 (Add)" in converted.summary_text()
    leaky = dict(converted.module.named_children())["leaky_re_lu_1"]
    assert leaky.negative_slope == pytest.approx(0.3)


def test_keras20_sequential_json_and_save_weights(tmp_path):
    config = sequential_keras20()
    model = reference(config)
    (tmp_path / "model.json").write_text(json.dumps(config))
    with h5py.File(tmp_path / "weights.h5", "w") as f:
        write_weights(f, model, "2.0.8")
    converted = load_keras(tmp_path / "model.json", tmp_path / "weights.h5")
    assert _compare(converted, model) <= 1e-4
    assert converted.input_shape == (10, 10, 1)
    assert [r.name for r in converted.rows] == ["conv2d_1", "activation_1", "dropout_1", "flatten_1", "dense_1"]


def test_keras3_weights_file_with_keras2_json(tmp_path):
    """tf-keras 2.13+ writes layers/<class key>/vars/<i> without Keras 3's `name` attribute: keys derived."""
    config = functional_keras2()
    model = reference(config)
    model.save_weights(tmp_path / "model.weights.h5")
    with h5py.File(tmp_path / "model.weights.h5", "r+") as f:
        for group in f["layers"].values():
            group["vars"].attrs.pop("name", None)
        assert "conv2d_1" in f["layers"] and "name" not in f["layers/conv2d/vars"].attrs
    (tmp_path / "model.json").write_text(json.dumps(config))
    converted = load_keras(tmp_path / "model.json", tmp_path / "model.weights.h5")
    assert _compare(converted, model) <= 1e-4


def test_tf_keras_written_keras_zip(tmp_path):
    """tf-keras 2.13+'s .keras: `module` keys and a "Functional" class, Keras 2 inbound_nodes, vars layout."""
    import zipfile

    config = functional_keras2()
    config["class_name"], config["module"] = "Functional", "keras.src.engine.functional"
    for entry in config["config"]["layers"]:
        entry["module"], entry["registered_name"] = "keras.layers", None
    model = reference(config)
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        for group in f["layers"].values():
            group["vars"].attrs.pop("name", None)
    with zipfile.ZipFile(tmp_path / "model.keras", "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "2.15.0"}))
        z.writestr("config.json", json.dumps(config))
        z.write(tmp_path / "w.weights.h5", "model.weights.h5")
    converted = load_keras(tmp_path / "model.keras")
    assert converted.keras_version == "2.15.0" and _compare(converted, model) <= 1e-4
