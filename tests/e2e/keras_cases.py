"""Cases of tests/e2e/test_bad_input.py for a Keras model (issue 21): each file is written by Keras 3 itself
(a test dependency), as a student's script would write it, and refused with one line before any training.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Callable

MODEL = "--model FILE (Keras)"


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras


def _tiny(name: str = "student_cnn"):
    keras = _keras()
    layers = keras.layers
    return keras.Sequential([keras.Input((48, 48, 1)), layers.Conv2D(2, 3, activation="relu"), layers.Flatten(),
                             layers.Dense(7, activation="softmax")], name=name)


def _save(model, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if path.name.endswith(".weights.h5"):
            model.save_weights(path)
        else:
            model.save(path)


def _weights_only(folder: Path) -> list[str]:
    _save(_tiny(), folder / "model.weights.h5")
    return ["--model", "model.weights.h5"]


def _json_alone(folder: Path) -> list[str]:
    (folder / "model.json").write_text(_tiny().to_json())
    return ["--model", "model.json"]


def _lambda(folder: Path) -> list[str]:
    keras = _keras()
    layers = keras.layers
    model = keras.Sequential([keras.Input((48, 48, 1)), layers.Lambda(lambda t: t / 255.0, name="scale"),
                              layers.Flatten(), layers.Dense(7, activation="softmax")])
    _save(model, folder / "model.keras")
    return ["--model", "model.keras"]


def _custom(folder: Path) -> list[str]:
    keras = _keras()

    @keras.saving.register_keras_serializable(package="student")
    class Attention(keras.layers.Layer):
        def call(self, x):
            return x * keras.ops.sigmoid(x)

    model = keras.Sequential([keras.Input((48, 48, 1)), keras.layers.Conv2D(4, 3), Attention(name="attention"),
                              keras.layers.Flatten(), keras.layers.Dense(7)])
    _save(model, folder / "model.keras")
    return ["--model", "model.keras"]


def _truncated(folder: Path) -> list[str]:
    _save(_tiny(), folder / "full.h5")
    data = (folder / "full.h5").read_bytes()
    (folder / "model.h5").write_bytes(data[: len(data) // 2])
    return ["--model", "model.h5"]


def _saved_model(folder: Path) -> list[str]:
    (folder / "export" / "variables").mkdir(parents=True)
    (folder / "export" / "saved_model.pb").write_bytes(b"\x08\x01")  # what model.save('export') wrote in TF 2
    return ["--model", "export"]


def _six_outputs(folder: Path) -> list[str]:
    keras = _keras()
    inp = keras.Input((48, 48, 1))
    x = keras.layers.Flatten()(inp)
    model = keras.Model(inp, [keras.layers.Dense(7, name=f"head_{i}")(x) for i in range(6)])
    _save(model, folder / "model.keras")
    return ["--model", "model.keras"]


def keras_cases(Case) -> list:
    def case(cid: str, what_case: str, what: str, make: Callable[[Path], list[str]], *expect: str):
        return Case(cid, what_case, MODEL, what, make, expect)

    return [
        case("keras-weights-only", "a Keras weights-only file as --model", "model.save_weights() output",
             _weights_only, "model.weights.h5", "weights-only", "--weights"),
        case("keras-json-without-weights", "a Keras to_json file without --weights", "model.to_json() output",
             _json_alone, "model.json", "--weights model.weights.h5"),
        case("keras-lambda", "a Keras Lambda layer", "a Lambda layer named 'scale'", _lambda,
             "model.keras", "'scale' (Lambda)"),
        case("keras-custom-layer", "a custom Keras layer", "a registered custom layer class 'Attention'", _custom,
             "model.keras", "'attention' (Attention)", "not supported"),
        case("keras-truncated", "a truncated Keras file", "the first half of a full-model .h5", _truncated,
             "model.h5", "truncated or corrupt"),
        case("keras-saved-model", "a TensorFlow SavedModel folder", "a folder with saved_model.pb", _saved_model,
             "export", "SavedModel", "save('model.keras')"),
        case("keras-six-outputs", "a Keras model with 6 outputs", "six Dense heads", _six_outputs,
             "model.keras", "6 outputs"),
        case("keras-missing", "a missing Keras file", "no such file", lambda folder: ["--model", "model.h5"],
             "model.h5: no such file"),
    ]
