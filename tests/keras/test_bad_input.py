"""Each bad Keras input is refused with one line that names the file and says what to do."""

from __future__ import annotations

import json
import os

import pytest

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

from keras import layers  # noqa: E402

from fer_report.errors import UserError  # noqa: E402
from fer_report.model.keras import load_keras  # noqa: E402

from . import kmodels  # noqa: E402


def _refused(path, *words, weights=None) -> str:
    with pytest.raises(UserError) as info:
        load_keras(path, weights)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message, message
    return message


def _tiny(name: str = "tiny", units: int = 7) -> keras.Model:
    return keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(2, 3), layers.Flatten(),
                             layers.Dense(units, activation="softmax")], name=name)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return kmodels.save_all(_tiny(), tmp_path_factory.mktemp("bad"))


def test_weights_only_h5_as_model(tiny):
    _refused(tiny["json"][1], "weights-only", "--weights", "to_json")


def test_architecture_without_weights(tiny):
    _refused(tiny["json"][0], "--weights")


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_truncated_file(tiny, tmp_path, fmt):
    data = tiny[fmt][0].read_bytes()
    cut = tmp_path / f"cut.{fmt if fmt == 'h5' else 'keras'}"
    cut.write_bytes(data[: len(data) // 2])
    _refused(cut, "truncated or corrupt")


def test_garbage_with_a_keras_suffix(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x00" * 64)
    _refused(path, "truncated or corrupt")


def test_saved_model_folder(tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "saved_model.pb").write_bytes(b"\x08\x01")
    _refused(tmp_path / "export", "SavedModel", ".save('model.keras')")


def test_several_outputs(tmp_path):
    inp = keras.Input((8, 8, 1))
    x = layers.Flatten()(inp)
    model = keras.Model(inp, [layers.Dense(7, name=f"head_{i}")(x) for i in range(6)])
    model.save(tmp_path / "six.keras")
    _refused(tmp_path / "six.keras", "6 outputs", "one (N, 7) output")


def test_lambda_layer(tmp_path):
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Lambda(lambda t: t * 2, name="double"),
                              layers.Flatten(), layers.Dense(7)])
    model.save(tmp_path / "lambda.keras")
    message = _refused(tmp_path / "lambda.keras", "'double' (Lambda)", "does not run code")
    assert "ONNX" in message


def test_custom_layer(tmp_path):
    @keras.saving.register_keras_serializable(package="student")
    class Scale(layers.Layer):
        def call(self, x):
            return x * 3

    model = keras.Sequential([keras.Input((8, 8, 1)), Scale(name="scale"), layers.Flatten(), layers.Dense(7)])
    model.save(tmp_path / "custom.keras")
    _refused(tmp_path / "custom.keras", "'scale' (Scale)", "not supported", "Conv2D", "SeparableConv2D")


def test_weights_that_do_not_fit(tiny, tmp_path):
    other = kmodels.save_all(_tiny("other", units=5), tmp_path)
    _refused(tiny["json"][0], "dense", "(Dense)", "(72, 5)", "(72, 7)", weights=other["json"][1])


def test_weights_for_too_few_layers(tiny, tmp_path):
    config = json.loads(tiny["json"][0].read_text())
    config["config"]["layers"].insert(2, {"class_name": "Conv2D", "config": {
        "name": "extra", "filters": 2, "kernel_size": [1, 1], "padding": "valid"}})
    (tmp_path / "more.json").write_text(json.dumps(config))
    _refused(tmp_path / "more.json", "(Conv2D)", "holds", weights=tiny["json"][1])


def test_not_a_model_json(tmp_path):
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"loss": [1.0, 0.5]}))
    _refused(path, "not a Keras model")
