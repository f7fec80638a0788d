"""Seeded stratified splits, shared by the CSV and folder loaders.

Why stratified: FER2013 is very unbalanced (Disgust is ~1.5 % of the images); a plain random 10 %
split can leave a scarce class nearly absent from val/test and make per-class scores meaningless.
"""

from __future__ import annotations

import numpy as np


def stratified_split(y: np.ndarray, fractions: tuple[float, ...], seed: int) -> list[np.ndarray]:
    """Split indices of ``y`` into ``len(fractions)`` parts with every class spread proportionally.

    Per class, counts are allotted by largest remainder (ties go to the earlier part), so a class
    with few images still lands in the first part (train) first. Each returned index array is
    sorted, keeping the source order inside every part; the same ``y``/``fractions``/``seed``
    always give the same parts.
    """
    y = np.asarray(y)
    fr = np.asarray(fractions, dtype=float)
    if fr.ndim != 1 or len(fr) == 0 or np.any(fr < 0) or not np.isclose(fr.sum(), 1.0):
        raise ValueError(f"fractions must be non-negative and sum to 1, got {fractions}")
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in fr]
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        idx = idx[rng.permutation(len(idx))]
        counts = _allot(len(idx), fr)
        bounds = np.concatenate([[0], np.cumsum(counts)])
        for k in range(len(fr)):
            parts[k].append(idx[bounds[k] : bounds[k + 1]])
    return [np.sort(np.concatenate(p)) if p else np.zeros(0, dtype=np.int64) for p in parts]


def _allot(n: int, fractions: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``n``, as close to ``n * fractions`` as possible."""
    exact = n * fractions
    counts = np.floor(exact).astype(np.int64)
    remainder = exact - counts
    order = np.argsort(-remainder, kind="stable")
    counts[order[: n - int(counts.sum())]] += 1
    return counts
