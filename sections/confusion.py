"""Question: the confusion matrix on the test split, and which classes get confused with which.

Beside accuracy it gives macro-F1 and balanced accuracy, which weigh every class alike: FER2013's
Disgust is 1.5 % of the images, so a model that never predicts it loses almost no accuracy but a
seventh of either score. It also says which split chose the checkpoint (validation, never test) and
what the run's ``--balance`` did for the rarest class.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from fer_report.report.section import Result, Section

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
        "conf.macro": "Macro-F1 is {f1:.1%} and balanced accuracy (the mean of the {k} per-class recalls) {bal:.1%}: "
                      "unlike accuracy they weigh every class alike, so a rare class the model misses pulls them "
                      "down.",
        "conf.checkpoint": "The checkpoint was chosen on {val} (the validation split: the epoch with the best "
                           "accuracy there), never on {test} (the test split), so these test figures are the "
                           "model's first look at {test}.",
        "conf.checkpoint_given": "The model came trained: whoever trained it chose its checkpoint (if they chose it "
                                 "on {test}, these test figures are optimistic).",
        "conf.rare": "{cls} is the rarest class ({share:.1%} of the training images, {n} test images): recall "
                     "{recall:.0%}, precision {precision:.0%} ({predicted} test images predicted {cls}).",
        "conf.rare_never": "{cls} is the rarest class ({share:.1%} of the training images, {n} test images): the "
                           "model never predicts it, so its recall is 0 and its precision undefined.",
        "conf.balance_none": "Training used no class balancing (--balance none): every image counts the same, so "
                             "a class this rare costs little to ignore; --balance weights or sampler counters that.",
        "conf.balance_weights": "Training weighted each image's loss by the inverse frequency of its class "
                                "(--balance weights), so every class weighed the same in total: a {cls} image "
                                "counted {w:.1f} times an average image, a {common} image {common_w:.2f} times.",
        "conf.balance_sampler": "Training drew its batches class-balanced (--balance sampler), so every class "
                                "filled the same share of them: each {cls} image was seen about {w:.1f} times an "
                                "epoch, a {common} image about {common_w:.2f} times.",
        "conf.pair": "{true} is most often mistaken for {pred}: {pct:.0%} of {true} images ({count} of {total}).",
        "conf.best_worst": "The easiest class is {best} ({best_acc:.0%} correct); the hardest is {worst} "
                           "({worst_acc:.0%} correct).",
        "conf.mutual": "{a} and {b} are confused in both directions ({ab:.0%} and {ba:.0%}).",
        "conf.none": "No class is mistaken for another in more than {pct:.0%} of its images.",
        "conf.scarce": "{cls} has only {n} test images, so its row is noisy.",
        "conf.tta": "Each prediction here is the mean of {views} views of the image ({kind}, as the header says); on "
                    "the single image the test accuracy is {single:.1%}, so the averaging changes it by {diff:+.1f} "
                    "percentage points.",
        "conf.single_split": "{split}, single image",
        "conf.class": "Class",
        "conf.support": "Test images",
        "conf.recall": "Accuracy (recall)",
        "conf.precision": "Precision",
        "conf.f1": "F1",
        "conf.metric": "Test split",
        "conf.acc_name": "Accuracy",
        "conf.f1_name": "Macro-F1",
        "conf.bal_name": "Balanced accuracy",
        "conf.counts": "Counts",
        "conf.normalised": "Row-normalised",
        "conf.true": "True class",
        "conf.pred": "Predicted class",
        "cap.confusion": "Confusion matrix on the test split: counts (left) and normalised by true class (right).",
        "alt.confusion": "Confusion matrix of the test split, rows the true class, columns the predicted one: {acc:.0%} "
                         "right overall; the largest confusion is {true} predicted as {pred}, {pct:.0%} of the {true} "
                         "images.",
        "alt.confusion_none": "Confusion matrix of the test split, rows the true class, columns the predicted one: "
                              "{acc:.0%} right overall, no class confused with another in {pct:.0%} of its images.",
    },
    "zh-TW": {
        "conf.accuracy": "測試準確率為 {acc:.1%}（{split}，共 {n:,} 張）；validation 準確率為 {val_acc:.1%}。",
        "conf.macro": "Macro-F1 為 {f1:.1%}，balanced accuracy（{k} 個類別 recall 的平均）為 {bal:.1%}：與準確率"
                      "不同，它們對每個類別一視同仁，模型漏掉稀少的類別時這兩個數字會明顯下降。",
        "conf.checkpoint": "checkpoint 是依 {val} 選出的（validation split：在其上準確率最高的 epoch），從未依 {test}"
                           "（test split）選擇，因此這些測試數字是模型第一次看到 {test} 的結果。",
        "conf.checkpoint_given": "這個模型是訓練好之後給定的：checkpoint 由訓練它的人選擇（若是依 {test} 選出，這些測試"
                                 "數字會偏高）。",
        "conf.rare": "{cls}是最稀少的類別（占訓練圖片的 {share:.1%}，測試圖片 {n} 張）：recall {recall:.0%}，"
                     "precision {precision:.0%}（有 {predicted} 張測試圖片被預測為{cls}）。",
        "conf.rare_never": "{cls}是最稀少的類別（占訓練圖片的 {share:.1%}，測試圖片 {n} 張）：模型從未預測它，"
                           "因此 recall 為 0，precision 無法定義。",
        "conf.balance_none": "訓練時沒有做類別平衡（--balance none）：每張圖片的權重相同，忽略這麼稀少的類別幾乎"
                             "沒有代價；--balance weights 或 sampler 可以改善。",
        "conf.balance_weights": "訓練時每張圖片的 loss 依其類別頻率的倒數加權（--balance weights），使每個類別的總權重"
                                "相同：一張{cls}圖片的權重是平均的 {w:.1f} 倍，一張{common}圖片是 {common_w:.2f} 倍。",
        "conf.balance_sampler": "訓練時以類別平衡的方式抽取 batch（--balance sampler），使每個類別占相同的比例：每張"
                                "{cls}圖片一個 epoch 約被看到 {w:.1f} 次，每張{common}圖片約 {common_w:.2f} 次。",
        "conf.pair": "{true}最常被誤判為{pred}：{true}的圖片中有 {pct:.0%}（{total} 張中的 {count} 張）。",
        "conf.best_worst": "最容易辨識的是{best}（正確率 {best_acc:.0%}）；最難的是{worst}（正確率 "
                           "{worst_acc:.0%}）。",
        "conf.mutual": "{a}與{b}互相混淆（{ab:.0%} 與 {ba:.0%}）。",
        "conf.none": "沒有任何類別有超過 {pct:.0%} 的圖片被誤判為同一個其他類別。",
        "conf.scarce": "{cls}只有 {n} 張測試圖片，因此該列的數字較不穩定。",
        "conf.tta": "這裡每個預測都是圖片 {views} 個視角（{kind}，見頁首）的平均；只用單張圖片時測試準確率為 "
                    "{single:.1%}，平均使其改變 {diff:+.1f} 個百分點。",
        "conf.single_split": "{split}，單張圖片",
        "conf.class": "類別",
        "conf.support": "測試圖片數",
        "conf.recall": "正確率（recall）",
        "conf.precision": "精確率（precision）",
        "conf.f1": "F1",
        "conf.metric": "測試集",
        "conf.acc_name": "準確率",
        "conf.f1_name": "Macro-F1",
        "conf.bal_name": "Balanced accuracy",
        "conf.counts": "張數",
        "conf.normalised": "依真實類別正規化",
        "conf.true": "真實類別",
        "conf.pred": "預測類別",
        "cap.confusion": "test set 上的 confusion matrix：張數（左）與依真實類別正規化（右）。",
        "alt.confusion": "測試集的 confusion matrix，列為真實類別、欄為預測類別：整體答對 {acc:.0%}；最大的混淆是{true}"
                         "被預測為{pred}，占{true}圖片的 {pct:.0%}。",
        "alt.confusion_none": "測試集的 confusion matrix，列為真實類別、欄為預測類別：整體答對 {acc:.0%}，沒有任何類別有 "
                              "{pct:.0%} 以上的圖片被誤判為同一個其他類別。",
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
    tp = np.diag(cm).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):  # F1 = 2 tp / (2 tp + fp + fn); 0 for a class never hit
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), np.nan)
    return {
        "accuracy": float(np.trace(cm) / max(1, cm.sum())),
        # over the classes the test split has: a class never predicted scores 0, not "undefined"
        "macro_f1": float(np.nanmean(np.where(support > 0, f1, np.nan))) if valid.any() else None,
        "balanced_accuracy": float(np.nanmean(recall)) if valid.any() else None,
        "per_class": [{"class": c, "support": int(support[i]), "predicted": int(predicted[i]), "recall": _num(recall[i]),
                       "precision": _num(precision[i]), "f1": _num(f1[i])} for i, c in enumerate(classes)],
        "pairs": pairs,
        "strongest": list(strongest.values()),
        "mutual": mutual,
        "best": classes[int(np.nanargmax(recall))] if valid.any() else None,
        "worst": classes[int(order[0])] if valid.any() else None,
        "scarce": [{"class": c, "support": int(support[i])} for i, c in enumerate(classes) if 0 < support[i] < SCARCE],
    }


def run(dataset, predictions, trained, settings, figures, text) -> Result:
    classes = dataset.classes
    test = predictions.test
    cm = confusion_matrix(test.y_true, test.y_pred, len(classes))
    f = analyse(cm, classes)
    recall = {r["class"]: r["recall"] for r in f["per_class"]}
    names = dataset.split_names
    lines = [text("conf.accuracy", acc=f["accuracy"], n=int(cm.sum()), split=names["test"],
                  val_acc=predictions.val.accuracy)]
    single = _single_image(predictions, trained, len(classes), names["test"], text)
    if single is not None:
        lines.append(single["sentence"])
    if f["macro_f1"] is not None:
        lines.append(text("conf.macro", f1=f["macro_f1"], bal=f["balanced_accuracy"],
                          k=sum(r["support"] > 0 for r in f["per_class"])))
    trained_here = getattr(trained, "trained_here", True)
    if trained_here:
        lines.append(text("conf.checkpoint", val=names["val"], test=names["test"]))
    else:
        lines.append(text("conf.checkpoint_given", test=names["test"]))
    if f["best"] is not None:
        lines.append(text("conf.best_worst", best=text.cls(f["best"]), best_acc=recall[f["best"]],
                          worst=text.cls(f["worst"]), worst_acc=recall[f["worst"]]))
    rare = rare_class(dataset.train.y, len(classes))
    balance = getattr(settings, "balance", "none") if trained_here else None
    lines += _rare_sentences(f["per_class"], rare, dataset.train.y, balance, text)
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
    top = f["pairs"][0] if f["pairs"] else None
    alt = (text("alt.confusion", acc=f["accuracy"], true=text.cls(top["true"]), pred=text.cls(top["pred"]),
                pct=top["rate"]) if top else text("alt.confusion_none", acc=f["accuracy"], pct=PAIR_MIN))
    figure = figures.save(fig, "confusion", text("cap.confusion"), alt=alt)
    rows = [{**r, "name": text.cls(r["class"])} for r in f["per_class"]]
    return Result(numbers={**f, "matrix": cm.tolist(), "val_accuracy": predictions.val.accuracy,
                           "single_image": single["row"] if single else None,
                           "checkpoint_split": names["val"] if trained_here else None,
                           "balance": balance, "rare_class": classes[rare]},
                  text=lines, figures=[figure],
                  tables={"per_class": rows, "summary": {"split": names["test"], "accuracy": f["accuracy"],
                                                          "macro_f1": f["macro_f1"],
                                                          "balanced_accuracy": f["balanced_accuracy"]},
                          **({"single": single["row"]} if single else {})})


def _single_image(predictions, trained, k: int, split: str, text) -> dict | None:
    """With test-time averaging (flip, five or ten crops): the test figures of one view of each image, beside."""
    single = getattr(predictions, "single", None)
    if single is None:
        return None
    from fer_report.model.inference import views

    seen = views(trained.model, trained.spec.size, tta=trained.tta, ten_crop=trained.ten_crop)
    f = analyse(confusion_matrix(single.y_true, single.y_pred, k), [str(i) for i in range(k)])
    return {"sentence": text("conf.tta", views=seen.count, kind=seen.kind, single=f["accuracy"],
                             diff=100 * (predictions.test.accuracy - f["accuracy"])),
            "row": {"split": text("conf.single_split", split=split), "accuracy": f["accuracy"],
                    "macro_f1": f["macro_f1"], "balanced_accuracy": f["balanced_accuracy"], "views": seen.to_json()}}


def rare_class(train_y: np.ndarray, n: int) -> int:
    """The class with the fewest training images (FER2013's Disgust), the one imbalance hurts most."""
    counts = np.bincount(train_y, minlength=n)
    return int(np.argmin(np.where(counts > 0, counts, np.iinfo(np.int64).max)))


def _rare_sentences(per_class: list[dict], k: int, train_y: np.ndarray, balance: str | None, text) -> list[str]:
    """Class ``k``'s recall and precision, and what the run's --balance did for it (None: not trained here)."""
    row, counts = per_class[k], np.bincount(train_y).astype(float)
    share, name = counts[k] / max(1.0, counts.sum()), text.cls(row["class"])
    lines = []
    if row["support"] > 0 and row["predicted"] == 0:
        lines.append(text("conf.rare_never", cls=name, share=share, n=row["support"]))
    elif row["support"] > 0:
        lines.append(text("conf.rare", cls=name, share=share, n=row["support"], recall=row["recall"],
                          precision=row["precision"], predicted=row["predicted"]))
    # --balance weights: an image of class c weighs N / (K n_c); sampler: class c's n_c images share N / K draws
    present, common = int((counts > 0).sum()), int(np.argmax(counts))
    relative = {"w": 1.0 / (present * share), "common_w": counts.sum() / (present * counts[common])}
    if balance in ("weights", "sampler"):
        lines.append(text(f"conf.balance_{balance}", cls=name, common=text.cls(per_class[common]["class"]),
                          **relative))
    elif balance == "none":
        lines.append(text("conf.balance_none"))
    return lines


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
