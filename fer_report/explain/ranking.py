"""Which explanation can be trusted: every method's maps of the same images, put to the same tests.

Five tests, each a comparison with a baseline that knows nothing, image by image:

- pointing: the map's peak lies on a cue region (brows, eyes, mouth) more often than the cue area
  (the hit rate of a random peak);
- mass: more of the map's mass lies on the cues than their share of the image;
- deletion: removing pixels most-important-first (to 0, the training mean grey) lowers the target's
  probability faster than removing them in random order (lower area is better);
- insertion: adding pixels most-important-first to the blank (0) input raises it faster than adding
  them in random order (higher area is better);
- sanity: the maps change when the model's weights are re-initialised (``sanity.fails_sanity``).

A test passes when the per-image difference from its baseline is more than two standard errors in
the right direction and at least ``MIN_EFFECT`` (0.01): a difference the images cannot tell from noise,
or one too small to matter, is not a pass (``faithfulness.paired_test``). Pointing and
mass need ground-truth cue maps (the embedded synthetic faces); on other data they are None, with
the reason. Ranking (``rank``): methods that fail the sanity check come last, whatever else they
pass; then more tests passed first; ties broken by the insertion-minus-deletion area gap (larger
first), then by speed. Everything but ``curves`` is pure arithmetic on arrays and dicts.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from fer_report.explain.faithfulness import (FLAT_RESPONSE, MIN_EFFECT, curve_area, deletion_curve, mass_inside, paired_test,
                                             pointing_game, random_maps, response, untied)
from fer_report.explain.sanity import SANITY_THRESHOLD, fails_sanity, similarity

TESTS = ("pointing", "mass", "deletion", "insertion", "sanity")
STEPS = 10  # curve points at 0 %, 10 %, ..., 100 % of the pixels, as the sections' deletion curves
NO_REGIONS = "the data has no ground-truth cue regions (only the embedded synthetic faces do)"


def curves(predict: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, targets, maps: np.ndarray, *,
           steps: int = STEPS, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fractions (K,), deletion (N, K), insertion (N, K)) target probabilities, pixels ordered by ``maps``.

    Equal map values are ordered at random (``seed``), not in raster order. Insertion of the top
    fraction f into the blank image is deletion (to the same blank, 0) of the bottom 1 - f, so both
    curves come from ``faithfulness.deletion_curve``: the second one with the order reversed.
    """
    order = untied(maps, seed)
    t = torch.as_tensor(np.asarray(targets, dtype=np.int64), device=x.device)
    fractions, deletion = deletion_curve(predict, x, t, order, steps=steps, fill=0.0)
    _, reverse = deletion_curve(predict, x, t, -order, steps=steps, fill=0.0)
    return fractions, deletion, reverse[:, ::-1]


