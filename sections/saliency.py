"""Question: saliency maps (plain and SmoothGrad), and whether they point at the expression cues."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from fer_report.explain.attribution import saliency, smoothgrad
from fer_report.explain.budget import Knob, budget_text
from fer_report.explain.course import export
from fer_report.explain.examples import (confident_mistakes, correct_sample, one_per_class, own_titles, titles,
                                         without_correct)
from fer_report.explain.scorecard import (DELETION_STEPS, faithfulness_text, plot_deletion, random_deletion, score_maps,
                                          table_rows)
from fer_report.draw.plots import Layer, image_rows
from fer_report.report.section import Result, Section

N_FAITH = 200  # correctly classified test images behind the faithfulness numbers
N_MISTAKES = 3
SMOOTH_SAMPLES = 8  # noisy copies per image: pointing game 92 % at 8, 96 % at 16, for twice the time
SMOOTH_STDEV = 0.15  # fraction of the input's value range
# The least --budget may take them down to: 30 images still give the deletion test's mean difference a standard
# error of a few points; 4 noisy copies still average out most of SmoothGrad's noise.
MIN_FAITH, MIN_SMOOTH = 30, 4


QUESTION = {
    "en": "Plot saliency maps and observe which parts of the face the model looks at when it classifies.",
    "zh-TW": "請畫出 saliency map，並觀察模型在做分類時是看哪些部位。",
}

STRINGS = {
    "en": {
        "sal.method": "Saliency",
        "sal.smooth": "SmoothGrad",
        "sal.intro": "Each map shows how strongly each pixel changes the score of the predicted class (absolute "
                     "gradient); SmoothGrad averages it over noisy copies of the image. The figure shows one "
                     "confidently and correctly classified test image for each of {n_classes} classes, then the "
                     "{k} most confident mistakes (in red)[[see:saliency]].",
        "sal.budget.images": "test images measured",
        "sal.budget.copies": "SmoothGrad copies",
        "cap.saliency": "Saliency (middle) and SmoothGrad ({samples} noisy copies, noise {stdev:.0%} of the pixel "
                        "range; bottom) for the predicted class, with its probability above each image; the last "
                        "{k} columns are the most confident mistakes.",
    },
    "zh-TW": {
        "sal.method": "Saliency",
        "sal.smooth": "SmoothGrad",
        "sal.intro": "Saliency map 顯示每個像素對預測類別分數的影響大小（梯度的絕對值）；SmoothGrad "
                     "則是對加上雜訊的多張複本取平均。圖中為 {n_classes} "
                     "個類別各一張被正確且有信心分類的測試圖片，最後是信心最高的 {k} 個錯誤（紅色）[[see:saliency]]。",
        "sal.budget.images": "衡量的測試圖片",
        "sal.budget.copies": "SmoothGrad 複本",
        "cap.saliency": "預測類別的 saliency map（中）與 SmoothGrad（{samples} 張加雜訊的複本，雜訊為像素範圍的 "
                        "{stdev:.0%}；下），圖片上方為該類別的機率；最後 {k} 欄為信心最高的錯誤。",
    },
}


def run(dataset, trained, predictions, user_images, user_predictions, figures, text, settings, budget) -> Result:
    start = time.perf_counter()
    test, pred = dataset.test, predictions.test
    model = trained.model
    # Figure: one confident correct image per class, then the most confident mistakes (predicted class explained).
    shown = one_per_class(pred.y_true, pred.y_pred, pred.probs, settings.seed)
    mistakes = confident_mistakes(pred.y_true, pred.y_pred, pred.probs, k=N_MISTAKES)
    idx = np.array(shown + mistakes, dtype=np.int64)
    fit = budget.fit({"images": Knob(N_FAITH, MIN_FAITH), "copies": Knob(SMOOTH_SAMPLES, MIN_SMOOTH)},
                     lambda c: cost(c, len(idx) + len(user_images)))
    copies = fit["copies"]

    def maps_of(idx: np.ndarray, targets: np.ndarray, images: np.ndarray | None = None) -> dict[str, np.ndarray]:
        x = trained.inputs(test.x[idx] if images is None else images)
        return {"saliency": saliency(model, x, targets),
                "smoothgrad": smoothgrad(model, x, targets, samples=copies, stdev=SMOOTH_STDEV, seed=settings.seed)}

    example_maps = maps_of(idx, pred.y_pred[idx])
    heads = titles(idx, pred, dataset.classes, text)
    fig = plot_examples(test.x[idx], example_maps, heads, text=text)
    if settings.export_course_figures:  # the course's fig1_<class>.jpg: one class's image and its two maps
        for j, i in enumerate(shown):
            one = plot_examples(test.x[i:i + 1], {k: m[j:j + 1] for k, m in example_maps.items()}, heads[j:j + 1],
                                text=text)
            export(one, settings.export_course_figures, f"fig1_{int(pred.y_true[i])}.jpg", close=True)
    figs = [figures.save(fig, "saliency", text("cap.saliency", samples=copies, stdev=SMOOTH_STDEV,
                                                  k=len(mistakes)))]
    if user_images:  # the user's own pictures, explained for the class the model predicts
        own = np.stack([im.pixels for im in user_images])
        own_maps = maps_of(np.arange(len(own)), np.array([u["pred"] for u in user_predictions]), images=own)
        figs.append(figures.save(plot_examples(own, own_maps, own_titles(user_predictions, text), text=text),
                                 "saliency_own", text("ex.own_caption", n=len(own))))

    # Faithfulness on correctly classified test images (target = true = predicted class).
    sample = correct_sample(pred.y_true, pred.y_pred, n=fit["images"], seed=settings.seed)
    lines = [text("sal.intro", n_classes=len(shown), k=len(mistakes)),
             *without_correct(shown, pred.y_true, pred.y_pred, dataset.classes, text),
             *budget_text(fit, {"images": text("sal.budget.images"), "copies": text("sal.budget.copies")}, text)]
    for u in user_predictions:  # the user's pictures: what the model says of each, top 3
        lines.append(text("ex.own_line", name=u["name"], top=text("faith.sep").join(
            text("ex.own_item", cls=text.cls(t["class"]), p=t["p"]) for t in u["top3"])))
    scores: dict[str, dict] = {}
    names = {"saliency": text("sal.method"), "smoothgrad": text("sal.smooth")}
    if len(sample):
        targets = pred.y_true[sample]
        x = trained.inputs(test.x[sample])
        regions = test.regions[sample] if test.regions is not None else None
        predict = lambda b: torch.softmax(model(b), 1)  # noqa: E731
        rand = random_deletion(predict, x, targets, seed=settings.seed)
        for method, maps in maps_of(sample, targets).items():
            scores[method] = score_maps(maps, predict=predict, x=x, targets=targets, classes=dataset.classes,
                                        regions=regions, region_names=dataset.region_names, random_scores=rand)
        lines += faithfulness_text(scores, names, text)
        figs.append(figures.save(plot_deletion(scores, names, text), "saliency_deletion",
                                 text("cap.deletion", n=len(sample))))
    else:
        lines.append(text("faith.none"))
    rows = table_rows(scores, names)
    return Result(numbers={"examples": idx.tolist(), "own_images": user_predictions,
                           "faithfulness": scores, "smoothgrad_samples": copies, "budget": fit.to_json(),
                           "smoothgrad_stdev": SMOOTH_STDEV, "seconds": time.perf_counter() - start},
                  text=lines, figures=figs, tables={"faithfulness": rows})


def cost(counts: dict[str, int], shown: int) -> tuple[int, int]:
    """(forward-only, gradient) image evaluations for ``counts``: saliency and each SmoothGrad copy of the shown
    and the measured images, then the deletion curves of the measured ones (both maps and the random order)."""
    n = counts["images"]
    return n * (DELETION_STEPS + 1) * 3, (shown + n) * (1 + counts["copies"])


def _display(m: np.ndarray) -> np.ndarray:
    """Scale one map to 0..1 for display, clipping the top 1 % so a single pixel does not wash it out."""
    top = np.percentile(m, 99)
    return np.clip(m / top, 0, 1) if top > 0 else np.zeros_like(m)


def plot_examples(images: np.ndarray, maps: dict[str, np.ndarray], heads: list[tuple[str, bool]], *,
                  text) -> plt.Figure:
    """The input, its saliency map and its SmoothGrad map, one column per example (``heads``: titles)."""
    n = len(heads)
    rows = [(text("ex.row_input"), [[Layer(img)] for img in images[:n]])]
    for key, method in (("sal.method", "saliency"), ("sal.smooth", "smoothgrad")):
        rows.append((text(key), [[Layer(_display(m), cmap="hot", vmin=0, vmax=1)] for m in maps[method][:n]]))
    return image_rows(rows, heads)


section = Section(name="saliency", order=40, run=run, question=QUESTION, strings=STRINGS,
                  summary="Saliency and SmoothGrad maps per class and for confident mistakes; pointing game, "
                          "cue-mass and deletion test against chance")
