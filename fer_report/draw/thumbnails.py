"""Small pictures for galleries of many images: a face beside its saliency map, as one 8-bit PNG.

A gallery of every confusion-matrix cell can hold over a thousand pictures inlined into one HTML page;
at 48 px and a 64-colour palette each is about 2-3 KB, so a whole FER2013 test split stays a few MB.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

COLOURS = 64  # palette size: faces are grey, maps one colour ramp; more colours cost bytes, not detail


def face_and_map(face: np.ndarray, saliency: np.ndarray | None, side: int = 48) -> Image.Image:
    """The grey face (uint8 H x W) and, to its right, its map (float H x W, any scale) in the inferno ramp."""
    from matplotlib import colormaps

    grey = Image.fromarray(face).convert("RGB").resize((side, side), Image.BILINEAR)
    if saliency is None:
        return grey.quantize(COLOURS)
    m = np.asarray(saliency, float)
    top = np.percentile(m, 99) if m.size else 0.0
    scaled = np.clip(m / top, 0, 1) if top > 0 else np.zeros_like(m)  # a flat map stays black, never stretched
    heat = Image.fromarray((colormaps["inferno"](scaled)[..., :3] * 255).astype(np.uint8)).resize((side, side),
                                                                                                  Image.BILINEAR)
    both = Image.new("RGB", (2 * side, side))
    both.paste(grey, (0, 0))
    both.paste(heat, (side, 0))
    return both.quantize(COLOURS)


def save(picture: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, optimize=True)