def random_curves(predict: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, targets, *,
                  steps: int = STEPS, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The baseline of both curves: a uniformly random pixel order for each image."""
    return curves(predict, x, targets, random_maps((len(x), *x.shape[-2:]), seed), steps=steps, seed=seed)


def peaked(maps: np.ndarray) -> np.ndarray:
    """``maps`` with ties at the maximum broken towards the middle of the plateau, for the pointing game.

    Block-wise maps (occlusion windows, LIME segments) are flat at their peak, so ``argmax`` would
    point at the plateau's first pixel in raster order, its top-left edge. A tiny multiple of the
    map blurred by a 3x3 mean moves the peak off that edge, to where its neighbourhood is most
    important too (LIME's maps arrive with their own tie-break, ``lime_maps.pointing_maps``).
    """
    from scipy.ndimage import uniform_filter

    m = np.asarray(maps, dtype=np.float64)
    span = (m.max(axis=(1, 2), keepdims=True) - m.min(axis=(1, 2), keepdims=True)) if m.size else m
    blur = uniform_filter(m, size=(1, 3, 3), mode="constant")
    return m + 1e-6 * span * blur / np.maximum(np.abs(blur).max(axis=(1, 2), keepdims=True), 1e-300)


def evaluate(maps: np.ndarray, *, fractions: np.ndarray, deletion: np.ndarray, insertion: np.ndarray,
             random_deletion: np.ndarray, random_insertion: np.ndarray, regions: np.ndarray | None = None,
             seconds_per_image: float | None = None, sanity_curve: list[dict] | None = None,
             regions_reason: str = NO_REGIONS) -> dict:
    """One method's numbers and test outcomes (True / False / None = not run), JSON-ready."""
    out: dict = {"n": len(maps), "seconds_per_image": seconds_per_image,
                 "pointing_game": None, "mass_inside": None, "chance": None, "regions_reason": regions_reason}
    tests: dict = dict.fromkeys(TESTS)
    effects: dict = {}  # per test run: "better", "worse", "negligible" (under MIN_EFFECT) or "noise"
    if regions is not None and len(maps):
        masks = np.asarray(regions) > 0
        area = masks.reshape(len(masks), -1).mean(1)
        hits = pointing_game(peaked(maps), masks).astype(float)
        mass = mass_inside(maps, masks)
        out.update(pointing_game=float(hits.mean()), mass_inside=float(mass.mean()), chance=float(area.mean()),
                   regions_reason=None)
        out["pointing_margin"], out["pointing_se"], tests["pointing"], effects["pointing"] = _above(hits - area)
        out["mass_margin"], out["mass_se"], tests["mass"], effects["mass"] = _above(mass - area)
    out.update(deletion_auc=curve_area(fractions, deletion), deletion_random_auc=curve_area(fractions, random_deletion),
               insertion_auc=curve_area(fractions, insertion),
               insertion_random_auc=curve_area(fractions, random_insertion),
               fractions=np.asarray(fractions).tolist(), deletion_curve=deletion.mean(0).tolist(),
               insertion_curve=insertion.mean(0).tolist(), random_deletion_curve=random_deletion.mean(0).tolist(),
               random_insertion_curve=random_insertion.mean(0).tolist())
    out["gap"] = out["insertion_auc"] - out["deletion_auc"]
    out["deletion_margin"], out["deletion_se"], tests["deletion"], effects["deletion"] = _above(
        _areas(fractions, random_deletion) - _areas(fractions, deletion))
    out["insertion_margin"], out["insertion_se"], tests["insertion"], effects["insertion"] = _above(
        _areas(fractions, insertion) - _areas(fractions, random_insertion))
    out["response"] = response(random_deletion)
    out["sanity"] = sanity_curve
    out["sanity_similarity"] = similarity(sanity_curve) if sanity_curve else None
    tests["sanity"] = None if not sanity_curve else not fails_sanity(sanity_curve)
    out["tests"], out["effects"] = tests, effects
    out["passed"] = sum(v is True for v in tests.values())
    out["run"] = sum(v is not None for v in tests.values())
    return out


def score_methods(maps: dict[str, np.ndarray], *, predict: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                  targets, regions: np.ndarray | None = None, seconds: dict[str, float] | None = None,
                  sanity: dict[str, list[dict]] | None = None, seed: int = 0, steps: int = STEPS) -> dict[str, dict]:
    """``evaluate`` for each method's (N, H, W) maps of the same images ``x``; one random baseline for all.

    ``seconds`` holds each method's total seconds for the N images, ``sanity`` its ``sanity.cascade`` curve.
    All methods' curves (and the random order's) are computed as one stack of images: with a few
    images per method, that makes full batches instead of many calls of a few images each.
    """
    n, names = len(x), list(maps)
    stack = np.concatenate([*(maps[k] for k in names), random_maps((n, *x.shape[-2:]), seed)])
    reps = len(names) + 1
    fractions, deletion, insertion = curves(predict, x.repeat(reps, 1, 1, 1), np.tile(np.asarray(targets), reps),
                                            stack, steps=steps, seed=seed)
    base = slice(len(names) * n, reps * n)
    out = {}
    for i, name in enumerate(names):
        own = slice(i * n, (i + 1) * n)
        per_image = seconds[name] / max(1, n) if seconds and name in seconds else None
        out[name] = evaluate(maps[name], fractions=fractions, deletion=deletion[own], insertion=insertion[own],
                             random_deletion=deletion[base], random_insertion=insertion[base], regions=regions,
                             seconds_per_image=per_image, sanity_curve=(sanity or {}).get(name))
    return out


def rank(results: dict[str, dict]) -> list[dict]:
    """Methods best first: sanity failures last, then tests passed, insertion-deletion gap, speed, name."""
    def key(item):
        name, r = item
        return (r["tests"]["sanity"] is False, -r["passed"], -r["gap"],
                r["seconds_per_image"] if r["seconds_per_image"] is not None else float("inf"), name)

    return [{"rank": i + 1, "method": name, **r} for i, (name, r) in enumerate(sorted(results.items(), key=key))]


def verdict(ranked: list[dict]) -> dict:
    """Facts for the text: which method to trust and why, which fail the sanity check, which beat nothing,
    and whether every method ties with the random order on deletion and insertion (``MIN_EFFECT``).

    Trust needs a faithfulness test passed (pointing, mass, deletion or insertion): passing only the
    sanity check says the maps depend on the weights, not that they single out what the model uses. No
    method is trusted on a model whose output barely moves when every pixel is deleted (``FLAT_RESPONSE``):
    a random-weight ResNet's Integrated Gradients still put mass on the drawn cues (they are dark edges).
    """
    run = [t for t in TESTS if any(r["tests"][t] is not None for r in ranked)]
    faithfulness = [t for t in run if t != "sanity"]
    top = ranked[0] if ranked else None
    trusted = top if top and any(top["tests"][t] for t in faithfulness) and top["tests"]["sanity"] is not False \
        else None
    curves = ("deletion", "insertion")
    ties = [r["method"] for r in ranked if all(r.get("effects", {}).get(t) == "negligible" for t in curves)]
    unresponsive = bool(ranked) and len(ties) == len(ranked) and (top.get("response") or 0.0) < FLAT_RESPONSE
    trusted = None if unresponsive else trusted  # an explanation of a model that ignores its input is no finding
    return {
        "n": top["n"] if top else 0,
        "tests_run": run,
        "trust": trusted["method"] if trusted else None,
        "trust_passed": [t for t in run if trusted and trusted["tests"][t]],
        "trust_failed": [t for t in run if trusted and trusted["tests"][t] is False],
        "passes_all": [r["method"] for r in ranked if run and all(r["tests"][t] for t in run)],
        "fails_sanity": [r["method"] for r in ranked if r["tests"]["sanity"] is False],
        "sanity_threshold": SANITY_THRESHOLD,
        "no_better_than_random": [r["method"] for r in ranked if faithfulness
                                  and not any(r["tests"][t] for t in faithfulness)],
        "regions_reason": top["regions_reason"] if top else NO_REGIONS,
        "min_effect": MIN_EFFECT,
        "ties": ties,  # no measurable difference from the random order on deletion and insertion
        "all_tie": bool(ranked) and len(ties) == len(ranked),
        "unresponsive": unresponsive,  # every method ties because the model's output barely moves
        "response": top.get("response") if top else None,
    }


def _above(diff: np.ndarray) -> tuple[float, float, bool, str]:
    """Mean, standard error, whether the test passes, and the verdict (``faithfulness.paired_test``)."""
    mean, se, verdict = paired_test(diff)
    return mean, se, verdict == "better", verdict


def _areas(fractions: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """(N,) area under each image's curve (trapezoid rule)."""
    return np.trapezoid(scores, fractions, axis=1)
