"""Beyond the course: can the model's confidence be trusted? Top-label reliability on the test split, its
errors with bootstrap intervals, and temperature scaling fitted on the validation split only."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fer_report.maths import calibration as cal
from fer_report.report.requirements import Requirement
from fer_report.report.section import Result, Section

MIN_VAL = 20  # fewer validation images cannot fit a temperature worth reporting
THIN = 300  # below this many test images a 15-bin diagram is mostly noise: say so
SAME = 0.01  # |mean confidence - accuracy| under this reads as "about as confident as accurate"

QUESTION = {
    "en": "How far can the model's confidence be trusted (calibration)?",
    "zh-TW": "模型的信心程度有多可信（校準）？",
}

STRINGS = {
    "en": {
        "cal.scores": "On the test split ({split}, {n:,} images) the top-label expected calibration error (ECE, "
                      "{bins} equal-width bins) is {ece:.1%} (95 % bootstrap interval {ece_lo:.1%}-{ece_hi:.1%}) "
                      "and the worst bin (confidence {bin_lo:.0%}-{bin_hi:.0%}, {bin_n:,} images) is off by {mce:.1%}; "
                      "negative log-likelihood {nll:.3f} "
                      "({nll_lo:.3f}-{nll_hi:.3f}), Brier score {brier:.3f} ({brier_lo:.3f}-{brier_hi:.3f}).",
        "cal.over": "The model is over-confident: its mean confidence in its top class is {conf:.1%}, its accuracy "
                    "{acc:.1%}.",
        "cal.under": "The model is under-confident: its mean confidence in its top class is {conf:.1%}, its "
                     "accuracy {acc:.1%}.",
        "cal.even": "Its mean confidence in its top class, {conf:.1%}, is close to its accuracy, {acc:.1%}.",
        "cal.temperature": "Temperature scaling fitted on the validation split ({val}, {n_val:,} images) gives "
                           "T = {t:.2f} ({direction}). On the test split it moves ECE from {ece:.1%} to {ece_t:.1%} "
                           "and NLL from {nll:.3f} to {nll_t:.3f}; no prediction changes, only the confidence.",
        "cal.soften": "T > 1 softens the outputs",
        "cal.sharpen": "T < 1 sharpens the outputs",
        "cal.no_val": "The validation split has only {n_val} images, too few to fit a temperature; the figure "
                      "shows the model as it is.",
        "cal.class": "One-vs-rest per class, the least calibrated is {cls} (ECE {worst:.1%}), the best {best_cls} "
                     "({best:.1%}).",
        "cal.thin": "With {n} test images most bins hold few images: read the intervals, not the bars alone.",
        "cal.bin_acc": "Accuracy in bin",
        "cal.diagonal": "Perfect calibration",
        "cal.gap": "Gap",
        "cal.confidence": "Confidence of the top class",
        "cal.count": "Images",
        "cal.before": "As given (ECE {ece:.1%})",
        "cal.after": "Temperature T = {t:.2f} (ECE {ece:.1%})",
        "cal.class_h": "Class",
        "cal.support": "Test images",
        "cal.mean_p": "Mean predicted probability",
        "cal.freq": "Frequency",
        "cal.ece_h": "ECE (one-vs-rest)",
        "cal.ece_t": "after T",
        "req.test_images": "The test split holds no images, so there is no confidence to check.",
        "alt.calibration": "Reliability diagram of the test split: the fullest confidence bin, {lo:.0%}-{hi:.0%} "
                           "with {n:,} images, is right {acc:.0%} of the time at a mean confidence of {conf:.0%}; "
                           "ECE {ece:.1%}.",
        "cap.calibration": "Reliability diagram of the top label on the test split: the accuracy in each confidence "
                           "bin against the diagonal of perfect calibration, with the image count per bin below; "
                           "left the model's own outputs, right after temperature scaling.",
    },
    "zh-TW": {
        "cal.scores": "在測試集（{split}，{n:,} 張）上，最高類別的 expected calibration error（ECE，{bins} 個等寬區間）為 "
                      "{ece:.1%}（95% bootstrap 區間 {ece_lo:.1%}-{ece_hi:.1%}），最差的區間（信心 "
                      "{bin_lo:.0%}-{bin_hi:.0%}，{bin_n:,} 張）差 {mce:.1%}；"
                      "negative log-likelihood 為 {nll:.3f}（{nll_lo:.3f}-{nll_hi:.3f}），Brier score 為 "
                      "{brier:.3f}（{brier_lo:.3f}-{brier_hi:.3f}）。",
        "cal.over": "模型過度自信：它對最高類別的平均信心為 {conf:.1%}，準確率卻只有 {acc:.1%}。",
        "cal.under": "模型信心不足：它對最高類別的平均信心為 {conf:.1%}，準確率卻有 {acc:.1%}。",
        "cal.even": "它對最高類別的平均信心 {conf:.1%} 與準確率 {acc:.1%} 相近。",
        "cal.temperature": "在 validation split（{val}，{n_val:,} 張）上擬合的 temperature scaling 得到 T = {t:.2f}"
                           "（{direction}）。在測試集上，ECE 由 {ece:.1%} 變為 {ece_t:.1%}，NLL 由 {nll:.3f} 變為 "
                           "{nll_t:.3f}；預測類別完全不變，只改變信心。",
        "cal.soften": "T > 1 使輸出較平緩",
        "cal.sharpen": "T < 1 使輸出較尖銳",
        "cal.no_val": "validation split 只有 {n_val} 張，不足以擬合 temperature；圖中為模型原本的輸出。",
        "cal.class": "以一對其餘（one-vs-rest）計算，校準最差的類別是{cls}（ECE {worst:.1%}），最好的是{best_cls}"
                     "（{best:.1%}）。",
        "cal.thin": "測試集只有 {n} 張，多數區間的圖片很少：請參考區間估計，而不只看長條。",
        "cal.bin_acc": "區間內準確率",
        "cal.diagonal": "完美校準",
        "cal.gap": "差距",
        "cal.confidence": "最高類別的信心",
        "cal.count": "張數",
        "cal.before": "原始輸出（ECE {ece:.1%}）",
        "cal.after": "Temperature T = {t:.2f}（ECE {ece:.1%}）",
        "cal.class_h": "類別",
        "cal.support": "測試圖片數",
        "cal.mean_p": "平均預測機率",
        "cal.freq": "實際比例",
        "cal.ece_h": "ECE（one-vs-rest）",
        "cal.ece_t": "校準後",
        "req.test_images": "測試集沒有圖片，因此無從檢查信心。",
        "alt.calibration": "測試集的 reliability diagram：圖片最多的信心區間 {lo:.0%}-{hi:.0%}（{n:,} 張）平均信心 "
                           "{conf:.0%}，實際答對 {acc:.0%}；ECE {ece:.1%}。",
        "cap.calibration": "測試集上最高類別的 reliability diagram：每個信心區間的準確率與完美校準的對角線相比，"
                           "下方為各區間的圖片數；左為模型原本的輸出，右為 temperature scaling 之後。",
    },
}


def _test_images(a):
    return None if len(a.get("dataset").test.y) else ("req.test_images", {})


TEST_IMAGES = Requirement("test images", _test_images)


def run(dataset, predictions, figures, text) -> Result:
    test, val = predictions.test, predictions.val
    names = dataset.split_names
    y, probs = test.y_true, test.probs.astype(np.float64)
    scores = cal.summary(probs, y)
    s = {k: v["value"] for k, v in scores.items()}
    bounds = {f"{k}_{end}": v[{"lo": "low", "hi": "high"}[end]] for k, v in scores.items() for end in ("lo", "hi")}
    r = cal.reliability(probs, y)
    worst = int(np.nanargmax(np.where(r["count"] > 0, np.abs(r["accuracy"] - r["confidence"]), np.nan)))
    lines = [text("cal.scores", split=names["test"], n=len(y), bins=cal.BINS, bin_lo=r["edges"][worst],
                  bin_hi=r["edges"][worst + 1], bin_n=int(r["count"][worst]), **s, **bounds)]
    conf, acc = float(probs.max(1).mean()), test.accuracy
    mood = "cal.even" if abs(conf - acc) < SAME else "cal.over" if conf > acc else "cal.under"
    lines.append(text(mood, conf=conf, acc=acc))
    t, after, s_after = None, None, None
    if len(val.y_true) >= MIN_VAL:
        t = cal.fit_temperature(val.probs.astype(np.float64), val.y_true)
        after = cal.scaled(probs, t)
        s_after = {k: fn(after, y) for k, fn in cal.SCORES.items()}
        lines.append(text("cal.temperature", val=names["val"], n_val=len(val.y_true), t=t,
                          direction=text("cal.soften" if t > 1 else "cal.sharpen"), ece=s["ece"],
                          ece_t=s_after["ece"], nll=s["nll"], nll_t=s_after["nll"]))
    else:
        lines.append(text("cal.no_val", n_val=len(val.y_true)))
    per_class = _per_class(probs, after, y, dataset.classes, text)
    present = [r for r in per_class if r["support"]]
    if present:
        worst, best = max(present, key=lambda r: r["ece"]), min(present, key=lambda r: r["ece"])
        lines.append(text("cal.class", cls=worst["name"], worst=worst["ece"], best_cls=best["name"], best=best["ece"]))
    if len(y) < THIN:
        lines.append(text("cal.thin", n=len(y)))
    panels = [(probs, text("cal.before", ece=s["ece"]))]
    if after is not None:
        panels.append((after, text("cal.after", t=t, ece=s_after["ece"])))
    full = int(np.argmax(r["count"]))
    alt = text("alt.calibration", lo=r["edges"][full], hi=r["edges"][full + 1], n=int(r["count"][full]),
               acc=float(r["accuracy"][full]), conf=float(r["confidence"][full]), ece=s["ece"])
    figure = figures.save(plot_reliability(panels, y, text), "calibration", text("cap.calibration"), alt=alt)
    diagram = {k: [None if np.isnan(v) else float(v) for v in arr] for k, arr in r.items()}
    numbers = {"split": names["test"], "images": len(y), "bins": cal.BINS, "scores": scores,
               "mean_confidence": conf, "accuracy": acc, "temperature": t, "reliability": diagram,
               "after_temperature": s_after,
               "per_class": [{k: r[k] for k in ("class", "support", "ece", "ece_after")} for r in per_class]}
    return Result(numbers=numbers, text=lines, figures=[figure], tables={"per_class": per_class})


def _per_class(probs, after, y, classes, text) -> list[dict]:
    eces = cal.classwise_ece(probs, y)
    eces_after = cal.classwise_ece(after, y) if after is not None else [None] * len(classes)
    return [{"class": c, "name": text.cls(c), "support": int((y == k).sum()), "mean_p": float(probs[:, k].mean()),
             "freq": float((y == k).mean()), "ece": float(eces[k]),
             "ece_after": None if eces_after[k] is None else float(eces_after[k])} for k, c in enumerate(classes)]


def plot_reliability(panels: list[tuple[np.ndarray, str]], y: np.ndarray, text) -> plt.Figure:
    """Per panel: accuracy bars per bin over the diagonal, the gap to the bin's mean confidence, counts below."""
    fig, axes = plt.subplots(2, len(panels), figsize=(4.2 * len(panels), 4.6), squeeze=False,
                             gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    width = 1.0 / cal.BINS
    for col, (probs, title) in enumerate(panels):
        r = cal.reliability(probs, y)
        left, full = r["edges"][:-1], r["count"] > 0
        top, bottom = axes[0, col], axes[1, col]
        top.bar(left[full], r["accuracy"][full], width=width, align="edge", color="#4c72b0", edgecolor="white",
                label=text("cal.bin_acc"))
        gap_low = np.minimum(r["accuracy"], r["confidence"])[full]
        top.bar(left[full], np.abs(r["accuracy"] - r["confidence"])[full], bottom=gap_low, width=width,
                align="edge", color="#dd8452", alpha=0.45, edgecolor="none", label=text("cal.gap"))
        top.plot([0, 1], [0, 1], color="0.3", linestyle="--", linewidth=1, label=text("cal.diagonal"))
        top.set(xlim=(0, 1), ylim=(0, 1), title=title)
        top.set_ylabel(text("cal.bin_acc"))
        bottom.bar(left, r["count"], width=width, align="edge", color="0.6", edgecolor="white")
        bottom.set_xlabel(text("cal.confidence"))
        bottom.set_ylabel(text("cal.count"))
        top.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


section = Section(name="calibration", order=33, run=run, question=QUESTION, strings=STRINGS, requires=(TEST_IMAGES,),
                  summary="Top-label reliability diagram, ECE / MCE / NLL / Brier with bootstrap intervals, "
                          "temperature scaling fitted on the validation split, per-class ECE")
