"""Data augmentation on whole batches: one affine warp for the batch instead of a per-image transform loop."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def augment_batch(
    x: torch.Tensor,
    generator: torch.Generator,
    *,
    max_rotation: float = 10.0,
    max_shift: float = 0.1,
    scale_range: tuple[float, float] = (0.9, 1.1),
    flip: bool = True,
) -> torch.Tensor:
    """Random horizontal flip, rotation (degrees), shift (fraction of size) and scale for (B, C, H, W).

    Random numbers come from ``generator`` (on the CPU) so a resumed epoch draws the same ones.
    """
    b = x.shape[0]
    rand = lambda: torch.rand(b, generator=generator)  # noqa: E731
    angle = (rand() * 2 - 1) * math.radians(max_rotation)
    scale = scale_range[0] + rand() * (scale_range[1] - scale_range[0])
    tx, ty = (rand() * 2 - 1) * 2 * max_shift, (rand() * 2 - 1) * 2 * max_shift
    sign = torch.where(rand() < 0.5, -1.0, 1.0) if flip else torch.ones(b)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos * sign, -sin, tx], 1), torch.stack([sin * sign, cos, ty], 1)], 1)
    grid = F.affine_grid(theta.to(x.device, x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
