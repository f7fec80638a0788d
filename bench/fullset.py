"""The figure a user with the Kaggle file sees first: `fer-report build --sections confusion` on the
whole FER2013 (28,709 Training / 3,589 PublicTest / 3,589 PrivateTest) with the recipe chosen by
bench/accuracy.py (configs/fer2013-cpu.toml), on the CPU, for the epochs that fit in about an hour.
Without --epochs it first times one epoch of that recipe through the product (a throwaway cache) and
picks the count. Writes bench/results/fullset.json.

    .venv/bin/python bench/fullset.py [--data ../shared/data/fer2013.csv.gz] [--recipe fer2013-cpu]
                                      [--epochs N | --minutes 60]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from reference import begin, end, in_reference_units, save

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "fer2013.csv.gz"
TRAINING_KEYS = ("model", "epochs", "batch_size", "lr", "optimizer", "augment", "augment_policy", "schedule",
                 "label_smoothing", "mixup", "cutmix", "balance", "warmup_epochs", "weight_decay", "tta")


def seconds_per_epoch(data: Path, recipe: str) -> float:
    """One epoch of the recipe through fer_report.training.train (the data loaded once, not timed)."""
    sys.path.insert(0, str(ROOT))
    from fer_report.config import load_settings
    from fer_report.data import load_dataset
    from fer_report.training.train import train

    dataset = load_dataset(data)
    with tempfile.TemporaryDirectory(prefix="fer-epoch-") as tmp:
        settings = replace(load_settings(None, {}, recipe=recipe), data=str(data), epochs=1, device="cpu", out=tmp,
                           cache=str(Path(tmp) / "c"))
        start = time.perf_counter()
        train(settings, dataset, progress=False)
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--recipe", default="fer2013-cpu", help="a built-in recipe (configs/NAME.toml)")
    ap.add_argument("--epochs", type=int, help="default: as many as fit in --minutes, from one timed epoch")
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fullset.json")
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: not found (the whole FER2013; see ../shared/data/README.md)")
    result = begin("fullset") | {"data": str(args.data), "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY")}
    epochs = args.epochs
    if epochs is None:
        epoch_s = seconds_per_epoch(args.data, args.recipe)
        epochs = max(1, int(args.minutes * 60 // epoch_s))
        result["one_epoch_s"] = round(epoch_s, 1)
        result["loadavg_after_timing"] = [round(v, 2) for v in os.getloadavg()]
    exe = str(Path(sys.executable).with_name("fer-report"))
    with tempfile.TemporaryDirectory(prefix="fer-full-") as out:
        cmd = [exe, "build", "--sections", "confusion", "--recipe", args.recipe, "--data", str(args.data),
               "--epochs", str(epochs), "--device", "cpu", "--out", out, "-q"]
        start, child_cpu = time.perf_counter(), os.times()
        subprocess.run(cmd, check=True)
        wall, end_cpu = time.perf_counter() - start, os.times()
        report = json.loads((Path(out) / "report.json").read_text())
    section = next(s for s in report["sections"] if s["name"] == "confusion")
    n = section["numbers"]
    disgust = next(r for r in n["per_class"] if r["class"] == "Disgust")
    settings = report.get("settings", {})
    result.update({
        "built": " ".join(["fer-report", *cmd[1:-3]]), "epochs": epochs,
        "recipe": {k: settings.get(k) for k in TRAINING_KEYS if k in settings},
        "selection": f"best {n.get('checkpoint_split')} (val) epoch", "private_test_acc": n["accuracy"],
        "macro_f1": n["macro_f1"], "balanced_acc": n["balanced_accuracy"], "public_test_acc": n["val_accuracy"],
        "disgust_recall": disgust["recall"], "disgust_precision": disgust["precision"],
        "build_wall_s": round(wall, 1),
        "build_cpu_s": round((end_cpu.children_user - child_cpu.children_user)
                             + (end_cpu.children_system - child_cpu.children_system), 1),
        "training": report.get("run", {}).get("training"),
    })
    end(result)
    result["build_in_reference_units"] = in_reference_units(result["build_wall_s"], result)
    save(result, args.out)


if __name__ == "__main__":
    main()
