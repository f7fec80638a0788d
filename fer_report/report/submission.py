"""The course's Kaggle submission (``id,label``) from the model's predictions on an unlabelled test file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from fer_report.report.artifacts import Artefacts


def write_submission(artefacts: Artefacts, test_file: Path, dest: Path) -> dict[str, Any]:
    from fer_report.data.csv import load_unlabelled
    from fer_report.model.inference import predict_probs

    ids, x = load_unlabelled(test_file)
    t = artefacts.get("trained")
    labels = predict_probs(t.model, x, t.spec, t.device, ten_crop=t.ten_crop, tta=t.tta).argmax(1)
    dest.write_text("id,label\n" + "".join(f"{i},{k}\n" for i, k in zip(ids, labels)), encoding="utf-8")
    counts = np.bincount(labels, minlength=len(artefacts.get("dataset").classes))
    return {"file": "submission.csv", "from": str(test_file), "rows": len(ids), "predicted_per_class": counts.tolist()}
