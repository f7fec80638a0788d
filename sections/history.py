"""Question: training/validation loss and accuracy curves, and whether the model overfits."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fer_report.section import Result, Section

GAP_LARGE = 0.05  # train - val accuracy above this reads as overfitting
LEAK_GAP = 0.10  # val accuracy this far above test accuracy suggests leakage


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


section = Section(name="history", order=20, run=run,
                  summary="Loss and accuracy curves (train vs val), best epoch, generated overfitting note")
