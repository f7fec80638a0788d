"""The training loss: cross-entropy with label smoothing, class weights (``--balance weights``) and the
mixed labels of mixup / CutMix, summed per image so that a batch split over several processes adds
up to exactly what one process computes on the whole batch.

With one label per image it is ``F.cross_entropy(out, y, weight=, label_smoothing=)``: the sum of
the per-image losses over the sum of the images' class weights. A mixed image with the share ``lam``
of its own label counts ``lam`` of its own loss and weight and ``1 - lam`` of its partner's.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def image_weights(y: torch.Tensor, partner_y: torch.Tensor | None = None, lam: torch.Tensor | None = None,
                  weight: torch.Tensor | None = None) -> torch.Tensor:
    """(N,) what each image counts in the mean: its class weight (1 without), mixed as its label is."""
    w = weight[y] if weight is not None else torch.ones(len(y), device=y.device)
    if partner_y is None:
        return w
    wp = weight[partner_y] if weight is not None else torch.ones(len(y), device=y.device)
    return lam * w + (1 - lam) * wp


def loss_sum(out: torch.Tensor, y: torch.Tensor, partner_y: torch.Tensor | None = None,
             lam: torch.Tensor | None = None, *, weight: torch.Tensor | None = None,
             label_smoothing: float = 0.0) -> torch.Tensor:
    """Sum over the batch of each image's (weighted, smoothed, mixed) cross-entropy; divide by the sum of
    ``image_weights`` for the mean."""
    def ce(target: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(out, target, weight=weight, label_smoothing=label_smoothing, reduction="none")

    if partner_y is None:
        return ce(y).sum()
    return (lam * ce(y) + (1 - lam) * ce(partner_y)).sum()
