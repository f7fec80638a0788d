"""Question: training/validation loss and accuracy curves, and whether the model overfits."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from fer_report.report.requirements import HISTORY
from fer_report.logs import METRICS
from fer_report.report.section import Result, Section

GAP_LARGE = 0.05  # train - val accuracy above this reads as overfitting
LEAK_GAP = 0.10  # val accuracy this far above test accuracy suggests leakage


QUESTION = {
    "en": "Plot the training and validation loss and accuracy over the epochs. Does the model overfit?",
    "zh-TW": "請畫出訓練過程中 training 與 validation 的 loss 及 accuracy 曲線，並說明是否有 overfitting。",
}

STRINGS = {
    "en": {
        "hist.best": "The best validation accuracy, {val_acc:.1%}, came at epoch {epoch} of {epochs} (training "
                     "accuracy {train_acc:.1%} at that epoch)[[see:history]].",
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
        "hist.best_loss": "The lowest validation loss, {val_loss:.3f}, came at epoch {epoch} of {epochs}.",
        "hist.final_some": "After the last epoch: {values}.",
        "hist.item.train_loss": "training loss {v:.3f}",
        "hist.item.val_loss": "validation loss {v:.3f}",
        "hist.item.train_acc": "training accuracy {v:.1%}",
        "hist.item.val_acc": "validation accuracy {v:.1%}",
        "hist.sep": ", ",
        "hist.log": "The curves are your own training log {path} ({format}, {epochs} epochs, numbered from 1 as "
                    "Keras prints them); the model was not trained by this run.",
        "hist.missing": "The log has no {metrics}, so the statements that need them are left out.",
        "hist.log_time": "Your log records {seconds:.0f} s of training in all ({per:.1f} s per epoch).",
        "hist.log_vs_run": "Your log's best validation accuracy is {log:.1%}; on this report's validation and test "
                           "splits the given weights score {val:.1%} and {test:.1%} (a large difference means "
                           "other data, or an input prepared differently from your training).",
        "hist.ckpt": "Your checkpoint {file} also records the training that made it: {items}.",
        "hist.ckpt_epoch": "saved at epoch {epoch}",
        "hist.ckpt_opt_lr": "the state of the {optimizer} optimiser, at learning rate {lr:g} when saved",
        "hist.ckpt_opt": "the state of the {optimizer} optimiser",
        "cap.history": "Training and validation loss (left) and accuracy (right) per epoch.",
        "alt.history": "Loss and accuracy curves over {epochs} epochs: validation accuracy peaks at {best:.1%} in "
                       "epoch {epoch}; the last epoch ends at {train:.1%} training and {val:.1%} validation accuracy.",
    },
    "zh-TW": {
        "hist.best": "最佳 validation 準確率為 {val_acc:.1%}，出現在第 {epoch} 個 epoch（共 {epochs} 個；該 epoch "
                     "的 training 準確率為 {train_acc:.1%}）[[see:history]]。",
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
        "hist.best_loss": "最低的 validation loss 為 {val_loss:.3f}，出現在第 {epoch} 個 epoch（共 {epochs} 個）。",
        "hist.final_some": "最後一個 epoch：{values}。",
        "hist.item.train_loss": "training loss {v:.3f}",
        "hist.item.val_loss": "validation loss {v:.3f}",
        "hist.item.train_acc": "training 準確率 {v:.1%}",
        "hist.item.val_acc": "validation 準確率 {v:.1%}",
        "hist.sep": "、",
        "hist.log": "曲線取自你自己的訓練紀錄 {path}（{format}，共 {epochs} 個 epoch，如 Keras 從 1 起算）；模型並非由本次執行訓練。",
        "hist.missing": "紀錄中沒有 {metrics}，因此需要它們的敘述從略。",
        "hist.log_time": "你的紀錄共記錄 {seconds:.0f} 秒的訓練（每個 epoch {per:.1f} 秒）。",
        "hist.log_vs_run": "你的紀錄中最佳 validation 準確率為 {log:.1%}；在本報告的 validation 與 test 資料上，所提供的"
                           "權重分別為 {val:.1%} 與 {test:.1%}（差距很大表示資料不同，或輸入的前處理與訓練時不同）。",
        "hist.ckpt": "你的 checkpoint {file} 也記錄了產生它的訓練：{items}。",
        "hist.ckpt_epoch": "儲存於第 {epoch} 個 epoch",
        "hist.ckpt_opt_lr": "{optimizer} optimizer 的狀態，儲存時 learning rate 為 {lr:g}",
        "hist.ckpt_opt": "{optimizer} optimizer 的狀態",
        "cap.history": "每個 epoch 的 training 與 validation loss（左）及準確率（右）。",
        "alt.history": "{epochs} 個 epoch 的 loss 與準確率曲線：validation 準確率在第 {epoch} 個 epoch 達到最高 {best:.1%}；"
                       "最後一個 epoch 的 training 準確率為 {train:.1%}、validation 準確率為 {val:.1%}。",
    },
}


def _series(history: list[dict], key: str) -> np.ndarray:
    """One metric over the epochs, NaN where a user's log has no value."""
    return np.array([np.nan if h.get(key) is None else h[key] for h in history], dtype=float)


