"""Question: saliency maps (plain and SmoothGrad), and whether they point at the expression cues."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from fer_report.data.synthetic import REGIONS
from fer_report.explain.attribution import saliency, smoothgrad
from fer_report.explain.course import export
from fer_report.explain.examples import confident_mistakes, correct_sample, one_per_class, without_correct
from fer_report.explain.examples import title as example_title
from fer_report.explain.scorecard import faithfulness_text, plot_deletion, random_deletion, score_maps, table_rows
from fer_report.section import Result, Section
from fer_report.train import to_input

N_FAITH = 200  # correctly classified test images behind the faithfulness numbers
N_MISTAKES = 3
SMOOTH_SAMPLES = 8  # noisy copies per image: pointing game 92 % at 8, 96 % at 16, for twice the time
SMOOTH_STDEV = 0.15  # fraction of the input's value range


def run(dataset, trained, predictions, figures, text, settings) -> Result:
    start = time.perf_counter()
    test, pred = dataset.test, predictions.test
    model = trained.model

    def maps_of(idx: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        x = to_input(test.x[idx], trained.mean, trained.std, trained.device)
        return {"saliency": saliency(model, x, targets),
                "smoothgrad": smoothgrad(model, x, targets, samples=SMOOTH_SAMPLES, stdev=SMOOTH_STDEV,
                                         seed=settings.seed)}

    # Figure: one confident correct image per class, then the most confident mistakes (predicted class explained).
    shown = one_per_class(pred.y_true, pred.y_pred, pred.probs, settings.seed)
    mistakes = confident_mistakes(pred.y_true, pred.y_pred, pred.probs, k=N_MISTAKES)
    idx = np.array(shown + mistakes, dtype=np.int64)
    example_maps = maps_of(idx, pred.y_pred[idx])
    fig = plot_examples(test.x[idx], example_maps, idx, pred, dataset.classes, text=text)
    if settings.export_course_figures:  # the course's fig1_<class>.jpg: one class's image and its two maps
        for j, i in enumerate(shown):
            one = plot_examples(test.x[i:i + 1], {k: m[j:j + 1] for k, m in example_maps.items()}, idx[j:j + 1],
                                pred, dataset.classes, text=text)
            export(one, settings.export_course_figures, f"fig1_{int(pred.y_true[i])}.jpg", close=True)
    figs = [figures.save(fig, "saliency", text("cap.saliency", samples=SMOOTH_SAMPLES, stdev=SMOOTH_STDEV,
                                                  k=len(mistakes)))]

    # Faithfulness on correctly classified test images (target = true = predicted class).
    sample = correct_sample(pred.y_true, pred.y_pred, n=N_FAITH, seed=settings.seed)
    lines = [text("sal.intro", n_classes=len(shown), k=len(mistakes)),
             *without_correct(shown, pred.y_true, pred.y_pred, dataset.classes, text)]
    scores: dict[str, dict] = {}
    names = {"saliency": text("sal.method"), "smoothgrad": text("sal.smooth")}
    if len(sample):
        targets = pred.y_true[sample]
        x = to_input(test.x[sample], trained.mean, trained.std, trained.device)
        regions = test.regions[sample] if test.regions is not None else None
        predict = lambda b: torch.softmax(model(b), 1)  # noqa: E731
        rand = random_deletion(predict, x, targets, seed=settings.seed)
        for method, maps in maps_of(sample, targets).items():
            scores[method] = score_maps(maps, predict=predict, x=x, targets=targets, classes=dataset.classes,
                                        regions=regions, region_names=REGIONS, random_scores=rand)
        lines += faithfulness_text(scores, names, text)
        figs.append(figures.save(plot_deletion(scores, names, text), "saliency_deletion",
                                 text("cap.deletion", n=len(sample))))
    else:
        lines.append(text("faith.none"))
    rows = table_rows(scores, names)
    return Result(numbers={"examples": idx.tolist(), "faithfulness": scores, "smoothgrad_samples": SMOOTH_SAMPLES,
                           "smoothgrad_stdev": SMOOTH_STDEV, "seconds": time.perf_counter() - start},
                  text=lines, figures=figs, tables={"faithfulness": rows})


def _display(m: np.ndarray) -> np.ndarray:
    """Scale one map to 0..1 for display, clipping the top 1 % so a single pixel does not wash it out."""
    top = np.percentile(m, 99)
    return np.clip(m / top, 0, 1) if top > 0 else np.zeros_like(m)


def plot_examples(images: np.ndarray, maps: dict[str, np.ndarray], idx: np.ndarray, pred, classes, *,
                  text) -> plt.Figure:
    rows = [("sal.row_input", None), ("sal.method", maps["saliency"]), ("sal.smooth", maps["smoothgrad"])]
    cols = len(idx)
    fig, axes = plt.subplots(3, cols, figsize=(1.05 * cols + 0.6, 3.7), squeeze=False,
                             gridspec_kw={"wspace": 0.06, "hspace": 0.08})
    for j, i in enumerate(idx):
        title, wrong = example_title(i, pred.y_true, pred.y_pred, pred.probs, classes, text)
        for r, (key, m) in enumerate(rows):
            ax = axes[r, j]
            if m is None:
                ax.imshow(images[j], cmap="gray", vmin=0, vmax=255)
                ax.set_title(title, fontsize=7, color="firebrick" if wrong else "black")
            else:
                ax.imshow(_display(m[j]), cmap="hot", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if j == 0:
                ax.set_ylabel(text(key), fontsize=8)
    return fig


section = Section(name="saliency", order=40, run=run,
                  summary="Saliency and SmoothGrad maps per class and for confident mistakes; pointing game, "
                          "cue-mass and deletion test against chance")
