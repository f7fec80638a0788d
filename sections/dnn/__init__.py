"""Question (2019 Spring HW3 Q1-Q2, 2018 Fall Q2, 2017 Spring Q2): a simple fully connected net with about the
CNN's number of parameters; its architecture, training and accuracy, compared with the CNN.

The DNN is the built-in ``dnn`` with ``match`` = the run's model, so fer_report/model/builtin/dnn.py solves its width
until its Keras parameter count is within 5 % of the CNN's; every other setting (recipe, seed, epochs, data) is
the run's own. The comparison therefore measures the architecture, not the capacity or the training. It costs
one more training, cached like any (``fer_report.training.train.train``): the text says how many seconds.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from torch import nn

from fer_report.model.builtin.dnn import COUNT_TOLERANCE, TOLERANCE
from fer_report.model.inference import predict_probs
from fer_report.model.network import kind_of
from fer_report.report import student_dnn
from fer_report.draw.plots import plot_runs
from fer_report.report.requirements import Requirement
from fer_report.training.run_facts import run_facts
from fer_report.report.section import Result, Section
from fer_report.model.summary import Summary, count_params, summarize
from fer_report.training.train import Trained, train
from fer_report.sections.dnn.strings import QUESTION, STRINGS

SAME = 0.005  # test accuracies closer than half a point read as "the same"
NO_OVERFIT = 0.01  # a final train - val gap at most this: the run does not overfit
CHANCE = 0.02  # a test accuracy within 2 points of always answering the largest class: learnt next to nothing
COLOURS = ("#1f77b4", "#d62728")

def _not_dnn(a):
    """A dnn matched to itself compares nothing."""
    return ("dnn.req_is_dnn", {}) if a.get("settings").model == "dnn" else None


#: The run's model is not the fully connected dnn itself.
NOT_DNN = Requirement("a model other than the dnn", _not_dnn)


def run(settings, dataset, trained, figures, text) -> Result:
    own = settings.dnn_model is not None
    builtin = kind_of(settings.model) == "builtin"
    cnn_params = int(sum(count_params(trained.model)))
    if own:  # the student's own DNN: as they trained it, or their class trained here
        dnn = student_dnn.given_dnn(settings, dataset) or train(student_dnn.own_settings(settings), dataset)
    elif builtin:  # matched by name, as --model dnn --match NAME is
        dnn = train(replace(settings, model="dnn", match=settings.model), dataset)
    else:  # the student's model: fer-report's dnn sized to its count
        dnn = train(student_dnn.matched_settings(settings, cnn_params), dataset)
    cnn_f, dnn_f = (facts_with_params(t, dataset) for t in (trained, dnn))
    cnn_f["params"] = cnn_params
    name, dnn_name = short(settings.model), short(settings.dnn_model or "dnn")
    labels = {"cnn": text("dnn.cnn_label", model=name),
              "dnn": text("dnn.own_label", model=dnn_name) if own else text("dnn.dnn_label", model=name)}
    shown = own is False or kind_of(settings.dnn_model) == "python"  # an exported file may refuse layer hooks
    layers = summarize(dnn.model, dnn.spec.shape) if shown else None
    lines = _sizes(settings, dataset, dnn, layers, cnn_f, dnn_f, own, builtin, name, dnn_name, text)
    lines += _where(settings, trained, dnn, own, name, dnn_name, text)
    lines += [text("dnn.run" if complete(f) else "dnn.run_test_only", label=labels[k], **_run_values(f),
                   hint="--dnn-history" if k == "dnn" else "--history") for k, f in (("cnn", cnn_f), ("dnn", dnn_f))]
    largest, share = largest_class(dataset.test.y, len(dataset.classes))
    lines += [text("dnn.chance", label=labels[k], cls=text.cls(dataset.classes[largest]), share=share,
                   acc=f["test_acc"], epochs=f["epochs"])
              for k, f in (("cnn", cnn_f), ("dnn", dnn_f))
              if complete(f) and near_chance(f["test_acc"], share, len(dataset.classes))]
    convs = sum(isinstance(m, nn.Conv2d) for m in trained.model.modules())
    lines += [text(key, **values) for key, values in compare(cnn_f, dnn_f, convs=convs)]
    if dnn.trained_here:
        alone = "" if trained.trained_here else "_alone"
        lines.append(text(("dnn.cost" if dnn.seconds > 0 else "dnn.cost_cached") + alone, seconds=dnn.recorded_seconds,
                          main=trained.recorded_seconds, device=str(dnn.device)))

    runs = [(labels[k], t.history) for k, t in (("cnn", trained), ("dnn", dnn)) if t.history]
    curves = [figures.save(plot_runs(runs, text=text, colours=COLOURS), "dnn_curves", text("cap.dnn_curves"))
              ] if runs else []
    numbers = {"cnn": {**cnn_f, "model": settings.model, "trained_here": trained.trained_here},
               "dnn": {**dnn_f, **(describe_dnn(dnn.model, layers) if layers else {}),
                       "model": settings.dnn_model or "dnn", "source": "own" if own else "matched",
                       "match": None if own else settings.model, "trained_here": dnn.trained_here,
                       "cache": str(dnn.cache_dir) if dnn.cache_dir else None, "trained_now": dnn.seconds > 0},
               "param_ratio": dnn_f["params"] / cnn_params, "test_acc_delta": cnn_f["test_acc"] - dnn_f["test_acc"],
               "largest_class": dataset.classes[largest], "largest_class_share": share,
               "extra_training_seconds": dnn.recorded_seconds if dnn.trained_here else 0.0,
               "main_training_seconds": trained.recorded_seconds}
    tables = {"runs": [{"label": labels[k], **f} for k, f in (("cnn", cnn_f), ("dnn", dnn_f))],
              "layers": compact_layers(layers) if layers else [],
              "totals": {"total": layers.total, "trainable": layers.trainable, "buffers": layers.buffers}
              if layers else None}
    return Result(numbers=numbers, text=lines, figures=curves, tables=tables)


def _sizes(settings, dataset, dnn, layers, cnn_f, dnn_f, own, builtin, name, dnn_name, text) -> list[str]:
    """How big each net is, and for fer-report's dnn how its widths were chosen."""
    ratio = dnn_f["params"] / cnn_f["params"]
    if own:
        return [text("dnn.sizes_own", cnn=name, cnn_params=cnn_f["params"], dnn=dnn_name,
                     dnn_params=dnn_f["params"], ratio=ratio)]
    shape = describe_dnn(dnn.model, layers)
    return [text("dnn.sizes" if builtin else "dnn.sizes_count", cnn=name, cnn_params=cnn_f["params"],
                 dnn_params=dnn_f["params"], ratio=ratio, layers=len(shape["hidden"]),
                 hidden=" / ".join(map(str, shape["hidden"])), dropout=shape["dropout"], classes=len(dataset.classes),
                 tol=TOLERANCE if builtin else COUNT_TOLERANCE),
            text("dnn.first_layer", share=shape["first_params"] / layers.total, first=shape["first_params"],
                 pixels=shape["inputs"], width=shape["hidden"][0])]


