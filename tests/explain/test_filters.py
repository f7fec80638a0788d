import numpy as np
import pytest
import torch
from torch import nn

from fer_report.explain.filters import (activations, ascend_filters, ascend_filters_loop, high_frequency_share,
                                        mean_activation, mean_frequency, start_images)
from fer_report.model.builtin import build_model


class BrightDark(nn.Module):
    """Filter 0 fires on bright pixels, filter 1 on dark ones: ascent must brighten image 0 and darken image 1."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 1)
        self.relu = nn.ReLU()
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))
            self.conv.bias.zero_()

    def forward(self, x):
        return self.relu(self.conv(x)).mean((2, 3))


@pytest.fixture(scope="module")
def cnn4():
    torch.manual_seed(0)
    return build_model("cnn4").eval()


def test_ascent_finds_the_known_optimum_of_a_hand_built_filter():
    model = BrightDark()
    images = ascend_filters(model, "relu", shape=(1, 16, 16), steps=30, seed=0, bounds=(-2.0, 2.0))
    start = start_images([0, 1], (1, 16, 16), seed=0)[:, 0].numpy()
    assert images.shape == (2, 16, 16)
    assert images[0].mean() > start[0].mean() + 1.0 and images[1].mean() < start[1].mean() - 1.0
    assert images.min() >= -2.0 and images.max() <= 2.0  # clamped to the valid input range
    gain = mean_activation(model, "relu", images, [0, 1]) - mean_activation(model, "relu", start, [0, 1])
    assert (gain > 1.0).all()


def test_all_filters_at_once_equal_one_at_a_time_and_leave_the_model_alone(cnn4):
    before = {k: v.clone() for k, v in cnn4.state_dict().items()}
    cnn4.train()
    try:
        batch = ascend_filters(cnn4, "features.relu2", shape=(1, 48, 48), steps=8, seed=3, channels=range(5))
        assert cnn4.training and all(p.requires_grad and p.grad is None for p in cnn4.parameters())
    finally:
        cnn4.eval()
    loop = ascend_filters_loop(cnn4, "features.relu2", shape=(1, 48, 48), steps=8, seed=3, channels=range(5))
    assert batch.shape == (5, 48, 48) and np.abs(batch - loop).max() < 1e-4
    assert np.array_equal(batch, ascend_filters(cnn4, "features.relu2", shape=(1, 48, 48), steps=8, seed=3, channels=range(5)))
    assert all(torch.equal(before[k], v) for k, v in cnn4.state_dict().items())
    start = start_images(range(5), (1, 48, 48), seed=3)[:, 0].numpy()
    assert (mean_activation(cnn4, "features.relu2", batch, range(5))
            > mean_activation(cnn4, "features.relu2", start, range(5))).all()


def test_activations_are_the_layer_output_for_one_image(cnn4):
    x = torch.randn(1, 1, 48, 48, generator=torch.Generator().manual_seed(0))
    out = activations(cnn4, "features.conv1", x)
    assert out.shape == (32, 48, 48)
    with torch.no_grad():
        assert np.allclose(out, cnn4.features.conv1(x)[0].numpy(), atol=1e-6)
    assert activations(cnn4, "features.conv4", x[0]).shape == (32, 6, 6)  # (1, H, W) works too


def test_spectrum_measures_tell_a_checkerboard_from_a_slow_wave():
    checker = (np.indices((16, 16)).sum(0) % 2).astype(float)[None]
    wave = np.tile(np.cos(2 * np.pi * np.arange(16) / 16), (16, 1))[None]  # one cycle per 16 pixels
    assert high_frequency_share(checker)[0] == pytest.approx(1.0)
    assert high_frequency_share(wave)[0] == pytest.approx(0.0, abs=1e-12)
    assert mean_frequency(checker)[0] == pytest.approx(np.sqrt(0.5))
    assert mean_frequency(wave)[0] == pytest.approx(1 / 16)
    assert high_frequency_share(np.zeros((1, 8, 8)))[0] == 0.0  # a flat image has no spectrum to share
