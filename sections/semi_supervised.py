"""Question (2017 Spring HW3 bonus): remove part of the training labels and do semi-supervised learning.

Self-training with confident pseudo-labels (Lee 2013): keep the labels of a stratified, seeded half of the
training split and hide the rest; train on the labelled half (the baseline); label the hidden images with the
baseline's prediction where its softmax confidence reaches a threshold; train again from scratch, with the same
settings, on the labelled images plus the pseudo-labelled ones. The validation and test splits stay as they are,
so the two test accuracies compare. Both reduced datasets are ``dataclasses.replace(dataset, train=Split(...))``,
so each training is cached by the data's fingerprint like any other (``fer_report.train.train``).

The threshold: a fixed 0.9 is the usual choice, but how confident a model is depends on its training. Measured on
the default synthetic data (cnn4, 10 epochs, half the labels: 56 % right on the hidden images), the baseline is
under-confident: 1.1 % of the hidden images reach 0.9 (all right), 3.2 % reach 0.8 (93 % right), 12.7 % reach
0.6 (88 %), 20.6 % reach 0.5 (82 %). A fixed 0.9 would add 24 images to 2,100, i.e. nothing. So the threshold
is calibrated on the validation split, whose labels the student has: the lowest confidence at which the
baseline's validation predictions at least that confident are still ``TARGET`` (85 %) right, never below 0.5
(below it the predicted class does not hold half the probability). On the data above that takes about a sixth of
the hidden images at the precision asked for; an over-confident model (long training on real FER2013) gets a high
threshold instead, by the same rule. The pseudo-labels are also scored against the hidden true labels: a check a
student cannot normally make (the labels are hidden because they are unknown), shown because here they were only
set aside.
"""

from __future__ import annotations

from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np

from fer_report.data.dataset import Split
from fer_report.data.splits import stratified_split
from fer_report.inference import predict_probs
from fer_report.requirements import TRAINED_HERE
from fer_report.section import Result, Section
from fer_report.train import Trained, train

LABELLED = 0.5  # share of the training split whose labels are kept
TARGET = 0.85  # pseudo-labels should be about this often right, judged on the validation split
MIN_CONFIDENCE = 0.5  # never take a prediction whose class holds less than half the probability
SAME = 0.005  # a test-accuracy change below half a point reads as "no change"

QUESTION = {
    "en": "Remove part of the labels from the training data and do semi-supervised learning.",
    "zh-TW": "從 training data 中移除部份 label，實做 semi-supervised learning。",
}

