"""Class imbalance (``--balance``): FER2013's Disgust is 1.5 % of the training images, and a model
trained on the plain mean loss learns that never predicting it costs almost nothing.

  weights  the loss of each image weighted by the inverse frequency of its class, ``N / (K n_c)``
           (scikit-learn's "balanced"), so every class carries the same total weight
  sampler  each epoch draws its ``N`` images class-balanced (a uniform class, then a uniform image
           of it, with replacement): a rare class's images come round several times an epoch

The epoch's order is drawn from the epoch's generator, like the augmentation, so a resumed epoch
draws the same images.
"""

from __future__ import annotations

import torch


def class_weights(y: torch.Tensor, classes: int) -> torch.Tensor:
    """(classes,) float: ``N / (K n_c)`` for the K classes present in ``y``, 0 for an absent one."""
    counts = torch.bincount(y, minlength=classes).double()
    present = counts > 0
    weights = torch.where(present, len(y) / (present.sum() * counts.clamp_min(1)), 0.0)
    return weights.float()


def epoch_order(y: torch.Tensor, generator: torch.Generator, *, balance: str = "none") -> torch.Tensor:
    """Indices into ``y`` for one epoch, on ``y``'s device: a permutation, or a class-balanced draw of as many."""
    dev = generator.device
    if balance != "sampler":
        return torch.randperm(len(y), generator=generator, device=dev).to(y.device)
    labels = y.to(dev)
    counts = torch.bincount(labels)
    present = torch.nonzero(counts).flatten()
    by_class = torch.argsort(labels, stable=True)  # the images of class c are by_class[start[c]:start[c] + counts[c]]
    start = torch.cumsum(counts, 0) - counts
    c = present[torch.randint(len(present), (len(y),), generator=generator, device=dev)]
    k = (torch.rand(len(y), generator=generator, device=dev) * counts[c]).long().clamp_max(counts[c] - 1)
    return by_class[start[c] + k].to(y.device)
