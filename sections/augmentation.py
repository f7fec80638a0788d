"""Question: the same model trained with and without data augmentation (same seed, same epochs), plus the
optional ablations of ``settings.ablations`` (the CNN against a fully connected net of equal size).

The main run is the report's own training; every other run is the same Settings with one field changed,
trained through ``fer_report.train.train`` and so cached like any training. Each costs one more training:
the text says how many seconds.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
import torch

from fer_report.augment import augment_batch
from fer_report.plots import plot_runs
from fer_report.requirements import TRAINED_HERE_OR_LOGS
from fer_report.section import Result, Section
from fer_report.summary import count_params
from fer_report.inference import fitted_spec, to_input
from fer_report.train import Trained, train

log = logging.getLogger(__name__)
SAME = 0.005  # a difference in best validation accuracy below half a point reads as "no change"
NO_OVERFIT = 0.01  # a final train - val accuracy gap at most this: the run does not overfit
SAMPLE_ROWS = 3  # augmented copies shown under each original
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")


QUESTION = {
    "en": "Train the same model with and without data augmentation and compare the training curves. What does "
          "augmentation change?",
    "zh-TW": "請以相同模型分別在有與沒有 data augmentation 的情況下訓練，比較訓練曲線，說明 augmentation "
             "帶來的影響。",
}

STRINGS = {
    "en": {
        "aug.with": "with augmentation",
        "aug.without": "without augmentation",
        "aug.dnn": "fully connected ({model}, matched to {match})",
        "aug.setup": "The same {model} was trained twice with seed {seed} for {epochs} epochs, once with and once "
                     "without data augmentation (for every batch anew: horizontal flip with probability 1/2, "
                     "rotation up to ±{rot:g}°, shift up to ±{shift:.0%} of the image and scale "
                     "{smin:g}-{smax:g})[[see:augmentation]].",
        "aug.setup_policy": "The same {model} was trained twice with seed {seed} for {epochs} epochs, once with "
                            "and once without data augmentation (the '{policy}' policy of fer_report/augment.py, "
                            "drawn anew for every batch)[[see:augmentation]].",
        "aug.run": "{label}: best validation accuracy {best:.1%} at epoch {epoch} of {epochs}; after the last "
                   "epoch training accuracy {train:.1%} and validation accuracy {val:.1%} (train-val gap "
                   "{gap:+.1%}); test accuracy {test:.1%}.",
        "aug.helps": "Augmentation raised the best validation accuracy by {pts:.1f} percentage points.",
        "aug.hurts": "Augmentation lowered the best validation accuracy by {pts:.1f} percentage points.",
        "aug.same": "Augmentation changed the best validation accuracy by less than half a percentage point "
                    "({pts:+.1f}).",
        "aug.gap_none": "Neither run overfits: validation accuracy ends above or within a point of training "
                        "accuracy in both (train-val gap {on:+.1%} with augmentation, {off:+.1%} without), so "
                        "here augmentation has no overfitting to reduce.",
        "aug.gap_narrower": "It narrowed the final train-val gap from {off:+.1%} to {on:+.1%}: the model fits its "
                            "training images less closely and generalises more evenly.",
        "aug.gap_wider": "The final train-val gap is {on:+.1%} with augmentation against {off:+.1%} without, so "
                         "it did not reduce overfitting in this run.",
        "aug.train_acc_note": "Training accuracy is measured on the batches as they were trained (augmented, "
                              "where augmentation is on), validation accuracy on the untouched validation images, "
                              "so part of a smaller gap comes from harder training batches.",
        "aug.peak_later": "With augmentation validation accuracy peaked later (epoch {on} against {off}): the "
                          "model kept learning from the varied images for longer.",
        "aug.peak_earlier": "With augmentation validation accuracy peaked earlier (epoch {on} against {off}).",
        "aug.peak_same": "Both runs reached their best validation accuracy at epoch {on}.",
        "aug.cost": "The counterpart run ({label}) was trained for this section in {seconds:.0f} s on {device}, "
                    "on top of the {main:.0f} s of the main run.",
        "aug.cost_cached": "The counterpart run ({label}) was reused from the training cache (it took "
                           "{seconds:.0f} s when trained, against {main:.0f} s for the main run).",
        "aug.abl_dnn": "Ablation: a fully connected network with {params:,} parameters (the CNN has "
                       "{cnn_params:,}) reached a best validation accuracy of {best:.1%} against {cnn_best:.1%} "
                       "for the CNN, with a final train-val gap of {gap:+.1%} against {cnn_gap:+.1%}.",
        "aug.run_h": "Run",
        "aug.best_h": "Best val. acc.",
        "aug.epoch_h": "Best epoch",
        "aug.train_h": "Final train acc.",
        "aug.val_h": "Final val. acc.",
        "aug.gap_h": "Gap",
        "aug.test_h": "Test acc.",
        "aug.params_h": "Parameters",
        "aug.seconds_h": "Training (s)",
        "aug.original": "original",
        "aug.augmented": "augmented",
        "cap.aug_curves": "Loss (left) and accuracy (right) per epoch for each run: solid lines training, dashed "
                          "validation, one colour per run.",
        "cap.aug_samples": "One training image per class (top row) and {n} random augmentations of each, drawn as "
                           "in training.",
        "cmp.setup": "Your {n} runs, from your own training logs: {runs}[[see:augmentation]].",
        "cmp.sep": "; ",
        "cmp.run": "{label}: best validation accuracy {best:.1%} at epoch {epoch} of {epochs}; after the last epoch "
                   "training accuracy {train:.1%} and validation accuracy {val:.1%} (train-val gap {gap:+.1%}).",
        "cmp.run_partial": "{label}: {epochs} epochs logged, without both training and validation accuracy.",
        "cmp.helps": "{a} reached a best validation accuracy {pts:.1f} percentage points higher than {b}.",
        "cmp.hurts": "{a} reached a best validation accuracy {pts:.1f} percentage points lower than {b}.",
        "cmp.same": "{a} and {b} reached best validation accuracies within half a percentage point ({pts:+.1f}).",
        "cmp.gap_none": "Neither run overfits: validation accuracy ends above or within a point of training "
                        "accuracy in both (train-val gap {on:+.1%} for {a}, {off:+.1%} for {b}).",
        "cmp.gap_narrower": "{a} ends with a narrower train-val gap ({on:+.1%}) than {b} ({off:+.1%}): it fits "
                            "its training images less closely and generalises more evenly.",
        "cmp.gap_wider": "{a} ends with a wider train-val gap ({on:+.1%}) than {b} ({off:+.1%}).",
        "cmp.peak_later": "{a} reached its best validation accuracy later (epoch {on} against {off} for {b}).",
        "cmp.peak_earlier": "{a} reached its best validation accuracy earlier (epoch {on} against {off} for {b}).",
        "cmp.peak_same": "{a} and {b} reached their best validation accuracy at the same epoch ({on}).",
        "cmp.incomplete": "{a} and {b} cannot be compared: a log lacks validation or training accuracy.",
    },
    "zh-TW": {
        "aug.with": "有 augmentation",
        "aug.without": "無 augmentation",
        "aug.dnn": "全連接網路（{model}，參數量對齊 {match}）",
        "aug.setup": "同一個 {model} 以 seed {seed} 訓練 {epochs} 個 epoch 兩次，一次有、一次沒有 data "
                     "augmentation（每個 batch 重新抽樣：機率 1/2 的水平翻轉、至多 ±{rot:g}° 的旋轉、至多影像 "
                     "±{shift:.0%} 的平移，以及 {smin:g}-{smax:g} 倍的縮放）[[see:augmentation]]。",
        "aug.setup_policy": "同一個 {model} 以 seed {seed} 訓練 {epochs} 個 epoch 兩次，一次有、一次沒有 data "
                            "augmentation（fer_report/augment.py 的「{policy}」策略，每個 batch 重新抽樣）[[see:augmentation]]。",
        "aug.run": "{label}：最佳 validation 準確率 {best:.1%}，出現在第 {epoch} 個 epoch（共 {epochs} "
                   "個）；最後一個 epoch 後 training 準確率 {train:.1%}、validation 準確率 {val:.1%}（兩者差距 "
                   "{gap:+.1%}）；test 準確率 {test:.1%}。",
        "aug.helps": "Augmentation 讓最佳 validation 準確率提高了 {pts:.1f} 個百分點。",
        "aug.hurts": "Augmentation 讓最佳 validation 準確率降低了 {pts:.1f} 個百分點。",
        "aug.same": "Augmentation 對最佳 validation 準確率的影響不到半個百分點（{pts:+.1f}）。",
        "aug.gap_none": "兩次訓練都沒有 overfitting：最後的 validation 準確率都高於 training "
                        "準確率或相差不到一個百分點（差距：有 augmentation 為 {on:+.1%}，沒有為 "
                        "{off:+.1%}），因此這裡 augmentation 沒有 overfitting 可以減少。",
        "aug.gap_narrower": "它把最後的 training 與 validation 準確率差距從 {off:+.1%} 縮小到 "
                            "{on:+.1%}：模型較不會死記訓練圖片，泛化得更平均。",
        "aug.gap_wider": "有 augmentation 時最後的差距為 {on:+.1%}，沒有時為 "
                         "{off:+.1%}，因此在這次訓練中它並未減少 overfitting。",
        "aug.train_acc_note": "Training 準確率是在訓練時的 batch 上量測的（開啟 augmentation 時即為 augmentation "
                              "後的圖片），validation 準確率則是在原始的 validation "
                              "圖片上，因此差距變小有一部分來自較難的訓練 batch。",
        "aug.peak_later": "有 augmentation 時 validation 準確率較晚達到最高（第 {on} 個 epoch，相對於第 {off} "
                          "個）：模型能從多變的圖片中學習得更久。",
        "aug.peak_earlier": "有 augmentation 時 validation 準確率較早達到最高（第 {on} 個 epoch，相對於第 {off} "
                            "個）。",
        "aug.peak_same": "兩次訓練都在第 {on} 個 epoch 達到最佳 validation 準確率。",
        "aug.cost": "對照組（{label}）是為這一節在 {device} 上訓練的，花了 {seconds:.0f} 秒，另外主要的訓練花了 "
                    "{main:.0f} 秒。",
        "aug.cost_cached": "對照組（{label}）取自訓練快取（當初訓練花了 {seconds:.0f} 秒，主要的訓練花了 "
                           "{main:.0f} 秒）。",
        "aug.abl_dnn": "消融實驗：參數量 {params:,} 的全連接網路（CNN 為 {cnn_params:,}）最佳 validation 準確率為 "
                       "{best:.1%}，CNN 為 {cnn_best:.1%}；最後的 training 與 validation 差距為 {gap:+.1%}，CNN "
                       "為 {cnn_gap:+.1%}。",
        "aug.run_h": "訓練",
        "aug.best_h": "最佳 val. 準確率",
        "aug.epoch_h": "最佳 epoch",
        "aug.train_h": "最後 train 準確率",
        "aug.val_h": "最後 val. 準確率",
        "aug.gap_h": "差距",
        "aug.test_h": "Test 準確率",
        "aug.params_h": "參數量",
        "aug.seconds_h": "訓練時間（秒）",
        "aug.original": "原圖",
        "aug.augmented": "augmentation 後",
        "cap.aug_curves": "每次訓練每個 epoch 的 loss（左）與準確率（右）：實線為 training，虛線為 "
                          "validation，每次訓練一種顏色。",
        "cap.aug_samples": "每個類別一張訓練圖片（最上列）以及各自 {n} 個隨機 augmentation "
                           "的結果，抽樣方式與訓練時相同。",
        "cmp.setup": "你的 {n} 次訓練，取自你自己的訓練紀錄：{runs}[[see:augmentation]]。",
        "cmp.sep": "；",
        "cmp.run": "{label}：最佳 validation 準確率 {best:.1%}，出現在第 {epoch} 個 epoch（共 {epochs} 個）；最後一個 "
                   "epoch training 準確率 {train:.1%}、validation 準確率 {val:.1%}（差距 {gap:+.1%}）。",
        "cmp.run_partial": "{label}：紀錄了 {epochs} 個 epoch，但沒有同時記錄 training 與 validation 準確率。",
        "cmp.helps": "{a} 的最佳 validation 準確率比 {b} 高 {pts:.1f} 個百分點。",
        "cmp.hurts": "{a} 的最佳 validation 準確率比 {b} 低 {pts:.1f} 個百分點。",
        "cmp.same": "{a} 與 {b} 的最佳 validation 準確率相差不到半個百分點（{pts:+.1f}）。",
        "cmp.gap_none": "兩次訓練都沒有 overfitting：validation 準確率最後都高於或接近 training 準確率（{a} 差距 "
                        "{on:+.1%}，{b} 差距 {off:+.1%}）。",
        "cmp.gap_narrower": "{a} 最後的 training 與 validation 差距（{on:+.1%}）比 {b}（{off:+.1%}）小：它對訓練圖片"
                            "擬合得較不緊，泛化較平均。",
        "cmp.gap_wider": "{a} 最後的 training 與 validation 差距（{on:+.1%}）比 {b}（{off:+.1%}）大。",
        "cmp.peak_later": "{a} 較晚達到最佳 validation 準確率（第 {on} 個 epoch，{b} 為第 {off} 個）。",
        "cmp.peak_earlier": "{a} 較早達到最佳 validation 準確率（第 {on} 個 epoch，{b} 為第 {off} 個）。",
        "cmp.peak_same": "{a} 與 {b} 在同一個 epoch（第 {on} 個）達到最佳 validation 準確率。",
        "cmp.incomplete": "{a} 與 {b} 無法比較：有紀錄缺少 validation 或 training 準確率。",
    },
}


@dataclass
class Run:
    key: str  # "with", "without", "dnn"
    settings: object
    trained: Trained
    label: str = ""


def run(settings, dataset, trained, compare_logs, figures, text) -> Result:
    if compare_logs:
        return user_runs(compare_logs, figures, text)
    runs = train_runs(settings, dataset, trained)
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
               "main_training_seconds": trained.recorded_seconds}
    return Result(numbers=numbers, text=lines, figures=[curves, samples], tables={"runs": rows})


def train_runs(settings, dataset, trained: Trained) -> list[Run]:
    """The main run, its counterpart with augmentation flipped, then the ablations; with-augmentation first."""
    other = replace(settings, augment=not settings.augment)
    runs = sorted([Run("with" if settings.augment else "without", settings, trained),
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
    for r in runs:
        if r.trained is not trained:
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
    """One augmented copy of normalised (B, 1, H, W) ``x``, drawn the way fer_report.train draws it."""
    if policy == "light":
        return augment_batch(x, gen)
    from fer_report.augment import draw_erasing, draw_theta, erase, warp  # policies beyond "light"

    out = warp(x, draw_theta(policy, len(x), gen))
    return erase(out, draw_erasing(len(x), gen, tuple(x.shape[-2:]))) if policy == "strong" else out


section = Section(name="augmentation", requires=(TRAINED_HERE_OR_LOGS,), order=25, run=run, question=QUESTION, strings=STRINGS,
                  summary="Same model with and without augmentation (and --ablations dnn): curves, samples, gaps, "
                          "best epochs, the extra training cost")