STRINGS = {
    "en": {
        "semi.setup": "Self-training with pseudo-labels: of the {n_train:,} training images the labels of {n_lab:,} "
                      "({frac:.0%}, stratified by class, seed {seed}) are kept and those of the other {n_hid:,} are "
                      "hidden; validation and test images stay as they are[[see:semi_supervised]].",
        "semi.baseline": "Trained on the labelled images alone, {model} reaches a test accuracy of {before:.1%} (best "
                         "validation accuracy {val:.1%}); with every label (the run's own training) it reaches "
                         "{full:.1%}.",
        "semi.threshold": "A hidden image gets the baseline's prediction as its label when the softmax confidence is "
                          "at least {t:.3f}: the lowest confidence at which the baseline's validation predictions at "
                          "least that confident are still {target:.0%} right ({k:,} of {n_val:,} validation images "
                          "reach it, {prec:.1%} of them right), and never below {floor:g}.",
        "semi.threshold_none": "No confidence of at least {floor:g} makes the baseline's validation predictions "
                               "{target:.0%} right, so no hidden image is pseudo-labelled and the retrained model is "
                               "the baseline.",
        "semi.taken": "{taken:,} of the {n_hid:,} hidden images ({share:.1%}) pass and join the {n_lab:,} labelled "
                      "ones; trained from scratch on these {n_new:,} images with the same settings, the model "
                      "reaches a test accuracy of {after:.1%} (best validation accuracy {val:.1%}).",
        "semi.helps": "Self-training raised the test accuracy by {pts:.1f} percentage points ({before:.1%} → "
                      "{after:.1%}), closing {closed:.0%} of the gap to the model trained with every label.",
        "semi.hurts": "Self-training lowered the test accuracy by {pts:.1f} percentage points ({before:.1%} → "
                      "{after:.1%}).",
        "semi.same": "Self-training changed the test accuracy by less than half a percentage point ({before:.1%} → "
                     "{after:.1%}).",
        "semi.check": "Against the hidden true labels {correct:,} of the {taken:,} pseudo-labels are right "
                      "({acc:.1%}; the baseline is {hid_acc:.1%} right on all hidden images). A student cannot "
                      "normally make this check: unlabelled images are unlabelled because their labels are "
                      "unknown; here they were only set aside.",
        "semi.most": "{cls} takes the most pseudo-labels ({n:,}, {share:.0%} of them, against {prior:.0%} of the "
                     "hidden images): the baseline is most often confident about it.",
        "semi.none_for": "No hidden image is pseudo-labelled as {classes}.",
        "semi.noise": "With {n:,} test images an accuracy near {acc:.0%} has a standard error of about {se:.1f} "
                      "points, so a change of that size can be chance.",
        "semi.cost": "Of this section's two runs (the baseline and the retrained model), {now} were trained now in "
                     "{seconds:.0f} s on {device} and {cached} came from the training cache ({cached_seconds:.0f} s "
                     "when trained); the run's own training took {main:.0f} s.",
        "semi.sep": ", ",
        "semi.run_h": "Run",
        "semi.images_h": "Training images",
        "semi.best_h": "Best val. acc.",
        "semi.test_h": "Test acc.",
        "semi.seconds_h": "Training (s)",
        "semi.baseline_label": "baseline (labelled part)",
        "semi.retrained_label": "labelled + pseudo-labelled",
        "semi.full_label": "every label (the run's own)",
        "semi.class_h": "Class",
        "semi.labelled_h": "Labelled",
        "semi.hidden_h": "Hidden",
        "semi.taken_h": "Pseudo-labelled as",
        "semi.correct_h": "of them right",
        "semi.precision_h": "Precision",
        "semi.confidence": "baseline confidence on the hidden images",
        "semi.images": "images",
        "semi.right": "prediction right",
        "semi.wrong": "prediction wrong",
        "semi.threshold_line": "threshold {t:.2f}",
        "semi.hidden_bar": "hidden",
        "semi.taken_right": "pseudo-labelled, right",
        "semi.taken_wrong": "pseudo-labelled, wrong",
        "cap.semi": "Left: the baseline's confidence on the hidden training images, right and wrong predictions "
                    "stacked, and the threshold. Right: hidden images per true class, and pseudo-labels per "
                    "assigned class, right and wrong.",
    },
    "zh-TW": {
        "semi.setup": "以 pseudo-label 做 self-training：{n_train:,} 張訓練圖片中保留 {n_lab:,} 張（{frac:.0%}，依類別"
                      "分層抽樣，seed {seed}）的 label，其餘 {n_hid:,} 張的 label 隱藏；validation 與 test 圖片不變"
                      "[[see:semi_supervised]]。",
        "semi.baseline": "只用有 label 的圖片訓練，{model} 的 test 準確率為 {before:.1%}（最佳 validation 準確率 "
                         "{val:.1%}）；使用全部 label（本次訓練本身）則為 {full:.1%}。",
        "semi.threshold": "當 softmax 信心值至少為 {t:.3f} 時，隱藏圖片以 baseline 的預測作為 label：這是讓 baseline "
                          "在 validation 上信心值至少如此的預測仍有 {target:.0%} 正確的最低信心值（{n_val:,} 張 "
                          "validation 圖片中有 {k:,} 張達到，其中 {prec:.1%} 正確），且不低於 {floor:g}。",
        "semi.threshold_none": "沒有任何不低於 {floor:g} 的信心值能讓 baseline 的 validation 預測達到 {target:.0%} "
                               "正確，因此沒有隱藏圖片得到 pseudo-label，重新訓練的模型就是 baseline。",
        "semi.taken": "{n_hid:,} 張隱藏圖片中有 {taken:,} 張（{share:.1%}）通過，加入 {n_lab:,} 張有 label 的圖片；以"
                      "相同設定在這 {n_new:,} 張圖片上從頭訓練，test 準確率為 {after:.1%}（最佳 validation 準確率 "
                      "{val:.1%}）。",
        "semi.helps": "Self-training 讓 test 準確率提高了 {pts:.1f} 個百分點（{before:.1%} → {after:.1%}），縮小了"
                      "與使用全部 label 的模型之間 {closed:.0%} 的差距。",
        "semi.hurts": "Self-training 讓 test 準確率降低了 {pts:.1f} 個百分點（{before:.1%} → {after:.1%}）。",
        "semi.same": "Self-training 對 test 準確率的影響不到半個百分點（{before:.1%} → {after:.1%}）。",
        "semi.check": "與隱藏的真實 label 比對，{taken:,} 個 pseudo-label 中有 {correct:,} 個正確（{acc:.1%}；baseline "
                      "在全部隱藏圖片上的正確率為 {hid_acc:.1%}）。學生通常無法做這項檢查：沒有 label 的圖片之所以"
                      "沒有 label，正是因為不知道答案；這裡只是暫時把 label 擱在一旁。",
        "semi.most": "{cls}得到最多 pseudo-label（{n:,} 個，佔 {share:.0%}，而它只佔隱藏圖片的 {prior:.0%}）："
                     "baseline 最常對它有把握。",
        "semi.none_for": "沒有任何隱藏圖片被標為{classes}。",
        "semi.noise": "只有 {n:,} 張 test 圖片時，約 {acc:.0%} 的準確率有大約 {se:.1f} 個百分點的標準誤，因此這樣"
                      "大小的變化可能只是隨機造成的。",
        "semi.cost": "這一節的兩次訓練（baseline 與重新訓練的模型）中，{now} 次是現在在 {device} 上訓練的，花了 "
                     "{seconds:.0f} 秒，{cached} 次取自訓練快取（當初花了 {cached_seconds:.0f} 秒）；本次訓練本身花了 "
                     "{main:.0f} 秒。",
        "semi.sep": "、",
        "semi.run_h": "訓練",
        "semi.images_h": "訓練圖片數",
        "semi.best_h": "最佳 val. 準確率",
        "semi.test_h": "Test 準確率",
        "semi.seconds_h": "訓練時間（秒）",
        "semi.baseline_label": "baseline（有 label 的部分）",
        "semi.retrained_label": "有 label + pseudo-label",
        "semi.full_label": "全部 label（本次訓練本身）",
        "semi.class_h": "類別",
        "semi.labelled_h": "有 label",
        "semi.hidden_h": "隱藏",
        "semi.taken_h": "被標為此類",
        "semi.correct_h": "其中正確",
        "semi.precision_h": "精確率",
        "semi.confidence": "baseline 在隱藏圖片上的信心值",
        "semi.images": "圖片數",
        "semi.right": "預測正確",
        "semi.wrong": "預測錯誤",
        "semi.threshold_line": "門檻 {t:.2f}",
        "semi.hidden_bar": "隱藏",
        "semi.taken_right": "pseudo-label 正確",
        "semi.taken_wrong": "pseudo-label 錯誤",
        "cap.semi": "左：baseline 在隱藏訓練圖片上的信心值，正確與錯誤的預測疊在一起，以及門檻。右：每個真實類別的"
                    "隱藏圖片數，以及每個被標類別的 pseudo-label 數（正確與錯誤）。",
    },
}


