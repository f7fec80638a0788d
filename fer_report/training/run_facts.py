"""The facts the comparison sections state about one training run (dnn, normalization): the best
validation epoch, the final accuracies and their gap, the test accuracy predicted as validation was,
and what the run cost."""

from __future__ import annotations

import numpy as np

from fer_report.model.inference import predict_probs


def run_facts(t, dataset) -> dict:
    """Best validation epoch, final accuracies and gap, test accuracy and seconds of one run (a ``Trained``)."""
    h = t.history
    val = np.array([e["val_acc"] for e in h])
    best = int(val.argmax())
    probs = predict_probs(t.model, dataset.test.x, t.spec, t.device, ten_crop=t.ten_crop, tta=t.tta)
    test = float((probs.argmax(1) == dataset.test.y).mean()) if len(dataset.test) else float("nan")
    return {"best_epoch": best + 1, "best_val_acc": float(val[best]), "final_train_acc": float(h[-1]["train_acc"]),
            "final_val_acc": float(h[-1]["val_acc"]), "gap": float(h[-1]["train_acc"] - h[-1]["val_acc"]),
            "test_acc": test, "seconds": float(t.recorded_seconds), "epochs": len(h)}
