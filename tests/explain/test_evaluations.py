"""The evaluation counter counts what each explanation really ran: images x samples, forward and backward."""

import copy

import numpy as np
import pytest
import torch

from fer_report.explain import attribution, filters, methods
from fer_report.explain.evaluations import Count, Evaluations
from tests.explain.student_models import resnet18, sequential

N = 3


@pytest.fixture
def counted():
    torch.manual_seed(0)
    model = sequential().eval()
    counter = Evaluations()
    counter.attach(model)
    counter.attach(model)  # twice is once
    return model, counter, torch.randn(N, 1, 16, 16), np.array([0, 1, 2])


def used(counter, fn) -> Count:
    before = counter.snapshot()
    fn()
    return counter.snapshot() - before


def test_forward_without_gradient_counts_images_only(counted):
    model, counter, x, _ = counted
    with torch.no_grad():
        model(x)
    with torch.inference_mode():
        model(x[:1])
    assert counter.snapshot() == Count(forward=N + 1, backward=0)
    assert counter.snapshot().to_json() == {"forward": N + 1, "backward": 0, "total": N + 1}
    assert Count(12400, 0).describe() == "12,400 model evaluations (12,400 forward + 0 backward)"


def test_gradients_count_each_image_once_forward_and_once_backward(counted):
    model, counter, x, t = counted
    assert used(counter, lambda: attribution.saliency(model, x, t)) == Count(N, N)
    assert used(counter, lambda: attribution.smoothgrad(model, x, t, samples=5)) == Count(5 * N, 5 * N)
    assert used(counter, lambda: methods.integrated_gradients(model, x, t)) == Count(
        methods.IG_STEPS * N, methods.IG_STEPS * N)


def test_a_backward_that_stops_at_a_layer_counts_too(counted):
    model, counter, x, t = counted
    # Grad-CAM: the input needs no gradient, the backward runs from the score down to the layer
    assert used(counter, lambda: attribution.gradcam_by_formula(model, "2", x, t)) == Count(N, N)


def test_a_forward_stopped_at_a_layer_counts_its_backward_at_the_input(counted):
    model, counter, _, _ = counted
    assert used(counter, lambda: filters.ascend_filters(model, "2", shape=(1, 16, 16), steps=4,
                                                        channels=range(3))) == Count(12, 12)


def test_perturbations_count_every_sample(counted):
    model, counter, x, t = counted
    occ = used(counter, lambda: methods.occlusion(model, x, t))
    windows = (-(-(16 - methods.OCCLUSION_WINDOW) // methods.OCCLUSION_STRIDE) + 1) ** 2  # captum rounds up
    assert occ.backward == 0 and occ.forward == N * (windows + 1)  # captum also runs the unoccluded image


def test_lime_counts_its_samples(counted):
    model, counter, x, t = counted
    pixels = np.random.default_rng(0).integers(0, 256, (2, 16, 16)).astype(np.uint8)

    def lime():
        methods.lime_maps.explain_many(model, pixels, [0, 1], spec=_spec(), device="cpu", num_samples=60)

    assert used(counter, lime) == Count(2 * 60, 0)


def _spec():
    from fer_report.model.inference import InputSpec

    return InputSpec(channels=1, size=16)


def test_deep_copies_count_into_the_same_counter(counted):
    model, counter, x, _ = counted
    twin = copy.deepcopy(model)
    with torch.no_grad():
        twin(x)
    assert counter.snapshot() == Count(N, 0)


def test_a_residual_student_model_counts_the_same_way():
    model = resnet18(width=4).eval()
    counter = Evaluations()
    counter.attach(model)
    x = torch.randn(2, 1, 48, 48)
    assert used(counter, lambda: attribution.saliency(model, x, [0, 1])) == Count(2, 2)