def run(settings, dataset, trained, figures, text) -> Result:
    labelled, hidden = label_split(dataset.train.y, LABELLED, settings.seed)
    baseline = train(settings, with_train(dataset, labelled))
    val_p = probabilities(baseline, dataset.val.x)
    t, k, prec = choose_threshold(val_p.max(1), val_p.argmax(1) == dataset.val.y, TARGET, MIN_CONFIDENCE)
    hid_p = probabilities(baseline, dataset.train.x[hidden])
    conf, pseudo = hid_p.max(1), hid_p.argmax(1)
    take = conf >= t if t is not None else np.zeros(len(hidden), bool)
    retrained = train(settings, with_train(dataset, labelled, hidden[take], pseudo[take]))

    right = pseudo == dataset.train.y[hidden]
    accs = {"before": accuracy_on_test(baseline, dataset), "after": accuracy_on_test(retrained, dataset),
            "full": accuracy_on_test(trained, dataset)}
    per_class = class_counts(dataset.train.y[labelled], dataset.train.y[hidden], pseudo[take], right[take],
                             len(dataset.classes))
    facts = {"n_train": len(dataset.train), "n_lab": len(labelled), "n_hid": len(hidden), "taken": int(take.sum()),
             "correct": int(right[take].sum()), "hidden_acc": float(right.mean()) if len(right) else None}
    runs = {"baseline": (baseline, len(labelled), accs["before"]),
            "retrained": (retrained, len(labelled) + facts["taken"], accs["after"]),
            "full": (trained, len(dataset.train), accs["full"])}
    extra = [baseline] + ([retrained] if retrained.cache_dir != baseline.cache_dir else [])  # no pseudo-label: same
    lines = _sentences(settings, dataset, facts, accs, (t, k, prec), per_class, baseline, retrained, text)
    lines.append(cost_sentence(extra, trained, text))

    fig = figures.save(plot_pseudo(conf, right, t, per_class, [text.cls(c) for c in dataset.classes], text=text),
                       "semi_supervised", text("cap.semi"))
    rows = [{"label": text(f"semi.{key}_label"), "images": n, "best_val_acc": max(h["val_acc"] for h in r.history),
             "test_acc": acc, "seconds": r.recorded_seconds} for key, (r, n, acc) in runs.items()]
    classes = [{"cls": text.cls(c), **per_class[i]} for i, c in enumerate(dataset.classes)]
    numbers = {**facts, "labelled_fraction": LABELLED, "threshold": t, "target": TARGET,
               "min_confidence": MIN_CONFIDENCE, "val_reaching": k, "val_precision": prec,
               "pseudo_accuracy": facts["correct"] / facts["taken"] if facts["taken"] else None,
               "test_acc": accs, "per_class": classes,
               "runs": {key: {"cache": str(r.cache_dir), "images": n, "trained_now": r.seconds > 0,
                              "seconds": r.recorded_seconds} for key, (r, n, _) in runs.items()},
               "extra_training_seconds": sum(r.recorded_seconds for r in extra),
               "main_training_seconds": trained.recorded_seconds}
    return Result(numbers=numbers, text=lines, figures=[fig], tables={"runs": rows, "classes": classes})


