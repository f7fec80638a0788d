"""Question (2019 Spring HW3 Q3): data normalisation and data augmentation, and how each changes accuracy.

A 2x2 ablation: input normalisation {on, off} x augmentation {on, off}, otherwise the run's own settings.
"Off" is ``normalize="none"``: the raw 0..255 pixels go in (std 1/255 on the 0..1 scale). "On" is the run's
own normalisation, except where that does not centre the input ("none", or "0-1" = x/255): then "on" is the
built-ins' mean-std, fitted on the training split. Two of the four runs are the run's own training and its
augmentation counterpart, which the augmentation section trains too: every run goes through
``fer_report.training.train.train`` and is cached by its settings and data, so a run both sections need is trained
once. The text says how many extra runs there were and what they cost.

Effects are differences of accuracies averaged over the other factor (a main effect), in percentage points;
the interaction (whether augmentation helps more with or without normalisation) is said only when it is
large enough to read: with a few hundred validation images one accuracy carries a standard error of 1-3 points.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import product

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from fer_report.report.requirements import retrainable
from fer_report.training.run_facts import run_facts
from fer_report.report.section import Result, Section
from fer_report.model.summary import summarize
from fer_report.training.own_class import base_settings, came_trained, own_class_values
from fer_report.training.train import Trained, train
from fer_report.sections.normalization.strings import QUESTION, STRINGS

SAME = 0.005  # an effect below half a point reads as "no change"
INTERACTION = 0.02  # augmentation's effect differing by 2 points between normalisation on and off is worth a line
NOT_CENTRED = ("none", "0-1")  # a run normalised so has no "on" of its own: the built-ins' mean-std stands in
COLOURS = {(True, True): "#1f77b4", (True, False): "#6baed6", (False, True): "#d62728", (False, False): "#fc9272"}


@dataclass
class Arm:
    norm: bool
    aug: bool
    settings: object
    trained: Trained
    source: str  # "own" (the run's training), "now" (trained for this section), "cache"


def run(settings, dataset, trained, figures, text) -> Result:
    arms = train_arms(base_settings(settings, trained), dataset, trained)
    facts = {(a.norm, a.aug): {**run_facts(a.trained, dataset), "norm": a.norm, "aug": a.aug,
                               "normalize": a.trained.spec.normalize, "mean": a.trained.spec.mean[0],
                               "std": a.trained.spec.std[0], "source": a.source, "cache": str(a.trained.cache_dir)}
             for a in arms}
    label = {k: text("norm.label", norm=text("on" if k[0] else "off"), aug=text("on" if k[1] else "off"))
             for k in facts}
    effect = effects(facts)
    lines = _sentences(settings, trained, arms, facts, effect, label, len(dataset.val), text)

    curves = {label[a.norm, a.aug]: ((a.norm, a.aug), a.trained.history, facts[a.norm, a.aug]["test_acc"])
              for a in arms}
    fig = figures.save(plot_arms(curves, text=text), "normalization", text("cap.norm"))
    rows = [{"label": label[k], "norm": text("on" if k[0] else "off"), "aug": text("on" if k[1] else "off"),
             "input": _input(f), "source_text": text("norm." + f["source"]), **f} for k, f in facts.items()]
    extra = [a for a in arms if a.source != "own"]
    numbers = {"runs": list(facts.values()), **effect,
               "extra_runs": len(extra), "trained_now": sum(a.source == "now" for a in arms),
               "extra_training_seconds": sum(a.trained.recorded_seconds for a in extra),
               "main_training_seconds": trained.recorded_seconds, "own_class_trained_here": came_trained(trained)}
    return Result(numbers=numbers, text=lines, figures=[fig], tables={"runs": rows})


def arm_settings(settings, run_normalize: str) -> dict[tuple[bool, bool], object]:
    """(normalisation on?, augmentation on?) -> the Settings of that run; ``run_normalize`` is what the run's
    own training used (its spec), since ``settings.normalize`` None means each kind of model's default."""
    on = replace(settings, normalize="mean-std") if run_normalize in NOT_CENTRED else settings
    off = replace(settings, normalize="none")
    return {(norm, aug): replace(on if norm else off, augment=aug) for norm, aug in product((True, False), repeat=2)}


def train_arms(settings, dataset, trained: Trained) -> list[Arm]:
    """The four runs; the run's own training is one of them unless the model is a student's class that came
    trained (``settings`` are then ``own_class.base_settings``: all four are trained here)."""
    out = []
    for (norm, aug), s in arm_settings(settings, trained.spec.normalize).items():
        if s == settings and not came_trained(trained):
            out.append(Arm(norm, aug, s, trained, "own"))
            continue
        t = train(s, dataset)
        out.append(Arm(norm, aug, s, t, "now" if t.seconds > 0 else "cache"))
    return out


def effects(facts: dict) -> dict:
    """Main effects of each factor (mean over the other) and their interaction, on best val. and test accuracy."""
    out = {}
    for metric in ("best_val_acc", "test_acc"):
        m = {k: f[metric] for k, f in facts.items()}
        out[metric] = {
            "normalization": ((m[True, True] - m[False, True]) + (m[True, False] - m[False, False])) / 2,
            "augmentation": ((m[True, True] - m[True, False]) + (m[False, True] - m[False, False])) / 2,
            "aug_with_norm": m[True, True] - m[True, False],
            "aug_without_norm": m[False, True] - m[False, False],
            "interaction": (m[True, True] - m[True, False]) - (m[False, True] - m[False, False]),
        }
    return {"effects": out}


