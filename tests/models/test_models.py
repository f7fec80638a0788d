"""Model registry and architectures: shapes, counts, names, weight loading."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
import torchvision
from torch import nn

from fer_report.model.checkpoints import UnsafeCheckpoint
from fer_report.errors import ConfigError, UserError
from fer_report.model.builtin import MODELS, build_model
from fer_report.model.summary import count_params

CNNS = ["cnn4", "cnn3", "resnet18", "vgg"]


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("size", [48, 64])
def test_forward_shape(name, size):
    model = build_model(name, image_size=size).eval()
    with torch.no_grad():
        out = model(torch.zeros(2, 1, size, size))
    assert out.shape == (2, 7)


def test_num_classes_changes_the_head():
    with torch.no_grad():
        assert build_model("cnn4", num_classes=3).eval()(torch.zeros(2, 1, 48, 48)).shape == (2, 3)


@pytest.mark.parametrize("name", list(MODELS))
def test_no_inplace_relu(name):
    relus = [m for m in build_model(name).modules() if isinstance(m, nn.ReLU)]
    assert relus and not any(m.inplace for m in relus)


@pytest.mark.parametrize("name", CNNS)
def test_last_conv_name_is_a_conv(name):
    model = build_model(name)
    assert isinstance(model.get_submodule(model.last_conv_name), nn.Conv2d)


def test_cnn4_layer_names():
    names = dict(build_model("cnn4").named_modules())
    assert {"features.conv1", "features.bn1", "features.conv4", "classifier.fc1", "classifier.fc3"} <= set(names)


def test_cnn4_flatten_follows_image_size():
    assert build_model("cnn4").classifier.fc1.in_features == 288
    assert build_model("cnn4", image_size=64).classifier.fc1.in_features == 512


def test_vgg_flatten_follows_image_size():
    assert build_model("vgg").classifier.fc1.in_features == 512 * 3 * 3


@pytest.mark.parametrize("match", ["cnn4", "cnn3"])
@pytest.mark.parametrize("size", [48, 64])
def test_dnn_matches_parameter_count(match, size):
    dnn = build_model("dnn", match=match, image_size=size)
    target = sum(count_params(build_model(match, image_size=size)))
    assert dnn.matched_to == match and dnn.target_params == target
    assert abs(sum(count_params(dnn)) - target) <= 0.05 * target
    assert len(set(dnn.hidden_sizes)) == 1


def test_dnn_refuses_to_match_itself():
    with pytest.raises(ConfigError, match="unknown --match model 'dnn'"):
        build_model("dnn", match="dnn")


def test_unknown_name_suggests():
    with pytest.raises(ConfigError, match=r"unknown model 'cnn5'; did you mean 'cnn4'\? \(choices: cnn4, "):
        build_model("cnn5")


def test_weights_only_for_resnet(tmp_path):
    with pytest.raises(ConfigError, match="only applies to resnet18"):
        build_model("cnn4", weights=tmp_path / "w.pt")


def test_resnet_gradcam_note_names_resolution():
    assert "2x2" in build_model("resnet18").gradcam_layer_note


def test_resnet_loads_rgb_torchvision_state_dict(tmp_path):
    torch.manual_seed(0)
    source = torchvision.models.resnet18().state_dict()  # 3-channel stem, 1000-class fc
    path = tmp_path / "resnet18.pth"
    torch.save(source, path)
    model = build_model("resnet18", weights=path)
    assert torch.allclose(model.conv1.weight, source["conv1.weight"].sum(1, keepdim=True))
    assert torch.equal(model.layer4[1].conv2.weight, source["layer4.1.conv2.weight"])
    assert torch.equal(model.bn1.running_var, source["bn1.running_var"])
    assert model.fc[1].weight.shape == (7, 512)


def test_resnet_rejects_foreign_state_dict(tmp_path):
    path = tmp_path / "cnn4.pth"
    torch.save(build_model("cnn4").state_dict(), path)
    with pytest.raises(ConfigError, match="does not fit resnet18"):
        build_model("resnet18", weights=path)


class Payload:
    """Stands in for anything a malicious checkpoint might smuggle in."""


def test_resnet_refuses_pickled_objects(tmp_path):
    path = tmp_path / "evil.pth"
    torch.save({"x": Payload()}, path)
    with pytest.raises(UnsafeCheckpoint, match=r"refused: it holds a pickled Python object \(.*Payload\)"):
        build_model("resnet18", weights=path)


def test_resnet_missing_file(tmp_path):
    with pytest.raises(UserError, match="nope.pth: no such file"):
        build_model("resnet18", weights=tmp_path / "nope.pth")


def test_import_does_not_load_torch():
    code = "import fer_report.model.builtin, sys; assert fer_report.model.builtin.MODELS; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
