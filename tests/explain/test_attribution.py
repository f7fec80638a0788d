import numpy as np
import pytest
import torch
from torch import nn

from fer_report.explain.attribution import gradcam, gradcam_by_formula, gradcam_check, saliency, smoothgrad
from fer_report.explain.examples import confident_mistakes, correct_sample, one_per_class
from fer_report.explain.faithfulness import chance_rate, pointing_game, random_maps
from fer_report.model.builtin import build_model

SIZE = 24
CORNERS = ((2, 2), (2, 14), (14, 8))  # top-left of each class's 8x8 region, on the 2x2 grid


class RegionNet(nn.Module):
    """Class c's logit is the sum of the pixels in its region R_c, so every explanation must point into R_c.

    conv1 copies the image into one channel per class, ``gate`` keeps channel c only inside R_c, conv2 is a
    per-channel 2x2 average with stride 2 (a 12x12 layer for Grad-CAM), and the head sums each channel.
    """

    def __init__(self) -> None:
        super().__init__()
        k = len(CORNERS)
        masks = torch.zeros(k, SIZE, SIZE)
        for c, (r, col) in enumerate(CORNERS):
            masks[c, r:r + 8, col:col + 8] = 1
        self.register_buffer("masks", masks)
        self.conv1 = nn.Conv2d(1, k, 1)
        self.conv2 = nn.Conv2d(k, k, 2, stride=2, groups=k)
        with torch.no_grad():
            self.conv1.weight.fill_(1.0)
            self.conv1.bias.zero_()
            self.conv2.weight.fill_(0.25)
            self.conv2.bias.zero_()

    def forward(self, x):
        return self.conv2(self.conv1(x) * self.masks).sum((2, 3)) * 4


def region_data(n=120, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = 0.1 + torch.rand(n, 1, SIZE, SIZE, generator=g)  # positive, so Grad-CAM's ReLU keeps the region
    targets = torch.randint(0, len(CORNERS), (n,), generator=g).numpy()
    masks = RegionNet().masks.numpy()[targets] > 0
    return x, targets, masks


@pytest.fixture(scope="module")
def cnn4():
    torch.manual_seed(0)
    return build_model("cnn4").eval()


def test_every_method_points_into_the_region_the_logit_is_built_from():
    model = RegionNet().eval()
    x, targets, masks = region_data()
    assert torch.allclose(model(x)[0, 0], x[0, 0, 2:10, 2:10].sum(), rtol=1e-5)
    for maps in (saliency(model, x, targets), smoothgrad(model, x, targets, samples=4),
                 gradcam(model, "conv2", x, targets)):
        assert maps.shape == (len(x), SIZE, SIZE) and (maps >= 0).all()
        assert pointing_game(maps, masks).mean() == 1.0
    sal = saliency(model, x, targets)
    assert np.allclose(sal, masks, atol=1e-6)  # the gradient of a region sum is the region's indicator
    rand = pointing_game(random_maps(masks.shape, seed=1), masks).mean()
    assert abs(rand - chance_rate(masks)) < 0.1 and chance_rate(masks) == pytest.approx(64 / SIZE**2)
    assert gradcam_check(model, "conv2", x, targets) < 1e-5


def test_gradcam_formula_matches_captum_on_a_real_cnn(cnn4):
    x = torch.randn(20, 1, 48, 48, generator=torch.Generator().manual_seed(1))
    targets = np.arange(20) % 7
    a, b = gradcam(cnn4, "features.conv4", x, targets), gradcam_by_formula(cnn4, "features.conv4", x, targets)
    assert a.shape == (20, 48, 48) and a.max() > 0
    assert np.abs(a - b).max() < 1e-5 and gradcam_check(cnn4, "features.conv3", x, targets) < 1e-5


def test_maps_are_deterministic_and_leave_the_model_untouched(cnn4):
    x = torch.randn(6, 1, 48, 48, generator=torch.Generator().manual_seed(2))
    targets = [0, 1, 2, 3, 4, 5]
    before = {k: v.clone() for k, v in cnn4.state_dict().items()}
    cnn4.features.conv1.weight.requires_grad_(False)  # a mixed state must come back as it was
    cnn4.train()
    try:
        s1 = saliency(cnn4, x, targets)
        assert cnn4.training and not cnn4.features.conv1.weight.requires_grad
        assert cnn4.features.conv2.weight.requires_grad and cnn4.features.conv2.weight.grad is None
        cnn4.eval()
        assert np.array_equal(s1, saliency(cnn4, x, targets))  # computed in eval mode even when training
    finally:
        cnn4.features.conv1.weight.requires_grad_(True)
        cnn4.eval()
    assert all(torch.equal(before[k], v) for k, v in cnn4.state_dict().items())
    g1, g2 = smoothgrad(cnn4, x, targets, samples=4, seed=3), smoothgrad(cnn4, x, targets, samples=4, seed=3)
    assert np.array_equal(g1, g2) and not np.array_equal(g1, smoothgrad(cnn4, x, targets, samples=4, seed=4))
    state = torch.get_rng_state()
    smoothgrad(cnn4, x, targets, samples=2, seed=5)
    assert torch.equal(state, torch.get_rng_state())  # the caller's random stream is not disturbed


def predictions():
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 0, 1, 0, 0, 2, 2, 1, 2])
    conf = np.array([0.9, 0.6, 0.8, 0.95, 0.5, 0.99, 0.7, 0.7, 0.4])
    probs = np.full((9, 3), 0.0)
    probs[np.arange(9), y_pred] = conf
    return y_true, y_pred, probs


def test_examples_are_confident_correct_ones_per_class_and_reproducible():
    y_true, y_pred, probs = predictions()
    picks = one_per_class(y_true, y_pred, probs, seed=0)
    assert picks[0] == 0  # class 0: correct 0 (0.9) and 1 (0.6): the confident half is image 0
    assert picks[1] in (3, 4)  # class 1 has no correct image: any of its images
    assert picks[2] in (5, 6) and len(picks) == 3
    assert all(one_per_class(y_true, y_pred, probs, seed=s) == one_per_class(y_true, y_pred, probs, seed=s)
               for s in range(5))
    assert confident_mistakes(y_true, y_pred, probs, k=3) == [3, 2, 7]
    assert correct_sample(y_true, y_pred, n=10, seed=0).tolist() == [0, 1, 5, 6, 8]
    few = correct_sample(y_true, y_pred, n=3, seed=1)
    assert len(few) == 3 and set(few) <= {0, 1, 5, 6, 8}
    assert np.array_equal(few, correct_sample(y_true, y_pred, n=3, seed=1))


def test_a_class_without_a_correct_image_is_shown_as_the_mistake_it_is():
    from fer_report.explain.examples import title, without_correct
    from fer_report.report.i18n import Text

    y_true, y_pred, probs = predictions()
    picks = one_per_class(y_true, y_pred, probs, seed=0)
    classes, t = ("Angry", "Disgust", "Fear"), Text("en")
    assert title(picks[0], y_true, y_pred, probs, classes, t) == ("Angry\n90%", False)
    text, wrong = title(picks[1], y_true, y_pred, probs, classes, t)  # class 1 has no correct image
    assert wrong and text.startswith("true Disgust\npred. Angry")
    assert without_correct(picks, y_true, y_pred, classes, t) == [
        "No test image of Disgust is classified correctly, so the figure shows a misclassified one there (title in "
        "red, with the predicted class)."]
    assert without_correct(picks[::2], y_true, y_pred, classes, t) == []
