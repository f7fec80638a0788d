"""Question (2019 Spring HW3 Q3): data normalisation and data augmentation, and how each changes accuracy.

A 2x2 ablation: input normalisation {on, off} x augmentation {on, off}, otherwise the run's own settings.
"Off" is ``normalize="none"``: the raw 0..255 pixels go in (std 1/255 on the 0..1 scale). "On" is the run's
own normalisation, except where that does not centre the input ("none", or "0-1" = x/255): then "on" is the
built-ins' mean-std, fitted on the training split. Two of the four runs are the run's own training and its
augmentation counterpart, which the augmentation section trains too: every run goes through
``fer_report.train.train`` and is cached by its settings and data, so a run both sections need is trained
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

from fer_report.requirements import TRAINED_HERE
from fer_report.run_facts import run_facts
from fer_report.section import Result, Section
from fer_report.summary import summarize
from fer_report.train import Trained, train

SAME = 0.005  # an effect below half a point reads as "no change"
INTERACTION = 0.02  # augmentation's effect differing by 2 points between normalisation on and off is worth a line
NOT_CENTRED = ("none", "0-1")  # a run normalised so has no "on" of its own: the built-ins' mean-std stands in
COLOURS = {(True, True): "#1f77b4", (True, False): "#6baed6", (False, True): "#d62728", (False, False): "#fc9272"}

QUESTION = {
    "en": "Try data normalisation and data augmentation: how did you implement them, and how does each change the "
          "accuracy?",
    "zh-TW": "請嘗試 data normalization 與 data augmentation，說明實作方法，並說明實行前後對準確率有什麼樣的影響？",
}

STRINGS = {
    "en": {
        "norm.setup": "Four trainings of {model} with seed {seed} for {epochs} epochs, identical but for two "
                      "switches: input normalisation on or off, and data augmentation on or off[[see:normalization]].",
        "norm.on_fitted": "Normalisation on ({how}): every pixel becomes (x/255 − {mean:.3f}) / {std:.3f}, the mean "
                          "and standard deviation of the training images, so the input has mean 0 and standard "
                          "deviation 1.",
        "norm.on_given": "Normalisation on ({how}, the run's setting): every pixel becomes (x/255 − {mean:.3f}) / "
                         "{std:.3f}.",
        "norm.replaced_none": "This run itself trains on raw pixels (normalisation none), so it is the 'off' arm; "
                              "'on' is the built-ins' mean-std.",
        "norm.replaced_01": "This run itself only scales the pixels to 0..1 (normalisation 0-1), which does not "
                            "centre them, so 'on' is the built-ins' mean-std and the run's own training is not one "
                            "of the four.",
        "norm.off": "Normalisation off (none): the raw pixel values 0..255 go in unchanged, (x/255 − {mean:g}) / "
                    "{std:.5f} = x, the standard deviation being 1/{inv:.0f}.",
        "norm.aug": "Augmentation on is the run's '{policy}' policy of fer_report/augment.py, drawn anew for every "
                    "batch; off trains on the images as they are.",
        "norm.aug_light": "Augmentation on is the run's '{policy}' policy, drawn anew for every batch: horizontal "
                          "flip, rotation, shift and scale; off trains on the images as they are.",
        "norm.aug_strong": "Augmentation on is the run's '{policy}' policy, drawn anew for every batch: random "
                           "resized crop, shift, flip, rotation and random erasing; off trains on the images as "
                           "they are.",
        "norm.norm_helps": "Input normalisation raised the best validation accuracy by {val:.1f} percentage points "
                           "on average over augmentation on and off (test accuracy {test:+.1f} points).",
        "norm.norm_hurts": "Input normalisation lowered the best validation accuracy by {val:.1f} percentage points "
                           "on average over augmentation on and off (test accuracy {test:+.1f} points).",
        "norm.norm_same": "Input normalisation changed the best validation accuracy by less than half a point on "
                          "average over augmentation on and off ({val:+.1f}; test accuracy {test:+.1f} points).",
        "norm.aug_helps": "Augmentation raised the best validation accuracy by {val:.1f} percentage points on "
                          "average over normalisation on and off (test accuracy {test:+.1f} points).",
        "norm.aug_hurts": "Augmentation lowered the best validation accuracy by {val:.1f} percentage points on "
                          "average over normalisation on and off (test accuracy {test:+.1f} points).",
        "norm.aug_same": "Augmentation changed the best validation accuracy by less than half a point on average "
                         "over normalisation on and off ({val:+.1f}; test accuracy {test:+.1f} points).",
        "norm.interaction": "The two interact: augmentation changed the best validation accuracy by {with_norm:+.1f} "
                            "points with normalisation and by {without_norm:+.1f} points without it.",
        "norm.bn": "{model}'s first layer ({layer}) is followed by BatchNorm ({bn}), which re-centres and re-scales "
                   "its output over every batch whatever the scale of the input: that leaves input normalisation "
                   "little to do.",
        "norm.best": "The best of the four is {label}: best validation accuracy {val:.1%}, test accuracy {test:.1%}.",
        "norm.noise": "With {n:,} validation images an accuracy near {acc:.0%} has a standard error of about "
                      "{se:.1f} points, so differences of that size can be chance.",
        "norm.cost": "Of the {extra} runs beyond the run's own training, {now} were trained for this section in "
                     "{seconds:.0f} s on {device} and {cached} came from the training cache ({cached_seconds:.0f} s "
                     "when trained); the run's own training took {main:.0f} s.",
        "norm.label": "normalisation {norm}, augmentation {aug}",
        "norm.norm_h": "Normalisation",
        "norm.aug_h": "Augmentation",
        "norm.input_h": "Input",
        "norm.best_h": "Best val. acc.",
        "norm.epoch_h": "Best epoch",
        "norm.train_h": "Final train acc.",
        "norm.val_h": "Final val. acc.",
        "norm.gap_h": "Gap",
        "norm.test_h": "Test acc.",
        "norm.seconds_h": "Training (s)",
        "norm.source_h": "Run",
        "norm.own": "this run",
        "norm.now": "trained now",
        "norm.cache": "from cache",
        "norm.test_bars": "Test accuracy",
        "cap.norm": "Left: validation accuracy (solid) and training accuracy (dashed) per epoch of the four runs. "
                    "Right: their test accuracy, normalisation on and off, with (solid) and without (hatched) "
                    "augmentation.",
    },
    "zh-TW": {
        "norm.setup": "以 seed {seed} 將 {model} 訓練 {epochs} 個 epoch 共四次，只有兩個開關不同：輸入正規化開或關，"
                      "以及 data augmentation 開或關[[see:normalization]]。",
        "norm.on_fitted": "正規化開啟（{how}）：每個像素變為 (x/255 − {mean:.3f}) / {std:.3f}，即訓練圖片的平均與"
                          "標準差，因此輸入的平均為 0、標準差為 1。",
        "norm.on_given": "正規化開啟（{how}，本次的設定）：每個像素變為 (x/255 − {mean:.3f}) / {std:.3f}。",
        "norm.replaced_none": "本次訓練本身使用原始像素（normalisation none），因此它就是「關閉」的那一組；「開啟」"
                              "使用內建模型的 mean-std。",
        "norm.replaced_01": "本次訓練本身只把像素縮放到 0..1（normalisation 0-1），並未置中，因此「開啟」使用內建模型"
                            "的 mean-std，本次訓練本身不在這四組之中。",
        "norm.off": "正規化關閉（none）：原始像素值 0..255 直接輸入，(x/255 − {mean:g}) / {std:.5f} = x，標準差即 "
                    "1/{inv:.0f}。",
        "norm.aug": "Augmentation 開啟時使用本次 fer_report/augment.py 的「{policy}」策略，每個 batch 重新抽樣；"
                    "關閉時直接以原圖訓練。",
        "norm.aug_light": "Augmentation 開啟時使用本次的「{policy}」策略，每個 batch 重新抽樣：水平翻轉、旋轉、平移與"
                          "縮放；關閉時直接以原圖訓練。",
        "norm.aug_strong": "Augmentation 開啟時使用本次的「{policy}」策略，每個 batch 重新抽樣：random resized "
                           "crop、平移、翻轉、旋轉與 random erasing；關閉時直接以原圖訓練。",
        "norm.norm_helps": "輸入正規化讓最佳 validation 準確率平均（augmentation 開與關兩種情況）提高了 {val:.1f} "
                           "個百分點（test 準確率 {test:+.1f} 個百分點）。",
        "norm.norm_hurts": "輸入正規化讓最佳 validation 準確率平均（augmentation 開與關兩種情況）降低了 {val:.1f} "
                           "個百分點（test 準確率 {test:+.1f} 個百分點）。",
        "norm.norm_same": "輸入正規化對最佳 validation 準確率的平均影響（augmentation 開與關兩種情況）不到半個百分點"
                          "（{val:+.1f}；test 準確率 {test:+.1f} 個百分點）。",
        "norm.aug_helps": "Augmentation 讓最佳 validation 準確率平均（正規化開與關兩種情況）提高了 {val:.1f} 個百分點"
                          "（test 準確率 {test:+.1f} 個百分點）。",
        "norm.aug_hurts": "Augmentation 讓最佳 validation 準確率平均（正規化開與關兩種情況）降低了 {val:.1f} 個百分點"
                          "（test 準確率 {test:+.1f} 個百分點）。",
        "norm.aug_same": "Augmentation 對最佳 validation 準確率的平均影響（正規化開與關兩種情況）不到半個百分點"
                         "（{val:+.1f}；test 準確率 {test:+.1f} 個百分點）。",
        "norm.interaction": "兩者有交互作用：有正規化時 augmentation 讓最佳 validation 準確率改變 {with_norm:+.1f} "
                            "個百分點，沒有正規化時改變 {without_norm:+.1f} 個百分點。",
        "norm.bn": "{model} 的第一層（{layer}）之後接著 BatchNorm（{bn}），它會在每個 batch 上重新置中並縮放該層的"
                   "輸出，不論輸入的尺度為何：因此輸入正規化能發揮的作用不大。",
        "norm.best": "四組中最好的是{label}：最佳 validation 準確率 {val:.1%}，test 準確率 {test:.1%}。",
        "norm.noise": "只有 {n:,} 張 validation 圖片時，約 {acc:.0%} 的準確率有大約 {se:.1f} 個百分點的標準誤，"
                      "因此這樣大小的差距可能只是隨機造成的。",
        "norm.cost": "除了本次訓練本身之外的 {extra} 次訓練中，{now} 次是為這一節在 {device} 上訓練的，花了 "
                     "{seconds:.0f} 秒，{cached} 次取自訓練快取（當初花了 {cached_seconds:.0f} 秒）；本次訓練本身花了 "
                     "{main:.0f} 秒。",
        "norm.label": "正規化{norm}、augmentation {aug}",
        "norm.norm_h": "正規化",
        "norm.aug_h": "Augmentation",
        "norm.input_h": "輸入",
        "norm.best_h": "最佳 val. 準確率",
        "norm.epoch_h": "最佳 epoch",
        "norm.train_h": "最後 train 準確率",
        "norm.val_h": "最後 val. 準確率",
        "norm.gap_h": "差距",
        "norm.test_h": "Test 準確率",
        "norm.seconds_h": "訓練時間（秒）",
        "norm.source_h": "來源",
        "norm.own": "本次訓練",
        "norm.now": "本節訓練",
        "norm.cache": "取自快取",
        "norm.test_bars": "Test 準確率",
        "cap.norm": "左：四組訓練每個 epoch 的 validation 準確率（實線）與 training 準確率（虛線）。右：它們的 test "
                    "準確率，正規化開與關，有（實心）與沒有（斜線）augmentation。",
    },
}


@dataclass
class Arm:
    norm: bool
    aug: bool
    settings: object
    trained: Trained
    source: str  # "own" (the run's training), "now" (trained for this section), "cache"


def run(settings, dataset, trained, figures, text) -> Result:
    arms = train_arms(settings, dataset, trained)
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
               "main_training_seconds": trained.recorded_seconds}
    return Result(numbers=numbers, text=lines, figures=[fig], tables={"runs": rows})


def arm_settings(settings, run_normalize: str) -> dict[tuple[bool, bool], object]:
    """(normalisation on?, augmentation on?) -> the Settings of that run; ``run_normalize`` is what the run's
    own training used (its spec), since ``settings.normalize`` None means each kind of model's default."""
    on = replace(settings, normalize="mean-std") if run_normalize in NOT_CENTRED else settings
    off = replace(settings, normalize="none")
    return {(norm, aug): replace(on if norm else off, augment=aug) for norm, aug in product((True, False), repeat=2)}


def train_arms(settings, dataset, trained: Trained) -> list[Arm]:
    out = []
    for (norm, aug), s in arm_settings(settings, trained.spec.normalize).items():
        if s == settings:
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
                  requires=(TRAINED_HERE,),
                  summary="2x2 ablation, input normalisation x augmentation (up to three more trainings): one table, "
                          "one figure, each factor's effect in points")
