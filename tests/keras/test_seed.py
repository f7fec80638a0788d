"""The course's seed CNN: Keras's counts (319,975 / 318,055 / 1,920), its summary, and fer-report's
own layer tools (conv search, "the ReLU after the conv", the parameter table) on the converted module."""

from __future__ import annotations

import os

import pytest

os.environ["KERAS_BACKEND"] = "torch"
pytest.importorskip("keras")

import torch  # noqa: E402

from fer_report.explain.layers import conv_layers, rectified  # noqa: E402
from fer_report.model.keras import load_keras  # noqa: E402
from fer_report.model.summary import summarize  # noqa: E402

from . import kmodels  # noqa: E402

#: model.summary() of the seed CNN in the course report this product was modelled on.
TOTAL, TRAINABLE, NON_TRAINABLE = 319_975, 318_055, 1_920


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    model = kmodels.randomize(kmodels.seed_cnn())
    files = kmodels.save_all(model, tmp_path_factory.mktemp("seed"))
    return model, load_keras(files["h5"][0])


def test_keras_counts(seed):
    model, converted = seed
    assert (converted.total_params, converted.trainable_params, converted.non_trainable_params) == \
        (TOTAL, TRAINABLE, NON_TRAINABLE)
    assert model.count_params() == TOTAL


def test_summary_reads_like_keras(seed):
    _, converted = seed
    text = converted.summary_text()
    first = converted.rows[0]
    assert text.startswith('Model: "seed_cnn"')
    assert f"{first.name} (Conv2D)" in text and "(None, 48, 48, 32)" in text
    for line in ("Total params: 319,975", "Trainable params: 318,055", "Non-trainable params: 1,920"):
        assert line in text
    assert "Connected to" not in text  # a Sequential model's summary has no such column
    assert '"class_name": "Sequential"' in converted.config_text()


def test_fer_report_layer_tools_work_unchanged(seed):
    _, converted = seed
    module = converted.module
    convs = conv_layers(module, (1, 48, 48))
    assert convs == [r.module for r in converted.rows if r.class_name == "Conv2D"]
    relu = rectified(module, convs[-1])  # Conv2D -> BatchNormalization -> Activation("relu")
    assert isinstance(module.get_submodule(relu), torch.nn.ReLU)
    assert converted.rectifiers[convs[-1]] == relu
    table = summarize(module, (1, 48, 48))
    assert (table.total, table.trainable, table.buffers) == (TOTAL, TRAINABLE, NON_TRAINABLE)


def test_batch_norm_uses_keras_epsilon_and_statistics(seed):
    _, converted = seed
    bn = converted.module.get_submodule(next(r.module for r in converted.rows if r.class_name == "BatchNormalization"))
    assert bn.eps == pytest.approx(1e-3)
    assert not torch.allclose(bn.running_var, torch.ones_like(bn.running_var))
