"""LIME (Ribeiro et al. 2016) for the grayscale classifier, as segment weights and per-pixel maps.

``lime_image`` perturbs superpixels and fits a weighted linear model to the classifier's
probability of the explained class. What this module adds, from the pitfalls in NOTES.md:
SLIC superpixels sized for 48x48 faces (lime's default quickshift gives one segment on a float
image), an adapter from lime's (N, H, W, 3) batches back to the model's input (``InputSpec``), batches
sized for the device (``layers.batch_size``: 32 on a CPU, where larger ones are slower, 256 on a
GPU), a fixed seed per image, and no tqdm bar.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from fer_report.explain import layers
from fer_report.explain.layers import CPU_BATCH, inspecting
from fer_report.model.inference import InputSpec, unit_to_input

NUM_SAMPLES = 400  # perturbed images per explanation: ~9 per superpixel; R² of the local fit as at 800
SLIC_SEGMENTS = 60  # requested superpixels: ~40-50 on a 48x48 face
SLIC_COMPACTNESS = 8.0  # on the Lab L scale 0..100: segments follow brows, eyes and mouth, not noise
SLIC_SIGMA = 0.5
HIDE_COLOR = None  # a switched-off superpixel takes its own mean grey (lime's default)


@dataclass
class LimeExplanation:
    target: int
    segments: np.ndarray  # (H, W) int, 0..S-1
    weights: np.ndarray  # (S,) the linear model's weight of each segment for ``target``
    score: float  # R^2 of the local linear model
    local_pred: float  # the linear model's prediction for the full image

    def pixel_map(self, *, positive_only: bool = True) -> np.ndarray:
        """(H, W): each pixel gets its segment's weight (negative weights set to 0 if ``positive_only``)."""
        w = np.clip(self.weights, 0, None) if positive_only else self.weights
        return w[self.segments]

    def top_segments(self, k: int, *, sign: int = 1) -> list[int]:
        """The ``k`` segments with the largest (sign=1) or most negative (sign=-1) weights, strict sign only."""
        order = np.argsort(-sign * self.weights, kind="stable")
        return [int(s) for s in order[:k] if sign * self.weights[s] > 0]


def slic_segments(image: np.ndarray, *, n_segments: int = SLIC_SEGMENTS, compactness: float = SLIC_COMPACTNESS,
                  sigma: float = SLIC_SIGMA) -> np.ndarray:
    """SLIC superpixels of a (H, W) or (H, W, 3) image (uint8 0..255 or float 0..1), labels from 0."""
    from skimage.segmentation import slic

    img = np.asarray(image)
    if img.dtype == np.uint8:
        img = img.astype(np.float64) / 255.0
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    return slic(img, n_segments=n_segments, compactness=compactness, sigma=sigma, channel_axis=-1,
                start_label=0)


def grayscale_classifier(model: nn.Module, spec: InputSpec, device: torch.device | str,
                         ) -> Callable[[np.ndarray], np.ndarray]:
    """lime's ``classifier_fn``: (N, H, W, 3) float 0..1 grey -> (N, classes) softmax of the model."""

    def classify(batch: np.ndarray) -> np.ndarray:
        gray = torch.as_tensor(np.asarray(batch)[..., 0], dtype=torch.float32, device=device)
        with torch.inference_mode():  # forward only: no autograd bookkeeping at all
            logits = model(unit_to_input(gray, spec))
        return torch.softmax(logits.float(), 1).cpu().numpy()

    return classify


@contextlib.contextmanager
def _quiet_lime() -> Iterator[None]:
    """lime 0.2.0.1 has no progress_bar switch: replace its tqdm with a plain pass-through."""
    import lime.lime_image as li

    original = li.tqdm
    li.tqdm = lambda it, *a, **k: it
    try:
        yield
    finally:
        li.tqdm = original


def explain(classify: Callable[[np.ndarray], np.ndarray], image: np.ndarray, target: int, *, seed: int = 0,
            num_samples: int | None = None, batch_size: int | None = None,
            segmentation_fn: Callable[[np.ndarray], np.ndarray] | None = None,
            hide_color: float | None = HIDE_COLOR) -> LimeExplanation:
    """LIME for one (H, W) uint8 image and class ``target``; the same seed gives the same weights."""
    from lime.lime_image import LimeImageExplainer

    img = np.asarray(image, dtype=np.float64) / 255.0 if np.asarray(image).dtype == np.uint8 else np.asarray(image)
    explainer = LimeImageExplainer(random_state=seed)  # a fresh RNG per image: order-independent results
    with _quiet_lime():
        exp = explainer.explain_instance(
            img, classify, labels=(int(target),), top_labels=None, hide_color=hide_color,
            num_samples=NUM_SAMPLES if num_samples is None else num_samples,
            batch_size=CPU_BATCH if batch_size is None else batch_size,
            segmentation_fn=segmentation_fn or slic_segments, random_seed=seed)
    segments = np.asarray(exp.segments)
    weights = np.zeros(int(segments.max()) + 1)
    for seg, w in exp.local_exp[int(target)]:
        weights[int(seg)] = w
    local = exp.local_pred[0] if np.ndim(exp.local_pred) else exp.local_pred
    return LimeExplanation(target=int(target), segments=segments, weights=weights, score=float(exp.score),
                           local_pred=float(local))


def explain_many(model: nn.Module, images: np.ndarray, targets, *, spec: InputSpec,
                 device: torch.device | str, seed: int = 0, num_samples: int | None = None,
                 batch_size: int | None = None) -> list[LimeExplanation]:
    """One explanation per (H, W) uint8 image, image ``i`` seeded with ``seed + i`` (so any subset gives the
    same explanation of an image at the same position); the model runs in eval mode."""
    classify = grayscale_classifier(model, spec, device)
    with inspecting(model):
        batch = layers.batch_size(device) if batch_size is None else batch_size
        return [explain(classify, img, int(t), seed=seed + i, num_samples=num_samples, batch_size=batch)
                for i, (img, t) in enumerate(zip(images, targets))]


def pointing_maps(explanations: list[LimeExplanation]) -> np.ndarray:
    """(N, H, W) positive maps with ties broken towards each segment's interior.

    A LIME map is flat inside a segment, so ``argmax`` would point at the segment's first pixel in
    raster order (often on its edge). Adding a tiny multiple of the distance to the segment's border
    makes the pointing game point at the top segment's innermost pixel instead.
    """
    from scipy.ndimage import distance_transform_edt

    out = []
    for e in explanations:
        m = e.pixel_map()
        top = m.max()
        if top <= 0:
            out.append(m)
            continue
        inside = np.isin(e.segments, np.flatnonzero(e.weights == top))
        depth = distance_transform_edt(np.pad(inside, 1))[1:-1, 1:-1]
        out.append(m + 1e-6 * top * depth / max(1.0, depth.max()))
    return np.stack(out)
