"""How many of each course year's questions a build answers for a student's own model (issue 24), and what
each preset build costs, measured the way issue 24 measured it: every preset built in English from a
student-style model file, a freshly initialised state dict and a Keras CSVLogger log

    --model model.py:NAME --weights best.pth --history log.csv

each preset cold (its own empty cache). ``--with-code`` adds the student's own code for the "paste the
code" questions (``--code augmentation=train.py:augment --code confusion=train.py:plot_confusion``).
A question counts as computed when every section under it ran (a question with parts counts through its
parts); one whose section was skipped is listed with the section's reason; one no section answers is the
student's to write (``--answers``). Writes bench/results/coverage.json.

    .venv/bin/python bench/coverage.py [--model small|resnet18-48] [--presets P,Q] [--with-code]
                                       [-- extra build flags, e.g. --epochs 1 --synthetic-size small]

The ResNet18 row trains the student's 11 M parameter class for every comparison a preset asks for: on 2
CPU cores that is minutes per epoch, so its timings are taken with few epochs and say which.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import timed  # noqa: E402  (the same timing as bench/build.py)
from own_model import _student_resnet, checkpoint  # noqa: E402
from reference import begin, end, save  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ["ntu-ml-2017spring-hw3", "ntu-ml-2018fall-hw3", "ntu-ml-2019fall-hw3", "ntu-ml-2019spring-hw3",
           "ntu-ml-2019spring-hw4", "ntu-ml-2025-hw3"]

SMALL = '''
import torch.nn as nn


class Classifier(nn.Module):
    """Three conv blocks and a two-layer head (1.3 M parameters), as a student's model.py writes it."""

    def __init__(self, num_classes=7):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(128 * 6 * 6, 256), nn.ReLU(), nn.Dropout(0.5),
                                  nn.Linear(256, num_classes))

    def forward(self, x):
        return self.head(self.features(x))
'''
MODELS = {"small": (lambda: SMALL, "Classifier"), "resnet18-48": (_student_resnet, "ResNet18")}

LOG = "epoch,accuracy,loss,val_accuracy,val_loss\n" + "".join(
    f"{e},{0.30 + 0.04 * e:.2f},{1.80 - 0.10 * e:.2f},{0.33 + 0.03 * e:.2f},{1.75 - 0.07 * e:.2f}\n" for e in range(8))

TRAIN_PY = '''
import numpy as np


def augment(image, rng):
    """Random horizontal flip and a shift of up to 4 pixels."""
    if rng.random() < 0.5:
        image = image[:, ::-1]
    dy, dx = rng.integers(-4, 5, size=2)
    return np.roll(image, (dy, dx), axis=(0, 1))


def plot_confusion(y_true, y_pred, classes):
    from sklearn.metrics import ConfusionMatrixDisplay
    return ConfusionMatrixDisplay.from_predictions(y_true, y_pred, display_labels=classes, normalize="true")
'''


def student_files(folder: Path, model: str, with_code: bool) -> list[str]:
    """The files a student hands fer-report, and the flags that name them."""
    source, name = MODELS[model]
    checkpoint(folder, source(), name)
    (folder / "log.csv").write_text(LOG)
    flags = ["--model", f"{folder / 'model.py'}:{name}", "--weights", str(folder / "best.pth"),
             "--history", str(folder / "log.csv")]
    if with_code:
        (folder / "train.py").write_text(TRAIN_PY)
        flags += ["--code", f"augmentation={folder / 'train.py'}:augment",
                  "--code", f"confusion={folder / 'train.py'}:plot_confusion"]
    return flags


def coverage(report: dict) -> dict:
    """Questions computed, not computed (number, section, reason) and the student's own, from report.json."""
    status = {s["name"]: s for s in report["sections"]}
    blocks = [b for b in report["outline"] if b["kind"] == "question"]
    rows = {"computed": [], "not_computed": [], "student_only": []}
    for i, b in enumerate(blocks):
        has_parts = i + 1 < len(blocks) and blocks[i + 1]["level"] > b["level"]
        if has_parts and not b["refs"]:
            continue  # a heading over parts: its parts count
        if not b["refs"]:
            rows["student_only"].append(b["number"])
            continue
        missing = [(r["section"], status[r["section"]].get("reason")) for r in b["refs"]
                   if status.get(r["section"], {}).get("status") != "ok"]
        if missing:
            rows["not_computed"].append({"question": b["number"], "sections": dict(missing)})
        else:
            rows["computed"].append(b["number"])
    rows["total"] = sum(len(rows[k]) for k in ("computed", "not_computed", "student_only"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=sorted(MODELS), default="small")
    ap.add_argument("--presets", default=",".join(PRESETS))
    ap.add_argument("--with-code", action="store_true")
    ap.add_argument("extra", nargs="*", help="more build flags, after --")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("fer-report"))
    result = begin("coverage")
    result.update(model=args.model, with_code=args.with_code, extra=args.extra, presets={})
    work = Path(tempfile.mkdtemp(prefix="fer-coverage-"))
    try:
        flags = student_files(work, args.model, args.with_code)
        for preset in args.presets.split(","):
            out, cache = work / preset, work / f"cache-{preset}"
            run = timed([exe, "build", "--all", "--questions", preset, "--lang", "en", *flags, *args.extra,
                         "--out", str(out), "--cache", str(cache), "-q"])
            report = json.loads((out / "report.json").read_text())
            row = {**run, **coverage(report), "section_seconds": {s["name"]: s["seconds"] for s in report["sections"]}}
            result["presets"][preset] = row
            print(f"{preset}: {len(row['computed'])}/{row['total']} computed, {run['seconds']} s, "
                  f"not computed {row['not_computed']}, student's own {row['student_only']}", flush=True)
            shutil.rmtree(cache, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = result["presets"].values()
    result["all"] = {k: sum(len(r[k]) for r in rows) for k in ("computed", "not_computed", "student_only")}
    result["all"]["total"] = sum(r["total"] for r in rows)
    suffix = "" if args.model == "small" else f"-{args.model}"
    save(end(result), ROOT / "bench" / "results" / f"coverage{suffix}{'-code' if args.with_code else ''}.json")


if __name__ == "__main__":
    main()
