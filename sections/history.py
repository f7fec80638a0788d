"""Question: training/validation loss and accuracy curves, and whether the model overfits."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fer_report.section import Result, Section

GAP_LARGE = 0.05  # train - val accuracy above this reads as overfitting
LEAK_GAP = 0.10  # val accuracy this far above test accuracy suggests leakage


QUESTION = {
    "en": "Plot the training and validation loss and accuracy over the epochs. Does the model overfit?",
    "zh-TW": "請畫出訓練過程中 training 與 validation 的 loss 及 accuracy 曲線，並說明是否有 overfitting。",
}

STRINGS = {
    "en": {
        "hist.best": "The best validation accuracy, {val_acc:.1%}, came at epoch {epoch} of {epochs} (training "
                     "accuracy {train_acc:.1%} at that epoch).",
        "hist.final": "After the last epoch: training loss {train_loss:.3f}, validation loss {val_loss:.3f}; "
                      "training accuracy {train_acc:.1%}, validation accuracy {val_acc:.1%}.",
        "hist.overfit": "The model overfits: validation loss was lowest at epoch {min_epoch} ({min_loss:.3f}) and "
                        "rose to {last_loss:.3f} by the end, while training loss kept falling; the train/val "
                        "accuracy gap ends at {gap:+.1%}.",
        "hist.gap": "The gap between training and validation accuracy ends at {gap:+.1%}: {verdict}.",
        "hist.gap_small": "no sign of overfitting",
        "hist.gap_large": "the model fits the training set noticeably better than unseen data (mild overfitting)",
        "hist.gap_neg": "validation accuracy is above training accuracy, as expected while augmentation and "
                        "dropout make training harder than evaluation",
        "hist.underfit": "Validation accuracy was still rising in the last epochs ({delta:+.1%} over the last "
                         "{k}): more epochs would likely help.",
        "hist.leak": "Warning: validation accuracy ({val_acc:.1%}) is far above test accuracy ({test_acc:.1%}); "
                     "the validation split may overlap the training data.",
        "hist.trained": "Training took {seconds:.0f} s on {device}.",
        "hist.cached": "The model was reused from the training cache (trained earlier in {seconds:.0f} s on "
                       "{device}).",
        "cap.history": "Training and validation loss (left) and accuracy (right) per epoch.",
    },
    "zh-TW": {
        "hist.best": "最佳 validation 準確率為 {val_acc:.1%}，出現在第 {epoch} 個 epoch（共 {epochs} 個；該 epoch "
                     "的 training 準確率為 {train_acc:.1%}）。",
        "hist.final": "最後一個 epoch：training loss {train_loss:.3f}、validation loss {val_loss:.3f}；training "
                      "準確率 {train_acc:.1%}、validation 準確率 {val_acc:.1%}。",
        "hist.overfit": "模型出現 overfitting：validation loss 在第 {min_epoch} 個 epoch "
                        "最低（{min_loss:.3f}），之後上升到 {last_loss:.3f}，而 training loss 持續下降；training "
                        "與 validation 準確率最後相差 {gap:+.1%}。",
        "hist.gap": "training 與 validation 準確率最後相差 {gap:+.1%}：{verdict}。",
        "hist.gap_small": "沒有 overfitting 的跡象",
        "hist.gap_large": "模型在訓練資料上明顯比在未見過的資料上好（輕微 overfitting）",
        "hist.gap_neg": "validation 準確率高於 training 準確率，這是因為資料增強與 dropout 讓訓練時比評估時更難",
        "hist.underfit": "validation 準確率在最後幾個 epoch 仍在上升（最後 {k} 個 epoch 上升 {delta:+.1%}），增加 "
                         "epoch 數可能會更好。",
        "hist.leak": "警告：validation 準確率（{val_acc:.1%}）遠高於 test 準確率（{test_acc:.1%}），validation "
                     "資料可能與訓練資料重疊。",
        "hist.trained": "訓練在 {device} 上花了 {seconds:.0f} 秒。",
        "hist.cached": "模型取自訓練快取（先前在 {device} 上訓練 {seconds:.0f} 秒）。",
        "cap.history": "每個 epoch 的 training 與 validation loss（左）及準確率（右）。",
    },
}


def analyse(history: list[dict], test_acc: float | None = None) -> dict:
    """The facts the text is generated from; pure so it can be tested on hand-made curves."""
    val_acc = np.array([h["val_acc"] for h in history])
    val_loss = np.array([h["val_loss"] for h in history])
    train_loss = np.array([h["train_loss"] for h in history])
    best = int(val_acc.argmax())
    min_loss = int(val_loss.argmin())
    last = len(history) - 1
    k = min(3, last)
    facts = {
        "epochs": len(history),
        "best_epoch": best + 1,
        "best_val_acc": float(val_acc[best]),
        "best_train_acc": float(history[best]["train_acc"]),
        "final": {key: float(history[-1][key]) for key in ("train_loss", "val_loss", "train_acc", "val_acc")},
        "gap": float(history[-1]["train_acc"] - history[-1]["val_acc"]),
        "min_val_loss_epoch": min_loss + 1,
        "min_val_loss": float(val_loss[min_loss]),
        # overfitting: val loss rose clearly after its minimum while train loss kept falling
        "overfit": bool(last - min_loss >= 2 and val_loss[-1] > 1.1 * val_loss[min_loss]
                        and train_loss[-1] < train_loss[min_loss]),
        "still_improving": bool(k > 0 and val_acc[-1] - val_acc[-1 - k] > 0.01),
        "last_k": k,
        "last_k_delta": float(val_acc[-1] - val_acc[-1 - k]) if k > 0 else 0.0,
    }
    facts["leak"] = bool(test_acc is not None and facts["best_val_acc"] - test_acc > LEAK_GAP)
    return facts


def run(trained, predictions, figures, text) -> Result:
    history = trained.history
    test_acc = predictions.test.accuracy
    f = analyse(history, test_acc)
    lines = [
        text("hist.best", val_acc=f["best_val_acc"], epoch=f["best_epoch"], epochs=f["epochs"],
             train_acc=f["best_train_acc"]),
        text("hist.final", **f["final"]),
    ]
    if f["overfit"]:
        lines.append(text("hist.overfit", min_epoch=f["min_val_loss_epoch"], min_loss=f["min_val_loss"],
                          last_loss=f["final"]["val_loss"], gap=f["gap"]))
    else:
        verdict = ("hist.gap_large" if f["gap"] > GAP_LARGE else "hist.gap_neg" if f["gap"] < -0.01
                   else "hist.gap_small")
        lines.append(text("hist.gap", gap=f["gap"], verdict=text(verdict)))
    if f["still_improving"]:
        lines.append(text("hist.underfit", delta=f["last_k_delta"], k=f["last_k"]))
    if f["leak"]:
        lines.append(text("hist.leak", val_acc=f["best_val_acc"], test_acc=test_acc))
    device = str(trained.device)
    if trained.seconds > 0:
        lines.append(text("hist.trained", seconds=trained.seconds, device=device))
    else:
        lines.append(text("hist.cached", seconds=trained.recorded_seconds, device=device))

    fig = plot_history(history, best_epoch=f["best_epoch"], text=text)
    figure = figures.save(fig, "history", text("cap.history"))
    return Result(numbers={**f, "test_acc": test_acc, "train_seconds": trained.recorded_seconds,
                           "history": history}, text=lines, figures=[figure])


def plot_history(history: list[dict], *, best_epoch: int, text) -> plt.Figure:
    epochs = [h["epoch"] for h in history]
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.1))
    for ax, key, label in ((axes[0], "loss", text("fig.loss")), (axes[1], "acc", text("fig.acc"))):
        ax.plot(epochs, [h[f"train_{key}"] for h in history], "-o", ms=3, label=text("fig.train"), color="#1f77b4")
        ax.plot(epochs, [h[f"val_{key}"] for h in history], "-s", ms=3, label=text("fig.val"), color="#d62728")
        ax.axvline(best_epoch, color="#888", ls="--", lw=1, label=text("fig.best"))
        ax.set_xlabel(text("fig.epoch"))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[1].legend(loc="lower right")
    fig.tight_layout()
    return fig


section = Section(name="history", order=20, run=run, question=QUESTION, strings=STRINGS,
                  summary="Loss and accuracy curves (train vs val), best epoch, generated overfitting note")
