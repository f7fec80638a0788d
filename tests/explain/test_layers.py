import pytest
import torch

from fer_report.errors import ConfigError
from fer_report.explain.layers import batch_size, conv_layers, feature_sizes, get_layer, inspecting, rectified
from fer_report.model.builtin import build_model


@pytest.fixture(scope="module")
def cnn4():
    torch.manual_seed(0)
    return build_model("cnn4").eval()


def test_a_wrong_layer_name_lists_the_conv_layers(cnn4):
    assert conv_layers(cnn4) == ["features.conv1", "features.conv2", "features.conv3", "features.conv4"]
    assert get_layer(cnn4, "features.conv2") is cnn4.features.conv2
    with pytest.raises(ConfigError, match="features.conv1, features.conv2, features.conv3, features.conv4"):
        get_layer(cnn4, "features.conv9")


def test_feature_sizes_show_resnet18_layer4_is_too_coarse(cnn4):
    assert feature_sizes(cnn4, (1, 48, 48))["features.conv4"] == (6, 6)
    sizes = feature_sizes(build_model("resnet18"), (1, 48, 48))
    assert sizes["layer4.1.conv2"] == (2, 2) and sizes["layer2.1.conv2"] == (6, 6)


def test_inspecting_freezes_then_restores_a_mixed_state(cnn4):
    cnn4.train()
    cnn4.features.eval()  # half in eval mode, one weight frozen: both must come back as they were
    cnn4.features.conv1.weight.requires_grad_(False)
    try:
        with inspecting(cnn4):
            assert not any(m.training for m in cnn4.modules())
            assert not any(p.requires_grad for p in cnn4.parameters())
        assert cnn4.training and not cnn4.features.training and not cnn4.features.conv1.training
        assert not cnn4.features.conv1.weight.requires_grad and cnn4.features.conv2.weight.requires_grad
    finally:
        cnn4.features.conv1.weight.requires_grad_(True)
        cnn4.eval()


def test_rectified_finds_the_relu_a_sequential_block_runs_after_its_conv(cnn4):
    assert rectified(cnn4, "features.conv4") == "features.relu4"  # conv -> bn -> relu
    resnet = build_model("resnet18")
    assert rectified(resnet, "layer1.0.conv1") == "layer1.0.conv1"  # its ReLU module runs twice per block
    assert rectified(cnn4, "features.bn4") == "features.bn4"  # not a conv: left as named


def test_batch_size_is_small_on_a_cpu_and_large_on_a_gpu():
    assert batch_size("cpu") == 32 and batch_size(torch.device("cpu"), scale=2) == 64
    assert batch_size("cuda") == 256  # a device object needs no GPU to exist
