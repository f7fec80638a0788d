"""A time budget becomes sample counts: the full counts when they fit, else all scaled down together, never
below their minimum (issue 22)."""

import torch

from fer_report.explain.budget import STRINGS, Budget, Cost, Knob, budget_text, measure_cost
from fer_report.report.i18n import Text
from fer_report.report.section import string_problems
from tests.explain.student_models import sequential

COST = Cost(forward=0.001, gradient=0.003)  # 1 ms and 3 ms an image
KNOBS = {"images": Knob(200, 30), "copies": Knob(8, 4)}


def estimate(c):  # (forward-only images, gradient images), as the saliency section counts them
    return c["images"] * 33, c["images"] * (1 + c["copies"])


def test_the_full_counts_when_they_fit():
    fit = Budget(60.0, COST).fit(KNOBS, estimate)  # 200 * 33 ms + 200 * 9 * 3 ms = 12 s
    assert fit.counts == {"images": 200, "copies": 8} and not fit.reduced and not fit.over
    assert abs(fit.estimate_s - 12.0) < 1e-9 and fit.fraction == 1.0


def test_counts_shrink_together_to_the_largest_step_that_fits():
    fit = Budget(4.0, COST).fit(KNOBS, estimate)
    # 0.375: 75 images, 3 -> 4 copies: 75 * 33 ms + 75 * 5 * 3 ms = 3.6 s; 0.5 would take 6.3 s
    assert fit.counts == {"images": 75, "copies": 4} and fit.fraction == 0.375 and fit.reduced and not fit.over
    assert fit.to_json()["full_counts"] == {"images": 200, "copies": 8}
    assert abs(fit.full_estimate_s - 12.0) < 1e-9  # what the full counts would have taken


def test_never_below_the_minimum_even_over_budget():
    fit = Budget(0.5, COST).fit(KNOBS, estimate)
    assert fit.counts == {"images": 30, "copies": 4} and fit.over and fit.estimate_s > 0.5


def test_a_minimum_above_the_full_count_keeps_the_full_count():
    assert Knob(5, 30).at(0.0) == 5 and Knob(5, 30).at(1.0) == 5


def test_the_text_names_what_was_reduced_in_both_languages():
    assert string_problems(STRINGS, ("en", "zh-TW")) == []
    names = {"images": "images measured", "copies": "noisy copies"}
    assert budget_text(Budget(60.0, COST).fit(KNOBS, estimate), names, Text("en")) == []
    line, = budget_text(Budget(4.0, COST).fit(KNOBS, estimate), names, Text("en"))
    assert "75 images measured instead of 200, 4 noisy copies instead of 8" in line
    assert "1 ms forward and 3 ms with its gradient" in line and "budget of 4 s" in line
    over, = budget_text(Budget(0.5, COST).fit(KNOBS, estimate), names, Text("zh-TW"))
    assert "超過" in over and "30（原為 200）" in over


def test_the_cost_is_measured_on_the_model_and_leaves_it_as_it_was():
    model = sequential().train()
    model[0].weight.requires_grad_(False)
    cost = measure_cost(model, torch.randn(3, 1, 16, 16), repeats=1)
    assert cost.forward > 0 and cost.gradient > 0
    assert model.training and not model[0].weight.requires_grad and model[4].weight.requires_grad
    assert all(p.grad is None for p in model.parameters())
