"""Question: the confusion matrix on the test split, and which classes get confused with which."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from fer_report.section import Result, Section

PAIR_MIN = 0.05  # a confusion worth a sentence: at least 5 % of the true class
MUTUAL_MIN = 0.08
SCARCE = 20  # fewer test images than this makes a row noisy


QUESTION = {
    "en": "Plot the confusion matrix on the test set. Which classes are most easily confused with each other?",
    "zh-TW": "請畫出 test set 上的 confusion matrix，並分析哪些類別的圖片容易用混？",
}

STRINGS = {
    "en": {
        "conf.accuracy": "Test accuracy is {acc:.1%} on {n:,} images ({split}); validation accuracy {val_acc:.1%}.",
        "conf.pair": "{true} is most often mistaken for {pred}: {pct:.0%} of {true} images ({count} of {total}).",
        "conf.best_worst": "The easiest class is {best} ({best_acc:.0%} correct); the hardest is {worst} "
                           "({worst_acc:.0%} correct).",
        "conf.mutual": "{a} and {b} are confused in both directions ({ab:.0%} and {ba:.0%}).",
        "conf.none": "No class is mistaken for another in more than {pct:.0%} of its images.",
        "conf.scarce": "{cls} has only {n} test images, so its row is noisy.",
        "conf.class": "Class",
        "conf.support": "Test images",
        "conf.recall": "Accuracy (recall)",
        "conf.precision": "Precision",
        "conf.counts": "Counts",
        "conf.normalised": "Row-normalised",
        "conf.true": "True class",
        "conf.pred": "Predicted class",
        "cap.confusion": "Confusion matrix on the test split: counts (left) and normalised by true class (right).",
    },
    "zh-TW": {
        "conf.accuracy": "測試準確率為 {acc:.1%}（{split}，共 {n:,} 張）；validation 準確率為 {val_acc:.1%}。",
        "conf.pair": "{true}最常被誤判為{pred}：{true}的圖片中有 {pct:.0%}（{total} 張中的 {count} 張）。",
        "conf.best_worst": "最容易辨識的是{best}（正確率 {best_acc:.0%}）；最難的是{worst}（正確率 "
                           "{worst_acc:.0%}）。",
        "conf.mutual": "{a}與{b}互相混淆（{ab:.0%} 與 {ba:.0%}）。",
        "conf.none": "沒有任何類別有超過 {pct:.0%} 的圖片被誤判為同一個其他類別。",
        "conf.scarce": "{cls}只有 {n} 張測試圖片，因此該列的數字較不穩定。",
        "conf.class": "類別",
        "conf.support": "測試圖片數",
        "conf.recall": "正確率（recall）",
        "conf.precision": "精確率（precision）",
        "conf.counts": "張數",
        "conf.normalised": "依真實類別正規化",
        "conf.true": "真實類別",
        "conf.pred": "預測類別",
        "cap.confusion": "test set 上的 confusion matrix：張數（左）與依真實類別正規化（右）。",
    },
}


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(y_true * n + y_pred, minlength=n * n).reshape(n, n)


def analyse(cm: np.ndarray, classes: tuple[str, ...] | list[str]) -> dict:
    """Facts behind the text: per-class recall/precision and the strongest confusions."""
    support = cm.sum(1)
    predicted = cm.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(support[:, None] > 0, cm / support[:, None], 0.0)
        recall = np.where(support > 0, np.diag(cm) / support, np.nan)
        precision = np.where(predicted > 0, np.diag(cm) / predicted, np.nan)
    off = rate.copy()
    np.fill_diagonal(off, 0)
    pairs = [{"true": classes[i], "pred": classes[j], "rate": float(off[i, j]), "count": int(cm[i, j]),
              "total": int(support[i])}
             for i, j in zip(*np.unravel_index(np.argsort(-off, axis=None), off.shape)) if off[i, j] >= PAIR_MIN]
    mutual = [{"a": classes[i], "b": classes[j], "ab": float(off[i, j]), "ba": float(off[j, i])}
              for i in range(len(classes)) for j in range(i + 1, len(classes))
              if off[i, j] >= MUTUAL_MIN and off[j, i] >= MUTUAL_MIN]
    # "X is most often mistaken for Y" may name each true class once: at its strongest confusion
    strongest: dict[str, dict] = {}
    for p in pairs:  # sorted by rate, so a class's first pair is its strongest
        strongest.setdefault(p["true"], p)
    valid = ~np.isnan(recall)
    order = np.argsort(np.where(valid, recall, np.inf))
    return {
        "accuracy": float(np.trace(cm) / max(1, cm.sum())),
        "per_class": [{"class": c, "support": int(support[i]), "recall": _num(recall[i]),
                       "precision": _num(precision[i])} for i, c in enumerate(classes)],
        "pairs": pairs,
        "strongest": list(strongest.values()),
        "mutual": mutual,
        "best": classes[int(np.nanargmax(recall))] if valid.any() else None,
        "worst": classes[int(order[0])] if valid.any() else None,
        "scarce": [{"class": c, "support": int(support[i])} for i, c in enumerate(classes) if 0 < support[i] < SCARCE],
    }


def run(dataset, predictions, figures, text) -> Result:
    classes = dataset.classes
    test = predictions.test
    cm = confusion_matrix(test.y_true, test.y_pred, len(classes))
    f = analyse(cm, classes)
    recall = {r["class"]: r["recall"] for r in f["per_class"]}
    lines = [text("conf.accuracy", acc=f["accuracy"], n=int(cm.sum()), split=dataset.split_names["test"],
                  val_acc=predictions.val.accuracy)]
    if f["best"] is not None:
        lines.append(text("conf.best_worst", best=text.cls(f["best"]), best_acc=recall[f["best"]],
                          worst=text.cls(f["worst"]), worst_acc=recall[f["worst"]]))
    for p in f["strongest"][:3]:
        lines.append(text("conf.pair", true=text.cls(p["true"]), pred=text.cls(p["pred"]), pct=p["rate"],
                          count=p["count"], total=p["total"]))
    if not f["pairs"]:
        lines.append(text("conf.none", pct=PAIR_MIN))
    for m in f["mutual"][:2]:
        lines.append(text("conf.mutual", a=text.cls(m["a"]), b=text.cls(m["b"]), ab=m["ab"], ba=m["ba"]))
    for s in f["scarce"]:
        lines.append(text("conf.scarce", cls=text.cls(s["class"]), n=s["support"]))

    fig = plot_confusion(cm, [text.cls(c) for c in classes], text=text)
    figure = figures.save(fig, "confusion", text("cap.confusion"))
    rows = [{**r, "name": text.cls(r["class"])} for r in f["per_class"]]
    return Result(numbers={**f, "matrix": cm.tolist(), "val_accuracy": predictions.val.accuracy},
                  text=lines, figures=[figure], tables={"per_class": rows})


def plot_confusion(cm: np.ndarray, labels: list[str], *, text) -> plt.Figure:
    support = cm.sum(1, keepdims=True)
    norm = np.divide(cm, support, out=np.zeros(cm.shape), where=support > 0)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.1))
    sns.heatmap(cm, annot=True, fmt="d", cmap="Blues", cbar=False, ax=axes[0], xticklabels=labels,
                yticklabels=labels, annot_kws={"size": 7})
    sns.heatmap(norm, annot=True, fmt=".2f", cmap="Blues", vmin=0, vmax=1, cbar=False, ax=axes[1],
                xticklabels=labels, yticklabels=labels, annot_kws={"size": 7})
    for ax, title in ((axes[0], text("conf.counts")), (axes[1], text("conf.normalised"))):
        ax.set_title(title)
        ax.set_xlabel(text("conf.pred"))
        ax.set_ylabel(text("conf.true"))
        ax.tick_params(axis="x", rotation=45)
        ax.tick_params(axis="y", rotation=0)
    fig.tight_layout()
    return fig


def _num(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


section = Section(name="confusion", order=30, run=run, question=QUESTION, strings=STRINGS,
                  summary="Confusion matrix (counts and row-normalised), per-class accuracy, generated analysis")