def _num(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def analyse(history: list[dict], test_acc: float | None = None) -> dict:
    """The facts the text is generated from; pure so it can be tested on hand-made curves. A user's log
    may lack any metric: facts that need it are None (``missing`` names the metrics absent throughout)."""
    s = {k: _series(history, k) for k in METRICS}
    has = {k: bool(np.isfinite(v).any()) for k, v in s.items()}
    by = "val_acc" if has["val_acc"] else "val_loss"
    best = (int(np.nanargmax(s["val_acc"])) if by == "val_acc" else int(np.nanargmin(s["val_loss"]))) \
        if has[by] else len(history) - 1
    val_acc, val_loss, train_loss = s["val_acc"], s["val_loss"], s["train_loss"]
    min_loss = int(np.nanargmin(val_loss)) if has["val_loss"] else None
    last = len(history) - 1
    k = min(3, last)
    final = {key: _num(s[key][-1]) for key in ("train_loss", "val_loss", "train_acc", "val_acc")}
    gap = _num(s["train_acc"][-1] - s["val_acc"][-1])
    facts = {
        "epochs": len(history),
        "best_epoch": int(history[best]["epoch"]),
        "best_by": by,
        "best_val_acc": _num(val_acc[best]),
        "best_val_loss": _num(val_loss[best]),
        "best_train_acc": _num(s["train_acc"][best]),
        "final": final,
        "gap": gap,
        "min_val_loss_epoch": None if min_loss is None else int(history[min_loss]["epoch"]),
        "min_val_loss": None if min_loss is None else float(val_loss[min_loss]),
        # overfitting: val loss rose clearly after its minimum while train loss kept falling
        "overfit": bool(min_loss is not None and has["train_loss"] and last - min_loss >= 2
                        and val_loss[-1] > 1.1 * val_loss[min_loss] and train_loss[-1] < train_loss[min_loss]),
        "still_improving": bool(k > 0 and has["val_acc"] and val_acc[-1] - val_acc[-1 - k] > 0.01),
        "last_k": k,
        "last_k_delta": float(val_acc[-1] - val_acc[-1 - k]) if k > 0 and has["val_acc"] else 0.0,
        "missing": [m for m in METRICS if not has[m]],
    }
    facts["leak"] = bool(test_acc is not None and facts["best_val_acc"] is not None
                         and facts["best_val_acc"] - test_acc > LEAK_GAP)
    return facts


def checkpoint_record(settings) -> dict:
    """The epoch and optimiser a given torch checkpoint records beside its weights (tensors only are read);
    nothing for a Keras, safetensors or exported file, or a bare state dict."""
    w = settings.weights
    if not w or Path(w).suffix.lower() in (".h5", ".hdf5", ".keras", ".safetensors"):
        return {}
    from fer_report.model.checkpoints import load_tensors, training_record

    return training_record(load_tensors(w, "weights file"))


def run(trained, predictions, settings, history_log, figures, text) -> Result:
    history = trained.history
    test_acc = predictions.test.accuracy
    f = analyse(history, None if history_log is not None else test_acc)  # a log's val split is not ours
    lines = []
    if history_log is not None:
        lines.append(text("hist.log", path=settings.history, format=history_log.format, epochs=f["epochs"]))
    if f["best_val_acc"] is not None:
        lines.append(text("hist.best", val_acc=f["best_val_acc"], epoch=f["best_epoch"], epochs=f["epochs"],
                          train_acc=f["best_train_acc"] if f["best_train_acc"] is not None else float("nan")))
    elif f["best_val_loss"] is not None:
        lines.append(text("hist.best_loss", val_loss=f["best_val_loss"], epoch=f["best_epoch"], epochs=f["epochs"]))
    if None not in f["final"].values():
        lines.append(text("hist.final", **f["final"]))
    else:
        items = [text(f"hist.item.{k}", v=v) for k, v in f["final"].items() if v is not None]
        lines.append(text("hist.final_some", values=text("hist.sep").join(items)))
    if f["overfit"]:
        lines.append(text("hist.overfit", min_epoch=f["min_val_loss_epoch"], min_loss=f["min_val_loss"],
                          last_loss=f["final"]["val_loss"], gap=f["gap"] if f["gap"] is not None else float("nan")))
    elif f["gap"] is not None:
        verdict = ("hist.gap_large" if f["gap"] > GAP_LARGE else "hist.gap_neg" if f["gap"] < -0.01
                   else "hist.gap_small")
        lines.append(text("hist.gap", gap=f["gap"], verdict=text(verdict)))
    if f["still_improving"]:
        lines.append(text("hist.underfit", delta=f["last_k_delta"], k=f["last_k"]))
    if f["leak"]:
        lines.append(text("hist.leak", val_acc=f["best_val_acc"], test_acc=test_acc))
    if f["missing"]:
        lines.append(text("hist.missing", metrics=", ".join(f["missing"])))
    if history_log is not None and f["best_val_acc"] is not None:
        lines.append(text("hist.log_vs_run", log=f["best_val_acc"], val=predictions.val.accuracy,
                          test=predictions.test.accuracy))
    device = str(trained.device)
    if history_log is not None:
        seconds = [h["seconds"] for h in history if h.get("seconds") is not None]
        if seconds:  # time per epoch only when the log has it
            lines.append(text("hist.log_time", seconds=sum(seconds), per=sum(seconds) / len(seconds)))
    elif trained.seconds > 0:
        lines.append(text("hist.trained", seconds=trained.seconds, device=device))
    else:
        lines.append(text("hist.cached", seconds=trained.recorded_seconds, device=device))

    fig = plot_history(history, best_epoch=f["best_epoch"], text=text)
    fin = f["final"]
    alt = text("alt.history", epochs=f["epochs"], best=f["best_val_acc"], epoch=f["best_epoch"],
               train=fin["train_acc"], val=fin["val_acc"]) if None not in (
        f["best_val_acc"], fin["train_acc"], fin["val_acc"]) else ""
    figure = figures.save(fig, "history", text("cap.history"), alt=alt)
    numbers = {**f, "test_acc": test_acc, "train_seconds": trained.recorded_seconds, "history": history}
    if history_log is not None:
        numbers["log"] = {"path": settings.history, "format": history_log.format, "notes": history_log.notes}
    record = checkpoint_record(settings)
    if record:
        numbers["checkpoint"] = record
        items = [text("hist.ckpt_epoch", epoch=record["epoch"])] if "epoch" in record else []
        if "optimizer" in record:
            items.append(text("hist.ckpt_opt_lr" if "lr" in record else "hist.ckpt_opt", **record))
        lines.append(text("hist.ckpt", file=Path(settings.weights).name, items=text("hist.sep").join(items)))
    return Result(numbers=numbers, text=lines, figures=[figure])


def plot_history(history: list[dict], *, best_epoch: int, text) -> plt.Figure:
    epochs = [h["epoch"] for h in history]
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.1))
    for ax, key, label in ((axes[0], "loss", text("fig.loss")), (axes[1], "acc", text("fig.acc"))):
        for split, marker, colour in (("train", "-o", "#1f77b4"), ("val", "-s", "#d62728")):
            values = _series(history, f"{split}_{key}")
            if np.isfinite(values).any():  # a user's log may lack a curve: draw what it has
                ax.plot(epochs, values, marker, ms=3, label=text(f"fig.{split}"), color=colour)
        ax.axvline(best_epoch, color="#888", ls="--", lw=1, label=text("fig.best"))
        ax.set_xlabel(text("fig.epoch"))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[1].legend(loc="lower right")
    fig.tight_layout()
    return fig


section = Section(name="history", requires=(HISTORY,), order=20, run=run, question=QUESTION, strings=STRINGS,
                  summary="Loss and accuracy curves (train vs val), best epoch, generated overfitting note")
