"""The README's Keras commands, run as written on files Keras itself saved, end to end through the CLI.

The model is trained for a few steps in Keras on the same faces, so its predictions are not one class:
the report's test accuracy must then equal the accuracy of Keras's own predictions on the test split.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import warnings
from pathlib import Path

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

from keras import layers  # noqa: E402

from fer_report.cli import main  # noqa: E402
from tests.test_network import small_explanations  # noqa: E402,F401  (fixture: fewer images and steps)

README = Path(__file__).parents[2] / "README.md"


def readme_commands() -> list[str]:
    """The commands of the README's "A Keras model" block."""
    text = README.read_text(encoding="utf-8").split("### A Keras model\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.startswith("fer-report ")]


def student_cnn() -> keras.Model:
    """A small course-style CNN: a fused relu conv, BatchNorm, pooling, a second conv block, softmax head."""
    return keras.Sequential([
        keras.Input((48, 48, 1)),
        layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, padding="same"),
        layers.Activation("relu"),
        layers.MaxPooling2D(2),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(7, activation="softmax"),
    ], name="student_cnn")


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """model.h5, model.keras, model.json + model.weights.h5, train.csv and training.log.csv, as a student has them."""
    from fer_report.data.synthetic import make_synthetic

    root = tmp_path_factory.mktemp("keras_student")
    ds = make_synthetic(seed=0, size="tiny")
    x, y = ds.train.x[:140], ds.train.y[:140]
    rows = [f"{label},{' '.join(map(str, img.reshape(-1)))}" for img, label in zip(x, y)]
    (root / "train.csv").write_text("emotion,pixels\n" + "\n".join(rows) + "\n")
    keras.utils.set_random_seed(0)
    model = student_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[..., None] / 255.0, y, epochs=3, batch_size=32, validation_split=0.2, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(root / "model.h5")
        model.save(root / "model.keras")
        model.save_weights(root / "model.weights.h5")
    (root / "model.json").write_text(model.to_json())
    log = ["epoch,accuracy,loss,val_accuracy,val_loss"]
    h = history.history
    log += [f"{e},{h['accuracy'][e]},{h['loss'][e]},{h['val_accuracy'][e]},{h['val_loss'][e]}" for e in range(3)]
    (root / "training.log.csv").write_text("\n".join(log) + "\n")
    return root, model


def _keras_accuracy(model, root: Path) -> float:
    """Keras's own predictions on the test split the report uses (the same file, split the same way)."""
    from fer_report.data import load_dataset

    test = load_dataset(str(root / "train.csv"), seed=0).test
    probs = model.predict(test.x[..., None].astype("float32") / 255.0, verbose=0)
    return float((probs.argmax(1) == test.y).mean())


def test_readme_keras_commands_run_as_written(student, monkeypatch, small_explanations):  # noqa: F811
    root, model = student
    monkeypatch.chdir(root)
    commands = readme_commands()
    assert [shlex.split(c)[4] for c in commands] == ["model.h5", "model.keras", "model.json"]
    expected = _keras_accuracy(model, root)
    for command in commands:
        out = root / "out"
        assert main([*shlex.split(command)[1:], "--out", str(out), "-q"]) == 0, command
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        sections = {s["name"]: s for s in report["sections"]}
        status = {name: s["status"] for name, s in sections.items()}
        assert "failed" not in status.values(), (command, status)
        assert "training" not in report["run"] and report["run"]["given"], command  # nothing trained here
        assert report["run"]["model"]["kind"] == "keras" and report["run"]["model"]["output"] == "probabilities"
        assert report["run"]["accuracy"]["test"] == pytest.approx(expected, abs=1e-9), command

        arch = sections["architecture"]
        assert arch["numbers"]["total_params"] == model.count_params()
        assert [r["name"] for r in arch["tables"]["layers"]] == [layer.name for layer in model.layers]
        assert arch["tables"]["layers"][0]["shape"] == "(None, 48, 48, 8)"
        assert "model.summary()" in sections["model_code"]["text"][0]
        assert f'Total params: {model.count_params():,}' in sections["model_code"]["numbers"]["source"]
        for name in ("gradcam", "filters", "saliency", "lime", "methods", "confusion"):
            assert status[name] == "ok", (command, name)
        if "--history" in command:
            assert status["history"] == "ok" and sections["history"]["numbers"]["epochs"] == 3
