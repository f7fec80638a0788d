"""An ONNX file exported for a batch of 1 (torch.onnx.export's default: no dynamic_axes) runs in every section."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
import torch
from torch import nn

from fer_report.errors import UserError
from fer_report.model.output import batch_error, find_input
from fer_report.report.artifacts import Artefacts
from tests.conftest import tiny_settings
from tests.test_network import small_explanations  # noqa: F401 (a fixture: each section on fewer images)


class ViewNet(nn.Module):
    """A student's CNN: conv, BatchNorm, pool, ``x.view(x.size(0), -1)``, Linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(4)
        self.fc = nn.Linear(8 * 12 * 12, 7)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.conv(x))))
        return self.fc(x.view(x.size(0), -1))


class BatchSum(ViewNet):
    """A graph whose batch is fixed by a sum over it, not by a Reshape: no rewrite gives it back."""

    def forward(self, x):
        return super().forward(x).sum(0, keepdim=True)


def export_batch_of_one(model: nn.Module, path: Path) -> nn.Module:
    """As the usual export call writes it: one example image, no dynamic_axes."""
    torch.manual_seed(0)
    model.eval()
    with torch.no_grad():
        model.bn.running_mean.uniform_(-0.5, 0.5)
        model.bn.running_var.uniform_(0.5, 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.randn(1, 1, 48, 48),), str(path), dynamo=False, input_names=["input"],
                          output_names=["output"], opset_version=17)
    return model


def test_the_probe_finds_the_input_of_a_model_that_takes_one_image(tmp_path):
    from fer_report.model.weights import load_model_file

    export_batch_of_one(ViewNet(), tmp_path / "b1.onnx")
    loaded, kind = load_model_file(tmp_path / "b1.onnx")
    assert find_input(loaded) == (1, 48)
    assert "mat1 and mat2 shapes cannot be multiplied" in batch_error(loaded, 1, 48)
    assert batch_error(loaded, 1, 48, batch=1) is None


def test_a_batch_of_one_onnx_file_gets_its_batch_back_and_says_how_to_export(tmp_path, caplog):
    model = export_batch_of_one(ViewNet(), tmp_path / "b1.onnx")
    settings = tiny_settings(tmp_path / "build", model=str(tmp_path / "b1.onnx"))
    with caplog.at_level(logging.WARNING):
        net = Artefacts(settings, tmp_path / "build").get("net")
    x = torch.randn(5, 1, 48, 48)
    with torch.no_grad():
        torch.testing.assert_close(net.model(x), model(x), atol=1e-5, rtol=1e-4)
    assert f"warning: {tmp_path / 'b1.onnx'} was exported for a batch of 1 (no dynamic_axes): its 1 Reshape to a " \
           "batch of 1 now keeps the batch" in caplog.text
    assert 'dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}' in caplog.text


def test_every_section_runs_on_a_batch_of_one_onnx_file(tmp_path, small_explanations):
    from tests.test_network import GIVEN_SKIPS, run_all

    export_batch_of_one(ViewNet(), tmp_path / "b1.onnx")
    status = run_all(tiny_settings(tmp_path / "build", model=str(tmp_path / "b1.onnx")))
    # an exported file has no source code and no training log; everything else runs
    assert {n for n, s in status.items() if s != "ok"} == GIVEN_SKIPS | {"model_code"}, status


def test_a_batch_fixed_elsewhere_is_refused_with_the_export_call(tmp_path):
    export_batch_of_one(BatchSum(), tmp_path / "sum.onnx")
    settings = tiny_settings(tmp_path / "build", model=str(tmp_path / "sum.onnx"))
    with pytest.raises(UserError) as err:
        Artefacts(settings, tmp_path / "build").get("net")
    assert str(err.value).startswith(f"model file {tmp_path / 'sum.onnx'}: runs on one image at a time only (a batch "
                                     "of 2 with its Reshape to a batch of 1 freed: 2 images gave output of shape "
                                     "(1, 7)); expected a graph that takes a batch "
                                     "of images: export it with torch.onnx.export(model, x, \"model.onnx\", ")


def test_a_models_own_code_with_a_fixed_batch_is_refused_with_the_fix(tmp_path):
    (tmp_path / "model.py").write_text(
        "import torch.nn as nn\n\n\nclass OneNet(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.conv = nn.Conv2d(1, 4, 3, padding=1)\n        self.fc = nn.Linear(4 * 48 * 48, 7)\n\n"
        "    def forward(self, x):\n        return self.fc(self.conv(x).view(1, -1))\n")
    settings = tiny_settings(tmp_path / "build", model=f"{tmp_path / 'model.py'}:OneNet")
    with pytest.raises(UserError) as err:
        Artefacts(settings, tmp_path / "build").get("net")
    assert "runs on one image at a time only (a batch of 2: RuntimeError: " in str(err.value)
    assert str(err.value).endswith("expected a model that takes a batch of images: flatten with "
                                   "x.view(x.size(0), -1) or torch.flatten(x, 1), not a fixed batch of 1")
