"""Question: LIME explanations per class, and whether LIME's superpixels point at the expression cues."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from fer_report.explain import lime_maps
from fer_report.explain.budget import Knob, budget_text
from fer_report.explain.course import export
from fer_report.explain.examples import correct_sample, one_per_class, own_titles, without_correct
from fer_report.explain.layers import batch_size
from fer_report.explain.scorecard import DELETION_STEPS, faithfulness_text, score_maps, table_rows
from fer_report.draw.plots import Layer, image_rows
from fer_report.report.section import Result, Section

N_FAITH = 20  # extra correctly classified test images behind the faithfulness numbers (LIME costs 400 forward passes each)
# The least --budget may take them down to: 100 perturbed copies are ~2 per superpixel, the fewest that still
# fit a linear model with every superpixel both on and off; 5 measured images still give a deletion test.
MIN_SAMPLES, MIN_FAITH = 100, 5
TOP_K = 5  # superpixels coloured per sign in the figure
ALPHA = 0.45
GREEN, RED = np.array([0.1, 0.8, 0.2]), np.array([0.9, 0.15, 0.1])


QUESTION = {
    "en": "Use LIME to explain what the model bases its decision on for images of each class.",
    "zh-TW": "請用 LIME 解釋模型對各類別圖片的判斷依據。",
}

STRINGS = {
    "en": {
        "lime.method": "LIME",
        "lime.setup": "LIME splits each image into {segments:.0f} SLIC superpixels on average, switches random "
                      "subsets of them to their mean grey ({samples} perturbed copies per image) and fits a "
                      "linear model to the probability of the true class: green superpixels raise it, red ones "
                      "lower it[[see:lime]].",
        "lime.fit": "The local linear models explain the classifier's probability with R² {r2:.2f} on average "
                    "(lowest {r2_min:.2f}).",
        "lime.title": "{cls}\n{p:.0%}",
        "lime.title_wrong": "{cls} {p:.0%}\npred. {pred}",
        "lime.row_input": "Input",
        "lime.row_lime": "LIME",
        "lime.class_h": "Class",
        "lime.prob_h": "Probability",
        "lime.segments_h": "Superpixels",
        "lime.pos_h": "Positive",
        "lime.top_h": "Top weight",
        "lime.region_h": "Top superpixel on",
        "lime.r2_h": "R²",
        "lime.none_region": "no cue",
        "lime.budget.samples": "perturbed copies per image",
        "lime.budget.images": "extra test images measured",
        "cap.lime": "LIME for one correctly classified test image per class, explaining the true class "
                    "(probability above each image): the {k} superpixels with the largest positive weights in "
                    "green, the {k} most negative in red.",
    },
    "zh-TW": {
        "lime.method": "LIME",
        "lime.setup": "LIME 把每張圖片平均切成 {segments:.0f} 個 SLIC "
                      "superpixel，隨機把其中一部分換成該區塊的平均灰色（每張圖片 {samples} "
                      "個擾動樣本），再用線性模型擬合真實類別的機率：綠色的 superpixel "
                      "會提高機率，紅色的會降低機率[[see:lime]]。",
        "lime.fit": "這些局部線性模型對分類器機率的解釋力 R² 平均為 {r2:.2f}（最低 {r2_min:.2f}）。",
        "lime.title": "{cls}\n{p:.0%}",
        "lime.title_wrong": "{cls} {p:.0%}\n預測：{pred}",
        "lime.row_input": "輸入",
        "lime.row_lime": "LIME",
        "lime.class_h": "類別",
        "lime.prob_h": "機率",
        "lime.segments_h": "Superpixel 數",
        "lime.pos_h": "正權重",
        "lime.top_h": "最大權重",
        "lime.region_h": "最重要 superpixel 所在",
        "lime.r2_h": "R²",
        "lime.none_region": "非表情區域",
        "lime.budget.samples": "每張圖片的擾動樣本",
        "lime.budget.images": "額外衡量的測試圖片",
        "cap.lime": "每個類別一張正確分類的測試圖片的 LIME 解釋（針對真實類別，圖上方為機率）：正權重最大的 {k} "
                    "個 superpixel 標為綠色，負權重最大的 {k} 個標為紅色。",
    },
}


def run(settings, dataset, trained, predictions, user_images, user_predictions, figures, text, budget) -> Result:
    start = time.perf_counter()
    test, pred, model = dataset.test, predictions.test, trained.model
    shown = np.array(one_per_class(pred.y_true, pred.y_pred, pred.probs, settings.seed), dtype=np.int64)
    fit = budget.fit({"samples": Knob(lime_maps.NUM_SAMPLES, MIN_SAMPLES), "images": Knob(N_FAITH, MIN_FAITH)},
                     lambda c: (cost(c, len(shown) + len(user_images)), 0))
    samples = fit["samples"]
    extra = correct_sample(pred.y_true, pred.y_pred, n=fit["images"], seed=settings.seed)
    extra = extra[~np.isin(extra, shown)]
    idx = np.concatenate([shown, extra]).astype(np.int64)
    targets = pred.y_true[idx]
    exps = lime_maps.explain_many(model, test.x[idx], targets, spec=trained.spec, device=trained.device,
                                  seed=settings.seed, num_samples=samples)
    lime_seconds = time.perf_counter() - start

    # faithfulness on the correctly classified ones (an explanation of a wrong answer measures the mistake)
    correct = pred.y_pred[idx] == targets
    scores: dict[str, dict] = {}
    lines = [text("lime.setup", segments=float(np.mean([e.weights.size for e in exps])), samples=samples),
             *budget_text(fit, {"samples": text("lime.budget.samples"), "images": text("lime.budget.images")}, text)]
    lines += without_correct(shown, pred.y_true, pred.y_pred, dataset.classes, text)
    r2 = np.array([e.score for e in exps])
    lines.append(text("lime.fit", r2=float(r2.mean()), r2_min=float(r2.min())))
    if correct.any():
        ok = idx[correct]
        x = trained.inputs(test.x[ok])
        measured = [e for e, c in zip(exps, correct) if c]
        with torch.no_grad():
            s = score_maps(lime_maps.pointing_maps(measured), predict=lambda b: torch.softmax(model(b), 1), x=x,
                           targets=pred.y_true[ok], classes=dataset.classes,
                           regions=None if test.regions is None else test.regions[ok], region_names=dataset.region_names,
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
            region = dataset.region_names.get(code)
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
    if user_images:  # the user's own pictures, explained for the class the model predicts
        own = np.stack([im.pixels for im in user_images])
        own_exps = lime_maps.explain_many(model, own, [u["pred"] for u in user_predictions], spec=trained.spec,
                                          device=trained.device, seed=settings.seed, num_samples=samples)
        heads = own_titles(user_predictions, text)
        figs.append(figures.save(plot_examples(own, [overlay(img, e) for img, e in zip(own, own_exps)],
                                               [h for h, _ in heads], [w for _, w in heads], text=text),
                                 "lime_own", text("ex.own_caption", n=len(own))))
    return Result(numbers={"examples": shown.tolist(), "own_images": user_predictions, "measured": idx[correct].tolist(),
                           "num_samples": samples, "batch_size": batch_size(trained.device), "budget": fit.to_json(),
                           "mean_segments": float(np.mean([e.weights.size for e in exps])),
                           "r2_mean": float(r2.mean()), "per_example": rows, "faithfulness": scores,
                           "lime_seconds": lime_seconds, "seconds": time.perf_counter() - start},
                  text=lines, figures=figs,
                  tables={"examples": rows, "faithfulness": table_rows(scores, {"lime": text("lime.method")})})


def cost(counts: dict[str, int], shown: int) -> int:
    """Forward-only image evaluations for ``counts``: every perturbed copy of the shown (one per class, and the
    user's pictures) and the extra images, then the deletion curves (LIME's order and the random one) of the
    measured ones. LIME needs no gradient."""
    n = counts["images"]
    return (shown + n) * counts["samples"] + (shown + n) * (DELETION_STEPS + 1) * 2


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
    """The input (top) and its LIME overlay (bottom), one column per example."""
    return image_rows([(text("lime.row_input"), [[Layer(img)] for img in images]),
                       (text("lime.row_lime"), [[Layer(ov, cmap=None, vmin=None, vmax=None)] for ov in overlays])],
                      list(zip(titles, wrong)))


section = Section(name="lime", order=60, run=run, question=QUESTION, strings=STRINGS,
                  summary="LIME (SLIC superpixels) per class for the true class; pointing game, cue mass and "
                          "deletion test of its maps")
