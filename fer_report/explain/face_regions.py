"""Which part of the face a model depends on, measured two ways on arrays: how much accuracy falls when the
part is covered (against the same shape covered elsewhere), and what share of an explanation's mass
falls inside it (against the part's share of the image).

Covering is the causal test (the model's own behaviour), the mass share what an explanation claims;
a report that gives both lets the reader see where they disagree. Intervals come from resampling the
images (paired: the same resample for the part and its control).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fer_report.data.regions import moved, occluded

ROUNDS = 500  # bootstrap resamples


def occlusion_effects(predict: Callable[[np.ndarray], np.ndarray], images: np.ndarray, y: np.ndarray,
                      masks: dict[str, np.ndarray], grey: float, classes: int, *, seed: int = 0) -> dict:
    """Per region: accuracy and per-class recall with the region covered and with the same shape moved.

    ``predict`` maps uint8 images (N, H, W) to predicted classes (N,). Returns {"base": correct (N,),
    "regions": {name: {"covered": correct (N,), "control": correct (N,), "drop", "control_drop",
    "excess", "excess_low", "excess_high", "per_class": [...]}}}; drops in accuracy points (0..1).
    """
    rng = np.random.default_rng(seed)
    base = predict(images) == y
    out = {"base": base, "regions": {}}
    for name, mask in masks.items():
        mask = np.broadcast_to(mask, images.shape)
        covered = predict(occluded(images, mask, grey)) == y
        control = predict(occluded(images, moved(np.ascontiguousarray(mask), rng), grey)) == y
        excess = (base.astype(float) - covered) - (base.astype(float) - control)  # = control - covered, per image
        low, high = _interval(excess, rng)
        per_class = []
        for k in range(classes):
            of = y == k
            if not of.any():
                per_class.append(None)
                continue
            lo_k, hi_k = _interval(excess[of], rng)
            per_class.append({"images": int(of.sum()), "recall": float(base[of].mean()),
                              "drop": float(base[of].mean() - covered[of].mean()),
                              "control_drop": float(base[of].mean() - control[of].mean()),
                              "excess": float(excess[of].mean()), "excess_low": lo_k, "excess_high": hi_k})
        out["regions"][name] = {"covered": covered, "control": control, "drop": float(base.mean() - covered.mean()),
                                "control_drop": float(base.mean() - control.mean()), "excess": float(excess.mean()),
                                "excess_low": low, "excess_high": high, "per_class": per_class}
    return out


def _interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """95 % percentile interval of the mean of ``values`` over resampled images."""
    n = len(values)
    means = values[rng.integers(0, n, (ROUNDS, n))].mean(1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def mass_shares(maps: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per region, each map's share (N,) of its total mass inside the region (non-negative maps)."""
    total = maps.reshape(len(maps), -1).sum(1)
    out = {}
    for name, mask in masks.items():
        inside = (maps * np.broadcast_to(mask, maps.shape)).reshape(len(maps), -1).sum(1)
        out[name] = np.divide(inside, total, out=np.zeros_like(inside, dtype=float), where=total > 0)
    return out


def area_shares(masks: dict[str, np.ndarray]) -> dict[str, float]:
    """Each region's mean share of the image: what a map that knows nothing puts inside it."""
    return {name: float(np.asarray(mask).mean()) for name, mask in masks.items()}
