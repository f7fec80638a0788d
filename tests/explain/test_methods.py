import copy

import numpy as np
import pytest
import torch
from torch import nn

from fer_report.data.synthetic import make_synthetic
from fer_report.errors import ConfigError
from fer_report.explain import lime_maps
from fer_report.explain.faithfulness import pointing_game
from fer_report.explain.methods import METHODS, MethodUnavailable, _pixels, run_method
from fer_report.explain.ranking import peaked
from tests.explain.known_answer import MEAN, MouthNet, regions

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")


def mouth_input(p):
    return torch.as_tensor(np.asarray(p), dtype=torch.float32)[:, None] / 255.0 - MEAN


@pytest.fixture(autouse=True)
def fewer_lime_samples(monkeypatch):
    monkeypatch.setattr(lime_maps, "NUM_SAMPLES", 120)  # speed: ~3 per superpixel is enough for these tests


@pytest.fixture(scope="module")
def faces():
    return make_synthetic(seed=0, size="tiny").test.x[:8]


@pytest.fixture(scope="module")
def mouth(faces):
    model = MouthNet().eval()
    x = mouth_input(faces)
    with torch.no_grad():
        targets = model(x).argmax(1).numpy()
    return model, x, targets


class TinyCNN(nn.Module):
    """Conv, BatchNorm, in-place ReLUs (the case guided backprop and grad-cam's hooks must survive), dropout."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Dropout(0.5), nn.Linear(96, 7))

    def forward(self, x):
        return self.head(self.features(x))


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, 16), nn.ReLU(), nn.Linear(16, 7))

    def forward(self, x):
        return self.net(x)


def test_faithful_methods_point_at_the_mouth_the_known_answer_model_reads(mouth):
    model, x, targets = mouth
    masks = np.broadcast_to(regions() == 3, (len(x), 48, 48))
    for name in METHODS:
        maps, seconds = run_method(name, model, x, targets, layer="conv", to_input=mouth_input)
        assert maps.shape == (len(x), 48, 48) and np.isfinite(maps).all() and (maps >= 0).all() and seconds > 0
        hits = pointing_game(peaked(maps), masks).mean()
        # LIME's superpixels do not follow MouthNet's 4-pixel strips: its top segment may spill over the edge
        assert hits >= (0.6 if name == "lime" else 1.0), name
        if name in ("gradient", "smoothgrad", "integrated_gradients", "guided_backprop"):
            # a pixel outside the mouth cannot change any score: pixel-exact methods give it exactly 0
            assert maps[:, ~masks[0]].max() == 0, name


def test_every_method_is_deterministic_and_leaves_the_model_as_it_was(faces):
    torch.manual_seed(0)
    model = TinyCNN()
    targets = [0, 6]
    model.head[3].weight.requires_grad_(False)  # a half-frozen model stays half-frozen
    model.features[0].weight.grad = torch.ones_like(model.features[0].weight)  # a caller's gradient stays
    model.train()
    before = copy.deepcopy(model.state_dict())

    def to_input(p):
        return torch.as_tensor(np.asarray(p), dtype=torch.float32)[:, None] / 255.0 * 4 - 2

    x = to_input(faces[:2])
    for name in METHODS:
        a, _ = run_method(name, model, x, targets, layer="features.5", to_input=to_input, seed=3)
        b, _ = run_method(name, model, x, targets, layer="features.5", to_input=to_input, seed=3)
        assert a.shape == (2, 48, 48) and np.array_equal(a, b), name
        assert model.training and all(m.training for m in model.modules()), name
        assert not model.head[3].weight.requires_grad and model.features[0].weight.requires_grad, name
        assert torch.equal(model.features[0].weight.grad, torch.ones_like(model.features[0].weight)), name
        assert model.features[4].weight.grad is None, name
        assert all(torch.equal(before[k], v) for k, v in model.state_dict().items()), name
        assert model.features[2].inplace, name  # the in-place ReLU was handled on a copy
    for name in ("smoothgrad", "lime"):
        a, _ = run_method(name, model, x, targets, to_input=to_input, seed=3)
        c, _ = run_method(name, model, x, targets, to_input=to_input, seed=4)
        assert not np.array_equal(a, c), name


def test_guided_backprop_with_in_place_relus_equals_the_same_model_without():
    torch.manual_seed(0)
    model = TinyCNN().eval()
    plain = copy.deepcopy(model)
    for m in plain.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    x = torch.randn(4, 1, 48, 48, generator=torch.Generator().manual_seed(2))
    for name in ("guided_backprop", "guided_gradcam", "gradcam", "gradcam_plusplus"):
        a, _ = run_method(name, model, x, [1, 2, 3, 4], layer="features.5")
        b, _ = run_method(name, plain, x, [1, 2, 3, 4], layer="features.5")
        assert np.allclose(a, b, atol=1e-6), name


def test_signed_maps_and_their_reduction_on_a_linear_model():
    """Logit c = <W_c, x>: the gradient is W_c, Integrated Gradients from 0 is x * W_c (completeness exact)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, 7)).eval()
    x = torch.randn(2, 1, 48, 48, generator=torch.Generator().manual_seed(3))
    w = model[1].weight.detach().numpy().reshape(7, 48, 48)[[2, 5]]
    signed, _ = run_method("gradient", model, x, [2, 5], signed=True)
    unsigned, _ = run_method("gradient", model, x, [2, 5])
    assert np.allclose(signed, w, atol=1e-6) and np.allclose(unsigned, np.abs(w), atol=1e-6)
    ig, _ = run_method("integrated_gradients", model, x, [2, 5], signed=True)
    ig_pos, _ = run_method("integrated_gradients", model, x, [2, 5])
    assert np.allclose(ig, x[:, 0].numpy() * w, atol=1e-5) and np.allclose(ig_pos, np.clip(ig, 0, None))


def test_cam_methods_decline_a_model_without_conv_layers_and_names_are_checked():
    model = MLP().eval()
    x = torch.randn(2, 1, 48, 48)
    for name, info in METHODS.items():
        if info.needs_layer:
            with pytest.raises(MethodUnavailable, match="needs a conv layer and MLP has none") as err:
                run_method(name, model, x, [0, 1])
            assert "MLP" in err.value.reason
    maps, _ = run_method("guided_backprop", model, x, [0, 1])
    assert maps.shape == (2, 48, 48)
    cnn = TinyCNN().eval()  # no layer given: the last conv's ReLU
    assert np.array_equal(run_method("gradcam", cnn, x, [0, 1])[0], run_method("gradcam", cnn, x, [0, 1],
                                                                                layer="features.5")[0])
    with pytest.raises(ConfigError, match="unknown explanation method 'gradcm'; did you mean 'gradcam'"):
        run_method("gradcm", model, x, [0, 1])
    with pytest.raises(ConfigError, match="layer 'nope' is not in TinyCNN"):
        run_method("gradcam", TinyCNN().eval(), x, [0, 1], layer="nope")
    with pytest.raises(ValueError, match="LIME needs to_input"):
        run_method("lime", model, x, [0, 1])


def test_lime_recovers_the_pixels_behind_the_model_input(faces):
    def to_input(p):
        return (torch.as_tensor(np.asarray(p), dtype=torch.float32)[:, None] / 255.0 - 0.4) / 0.2

    x = to_input(faces)
    assert np.allclose(_pixels(x, to_input), faces / 255.0, atol=1e-5)
    assert all(info.display and info.library and info.reduction for info in METHODS.values())
