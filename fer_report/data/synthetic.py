"""The embedded default dataset: synthetic grayscale faces whose expression is carried by drawn cues.

Why synthetic: the report must build on a fresh machine with no download, and the explanation
sections need faces whose *true* cue regions are known. Each class is a prototype of brow, eye and
mouth parameters; every image samples around its prototype with wide enough spread that
neighbouring classes (Fear/Surprise, Angry/Disgust, Sad/Neutral) overlap, so no model reaches
100 %. Face shape, position, scale, rotation, lighting and noise vary independently of the class.
"""

from __future__ import annotations

import numpy as np

from fer_report import CLASSES
from fer_report.data.dataset import Dataset, Split

#: Cue-region codes stored in ``Split.regions``.
REGIONS: dict[int, str] = {1: "brows", 2: "eyes", 3: "mouth"}

# FER2013's training class frequencies (Disgust scarce, Happy common).
_FER_COUNTS = np.array([3995, 436, 4097, 7215, 4830, 3171, 4965], dtype=float)
CLASS_SHARE = _FER_COUNTS / _FER_COUNTS.sum()

_SIZES = {"default": (4200, 900, 900), "small": (1400, 350, 350), "tiny": (210, 70, 70)}

# Per class: brow raise (px up), brow tilt (px, + = inner ends down), eye openness (height/width),
# smile (px, + = mouth corners up), mouth opening (px), mouth width (x base), mouth tilt (px, sneer).
_PARAMS = ("brow_raise", "brow_tilt", "eye_open", "smile", "mouth_open", "mouth_width", "mouth_tilt")
_PROTOTYPES = {
    "Angry": (-1.4, 2.0, 0.50, -0.8, 0.3, 0.90, 0.0),
    "Disgust": (-0.6, 1.0, 0.35, -0.4, 0.5, 1.05, 2.8),
    "Fear": (1.7, -1.4, 1.05, -0.9, 1.4, 1.15, 0.0),
    "Happy": (0.3, 0.0, 0.60, 2.4, 0.8, 1.20, 0.0),
    "Sad": (0.4, -1.7, 0.50, -1.9, 0.0, 0.90, 0.0),
    "Surprise": (2.3, 0.0, 1.10, 0.0, 2.6, 0.75, 0.0),
    "Neutral": (0.0, 0.0, 0.80, 0.0, 0.0, 1.00, 0.0),
}
_SPREAD = np.array([0.75, 0.75, 0.17, 0.85, 0.65, 0.11, 0.55])


def make_synthetic(*, seed: int = 0, size: str = "default", image_size: int = 48) -> Dataset:
    """Generate train/val/test splits deterministically from ``seed``."""
    if size not in _SIZES:
        raise ValueError(f"unknown synthetic size {size!r}; choose from {sorted(_SIZES)}")
    rng = np.random.default_rng(seed)
    splits = [_make_split(rng, n, image_size) for n in _SIZES[size]]
    n_train, n_val, n_test = _SIZES[size]
    return Dataset(
        name="synthetic",
        source=(
            f"embedded synthetic faces ({image_size}x{image_size}, seed {seed}): "
            f"{n_train:,} train / {n_val:,} val / {n_test:,} test, FER2013 class proportions"
        ),
        classes=CLASSES,
        train=splits[0],
        val=splits[1],
        test=splits[2],
        split_names={"train": "train", "val": "val", "test": "test"},
        region_names=dict(REGIONS),
    )


def _labels(rng: np.random.Generator, n: int) -> np.ndarray:
    """FER2013 proportions, at least two images of every class, shuffled."""
    counts = np.maximum(np.round(CLASS_SHARE * n).astype(int), 2)
    counts[np.argmax(counts)] += n - counts.sum()
    return rng.permutation(np.repeat(np.arange(len(CLASSES)), counts))


def _make_split(rng: np.random.Generator, n: int, size: int) -> Split:
    y = _labels(rng, n)
    proto = np.array([_PROTOTYPES[c] for c in CLASSES])[y]
    cues = proto + rng.normal(size=proto.shape) * _SPREAD
    cues[:, 6] *= rng.choice([-1.0, 1.0], size=n)  # a sneer lifts either corner
    cues[:, 2] = np.clip(cues[:, 2], 0.12, 1.4)
    cues[:, 4] = np.clip(cues[:, 4], 0.0, None)
    x = np.empty((n, size, size), np.uint8)
    regions = np.empty((n, size, size), np.uint8)
    for start in range(0, n, 512):  # chunks keep the float temporaries small
        sl = slice(start, min(n, start + 512))
        x[sl], regions[sl] = _draw(rng, cues[sl], size)
    return Split(x=x, y=y.astype(np.int64), regions=regions)


def _cover(dist: np.ndarray) -> np.ndarray:
    """Anti-aliased coverage from a signed distance (negative inside), one pixel of soft edge."""
    return np.clip(0.5 - dist, 0.0, 1.0)