def verdicts(effect: dict) -> list[tuple[str, dict]]:
    """The effect sentences (i18n key, values); pure, for testing."""
    val, test = effect["effects"]["best_val_acc"], effect["effects"]["test_acc"]
    out = []
    for factor, prefix in (("normalization", "norm.norm_"), ("augmentation", "norm.aug_")):
        d = val[factor]
        key = prefix + ("same" if abs(d) < SAME else "helps" if d > 0 else "hurts")
        out.append((key, {"val": 100 * (d if key.endswith("same") else abs(d)), "test": 100 * test[factor]}))
    if abs(val["interaction"]) >= INTERACTION:
        out.append(("norm.interaction", {"with_norm": 100 * val["aug_with_norm"],
                                         "without_norm": 100 * val["aug_without_norm"]}))
    return out


def first_layer_batchnorm(model, shape) -> tuple[str, str] | None:
    """(first weighted layer, the BatchNorm right after it) if the model has one there, else None."""
    weighted = [r for r in summarize(model, shape).rows if r.trainable]
    if len(weighted) > 1 and weighted[0].kind in ("Conv2d", "Linear") and weighted[1].kind.startswith("BatchNorm"):
        return weighted[0].name, weighted[1].name
    return None


def _input(f: dict) -> str:
    return f"(x/255 − {f['mean']:.3f}) / {f['std']:.3f}" if f["normalize"] != "none" else "x (0..255)"


def _sentences(settings, trained, arms, facts, effect, label, n_val, text) -> list[str]:
    on, off = facts[True, True], facts[False, True]
    lines = [text("norm.setup", model=settings.model, seed=settings.seed, epochs=settings.epochs)]
    if came_trained(trained):
        lines.append(text("norm.own_class", **own_class_values(settings, [a.trained for a in arms])))
    how = on["normalize"]
    run_how = trained.spec.normalize
    if run_how in NOT_CENTRED:
        lines.append(text("norm.replaced_none" if run_how == "none" else "norm.replaced_01"))
    lines.append(text("norm.on_fitted" if how == "mean-std" else "norm.on_given", how=how, mean=on["mean"],
                      std=on["std"]))
    lines.append(text("norm.off", mean=off["mean"], std=off["std"], inv=1 / off["std"]))
    policy = settings.augment_policy
    lines.append(text(f"norm.aug_{policy}" if f"norm.aug_{policy}" in STRINGS["en"] else "norm.aug", policy=policy))
    lines += [text(k, **v) for k, v in verdicts(effect)]
    acc = float(np.mean([f["best_val_acc"] for f in facts.values()]))
    se = float(np.sqrt(acc * (1 - acc) / max(1, n_val)))
    bn = first_layer_batchnorm(trained.model, trained.spec.shape)
    if bn and abs(effect["effects"]["best_val_acc"]["normalization"]) < 2 * se:  # a small effect, and a reason
        lines.append(text("norm.bn", model=settings.model, layer=bn[0], bn=bn[1]))
    best = max(facts, key=lambda k: (facts[k]["best_val_acc"], facts[k]["test_acc"]))
    lines.append(text("norm.best", label=label[best], val=facts[best]["best_val_acc"], test=facts[best]["test_acc"]))
    lines.append(text("norm.noise", n=n_val, acc=acc, se=100 * se))
    now = [a for a in arms if a.source == "now"]
    cached = [a for a in arms if a.source == "cache"]
    if not came_trained(trained):
        lines.append(text("norm.cost", extra=len(now) + len(cached), now=len(now), cached=len(cached),
                          seconds=sum(a.trained.recorded_seconds for a in now),
                          cached_seconds=sum(a.trained.recorded_seconds for a in cached),
                          device=str(trained.device), main=trained.recorded_seconds))
    return lines


def plot_arms(runs: dict[str, tuple], *, text) -> plt.Figure:
    """``{label: ((norm, aug), history, test accuracy)}``: accuracy curves (left) and test-accuracy bars (right)."""
    fig, (curves, bars) = plt.subplots(1, 2, figsize=(9.4, 3.4), gridspec_kw={"width_ratios": [1.6, 1]})
    for label, (key, history, _) in runs.items():
        epochs = [h["epoch"] for h in history]
        curves.plot(epochs, [h["val_acc"] for h in history], "-", color=COLOURS[key], lw=1.5, label=label)
        curves.plot(epochs, [h["train_acc"] for h in history], "--", color=COLOURS[key], lw=1.0)
    curves.set_xlabel(text("fig.epoch"))
    curves.set_ylabel(text("fig.acc"))
    curves.xaxis.set_major_locator(MaxNLocator(integer=True))
    curves.grid(alpha=0.3)
    curves.legend(loc="lower right", frameon=False)
    for label, (key, _, test) in runs.items():
        x = (0 if key[0] else 1) + (-0.2 if key[1] else 0.2)
        bars.bar(x, test, width=0.38, color=COLOURS[key], hatch=None if key[1] else "//", edgecolor="white",
                 label=f"{text('norm.aug_h')} {text('on' if key[1] else 'off')}" if key[0] else None)
        bars.text(x, test, f"{test:.1%}", ha="center", va="bottom", fontsize=7)
    bars.set_xticks([0, 1], [f"{text('norm.norm_h')} {text('on')}", f"{text('norm.norm_h')} {text('off')}"])
    bars.set_ylabel(text("norm.test_bars"))
    bars.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    bars.set_ylim(0, min(1.0, max(r[2] for r in runs.values()) * 1.15 + 0.02))
    bars.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


section = Section(name="normalization", order=27, run=run, on_request=True, question=QUESTION, strings=STRINGS,
                  requires=(retrainable("normalization", "norm"),),
                  summary="2x2 ablation, input normalisation x augmentation (up to three more trainings): one table, "
                          "one figure, each factor's effect in points")
