"""Question: LIME explanations per class, and whether LIME's superpixels point at the expression cues."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from fer_report.data.synthetic import REGIONS
from fer_report.explain import lime_maps
from fer_report.explain.course import export
from fer_report.explain.examples import correct_sample, one_per_class, without_correct
from fer_report.explain.layers import batch_size
from fer_report.explain.scorecard import faithfulness_text, score_maps, table_rows
from fer_report.section import Result, Section
from fer_report.train import to_input

N_FAITH = 20  # extra correctly classified test images behind the faithfulness numbers (LIME costs 400 forward passes each)
TOP_K = 5  # superpixels coloured per sign in the figure
ALPHA = 0.45
GREEN, RED = np.array([0.1, 0.8, 0.2]), np.array([0.9, 0.15, 0.1])


def run(settings, dataset, trained, predictions, figures, text) -> Result:
    start = time.perf_counter()
    test, pred, model = dataset.test, predictions.test, trained.model
    shown = np.array(one_per_class(pred.y_true, pred.y_pred, pred.probs, settings.seed), dtype=np.int64)
    extra = correct_sample(pred.y_true, pred.y_pred, n=N_FAITH, seed=settings.seed)
    extra = extra[~np.isin(extra, shown)]
    idx = np.concatenate([shown, extra]).astype(np.int64)
    targets = pred.y_true[idx]
    exps = lime_maps.explain_many(model, test.x[idx], targets, mean=trained.mean, std=trained.std,
                                  device=trained.device, seed=settings.seed)
    lime_seconds = time.perf_counter() - start

    # faithfulness on the correctly classified ones (an explanation of a wrong answer measures the mistake)
    correct = pred.y_pred[idx] == targets
    scores: dict[str, dict] = {}
    lines = [text("lime.setup", segments=float(np.mean([e.weights.size for e in exps])),
                  samples=lime_maps.NUM_SAMPLES)]
    lines += without_correct(shown, pred.y_true, pred.y_pred, dataset.classes, text)
    r2 = np.array([e.score for e in exps])
    lines.append(text("lime.fit", r2=float(r2.mean()), r2_min=float(r2.min())))
    if correct.any():
        ok = idx[correct]
        x = to_input(test.x[ok], trained.mean, trained.std, trained.device)
        measured = [e for e, c in zip(exps, correct) if c]
        with torch.no_grad():
            s = score_maps(lime_maps.pointing_maps(measured), predict=lambda b: torch.softmax(model(b), 1), x=x,
                           targets=pred.y_true[ok], classes=dataset.classes,
                           regions=None if test.regions is None else test.regions[ok], region_names=REGIONS,
                           seed=settings.seed, order=np.stack([e.pixel_map(positive_only=False) for e in measured]))
        scores["lime"] = s
        lines += faithfulness_text(scores, {"lime": text("lime.method")}, text)
    else:
        lines.append(text("faith.none"))

    rows = []
    for j, i in enumerate(shown):
        e = exps[j]
        top = e.top_segments(1)
        region = None
        if top and test.regions is not None:
            codes = test.regions[i][e.segments == top[0]]
            code = int(np.bincount(codes, minlength=4)[1:].argmax()) + 1 if (codes > 0).any() else 0
            region = REGIONS.get(code)
        rows.append({"class": dataset.classes[int(pred.y_true[i])], "name": text.cls(dataset.classes[int(pred.y_true[i])]),
                     "prob": float(pred.probs[i, pred.y_true[i]]), "segments": int(e.weights.size),
                     "positive": int((e.weights > 0).sum()), "top_weight": float(e.weights.max()), "r2": e.score,
                     "region": region, "region_name": text(f"faith.region.{region}") if region else
                     (text("lime.none_region") if test.regions is not None else "–")})

    overlays = [overlay(test.x[i], exps[j]) for j, i in enumerate(shown)]
    wrong = [bool(pred.y_pred[i] != pred.y_true[i]) for i in shown]
    titles = [text("lime.title_wrong", cls=r["name"], p=r["prob"], pred=text.cls(dataset.classes[int(pred.y_pred[i])]))
              if w else text("lime.title", cls=r["name"], p=r["prob"]) for r, i, w in zip(rows, shown, wrong)]
    fig = plot_examples(test.x[shown], overlays, titles, wrong, text=text)
    if settings.export_course_figures:
        for j, i in enumerate(shown):
            export(plot_examples(test.x[i:i + 1], overlays[j:j + 1], titles[j:j + 1], wrong[j:j + 1], text=text),
                   settings.export_course_figures, f"fig3_{int(pred.y_true[i])}.jpg", close=True)
    figs = [figures.save(fig, "lime", text("cap.lime", k=TOP_K))]
    return Result(numbers={"examples": shown.tolist(), "measured": idx[correct].tolist(),
                           "num_samples": lime_maps.NUM_SAMPLES, "batch_size": batch_size(trained.device),
                           "mean_segments": float(np.mean([e.weights.size for e in exps])),
                           "r2_mean": float(r2.mean()), "per_example": rows, "faithfulness": scores,
                           "lime_seconds": lime_seconds, "seconds": time.perf_counter() - start},
                  text=lines, figures=figs,
                  tables={"examples": rows, "faithfulness": table_rows(scores, {"lime": text("lime.method")})})


def overlay(image: np.ndarray, e: lime_maps.LimeExplanation, k: int = TOP_K) -> np.ndarray:
    """(H, W, 3) float: the gray image, the ``k`` most positive superpixels tinted green, the ``k`` most negative red."""
    from skimage.segmentation import find_boundaries

    rgb = np.repeat((image.astype(float) / 255.0)[..., None], 3, axis=-1)
    for segs, colour in ((e.top_segments(k, sign=1), GREEN), (e.top_segments(k, sign=-1), RED)):
        mask = np.isin(e.segments, segs)
        rgb[mask] = (1 - ALPHA) * rgb[mask] + ALPHA * colour
        edge = find_boundaries(np.where(mask, e.segments, -1), mode="inner") & mask
        rgb[edge] = colour
    return rgb


def plot_examples(images: np.ndarray, overlays: list[np.ndarray], titles: list[str], wrong: list[bool], *,
                  text) -> plt.Figure:
    cols = max(1, len(images))
    fig, axes = plt.subplots(2, cols, figsize=(1.05 * cols + 0.6, 2.6), squeeze=False,
                             gridspec_kw={"wspace": 0.06, "hspace": 0.08})
    for j, (img, ov) in enumerate(zip(images, overlays)):
        axes[0, j].imshow(img, cmap="gray", vmin=0, vmax=255)
        axes[0, j].set_title(titles[j], fontsize=7, color="firebrick" if wrong[j] else "black")
        axes[1, j].imshow(ov)
    for r, key in enumerate(("lime.row_input", "lime.row_lime")):
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        axes[r, 0].set_ylabel(text(key), fontsize=8)
    return fig


section = Section(name="lime", order=60, run=run,
                  summary="LIME (SLIC superpixels) per class for the true class; pointing game, cue mass and "
                          "deletion test of its maps")
