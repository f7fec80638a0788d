"""Calibration scores (fer_report/maths/calibration.py) against a hand-computed fixture, scikit-learn and a
brute-force temperature search."""

from __future__ import annotations

import numpy as np
import pytest

from fer_report.maths import calibration as cal


def _fixture():
    """Five images, three classes, 2 bins: confidences 0.9, 0.8, 0.6 (bin 2) and 0.45, 0.4 (bin 1)."""
    probs = np.array([[0.9, 0.05, 0.05],   # right
                      [0.1, 0.8, 0.1],     # right
                      [0.6, 0.3, 0.1],     # wrong (true 1)
                      [0.45, 0.3, 0.25],   # right
                      [0.3, 0.3, 0.4]])    # wrong (true 0)
    y = np.array([0, 1, 1, 0, 0])
    return probs, y


def test_ece_and_mce_equal_the_hand_computation():
    probs, y = _fixture()
    # bin (0.5, 1]: 3 images, confidence (0.9+0.8+0.6)/3, accuracy 2/3; bin (0, 0.5]: 2 images, 0.425, 1/2
    high, low = abs(2 / 3 - 2.3 / 3), abs(1 / 2 - 0.85 / 2)
    assert cal.ece(probs, y, bins=2) == pytest.approx((3 * high + 2 * low) / 5, abs=1e-9)
    assert cal.mce(probs, y, bins=2) == pytest.approx(max(high, low), abs=1e-9)
    r = cal.reliability(probs, y, bins=2)
    assert r["count"].tolist() == [2, 3]


def test_a_confidence_on_a_bin_edge_falls_in_the_lower_bin():
    probs = np.array([[0.5, 0.5], [1.0, 0.0]])
    assert cal.reliability(probs, np.array([0, 0]), bins=2)["count"].tolist() == [1, 1]


def test_nll_and_brier_equal_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(7), 200)
    y = rng.integers(0, 7, 200)
    assert cal.nll(probs, y) == pytest.approx(metrics.log_loss(y, probs, labels=range(7)), abs=1e-9)
    onehot = np.eye(7)[y]
    assert cal.brier(probs, y) == pytest.approx(np.mean(np.sum((probs - onehot) ** 2, 1)), abs=1e-12)
    if "scale_by_half" in metrics.brier_score_loss.__code__.co_varnames:  # multi-class since scikit-learn 1.7
        assert cal.brier(probs, y) == pytest.approx(
            metrics.brier_score_loss(y, probs, labels=range(7), scale_by_half=False), abs=1e-9)


def test_classwise_ece_equals_a_plain_loop():
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(4), 300)
    y = rng.integers(0, 4, 300)
    for k, value in enumerate(cal.classwise_ece(probs, y, bins=10)):
        total = 0.0
        for b in range(10):
            inside = (probs[:, k] > b / 10) & (probs[:, k] <= (b + 1) / 10)
            if inside.any():
                total += inside.sum() * abs((y[inside] == k).mean() - probs[inside, k].mean())
        assert value == pytest.approx(total / 300, abs=1e-9)


def _overconfident(n: int, seed: int):
    """Labels drawn from softened probabilities, outputs sharpened: a model too sure of itself."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.5, (n, 7))
    true_p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    y = np.array([rng.choice(7, p=p) for p in true_p])
    sharp = np.exp(2.5 * logits)
    return sharp / sharp.sum(1, keepdims=True), y


def test_fitted_temperature_matches_a_brute_force_search_and_lowers_the_nll():
    probs, y = _overconfident(600, seed=2)
    t = cal.fit_temperature(probs, y)
    grid = np.arange(0.5, 5.0, 1e-4)
    best = grid[np.argmin([cal.nll(cal.scaled(probs, g), y) for g in grid[::10]]) * 10]
    fine = grid[max(0, np.searchsorted(grid, best) - 10): np.searchsorted(grid, best) + 10]
    brute = fine[np.argmin([cal.nll(cal.scaled(probs, g), y) for g in fine])]
    assert t == pytest.approx(brute, abs=1e-3)
    assert t > 1  # over-confident outputs are softened
    assert cal.nll(cal.scaled(probs, t), y) <= cal.nll(probs, y)
    assert (cal.scaled(probs, t).argmax(1) == probs.argmax(1)).all()  # no prediction changes


def test_the_bootstrap_interval_holds_the_value():
    probs, y = _overconfident(300, seed=3)
    s = cal.summary(probs, y, rounds=200)
    for name, v in s.items():
        assert v["low"] <= v["value"] <= v["high"], name