def label_split(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(labelled, hidden) indices of the training split, stratified by class (so every class keeps labels)."""
    labelled, hidden = stratified_split(y, (fraction, 1 - fraction), seed)
    return labelled, hidden


def with_train(dataset, labelled: np.ndarray, extra: np.ndarray | None = None, labels: np.ndarray | None = None):
    """``dataset`` whose training split is the labelled images, then ``extra`` images with ``labels`` (pseudo)."""
    tr = dataset.train
    idx = labelled if extra is None else np.concatenate([labelled, extra])
    y = tr.y[labelled] if extra is None else np.concatenate([tr.y[labelled], np.asarray(labels, dtype=tr.y.dtype)])
    return replace(dataset, train=Split(x=tr.x[idx], y=y, regions=None if tr.regions is None else tr.regions[idx]))


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target: float,
                     floor: float) -> tuple[float | None, int, float | None]:
    """(threshold, images reaching it, their precision): the lowest confidence at which the predictions at least
    that confident are ``target`` right, never below ``floor``; (None, 0, None) when none is."""
    order = np.argsort(-confidence, kind="stable")
    conf, hit = confidence[order], np.asarray(correct, dtype=float)[order]
    precision = np.cumsum(hit) / np.arange(1, len(hit) + 1)
    ok = np.flatnonzero((precision >= target) & (conf >= floor))
    if not len(ok):
        return None, 0, None
    t = float(conf[ok[-1]])
    reach = confidence >= t
    return t, int(reach.sum()), float(np.asarray(correct)[reach].mean())


def class_counts(y_labelled, y_hidden, pseudo, right, n: int) -> list[dict]:
    """Per class: labelled and hidden images (true class), pseudo-labels given to it and how many are right."""
    out = []
    for c in range(n):
        given = pseudo == c
        taken, correct = int(given.sum()), int(right[given].sum())
        out.append({"labelled": int((y_labelled == c).sum()), "hidden": int((y_hidden == c).sum()), "taken": taken,
                    "correct": correct, "precision": correct / taken if taken else None})
    return out


def probabilities(t: Trained, images: np.ndarray) -> np.ndarray:
    """Softmax of a run's model, predicted the way its validation accuracy was (ten crops, test-time flip)."""
    return predict_probs(t.model, images, t.spec, t.device, ten_crop=t.ten_crop, tta=t.tta)


def accuracy_on_test(t: Trained, dataset) -> float:
    if not len(dataset.test):
        return float("nan")
    return float((probabilities(t, dataset.test.x).argmax(1) == dataset.test.y).mean())


def _sentences(settings, dataset, f, accs, chosen, per_class, baseline, retrained, text) -> list[str]:
    t, k, prec = chosen
    best_val = {key: max(h["val_acc"] for h in r.history) for key, r in (("base", baseline), ("new", retrained))}
    lines = [text("semi.setup", n_train=f["n_train"], n_lab=f["n_lab"], frac=f["n_lab"] / max(1, f["n_train"]),
                  seed=settings.seed, n_hid=f["n_hid"]),
             text("semi.baseline", model=settings.model, before=accs["before"], val=best_val["base"],
                  full=accs["full"])]
    if t is None:
        lines.append(text("semi.threshold_none", floor=MIN_CONFIDENCE, target=TARGET))
    else:
        lines.append(text("semi.threshold", t=t, target=TARGET, k=k, n_val=len(dataset.val), prec=prec,
                          floor=MIN_CONFIDENCE))
        lines.append(text("semi.taken", taken=f["taken"], n_hid=f["n_hid"], share=f["taken"] / max(1, f["n_hid"]),
                          n_lab=f["n_lab"], n_new=f["n_lab"] + f["taken"], after=accs["after"], val=best_val["new"]))
        key, values = verdict(accs)
        lines.append(text(key, **values))
    if f["taken"]:
        lines.append(text("semi.check", correct=f["correct"], taken=f["taken"], acc=f["correct"] / f["taken"],
                          hid_acc=f["hidden_acc"]))
        top = max(range(len(per_class)), key=lambda c: per_class[c]["taken"])
        lines.append(text("semi.most", cls=text.cls(dataset.classes[top]), n=per_class[top]["taken"],
                          share=per_class[top]["taken"] / f["taken"], prior=per_class[top]["hidden"] / f["n_hid"]))
        empty = [text.cls(dataset.classes[c]) for c, row in enumerate(per_class) if row["taken"] == 0]
        if empty:
            lines.append(text("semi.none_for", classes=text("semi.sep").join(empty)))
    acc = accs["before"]
    n_test = len(dataset.test)
    lines.append(text("semi.noise", n=n_test, acc=acc, se=100 * np.sqrt(acc * (1 - acc) / max(1, n_test))))
    return lines


def cost_sentence(extra: list[Trained], trained: Trained, text) -> str:
    """What this section's own trainings cost: trained now, or reused from the cache (and what they cost then)."""
    now, cached = [r for r in extra if r.seconds > 0], [r for r in extra if r.seconds == 0]
    return text("semi.cost", now=len(now), seconds=sum(r.recorded_seconds for r in now), device=str(trained.device),
                cached=len(cached), cached_seconds=sum(r.recorded_seconds for r in cached),
                main=trained.recorded_seconds)


def verdict(accs: dict) -> tuple[str, dict]:
    """The before/after sentence (i18n key, values); pure, for testing."""
    delta = accs["after"] - accs["before"]
    values = {"before": accs["before"], "after": accs["after"]}
    if abs(delta) < SAME:
        return "semi.same", values
    if delta < 0:
        return "semi.hurts", {**values, "pts": -100 * delta}
    gap = accs["full"] - accs["before"]
    return "semi.helps", {**values, "pts": 100 * delta, "closed": delta / gap if gap > 0 else 1.0}


def plot_pseudo(conf, right, t, per_class, names, *, text) -> plt.Figure:
    """Confidence histogram of the hidden images (right/wrong stacked, threshold marked) and per-class counts."""
    fig, (hist, bars) = plt.subplots(1, 2, figsize=(9.4, 3.3), gridspec_kw={"width_ratios": [1, 1.3]})
    bins = np.linspace(0, 1, 21)
    hist.hist([conf[right], conf[~right]], bins=bins, stacked=True, color=["#2ca02c", "#d62728"],
              label=[text("semi.right"), text("semi.wrong")])
    if t is not None:
        hist.axvline(t, color="black", ls="--", lw=1.2, label=text("semi.threshold_line", t=t))
    hist.set_xlabel(text("semi.confidence"))
    hist.set_ylabel(text("semi.images"))
    hist.legend(frameon=False)
    x = np.arange(len(names))
    hidden = [r["hidden"] for r in per_class]
    correct = [r["correct"] for r in per_class]
    wrong = [r["taken"] - r["correct"] for r in per_class]
    bars.bar(x - 0.2, hidden, width=0.38, color="#bdbdbd", label=text("semi.hidden_bar"))
    bars.bar(x + 0.2, correct, width=0.38, color="#2ca02c", label=text("semi.taken_right"))
    bars.bar(x + 0.2, wrong, width=0.38, bottom=correct, color="#d62728", label=text("semi.taken_wrong"))
    bars.set_xticks(x, names, rotation=30, ha="right")
    bars.set_ylabel(text("semi.images"))
    bars.legend(frameon=False)
    for ax in (hist, bars):
        ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


section = Section(name="semi_supervised", order=90, run=run, on_request=True, question=QUESTION, strings=STRINGS,
                  requires=(TRAINED_HERE,),
                  summary="Self-training on half the labels with confident pseudo-labels (two more trainings): "
                          "threshold, test accuracy before and after, pseudo-label accuracy per class")