def _ellipse(u, v, cu, cv, a, b):
    r = np.sqrt(((u - cu) / a) ** 2 + ((v - cv) / b) ** 2)
    return (r - 1.0) * np.minimum(a, b)


def _segment(u, v, u0, v0, u1, v1, half_width):
    du, dv = u1 - u0, v1 - v0
    t = np.clip(((u - u0) * du + (v - v0) * dv) / (du * du + dv * dv), 0.0, 1.0)
    return np.hypot(u - (u0 + t * du), v - (v0 + t * dv)) - half_width


def _draw(rng: np.random.Generator, cues: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(cues)
    col = lambda a: a.reshape(n, 1, 1)  # noqa: E731 - broadcast per-image parameters
    k = size / 48.0
    raise_, tilt, eye_open, smile, m_open, m_width, m_tilt = (col(cues[:, i]) for i in range(7))

    # Per-image pose: position, scale, rotation; the face frame (u, v) is in pixels at 48x48, scale 1.
    cx = col(size / 2 + rng.normal(0, 1.6 * k, n))
    cy = col(size / 2 + rng.normal(0, 1.6 * k, n))
    scale = col(rng.uniform(0.82, 1.08, n) * k)
    theta = col(np.deg2rad(rng.normal(0, 9, n)))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dx, dy = (xx - cx) / scale, (yy - cy) / scale
    u = np.cos(theta) * dx + np.sin(theta) * dy
    v = -np.sin(theta) * dx + np.cos(theta) * dy

    face_w = col(rng.uniform(14.5, 17.5, n))
    face_h = col(rng.uniform(18.0, 21.5, n))
    eye_dx = col(rng.uniform(6.2, 7.6, n))
    eye_v = col(rng.uniform(-4.0, -2.0, n))
    mouth_v = col(rng.uniform(8.5, 10.5, n))

    face = _cover(_ellipse(u, v, 0, 1.0, face_w, face_h) * scale)
    brows = np.zeros_like(u)
    eyes = np.zeros_like(u)
    for side in (-1.0, 1.0):  # side -1 = image left; its inner brow end points towards +u
        bv = eye_v - 5.0 - raise_
        inner_u, outer_u = side * (eye_dx - 3.8), side * (eye_dx + 3.8)
        d = _segment(u, v, inner_u, bv + tilt / 2, outer_u, bv - tilt / 2, 0.9) * scale
        brows = np.maximum(brows, _cover(d))
        eye_w = col(np.full(n, 3.1))
        d = _ellipse(u, v, side * eye_dx, eye_v, eye_w, np.maximum(eye_w * eye_open, 0.35)) * scale
        eyes = np.maximum(eyes, _cover(d))
    half = 6.0 * m_width
    t = np.clip(u / half, -1.0, 1.0)
    lip_v = mouth_v - smile * (t * t - 0.5) - m_tilt * 0.5 * t
    inside_w = np.abs(u) <= half
    lip = _cover((np.abs(v - lip_v) - 0.8) * scale) * inside_w
    gap = _cover(_ellipse(u, v, 0, mouth_v + smile * 0.5, half * 0.7, np.maximum(m_open, 0.01)) * scale)
    mouth = np.maximum(lip, gap * (m_open > 0.25))
    nose = _cover(_segment(u, v, 0, -1.0, 0.8, 4.5, 0.6) * scale) * 0.5  # present in every class

    bg = col(rng.uniform(15, 95, n))
    skin = col(rng.uniform(125, 215, n))
    ink = col(rng.uniform(70, 115, n))
    gx, gy = col(rng.normal(0, 1, n)), col(rng.normal(0, 1, n))
    light = 1.0 + rng.uniform(0, 0.25, (n, 1, 1)) * (gx * (xx - cx) + gy * (yy - cy)) / (size * np.hypot(gx, gy))
    features = np.maximum.reduce([brows, eyes, mouth, nose])
    img = bg + face * (skin * light - bg) - face * features * ink
    img += rng.normal(0, 1, img.shape) * col(rng.uniform(4, 13, n))
    x = np.clip(np.round(img), 0, 255).astype(np.uint8)

    # Ground-truth cue regions: the drawn cue plus a one-pixel margin, mouth wins over eyes over brows.
    grow = lambda m: _dilate(m > 0.25)  # noqa: E731
    regions = np.zeros((n, size, size), np.uint8)
    regions[grow(brows)] = 1
    regions[grow(eyes)] = 2
    regions[grow(mouth)] = 3
    return x, regions


def _dilate(mask: np.ndarray) -> np.ndarray:
    """3x3 binary dilation over the last two axes (numpy only: no scipy needed here)."""
    out = mask.copy()
    out[:, 1:, :] |= mask[:, :-1, :]
    out[:, :-1, :] |= mask[:, 1:, :]
    tmp = out.copy()
    out[:, :, 1:] |= tmp[:, :, :-1]
    out[:, :, :-1] |= tmp[:, :, 1:]
    return out
