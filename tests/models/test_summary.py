"""The Keras-style summary: counts that match Keras and the model's own sums."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from fer_report.model.builtin import MODELS, build_model
from fer_report.model.summary import count_params, summarize


def _stats(model: nn.Module) -> int:
    return sum(m.running_mean.numel() + m.running_var.numel()
               for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm))


def test_cnn4_matches_keras_count():
    s = summarize(build_model("cnn4"))
    assert (s.trainable, s.buffers, s.total) == (318_055, 1_920, 319_975)


@pytest.mark.parametrize("name", list(MODELS))
def test_totals_equal_model_sums(name):
    model = build_model(name)
    s = summarize(model)
    assert s.trainable == sum(p.numel() for p in model.parameters())
    assert s.buffers == _stats(model)
    assert s.total == s.trainable + s.buffers == sum(count_params(model))


def test_rows_in_call_order_with_shapes():
    rows = summarize(build_model("cnn4")).rows
    assert rows[0].name == "features.conv1" and rows[0].kind == "Conv2d"
    assert rows[0].output_shape == (32, 48, 48)
    flatten = next(r for r in rows if r.kind == "Flatten")
    assert flatten.output_shape == (288,) and flatten.trainable == flatten.buffers == 0
    assert rows[-1].output_shape == (7,)
    bn = next(r for r in rows if r.name == "features.bn1")
    assert (bn.trainable, bn.buffers) == (64, 64)


def test_input_shape_and_mode_restored():
    model = build_model("cnn4", image_size=64).train()
    s = summarize(model, input_shape=(1, 64, 64))
    assert model.training and s.input_shape == (1, 64, 64)
    assert next(r for r in s.rows if r.kind == "Flatten").output_shape == (512,)
    assert not any(m._forward_hooks for m in model.modules())


def test_shared_and_unused_parameters_count_once():
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.scale = nn.Parameter(torch.ones(1))  # held by a container
            self.unused = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(self.fc(x.flatten(1))) * self.scale

    model = Odd()
    s = summarize(model, input_shape=(4,))
    assert s.trainable == sum(p.numel() for p in model.parameters())
    assert [r.name for r in s.rows if r.name == "fc"] == ["fc", "fc"]
    assert any(r.name == "unused" and r.output_shape == () for r in s.rows)
