"""Is an explanation right? Measures of a saliency-like map against known cue regions and the model.

Maps are (N, H, W) arrays where larger means "more important"; masks are boolean (N, H, W).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from fer_report.explain.layers import batch_size


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
    with torch.no_grad():
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