def _where(settings, trained, dnn, own, name, dnn_name, text) -> list[str]:
    """Which net was trained where, and with what recipe: said plainly, since a student's CNN (or DNN) may come
    from their own script while the other was trained here with fer-report's recipe."""
    recipe = {"optimizer": settings.optimizer, "lr": settings.lr, "batch": settings.batch_size,
              "epochs": settings.epochs, "augment": text("on" if settings.augment else "off"), "seed": settings.seed}
    if trained.trained_here and dnn.trained_here and not own:
        return [text("dnn.recipe", **recipe)]
    lines = [text("dnn.cnn_here", model=name, **recipe) if trained.trained_here else
             text("dnn.cnn_given", model=name, weights=settings.weights or settings.model)]
    if not own:
        lines.append(text("dnn.dnn_here", **recipe))
    elif dnn.trained_here:
        lines.append(text("dnn.dnn_class_here", model=dnn_name, **recipe))
    else:
        lines.append(text("dnn.dnn_given", model=dnn_name, weights=settings.dnn_weights or settings.dnn_model))
    if trained.trained_here != dnn.trained_here:
        lines.append(text("dnn.recipes_differ"))
    return lines


def short(model: str) -> str:
    """A model as the text names it: a built-in's name, a file's name without its folders."""
    return model.replace("\\", "/").rsplit("/", 1)[-1]


def complete(f: dict) -> bool:
    """The run has a history to read epochs and gaps from (a given model may come without a log)."""
    return f["best_val_acc"] is not None and f["gap"] is not None


