"""How far a classifier's confidence can be trusted: top-label calibration error, proper scores, and the
one-parameter fix (temperature scaling), each on plain arrays of class probabilities.

scikit-learn's ``calibration_curve`` takes two classes only; a 7-class model's usual reading is the
top label: of the images predicted with ~80 % confidence, are ~80 % right? Equal-width bins (15, as
Guo et al. 2017 use) so numbers compare with the papers; every bin's count is returned, because a
bin of 3 images says little. Temperature scaling divides the logits by one T > 0, fitted on the
validation split only: it never changes a prediction (argmax), only how sure the model says it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BINS = 15
EPS = 1e-12


def reliability(probs: np.ndarray, y: np.ndarray, bins: int = BINS) -> dict[str, np.ndarray]:
    """Per equal-width confidence bin: count, mean confidence and accuracy of the top label (NaN when empty)."""
    conf, correct = probs.max(1), (probs.argmax(1) == y).astype(float)
    # bin k holds (k/bins, (k+1)/bins]; a confidence of exactly 0 cannot occur for a top label of >= 2 classes
    index = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    count = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(index, weights=conf, minlength=bins) / count
        accuracy = np.bincount(index, weights=correct, minlength=bins) / count
    return {"count": count, "confidence": mean_conf, "accuracy": accuracy,
            "edges": np.linspace(0.0, 1.0, bins + 1)}


def ece(probs: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: the count-weighted mean |accuracy - confidence| over the bins."""
    r = reliability(probs, y, bins)
    full = r["count"] > 0
    return float(np.sum(r["count"][full] * np.abs(r["accuracy"][full] - r["confidence"][full])) / len(y))


def mce(probs: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Maximum calibration error: the worst non-empty bin's |accuracy - confidence|."""
    r = reliability(probs, y, bins)
    full = r["count"] > 0
    return float(np.max(np.abs(r["accuracy"][full] - r["confidence"][full]))) if full.any() else 0.0


def nll(probs: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of the true class (cross-entropy)."""
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], EPS, 1.0))))


def brier(probs: np.ndarray, y: np.ndarray) -> float:
    """Multi-class Brier score: mean over images of the squared distance to the one-hot label (0 best, 2 worst)."""
    onehot = np.eye(probs.shape[1])[y]
    return float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))


def classwise_ece(probs: np.ndarray, y: np.ndarray, bins: int = BINS) -> np.ndarray:
    """One-vs-rest ECE per class: the probability given to class k against whether the image is k."""
    out = np.zeros(probs.shape[1])
    for k in range(probs.shape[1]):
        p, hit = probs[:, k], (y == k).astype(float)
        index = np.clip(np.ceil(p * bins).astype(int) - 1, 0, bins - 1)
        count = np.bincount(index, minlength=bins)
        gap = np.abs(np.bincount(index, weights=hit, minlength=bins) - np.bincount(index, weights=p, minlength=bins))
        out[k] = float(gap.sum() / len(y)) if count.sum() else 0.0  # sum over bins of n_b |acc_b - conf_b| / N
    return out


def scaled(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T): temperature scaling of the logits, since log p differs from them by a per-image constant."""
    z = np.log(np.clip(probs, EPS, 1.0)) / temperature
    z -= z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def fit_temperature(probs: np.ndarray, y: np.ndarray) -> float:
    """The T minimising the NLL of ``probs`` (the validation split's), searched on log T in [1/20, 20]."""
    from scipy.optimize import minimize_scalar

    found = minimize_scalar(lambda log_t: nll(scaled(probs, float(np.exp(log_t))), y),
                            bounds=(np.log(0.05), np.log(20.0)), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(found.x))


def bootstrap(metric: Callable[[np.ndarray, np.ndarray], float], probs: np.ndarray, y: np.ndarray, *,
              rounds: int = 500, seed: int = 0) -> tuple[float, float]:
    """A 95 % percentile interval of ``metric`` over images resampled with replacement."""
    rng = np.random.default_rng(seed)
    n = len(y)
    values = [metric(probs[idx], y[idx]) for idx in (rng.integers(0, n, n) for _ in range(rounds))]
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


SCORES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {"ece": ece, "mce": mce, "nll": nll, "brier": brier}


def summary(probs: np.ndarray, y: np.ndarray, *, rounds: int = 500, seed: int = 0) -> dict[str, dict[str, float]]:
    """Each score with its bootstrap 95 % interval: {"ece": {"value", "low", "high"}, ...}."""
    out = {}
    for name, fn in SCORES.items():
        lo, hi = bootstrap(fn, probs, y, rounds=rounds, seed=seed)
        out[name] = {"value": fn(probs, y), "low": lo, "high": hi}
    return out
