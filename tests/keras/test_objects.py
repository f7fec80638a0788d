"""``fer_report.Report(model=keras_model)``: a Keras model object from a notebook, saved by Keras itself and
read by the same path as ``--model model.keras``; the report's accuracy is Keras's own."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

import fer_report  # noqa: E402
from fer_report.data import load_dataset  # noqa: E402
from fer_report.model.keras.objects import is_keras_model, save_keras_model  # noqa: E402
from tests.keras.test_cli import student_cnn  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    faces = load_dataset(None, synthetic_size="tiny")
    keras.utils.set_random_seed(0)
    model = student_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(faces.train.x[..., None] / 255.0, faces.train.y, epochs=2, batch_size=32,
                            validation_data=(faces.val.x[..., None] / 255.0, faces.val.y), verbose=0)
    return faces, model, history


def test_a_keras_object_is_reported_as_its_saved_file(tmp_path, fitted):
    faces, model, history = fitted
    # what a Keras student holds: (N, 48, 48, 1) floats in 0..1 and to_categorical's one-hot labels
    data = {k: (s.x[..., None] / 255.0, keras.utils.to_categorical(s.y, 7)) for k, s in faces.splits().items()}
    report = fer_report.Report(model=model, history=history, data=data, sections="architecture,history,confusion",
                               out=tmp_path / "out", cache=tmp_path / "cache")
    got = report.build()
    sections = {s["name"]: s for s in got["sections"]}
    assert [s["status"] for s in got["sections"]] == ["ok"] * 3
    assert got["run"]["model"]["kind"] == "keras" and "given" in got["run"]
    assert "in 0..1, multiplied by 255, labels one-hot" in got["run"]["data"]["source"]
    assert sections["architecture"]["numbers"]["total_params"] == model.count_params()
    assert sections["history"]["numbers"]["epochs"] == 2  # the Keras History object
    expected = model.predict(faces.test.x[..., None].astype("float32") / 255.0, verbose=0).argmax(1)
    assert got["run"]["accuracy"]["test"] == pytest.approx(float((expected == faces.test.y).mean()), abs=1e-9)


def test_the_file_follows_the_weights(tmp_path, fitted):
    _, model, _ = fitted
    assert is_keras_model(model) and not is_keras_model(object())
    first = save_keras_model(model, tmp_path)
    assert save_keras_model(model, tmp_path) == first and Path(first).name == "student_cnn.keras"
    clone = keras.models.clone_model(model)  # the same architecture, other weights
    assert save_keras_model(clone, tmp_path) != first


def test_train_true_is_refused_for_a_keras_object(tmp_path, fitted):
    with pytest.raises(fer_report.UserError, match="train=True: only for a torch nn.Module"):
        fer_report.Report(model=fitted[1], train=True, out=tmp_path)