def compare(cnn: dict, dnn: dict, *, convs: int) -> list[tuple[str, dict]]:
    """The comparison's sentences (i18n key, values) from the two runs' facts; pure, for testing."""
    delta = cnn["test_acc"] - dnn["test_acc"]
    verdict = "dnn.same" if abs(delta) < SAME else "dnn.cnn_better" if delta > 0 else "dnn.dnn_better"
    out = [(verdict, {"pts": 100 * abs(delta), "cnn": cnn["test_acc"], "dnn": dnn["test_acc"]})]
    gaps = {"cnn": cnn["gap"], "dnn": dnn["gap"]}
    if None in gaps.values():  # a given model without a log: no gap to compare
        return out
    if max(gaps.values()) <= NO_OVERFIT:
        out.append(("dnn.gap_none", gaps))
    elif dnn["gap"] >= cnn["gap"]:
        out.append(("dnn.gap_wider", gaps))
    else:
        out.append(("dnn.gap_narrower" if verdict == "dnn.cnn_better" else "dnn.gap_narrower_plain", gaps))
    if verdict == "dnn.cnn_better" and convs:
        out.append(("dnn.why", {"convs": convs}))
    return out


def largest_class(y, n: int) -> tuple[int, float]:
    """The most frequent class and its share: what always answering it scores."""
    counts = np.bincount(y, minlength=n)
    return int(counts.argmax()), float(counts.max() / max(1, counts.sum()))


def facts_with_params(t: Trained, dataset) -> dict:
    """``run_facts`` plus the parameter count the comparison matches (trainable and buffers, as Keras counts);
    a model that came without a log (or whose log lacks accuracies) gets its test accuracy only."""
    h = t.history
    if h and all(e.get("val_acc") is not None and e.get("train_acc") is not None for e in h):
        facts = run_facts(t, dataset)
    else:
        probs = predict_probs(t.model, dataset.test.x, t.spec, t.device, ten_crop=t.ten_crop, tta=t.tta)
        facts = {"best_epoch": None, "best_val_acc": None, "final_train_acc": None, "final_val_acc": None,
                 "gap": None, "seconds": float(t.recorded_seconds), "epochs": len(h) if h else None,
                 "test_acc": float((probs.argmax(1) == dataset.test.y).mean()) if len(dataset.test) else float("nan")}
    return {**facts, "params": int(sum(count_params(t.model)))}


def near_chance(acc: float, majority: float, classes: int) -> bool:
    """The rule of the near-chance warning for given weights (fer_report.report.artifacts.warn_if_near_chance)."""
    return acc < max(1.5 / classes, majority + CHANCE)


def describe_dnn(model: nn.Module, layers: Summary) -> dict:
    """Hidden sizes, dropout, input size and first-layer count, read from the built model (not assumed)."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    drops = [m.p for m in model.modules() if isinstance(m, nn.Dropout)]
    first = next(r for r in layers.rows if r.kind == "Linear")
    return {"hidden": [m.out_features for m in linears[:-1]], "inputs": linears[0].in_features,
            "dropout": drops[0] if drops else 0.0, "first_params": first.trainable}


def compact_layers(s: Summary) -> list[dict]:
    """The layer table folded into blocks: each Linear with the BatchNorm, ReLU and dropout after it."""
    blocks: list[list] = []
    for r in s.rows:
        if r.kind == "Linear" or not blocks:
            blocks.append([])
        blocks[-1].append(r)
    return [{"names": " → ".join(r.name.rsplit(".", 1)[-1] for r in b), "kinds": " + ".join(r.kind for r in b),
             "shape": "(None, " + ", ".join(map(str, b[-1].output_shape)) + ")",
             "trainable": sum(r.trainable for r in b), "buffers": sum(r.buffers for r in b)} for b in blocks]


def _run_values(f: dict) -> dict:
    return {"best": f["best_val_acc"], "epoch": f["best_epoch"], "epochs": f["epochs"], "train": f["final_train_acc"],
            "val": f["final_val_acc"], "gap": f["gap"], "test": f["test_acc"]}


section = Section(name="dnn", order=22, run=run, on_request=True, question=QUESTION, strings=STRINGS,
                  requires=(NOT_DNN,),
                  summary="A fully connected net with the CNN's parameter count (one more training): sizes, layers, "
                          "curves on shared axes, accuracies, gaps")
