"""Keras models converted by ``model.keras``: a fused ``activation="relu"`` is a child of its own
(``conv2d_1`` then ``conv2d_1_relu``), and the data-flow rule must find the same ReLU that the converter
records in ``KerasModel.rectifiers``, in a Sequential and in a Functional graph with branches alike."""

from __future__ import annotations

import os

import pytest

os.environ["KERAS_BACKEND"] = "torch"
pytest.importorskip("keras")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from fer_report.explain.dataflow import RECTIFIERS  # noqa: E402
from fer_report.explain.layers import conv_layers, rectified  # noqa: E402
from fer_report.model.keras import load_keras  # noqa: E402
from fer_report.model.output import ClassScores, detect_output  # noqa: E402

from tests.keras import kmodels  # noqa: E402


@pytest.mark.parametrize("name", ["seed_cnn", "branches", "mini_xception", "activations", "nested"])
def test_the_rectifier_of_each_keras_conv_is_the_one_the_converter_records(name, tmp_path):
    model = kmodels.randomize(kmodels.BUILDERS[name]())
    converted = load_keras(kmodels.save_all(model, tmp_path)["h5"][0])
    h, w, c = converted.input_shape
    shape = (c, h, w)
    wrapped = ClassScores(converted.module, detect_output(converted.module, torch.zeros(2, *shape)))
    modules = dict(wrapped.named_modules())
    for conv in conv_layers(wrapped, shape):
        found = rectified(wrapped, conv, shape)
        child = conv.split(".")[0]  # a SeparableConv2D child holds two convs: its pointwise one ends it
        if child in converted.rectifiers and not conv.endswith(".depthwise"):  # the converter's own account
            assert found == converted.rectifiers[child], conv
        elif found != conv:  # beyond nn.ReLU: LeakyReLU, ELU, SELU, PReLU count too
            assert isinstance(modules[found], RECTIFIERS) and not isinstance(modules[found], nn.ReLU), conv
    if name == "activations":  # Conv2D then LeakyReLU(); Conv2D(activation="selu"); Conv2D(activation="elu")
        found = {type(modules[rectified(wrapped, conv, shape)]).__name__ for conv in conv_layers(wrapped, shape)}
        assert {"LeakyReLU", "SELU", "ELU"} <= found
