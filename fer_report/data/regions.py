"""Parts of the face as pixel masks, without a landmark detector.

FER2013's faces were registered by the data set's authors so that each sits roughly centred at the same
scale; fixed boxes on the 48x48 grid then cover the same part of most faces. The boxes were placed on
the mean face of the FER2013 sample (eyes and brows: the two dark blobs and the band above them; nose:
between them and the mouth; mouth: the dark band a fifth of the side from the bottom) and scale with
the image side. A face that is turned or off-centre gets wrong boxes: the report says so. The drawn
faces of the embedded data set carry their true cue regions per image (``Split.regions``); those are
used where they exist.
"""

from __future__ import annotations

import numpy as np

#: (left, top, right, bottom) on the 48x48 grid, right/bottom exclusive.
BOXES_48 = {"eyes_brows": (8, 9, 40, 22), "nose": (17, 22, 31, 31), "mouth": (13, 31, 35, 42)}


def fixed_masks(side: int) -> dict[str, np.ndarray]:
    """Region name -> bool (side, side) mask, the 48x48 boxes scaled to ``side``."""
    out = {}
    for name, box in BOXES_48.items():
        left, top, right, bottom = (round(v * side / 48) for v in box)
        mask = np.zeros((side, side), bool)
        mask[top:bottom, left:right] = True
        out[name] = mask
    return out


def masks_for(images: np.ndarray, regions: np.ndarray | None, names: dict[int, str]) -> dict[str, np.ndarray]:
    """Region name -> bool (N, H, W) masks: each image's own cue regions where known, else the fixed boxes."""
    if regions is not None and names:
        return {name: regions == code for code, name in names.items()}
    side = images.shape[-1]
    return {name: np.broadcast_to(mask, images.shape) for name, mask in fixed_masks(side).items()}


def moved(masks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each (H, W) mask of ``masks`` (N, H, W) shifted by a random offset (wrapping at the edges): the same
    shape and area elsewhere, the control that tells "this part matters" from "covering this much matters"."""
    n, h, w = masks.shape
    shifts = np.stack([rng.integers(0, h, n), rng.integers(0, w, n)], 1)
    return np.stack([np.roll(masks[k], tuple(shifts[k]), axis=(0, 1)) for k in range(n)])


def occluded(images: np.ndarray, masks: np.ndarray, grey: float) -> np.ndarray:
    """uint8 ``images`` with each image's mask painted ``grey`` (the data's mean intensity)."""
    out = images.copy()
    out[np.broadcast_to(masks, images.shape)] = np.uint8(round(grey))
    return out
