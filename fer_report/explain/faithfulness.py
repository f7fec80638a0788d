"""Is an explanation right? Measures of a saliency-like map against known cue regions and the model.

Maps are (N, H, W) arrays where larger means "more important"; masks are boolean (N, H, W).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from fer_report.explain.layers import batch_size

#: The smallest difference from a baseline that counts as one (issue 28): 0.01, one percentage point of the
#: true class's probability averaged over a deletion or insertion curve (AUC), of the pointing-game hit rate,
#: or of the map's mass on the cues. Below it the report says "no measurable difference" and the test does
#: not pass, however small the standard error: on a near-constant model a deletion AUC of 0.197159 against
#: 0.197171 beat two standard errors and read as "faster". A trained model's differences are tens of points.
MIN_EFFECT = 0.01
#: Deleting every pixel moves the true class's probability by less than this (mean over the images): the
#: model barely responds to its input, and no pixel order can differ from another by much.
FLAT_RESPONSE = 0.05


def paired_test(diff: np.ndarray) -> tuple[float, float, str]:
    """Mean, standard error and verdict of per-image differences from a baseline (positive = better):
    "better" / "worse" when the mean is at least ``MIN_EFFECT`` and more than two standard errors from 0,
    "negligible" when it is under ``MIN_EFFECT`` (no measurable difference), else "noise"."""
    diff = np.asarray(diff, dtype=float)
    mean = float(diff.mean()) if len(diff) else 0.0
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("inf")
    if abs(mean) < MIN_EFFECT:
        return mean, se, "negligible"
    if abs(mean) > 2 * se:
        return mean, se, "better" if mean > 0 else "worse"
    return mean, se, "noise"


def response(scores: np.ndarray) -> float:
    """How far the target's probability moves along (N, K) curves: the mean over images of max - min."""
    return float((scores.max(1) - scores.min(1)).mean()) if scores.size else 0.0


def untied(maps: np.ndarray, seed: int = 0) -> np.ndarray:
    """(N, H, W) float ranks (larger = more important, no two equal) with ties broken at random.

    An all-zero map then deletes its pixels in random order, as the baseline does, instead of row by row
    from the top (where the synthetic faces' brows are): a map with no information cannot win by raster order.
    """
    n = len(maps)
    flat = np.asarray(maps).reshape(n, -1)
    noise = np.random.default_rng(seed).random(flat.shape)
    order = np.lexsort((noise, flat), axis=-1)  # ascending importance, random among equals
    ranks = np.empty(flat.shape)
    ranks[np.arange(n)[:, None], order] = np.arange(flat.shape[1])[None, :]
    return ranks.reshape(np.shape(maps))


def pointing_game(maps: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(N,) bool: the map's maximum falls inside the mask. A flat map (no maximum) is a miss."""
    flat = maps.reshape(len(maps), -1)
    top = flat.argmax(1)
    hit = masks.reshape(len(masks), -1)[np.arange(len(maps)), top]
    return hit & (flat.max(1) > flat.min(1))


def mass_inside(maps: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(N,) share of the map's (non-negative) mass inside the mask; 0 for an all-zero map."""
    m = np.clip(maps, 0, None).reshape(len(maps), -1)
    total = m.sum(1)
    inside = (m * masks.reshape(len(masks), -1)).sum(1)
    return np.divide(inside, total, out=np.zeros_like(total, dtype=float), where=total > 0)


def chance_rate(masks: np.ndarray) -> float:
    """Expected pointing-game hit rate and mass share of a map that knows nothing: mask area / image area."""
    return float(masks.mean())


def region_shares(maps: np.ndarray, regions: np.ndarray, names: dict[int, str]) -> dict[str, np.ndarray]:
    """Per region code, the (N,) share of map mass inside it (e.g. {"mouth": ...})."""
    return {name: mass_inside(maps, regions == code) for code, name in names.items()}


def deletion_curve(
    predict: Callable[[torch.Tensor], torch.Tensor],
    images: torch.Tensor,
    targets: torch.Tensor,
    maps: np.ndarray,
    *,
    steps: int = 16,
    fill: float = 0.0,
    batch: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Delete pixels from most to least important (set to ``fill``) and record the target's probability.

    ``predict`` maps (B, 1, H, W) model inputs to (B, classes) probabilities. Returns the deleted
    fractions (steps + 1,) and the scores (N, steps + 1). A faithful map makes the score fall fast,
    so a lower area under the curve is better; compare with a random ranking on the same images.
    """
    n, _, h, w = images.shape
    batch = batch or batch_size(images.device, scale=2)  # forward passes only: twice a gradient batch
    order = np.argsort(-maps.reshape(n, -1), axis=1, kind="stable")
    rank = np.empty_like(order)
    rank[np.arange(n)[:, None], order] = np.arange(h * w)[None, :]
    rank = torch.as_tensor(rank.reshape(n, 1, h, w), device=images.device)
    fractions = np.linspace(0.0, 1.0, steps + 1)
    scores = np.zeros((n, steps + 1))
    with torch.inference_mode():  # forward only
        for k, frac in enumerate(fractions):
            deleted = rank < int(round(frac * h * w))
            x = torch.where(deleted, torch.full_like(images, fill), images)
            for i in range(0, n, batch):
                p = predict(x[i:i + batch])
                scores[i:i + batch, k] = p[torch.arange(len(p)), targets[i:i + batch]].float().cpu().numpy()
    return fractions, scores


def curve_area(fractions: np.ndarray, scores: np.ndarray) -> float:
    """Area under the mean curve (trapezoid rule over the deleted fraction, 0..1)."""
    mean = scores.mean(0)
    return float(np.sum((mean[1:] + mean[:-1]) / 2 * np.diff(fractions)))


def random_maps(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """The baseline ranking for the deletion curve: uniform noise, reproducible from ``seed``."""
    return np.random.default_rng(seed).random(shape)
