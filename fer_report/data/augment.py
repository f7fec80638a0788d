"""Data augmentation on whole batches, on the batch's own device: every geometric change of a batch
(flip, rotation, shift, zoom, the ten crops) is one affine matrix per image and one ``grid_sample``
for the batch, instead of a per-image transform loop on the CPU.

Random numbers come from a ``torch.Generator`` seeded per epoch, so a resumed epoch draws the same
ones. Drawing and applying are separate (``draw_theta`` then ``warp``) so that a process training one
shard of a global batch draws the parameters of the whole batch, as a single process would, and
applies its own rows; the result does not depend on how many processes share the batch.

Policies:
  light   flip, rotation +-10 deg, shift +-10 %, zoom 0.9-1.1 (every image, every time)
  strong  the augmentation of Khaireddin & Chen (arXiv:2105.03588), the best published single network
          on FER2013: random resized crop (area 0.8-1.2, aspect 3/4-4/3), shift +-20 % (p 0.5), flip,
          rotation +-10 deg (p 0.5), then random erasing (p 0.5) of each training crop
  flip    a random horizontal flip only (what most student scripts do)

Batch mixing (``draw_mix`` then ``mix``) is drawn the same way, for the whole global batch: mixup
(Zhang et al. 2018) blends each image with a partner from the same batch, CutMix (Yun et al. 2019)
pastes a box of the partner in; the labels are mixed with the same weight by the loss.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

POLICIES = ("light", "strong", "flip")
TEN_CROP_FRACTION = 40 / 48  # the paper's 40x40 crops of 48x48 faces
CROPS = 10


def augment_batch(
    x: torch.Tensor,
    generator: torch.Generator,
    *,
    max_rotation: float = 10.0,
    max_shift: float = 0.1,
    scale_range: tuple[float, float] = (0.9, 1.1),
    flip: bool = True,
) -> torch.Tensor:
    """Random horizontal flip, rotation (degrees), shift (fraction of size) and scale for (B, C, H, W)."""
    theta = light_theta(x.shape[0], generator, max_rotation=max_rotation, max_shift=max_shift,
                        scale_range=scale_range, flip=flip)
    return warp(x, theta)


def draw_theta(policy: str, n: int, generator: torch.Generator) -> torch.Tensor:
    """(n, 2, 3) affine matrices (output -> input coordinates, as ``F.affine_grid``) for ``policy``."""
    if policy == "light":
        return light_theta(n, generator)
    if policy == "strong":
        return strong_theta(n, generator)
    if policy == "flip":
        return light_theta(n, generator, max_rotation=0.0, max_shift=0.0, scale_range=(1.0, 1.0))
    raise ValueError(f"unknown augmentation policy {policy!r} (known: {', '.join(POLICIES)})")


def light_theta(n: int, generator: torch.Generator, *, max_rotation: float = 10.0, max_shift: float = 0.1,
                scale_range: tuple[float, float] = (0.9, 1.1), flip: bool = True) -> torch.Tensor:
    dev = generator.device
    rand = lambda: torch.rand(n, generator=generator, device=dev)  # noqa: E731
    angle = (rand() * 2 - 1) * math.radians(max_rotation)
    scale = scale_range[0] + rand() * (scale_range[1] - scale_range[0])
    tx, ty = (rand() * 2 - 1) * 2 * max_shift, (rand() * 2 - 1) * 2 * max_shift
    sign = torch.where(rand() < 0.5, -1.0, 1.0) if flip else torch.ones(n, device=dev)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    return torch.stack([torch.stack([cos * sign, -sin, tx], 1), torch.stack([sin * sign, cos, ty], 1)], 1)


def strong_theta(n: int, generator: torch.Generator) -> torch.Tensor:
    """Random resized crop, then shift, flip and rotation, composed into one matrix per image.

    The crop is kept inside the image as torchvision's RandomResizedCrop does (a zoom-out area above
    1 becomes the whole image along that side); shift and rotation each apply to half the images.
    """
    dev = generator.device
    rand = lambda: torch.rand(n, generator=generator, device=dev)  # noqa: E731
    area = 0.8 + 0.4 * rand()
    log_ratio = math.log(3 / 4) + rand() * (math.log(4 / 3) - math.log(3 / 4))
    sx = torch.sqrt(area * torch.exp(log_ratio)).clamp(max=1.0)
    sy = torch.sqrt(area / torch.exp(log_ratio)).clamp(max=1.0)
    cx, cy = (rand() * 2 - 1) * (1 - sx), (rand() * 2 - 1) * (1 - sy)
    shifted = rand() < 0.5
    tx, ty = torch.where(shifted, (rand() * 2 - 1) * 0.4, 0.0), torch.where(shifted, (rand() * 2 - 1) * 0.4, 0.0)
    sign = torch.where(rand() < 0.5, -1.0, 1.0)
    angle = torch.where(rand() < 0.5, (rand() * 2 - 1) * math.radians(10.0), 0.0)
    cos, sin = torch.cos(angle), torch.sin(angle)
    # input = crop(shift(flip(rotate(output)))): linear part diag(s) @ diag(sign, 1) @ R, offset diag(s) t + c
    row_x = torch.stack([sx * sign * cos, -sx * sign * sin, sx * tx + cx], 1)
    row_y = torch.stack([sy * sin, sy * cos, sy * ty + cy], 1)
    return torch.stack([row_x, row_y], 1)


@functools.lru_cache(maxsize=8)  # made once per device: a copy to the GPU every batch would stall it
def ten_crop_theta(fraction: float = TEN_CROP_FRACTION, device: torch.device | str = "cpu") -> torch.Tensor:
    """(10, 2, 3): the four corner crops and the centre crop of side ``fraction``, then their mirror
    images (torchvision's TenCrop order), each stretched back to the full image size by ``warp``."""
    return crop_theta(fraction, CROPS, device)


@functools.lru_cache(maxsize=16)
def crop_theta(fraction: float, crops: int = CROPS, device: torch.device | str = "cpu") -> torch.Tensor:
    """(crops, 2, 3) for ``crops`` 5 (torchvision's FiveCrop: top-left, top-right, bottom-left, bottom-right,
    centre) or 10 (TenCrop: those five, then their mirror images), each of side ``fraction`` of the image.

    ``warp(x, theta, size=s)`` cuts crops of s pixels; with s = fraction x the image's side (an even
    difference of sides) their pixels are the image's own, as torchvision's crops are, not resampled.
    """
    if crops not in (5, 10):
        raise ValueError(f"crops={crops}; expected 5 or 10")
    s, c = fraction, 1 - fraction
    rows = []
    for sign in (1.0, -1.0)[:crops // 5]:
        for cx, cy in ((-c, -c), (c, -c), (-c, c), (c, c), (0.0, 0.0)):
            rows.append([[s * sign, 0.0, cx], [0.0, s, cy]])
    return torch.tensor(rows, device=device)


def compose(outer: torch.Tensor, inner: torch.Tensor) -> torch.Tensor:
    """Affine maps (..., 2, 3): ``outer(inner(u))``, i.e. the transform ``inner`` applied to an image
    already transformed by ``outer`` (a crop of the augmented image: outer = augmentation)."""
    return torch.cat([outer[..., :2] @ inner[..., :2], outer[..., :2] @ inner[..., 2:] + outer[..., 2:]], -1)


def with_ten_crops(theta: torch.Tensor | None, n: int, device: torch.device) -> torch.Tensor:
    """(n * 10, 2, 3), image-major: each image's augmentation (identity when ``theta`` is None) followed
    by each of the ten crops; feed it ``x.repeat_interleave(10, 0)``."""
    crops = ten_crop_theta(device=torch.device(device))
    if theta is None:
        return crops.repeat(n, 1, 1)
    return compose(theta.to(device).repeat_interleave(CROPS, 0), crops.repeat(n, 1, 1))


def warp(x: torch.Tensor, theta: torch.Tensor, size: int | None = None) -> torch.Tensor:
    """Resample (B, C, H, W) through (B, 2, 3) matrices: bilinear, edges repeated; ``size`` x ``size``
    output (default: the input's H x W)."""
    h, w = (size, size) if size else (x.shape[-2], x.shape[-1])
    grid = _affine_grid(theta.to(x.device, x.dtype), h, w)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _affine_grid(theta: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """``F.affine_grid(theta, (B, C, h, w), align_corners=False)``, bit for bit, ~4x faster on the CPU:
    torch fills a (B, h, w, 3) base grid by strided copies each call; one shared base grid suffices."""
    base = _base_grid(h, w, theta.dtype, theta.device)
    return base.expand(theta.shape[0], -1, 3).bmm(theta.transpose(1, 2)).view(theta.shape[0], h, w, 2)


@functools.lru_cache(maxsize=8)
def _base_grid(h: int, w: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    base = torch.empty(1, h, w, 3, dtype=dtype, device=device)
    base[..., 0].copy_(torch.linspace(-1, 1, w, dtype=dtype, device=device) * (w - 1) / w)
    base[..., 1].copy_((torch.linspace(-1, 1, h, dtype=dtype, device=device) * (h - 1) / h).unsqueeze(-1))
    base[..., 2].fill_(1)
    return base.view(1, h * w, 3)


def draw_erasing(n: int, generator: torch.Generator, size: tuple[int, int], *, p: float = 0.5,
                 area: tuple[float, float] = (0.02, 0.33), ratio: tuple[float, float] = (0.3, 3.3)) -> torch.Tensor:
    """(n, 4) int boxes (top, left, height, width) of torchvision's RandomErasing defaults; height 0
    where an image is left alone. A box too large for the image is clipped to it (torchvision redraws)."""
    dev = generator.device
    h_img, w_img = size
    rand = lambda: torch.rand(n, generator=generator, device=dev)  # noqa: E731
    chosen = rand() < p
    target = (area[0] + rand() * (area[1] - area[0])) * h_img * w_img
    r = torch.exp(math.log(ratio[0]) + rand() * (math.log(ratio[1]) - math.log(ratio[0])))
    h = torch.sqrt(target * r).round().clamp(1, h_img)
    w = torch.sqrt(target / r).round().clamp(1, w_img)
    top = (rand() * (h_img - h + 1)).floor()
    left = (rand() * (w_img - w + 1)).floor()
    return torch.stack([top, left, torch.where(chosen, h, 0.0), w], 1).long()


def erase(x: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """Set each image's box to 0 (the mean, for normalised input) on every channel."""
    return x.masked_fill(box_mask(boxes.to(x.device), x.shape[-2], x.shape[-1]), 0.0)


def box_mask(boxes: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """(B, 1, h, w) bool, True inside each (top, left, height, width) box of ``boxes`` (B, 4)."""
    rows = torch.arange(h, device=boxes.device)
    cols = torch.arange(w, device=boxes.device)
    top, left, bh, bw = (boxes[:, i, None] for i in range(4))
    in_rows = (rows >= top) & (rows < top + bh)  # (B, H)
    in_cols = (cols >= left) & (cols < left + bw)  # (B, W)
    return in_rows[:, None, :, None] & in_cols[:, None, None, :]


@dataclass(frozen=True)
class Mix:
    """How one global batch is mixed: image i with image ``partner[i]``, keeping the share ``lam`` of
    itself (of its label, too). For CutMix (``cut`` True) ``lam`` is the area left outside ``box``."""

    lam: torch.Tensor  # () float, on the generator's device
    partner: torch.Tensor  # (n,) positions in the batch
    cut: torch.Tensor  # () bool: CutMix (True) or mixup (False) for this batch
    box: torch.Tensor  # (4,) long: top, left, height, width of the pasted box (height 0 for mixup)


def draw_mix(n: int, generator: torch.Generator, size: tuple[int, int], *, mixup: float = 0.0,
             cutmix: float = 0.0) -> Mix | None:
    """The mixing of a batch of ``n``: mixup with Beta(mixup, mixup) weights, CutMix with a box of area
    Beta(cutmix, cutmix), or (both given) either one with probability 1/2, as timm does; None when off.

    Everything stays on the generator's device (no host round trip per batch); the random numbers drawn
    do not depend on what is drawn, so a batch's draws are the same whatever the coin says.
    """
    if mixup <= 0 and cutmix <= 0:
        return None
    dev = generator.device
    coin, cy, cx = torch.rand(3, generator=generator, device=dev)
    cut = coin < 0.5 if mixup > 0 and cutmix > 0 else torch.tensor(cutmix > 0, device=dev)
    alpha = torch.where(cut, cutmix, mixup).to(torch.float32).expand(2).contiguous()
    g = torch._standard_gamma(alpha, generator=generator)  # Beta(a, a) = G1 / (G1 + G2); torch's own sampler
    lam = g[0] / (g[0] + g[1]).clamp_min(1e-12)
    partner = torch.randperm(n, generator=generator, device=dev)
    # CutMix's box (Yun et al.'s reference code): sides sqrt(1 - lam) of the image's, centre uniform, clipped
    h_img, w_img = size
    half_h = (h_img * torch.sqrt(1 - lam)).floor() // 2
    half_w = (w_img * torch.sqrt(1 - lam)).floor() // 2
    y0, x0 = (cy * h_img).floor(), (cx * w_img).floor()
    top, bottom = (y0 - half_h).clamp(0, h_img), (y0 + half_h).clamp(0, h_img)
    left, right = (x0 - half_w).clamp(0, w_img), (x0 + half_w).clamp(0, w_img)
    box = torch.stack([top, left, torch.where(cut, bottom - top, 0.0), right - left]).long()
    area = (bottom - top) * (right - left) / (h_img * w_img)
    return Mix(lam=torch.where(cut, 1 - area, lam), partner=partner, cut=cut, box=box)


def mix(x: torch.Tensor, partner_x: torch.Tensor, m: Mix) -> torch.Tensor:
    """Images ``x`` mixed with their partners' (already augmented) images ``partner_x``, as ``m`` says."""
    lam = m.lam.to(x.device, x.dtype)
    blended = lam * x + (1 - lam) * partner_x
    pasted = torch.where(box_mask(m.box.to(x.device)[None], x.shape[-2], x.shape[-1]), partner_x, x)
    return torch.where(m.cut.to(x.device), pasted, blended)
