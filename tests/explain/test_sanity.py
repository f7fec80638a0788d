import copy
import functools

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from skimage.filters import sobel

from fer_report.data.synthetic import make_synthetic
from fer_report.explain.methods import METHODS
from fer_report.explain.sanity import (SANITY_THRESHOLD, cascade, cascade_steps, fails_sanity, rank_correlation,
                                       similarity, weight_layers)
from fer_report.model.builtin import build_model
from tests.explain.known_answer import MEAN, MouthNet

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")


def edges(model, x, targets):
    """A "method" that never looks at the model: the Sobel edge magnitude of the input."""
    return np.stack([sobel(img) for img in x[:, 0].numpy()])


def test_cnn4_cascades_from_the_output_down_with_each_norm_beside_its_layer():
    model = build_model("cnn4")
    units = weight_layers(model)
    assert units[0] == ["classifier.fc3"] and units[1] == ["classifier.fc2", "classifier.bn2"]
    assert units[-1] == ["features.conv1", "features.bn1"] and len(units) == 7
    steps = cascade_steps(model, 4)
    assert len(steps) == 4 and steps[0][0] == "classifier.fc3" and steps[-1][-1] == "features.bn1"
    assert sum(steps, []) == sum(units, [])  # every parameterised layer, once
    assert cascade_steps(model, 10) == units


def test_randomisation_separates_an_edge_detector_from_the_gradient_methods():
    model = MouthNet().eval()
    x = torch.as_tensor(make_synthetic(seed=0, size="tiny").test.x[:4], dtype=torch.float32)[:, None] / 255 - MEAN
    with torch.no_grad():
        targets = model(x).argmax(1).numpy()
    before = copy.deepcopy(model.state_dict())
    methods = {n: functools.partial(METHODS[n].fn, layer="conv", signed=True)
               for n in ("gradient", "integrated_gradients", "gradcam")}
    curves = cascade(model, x, targets, {**methods, "edges": edges}, seed=0)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # the original is untouched
    assert [s["layers"] for s in curves["edges"]] == [["conv"]]  # MouthNet's only parameterised layer
    assert curves["edges"][0]["spearman"] == pytest.approx(1.0) and fails_sanity(curves["edges"])
    for name in methods:
        assert not fails_sanity(curves[name]) and similarity(curves[name]) < SANITY_THRESHOLD, (name, curves[name])
    assert curves == cascade(model, x, targets, {**methods, "edges": edges}, seed=0)  # same seed, same weights


def test_rank_correlation_is_spearmans_and_a_flat_map_correlates_with_nothing():
    rng = np.random.default_rng(0)
    a, b = rng.random((3, 8, 8)), rng.random((3, 8, 8))
    b[1] = a[1] ** 3  # monotone: rank correlation 1
    b[2] = 0.0
    r = rank_correlation(a, b)
    assert r[0] == pytest.approx(spearmanr(a[0].ravel(), b[0].ravel()).statistic)
    assert r[1] == pytest.approx(1.0) and r[2] == 0.0


def test_fails_sanity_reads_the_largest_signed_correlation_over_the_cascade():
    def curve(*values):
        return [{"layers": [f"l{i}"], "deepest": f"l{i}", "spearman": v, "spearman_abs": 0.9}
                for i, v in enumerate(values)]

    assert fails_sanity(curve(0.6, 0.2, 0.1)) and similarity(curve(0.6, 0.2, 0.1)) == pytest.approx(0.6)
    assert not fails_sanity(curve(0.4, 0.3, -0.8))  # high absolute-value correlations alone do not fail it
    assert fails_sanity(curve(0.2), threshold=0.1) and not fails_sanity([])


def test_guided_backprop_fails_on_cnn4_as_in_the_paper_and_the_gradient_passes():
    """Adebayo et al.'s finding: guided backprop's maps survive the re-initialisation of the weights."""
    torch.manual_seed(0)
    model = build_model("cnn4").eval()
    x = torch.as_tensor(make_synthetic(seed=0, size="tiny").test.x[:2], dtype=torch.float32)[:, None] / 64 - 2
    methods = {n: functools.partial(METHODS[n].fn, signed=True) for n in ("gradient", "guided_backprop")}
    curves = cascade(model, x, [0, 3], methods, steps=3, seed=0)
    assert [s["deepest"] for s in curves["gradient"]] == ["classifier.bn1", "features.bn3", "features.bn1"]
    assert fails_sanity(curves["guided_backprop"]) and similarity(curves["guided_backprop"]) > 0.6
    assert not fails_sanity(curves["gradient"]) and similarity(curves["gradient"]) < 0.3
