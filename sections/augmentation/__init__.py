"""Question: the same model trained with and without data augmentation (same seed, same epochs), plus the
optional ablations of ``settings.ablations`` (the CNN against a fully connected net of equal size).

The main run is the report's own training; every other run is the same Settings with one field changed,
trained through ``fer_report.training.train.train`` and so cached like any training. Each costs one more training:
the text says how many seconds.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
import torch

from fer_report.data.augment import augment_batch
from fer_report.draw.plots import plot_runs
from fer_report.report.requirements import retrainable
from fer_report.report.section import Result, Section
from fer_report.model.summary import count_params
from fer_report.model.inference import fitted_spec, to_input
from fer_report.training.own_class import base_settings, came_trained, own_class_values
from fer_report.training.train import Trained, train
from fer_report.sections.augmentation.strings import QUESTION, STRINGS

log = logging.getLogger(__name__)
SAME = 0.005  # a difference in best validation accuracy below half a point reads as "no change"
NO_OVERFIT = 0.01  # a final train - val accuracy gap at most this: the run does not overfit
SAMPLE_ROWS = 3  # augmented copies shown under each original
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")


@dataclass
class Run:
    key: str  # "with", "without", "dnn"
    settings: object
    trained: Trained
    label: str = ""


def run(settings, dataset, trained, compare_logs, figures, text) -> Result:
    if compare_logs:
        return user_runs(compare_logs, figures, text)
    runs = train_runs(base_settings(settings, trained), dataset, trained)
    labels = {"with": text("aug.with"), "without": text("aug.without"),
              "dnn": text("aug.dnn", model="dnn", match=settings.model)}
    for r in runs:
        r.label = labels[r.key]
    facts = {r.key: analyse(r.trained, dataset) for r in runs}
    policy = getattr(settings, "augment_policy", "light")
    lines = _sentences(settings, policy, runs, facts, trained, text)

    curves = figures.save(plot_runs([(r.label, r.trained.history) for r in runs], text=text, colours=COLOURS),
                          "augmentation", text("cap.aug_curves"))
    samples = figures.save(plot_samples(dataset, seed=settings.seed, policy=policy, text=text), "augmentation_samples",
                           text("cap.aug_samples", n=SAMPLE_ROWS))
    rows = [{"label": r.label, **facts[r.key]} for r in runs]
    numbers = {"runs": {r.key: {**facts[r.key], "augment": r.settings.augment, "model": r.settings.model,
                                "cache": str(r.trained.cache_dir), "trained_now": r.trained.seconds > 0}
                        for r in runs},
               "best_val_acc_delta": facts["with"]["best_val_acc"] - facts["without"]["best_val_acc"],
               "extra_training_seconds": sum(r.trained.recorded_seconds for r in runs if r.trained is not trained),
               "main_training_seconds": trained.recorded_seconds, "own_class_trained_here": came_trained(trained)}
    return Result(numbers=numbers, text=lines, figures=[curves, samples], tables={"runs": rows})


def train_runs(settings, dataset, trained: Trained) -> list[Run]:
    """The main run, its counterpart with augmentation flipped, then the ablations; with-augmentation first.
    For a student's class that came trained, the main run is that class trained here too (``settings`` are
    then ``own_class.base_settings``): their checkpoint had another recipe, so it is no fair counterpart."""
    other = replace(settings, augment=not settings.augment)
    main = train(settings, dataset) if came_trained(trained) else trained
    runs = sorted([Run("with" if settings.augment else "without", settings, main),
                   Run("without" if settings.augment else "with", other, train(other, dataset))],
                  key=lambda r: r.key != "with")
    if "dnn" in settings.ablations and settings.model != "dnn":
        ablation = replace(settings, model="dnn", match=settings.model)
        runs.append(Run("dnn", ablation, train(ablation, dataset)))
    elif "dnn" in settings.ablations:
        log.warning("augmentation: --ablations dnn compares a CNN with the dnn model; the model already is dnn")
    return runs


def compare(on: dict, off: dict) -> list[tuple[str, dict]]:
    """The comparison's sentences (i18n key, values) from the two runs' facts; pure, for testing."""
    delta = on["best_val_acc"] - off["best_val_acc"]
    verdict = "aug.same" if abs(delta) < SAME else "aug.helps" if delta > 0 else "aug.hurts"
    gap = ("aug.gap_none" if max(on["gap"], off["gap"]) <= NO_OVERFIT else
           "aug.gap_narrower" if on["gap"] < off["gap"] else "aug.gap_wider")
    peak = ("aug.peak_later" if on["best_epoch"] > off["best_epoch"] else
            "aug.peak_earlier" if on["best_epoch"] < off["best_epoch"] else "aug.peak_same")
    return [(verdict, {"pts": 100 * (delta if verdict == "aug.same" else abs(delta))}),
            (gap, {"on": on["gap"], "off": off["gap"]}),
            ("aug.train_acc_note", {}),
            (peak, {"on": on["best_epoch"], "off": off["best_epoch"]})]


def user_runs(logs: dict, figures, text) -> Result:
    """The student's own runs (``--compare LABEL=FILE``), compared as the trained counterpart is: the first
    run against each other one, with the same rules (``compare``) and sentences naming the labels."""
    facts = {label: log_facts(log.rows) for label, log in logs.items()}
    labels = list(facts)
    lines = [text("cmp.setup", n=len(labels), runs=text("cmp.sep").join(
        f"{label} ({log.path}, {log.format})" for label, log in logs.items()))]
    for label, f in facts.items():
        lines.append(text("cmp.run" if None not in (f["best_val_acc"], f["gap"]) else "cmp.run_partial", label=label,
                          **{k: (v if v is not None else float("nan")) for k, v in _run_values(f).items()},
                          epochs=f["epochs"]))
    first = facts[labels[0]]
    for other in labels[1:]:
        if None in (first["best_val_acc"], first["gap"], facts[other]["best_val_acc"], facts[other]["gap"]):
            lines.append(text("cmp.incomplete", a=labels[0], b=other))
            continue
        for key, values in compare(first, facts[other]):
            if key != "aug.train_acc_note":
                lines.append(text(key.replace("aug.", "cmp."), a=labels[0], b=other, **values))
    curves = figures.save(plot_runs([(label, log.rows) for label, log in logs.items()], text=text, colours=COLOURS),
                          "augmentation", text("cap.aug_curves"))
    rows = [{"label": label, **f} for label, f in facts.items()]
    return Result(numbers={"runs": {label: {**f, "log": logs[label].path, "format": logs[label].format}
                                    for label, f in facts.items()}, "source": "logs"},
                  text=lines, figures=[curves], tables={"runs": rows})


def log_facts(rows: list[dict]) -> dict:
    """A logged run's facts, as ``analyse`` gives a trained one's (None where the log lacks the metric)."""
    def last(key):
        return rows[-1].get(key)
    val = [r.get("val_acc") for r in rows]
    best = max((i for i, v in enumerate(val) if v is not None), key=lambda i: val[i], default=None)
    gap = last("train_acc") - last("val_acc") if None not in (last("train_acc"), last("val_acc")) else None
    seconds = [r["seconds"] for r in rows if r.get("seconds") is not None]
    return {"best_epoch": rows[best]["epoch"] if best is not None else None,
            "best_val_acc": val[best] if best is not None else None, "final_train_acc": last("train_acc"),
            "final_val_acc": last("val_acc"), "gap": gap, "test_acc": None, "params": None,
            "seconds": sum(seconds) if seconds else None, "epochs": len(rows)}


def _sentences(settings, policy: str, runs: list[Run], facts: dict, trained: Trained, text) -> list[str]:
    on, off = facts["with"], facts["without"]
    common = {"model": settings.model, "seed": settings.seed, "epochs": settings.epochs}
    lines = [text("aug.setup", **common, **_augment_params()) if policy == "light"
             else text("aug.setup_policy", **common, policy=policy)]
    lines += [text("aug.run", label=r.label, epochs=settings.epochs, **_run_values(facts[r.key])) for r in runs[:2]]
    lines += [text(key, **values) for key, values in compare(on, off)]
    if "dnn" in facts:
        cnn = facts["with" if settings.augment else "without"]
        lines.append(text("aug.abl_dnn", params=facts["dnn"]["params"], cnn_params=cnn["params"],
                          best=facts["dnn"]["best_val_acc"], cnn_best=cnn["best_val_acc"], gap=facts["dnn"]["gap"],
                          cnn_gap=cnn["gap"]))
    if came_trained(trained):
        lines.insert(0, text("aug.own_class", **own_class_values(settings, [r.trained for r in runs])))
    for r in runs:
        if r.trained is not trained and not came_trained(trained):
            lines.append(text("aug.cost" if r.trained.seconds > 0 else "aug.cost_cached", label=r.label,
                              seconds=r.trained.recorded_seconds, main=trained.recorded_seconds,
                              device=str(r.trained.device)))
    return lines


def analyse(t: Trained, dataset) -> dict:
    """Best validation epoch, final accuracies and gap, test accuracy and size of one run."""
    h = t.history
    val = np.array([e["val_acc"] for e in h])
    best = int(val.argmax())
    trainable, _ = count_params(t.model)
    return {"best_epoch": best + 1, "best_val_acc": float(val[best]), "final_train_acc": float(h[-1]["train_acc"]),
            "final_val_acc": float(h[-1]["val_acc"]), "gap": float(h[-1]["train_acc"] - h[-1]["val_acc"]),
            "test_acc": accuracy_on_test(t, dataset), "params": int(trainable), "seconds": float(t.recorded_seconds),
            "epochs": len(h)}


@torch.no_grad()
def accuracy_on_test(t: Trained, dataset, batch: int = 512) -> float:
    """Accuracy on the test split, predicted the way validation was (``Trained.predict`` averages ten crops)."""
    predict = getattr(t, "predict", t.model)
    correct = 0
    for i in range(0, len(dataset.test), batch):
        x = t.inputs(dataset.test.x[i:i + batch])
        correct += int((predict(x).argmax(1).cpu().numpy() == dataset.test.y[i:i + batch]).sum())
    return correct / max(1, len(dataset.test))


def _run_values(f: dict) -> dict:
    return {"best": f["best_val_acc"], "epoch": f["best_epoch"], "train": f["final_train_acc"],
            "val": f["final_val_acc"], "gap": f["gap"], "test": f["test_acc"]}


def _augment_params() -> dict:
    """The augmentation's ranges as training uses them (augment_batch's defaults), for the text."""
    p = {k: v.default for k, v in inspect.signature(augment_batch).parameters.items()}
    # the shift is drawn in affine_grid's [-1, 1] coordinates (width 2), as 2 * max_shift: max_shift of the size
    return {"rot": p["max_rotation"], "shift": p["max_shift"], "smin": p["scale_range"][0],
            "smax": p["scale_range"][1]}


def plot_samples(dataset, *, seed: int, policy: str = "light", text) -> plt.Figure:
    """The first training image of each class, then SAMPLE_ROWS copies augmented as training does.

    Augmentation runs on normalised input as in training (random erasing fills the mean), and is shown
    mapped back to pixel values.
    """
    classes = [k for k in range(len(dataset.classes)) if (dataset.train.y == k).any()]
    idx = [int(np.flatnonzero(dataset.train.y == k)[0]) for k in classes]
    spec = fitted_spec(dataset.train.x)
    mean, std = spec.mean[0], spec.std[0]
    x = to_input(dataset.train.x[idx], spec, torch.device("cpu"))
    gen = torch.Generator().manual_seed(seed)
    rows = [x] + [augment_like_training(x, policy, gen) for _ in range(SAMPLE_ROWS)]
    fig, axes = plt.subplots(len(rows), len(idx), figsize=(0.85 * len(idx), 0.9 * len(rows)), squeeze=False)
    for r, batch in enumerate(rows):
        for c, k in enumerate(classes):
            ax = axes[r][c]
            ax.imshow(batch[c, 0].numpy() * std + mean, cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(text.cls(dataset.classes[k]), fontsize=8)
            if c == 0:
                ax.set_ylabel(text("aug.original" if r == 0 else "aug.augmented"), fontsize=7)
    fig.tight_layout(pad=0.3)
    return fig


def augment_like_training(x: torch.Tensor, policy: str, gen: torch.Generator) -> torch.Tensor:
    """One augmented copy of normalised (B, 1, H, W) ``x``, drawn the way fer_report.training.train draws it."""
    if policy == "light":
        return augment_batch(x, gen)
    from fer_report.data.augment import draw_erasing, draw_theta, erase, warp  # policies beyond "light"

    out = warp(x, draw_theta(policy, len(x), gen))
    return erase(out, draw_erasing(len(x), gen, tuple(x.shape[-2:]))) if policy == "strong" else out


section = Section(name="augmentation", requires=(retrainable("augmentation", "aug", logs=True),), order=25, run=run, question=QUESTION, strings=STRINGS,
                  summary="Same model with and without augmentation (and --ablations dnn): curves, samples, gaps, "
                          "best epochs, the extra training cost")
