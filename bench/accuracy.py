"""Accuracy of training recipes on real faces: the 6,000-row FER2013 sample (4,000 Training / 1,000
PublicTest / 1,000 PrivateTest), cnn4, every candidate change trained through the product's own code
(``fer_report.training.train.train`` with the candidate's settings, a throwaway cache per run), against today's
recipe and a plain student-style PyTorch script. The checkpoint is the best PublicTest epoch; the
score is PrivateTest accuracy, macro-F1 and Disgust's recall at that checkpoint. Writes
bench/results/accuracy.json after every run (a killed campaign resumes with --resume).

    .venv/bin/python bench/accuracy.py [--data ../shared/data/fer2013-small.csv] [--seeds 0,1]
                                       [--candidates today,ls0.1,...] [--epochs 20] [--resume]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fer_report.training import train as tr
from fer_report.config import Settings  # noqa: E402
from fer_report.data import load_dataset  # noqa: E402
from fer_report.model.inference import predict_probs  # noqa: E402
from fer_report.model.builtin import build_model  # noqa: E402
from fer_report.sections.confusion import analyse, confusion_matrix  # noqa: E402
from reference import WORKLOAD, reference_seconds  # noqa: E402  (bench/ is on sys.path: run as a script)

DATA = ROOT.parent / "shared" / "data" / "fer2013-small.csv"
BUDGET_S = 480  # the plain student script's 20 epochs on 2 cores (issue 14)

# Today's recipe, written out so that changing the defaults does not change what "today" means.
TODAY = dict(optimizer="adam", lr=2e-3, batch_size=64, augment=True, augment_policy="light", schedule="cosine",
             label_smoothing=0.0, mixup=0.0, cutmix=0.0, balance="none", warmup_epochs=0, weight_decay=None,
             tta="none", ten_crop=False)

# Each candidate: today's recipe with these changes. "nchw" is today's recipe on the old memory layout.
CANDIDATES: dict[str, dict] = {
    "today": {},
    "nchw": {"_layout": "nchw"},
    "ls0.1": dict(label_smoothing=0.1),
    "mixup0.2": dict(mixup=0.2),
    "cutmix1": dict(cutmix=1.0),
    "weights": dict(balance="weights"),
    "sampler": dict(balance="sampler"),
    "warmup2": dict(warmup_epochs=2),
    "lr1e-3": dict(lr=1e-3),
    "lr4e-3+warmup2": dict(lr=4e-3, warmup_epochs=2),
    "wd0.05": dict(weight_decay=0.05),
    "bs32": dict(batch_size=32),
    "bs128": dict(batch_size=128),
    "flip-only": dict(augment_policy="flip"),
    "strong": dict(augment_policy="strong"),
    "no-aug": dict(augment=False),
    "tta-flip": dict(tta="flip"),
    "e30": dict(epochs=30),
    "e40": dict(epochs=40),
    # the plain script's time buys ~2.5x the epochs of the batched, bf16 loop
    "e50": dict(epochs=50),
    "flip-e50": dict(augment_policy="flip", epochs=50),
    "flip-e50+weights": dict(augment_policy="flip", balance="weights", epochs=50),
    "flip-e50+sampler": dict(augment_policy="flip", balance="sampler", epochs=50),
    "e50+weights": dict(balance="weights", epochs=50),
}
# The second round: each change on top of the chosen policy (a flip only), 20 epochs.
FLIP = dict(augment_policy="flip")
CANDIDATES.update({f"flip+{name}": {**FLIP, **CANDIDATES[name]} for name in (
    "ls0.1", "mixup0.2", "cutmix1", "weights", "sampler", "warmup2", "lr4e-3+warmup2", "wd0.05", "bs128",
    "tta-flip")})


def metrics(y_true: np.ndarray, y_pred: np.ndarray, classes) -> dict:
    """The confusion section's own analysis: accuracy, macro-F1, balanced accuracy, Disgust."""
    f = analyse(confusion_matrix(y_true, y_pred, len(classes)), classes)
    disgust = next(r for r in f["per_class"] if r["class"] == "Disgust")
    return {"test_acc": f["accuracy"], "macro_f1": f["macro_f1"], "balanced_acc": f["balanced_accuracy"],
            "disgust_recall": disgust["recall"], "disgust_precision": disgust["precision"],
            "disgust_predicted": disgust["predicted"]}


def run_candidate(name: str, changes: dict, dataset, data_path: Path, seed: int, epochs: int) -> dict:
    changes = dict(changes)
    layout = changes.pop("_layout", None)
    with tempfile.TemporaryDirectory(prefix="fer-acc-") as tmp:
        settings = Settings(**{**TODAY, **{"epochs": epochs}, **changes}, data=str(data_path), model="cnn4",
                            seed=seed, device="cpu", out=tmp, cache=str(Path(tmp) / "cache"))
        real_layout = tr._memory_format
        if layout == "nchw":
            tr._memory_format = lambda device: torch.contiguous_format
        cpu0, wall0 = time.process_time(), time.perf_counter()
        try:
            t = tr.train(settings, dataset, progress=False)
        finally:
            tr._memory_format = real_layout
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        probs = predict_probs(t.model, dataset.test.x, t.spec, t.device, ten_crop=t.ten_crop, tta=t.tta)
    best = max(t.history, key=lambda h: h["val_acc"])  # the first best epoch, as train() keeps it
    return {"candidate": name, "seed": seed, "epochs": settings.epochs, "changes": changes,
            **metrics(dataset.test.y, probs.argmax(1), dataset.classes),
            "val_acc": best["val_acc"], "best_epoch": best["epoch"], "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1)}


class FacesWithFlip(torch.utils.data.Dataset):
    """The student script's data: a PIL image per face, RandomHorizontalFlip, ToTensor, Normalize."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, mean: float, std: float, train: bool) -> None:
        from torchvision import transforms as T

        self.images, self.labels = images, labels
        steps = [T.RandomHorizontalFlip()] if train else []
        self.transform = T.Compose([*steps, T.ToTensor(), T.Normalize((mean,), (std,))])

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int):
        from PIL import Image

        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def plain_script(dataset, seed: int, epochs: int) -> dict:
    """The reference: a plain PyTorch loop as a student writes it (issue 14). Adam 1e-3, batch 128,
    random horizontal flip only, no schedule, the same cnn4 and the same normalisation (the training
    split's mean and std). It scores PrivateTest every epoch, as such scripts print it."""
    from torch.utils.data import DataLoader

    torch.manual_seed(seed)
    model = build_model("cnn4")
    mean, std = float(dataset.train.x.mean() / 255), float(dataset.train.x.std() / 255)
    loaders = {name: DataLoader(FacesWithFlip(split.x, split.y, mean, std, name == "train"), batch_size=128,
                                shuffle=name == "train")
               for name, split in dataset.splits().items()}
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for epoch in range(epochs):
        model.train()
        for xb, yb in loaders["train"]:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        row = {"epoch": epoch + 1}
        with torch.no_grad():
            for name in ("val", "test"):
                pred = torch.cat([model(xb).argmax(1) for xb, _ in loaders[name]]).numpy()
                row[name] = pred
                row[f"{name}_acc"] = float((pred == dataset.splits()[name].y).mean())
        history.append(row)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    best = max(history, key=lambda h: h["val_acc"])
    last4 = [h["test_acc"] for h in history[-4:]]
    return {"candidate": "plain-script", "seed": seed, "epochs": epochs,
            **metrics(dataset.test.y, best["test"], dataset.classes),
            "val_acc": best["val_acc"], "best_epoch": best["epoch"], "last4_test_acc": last4,
            "wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}


def summarise(runs: list[dict], budget: float) -> list[dict]:
    """One row per candidate (and epoch count): means and spreads over its seeds, best test accuracy first."""
    groups: dict[tuple, list[dict]] = {}
    plain = [r["wall_s"] for r in runs if r["candidate"] == "plain-script"]
    plain_wall = statistics.median(plain) if plain else None
    for r in runs:
        groups.setdefault((r["candidate"], r["epochs"]), []).append(r)
    table = []
    for (name, epochs), rs in groups.items():
        def stat(key):
            vals = [r[key] for r in rs if r.get(key) is not None]
            if not vals:
                return {"mean": None}
            return {"mean": round(statistics.fmean(vals), 4), "min": round(min(vals), 4), "max": round(max(vals), 4),
                    "sd": round(statistics.stdev(vals), 4) if len(vals) > 1 else None}
        row = {"candidate": name, "epochs": epochs, "seeds": sorted(r["seed"] for r in rs),
               **{k: stat(k) for k in ("test_acc", "macro_f1", "balanced_acc", "disgust_recall", "val_acc",
                                       "wall_s", "cpu_s")}}
        row["within_budget"] = row["wall_s"]["mean"] <= budget
        if plain_wall:  # the machine is shared: the budget is the plain script measured in the same campaign
            row["wall_vs_plain"] = round(statistics.median(r["wall_s"] for r in rs) / plain_wall, 2)
            row["within_budget"] = row["wall_vs_plain"] <= 1.0
        if name == "plain-script":
            last4 = [a for r in rs for a in r["last4_test_acc"]]
            row["last4_test_acc"] = {"min": round(min(last4), 4), "max": round(max(last4), 4),
                                     "mean": round(statistics.fmean(last4), 4)}
        table.append(row)
    table.sort(key=lambda r: -(r["test_acc"]["mean"] or 0))
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--candidates", default="plain-script," + ",".join(CANDIDATES),
                    help="comma-separated names; NAME=JSON adds a candidate (today's recipe with these changes)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "accuracy.json")
    ap.add_argument("--resume", action="store_true", help="keep the runs already in --out, run the missing ones")
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: not found (the FER2013 sample; see ../shared/data/README.md)")
    torch.set_num_threads(os.cpu_count() or 1)
    dataset = load_dataset(args.data)
    seeds = [int(s) for s in args.seeds.split(",")]
    names, extra = [], {}
    for item in args.candidates.split(","):
        name, _, spec = item.partition("=")
        names.append(name)
        if spec:
            extra[name] = json.loads(spec)
    known = {**CANDIDATES, **extra}
    unknown = [n for n in names if n != "plain-script" and n not in known]
    if unknown:
        sys.exit(f"unknown candidate(s) {', '.join(unknown)} (known: plain-script, {', '.join(known)})")
    result = json.loads(args.out.read_text()) if args.resume and args.out.exists() else {"runs": []}
    result.update({
        "benchmark": "accuracy", "data": str(args.data), "model": "cnn4", "selection": "best PublicTest (val) epoch",
        "score": "PrivateTest (test) at that epoch", "budget_s": BUDGET_S, "today": TODAY,
        "candidates": {**result.get("candidates", {}),  # a resumed campaign keeps the earlier ones
                       **{n: known.get(n, "plain PyTorch loop: Adam 1e-3, batch 128, flip only, no schedule")
                          for n in names}},
        "machine": {"cpus": os.cpu_count(), "threads": torch.get_num_threads(), "platform": platform.platform(),
                    "python": platform.python_version(), "torch": torch.__version__,
                    "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY")},
    })
    done = {(r["candidate"], r["seed"], r["epochs"]) for r in result["runs"]}
    for seed in seeds:  # seed-major: a partial campaign has every candidate at least once
        for name in names:
            changes = known.get(name, {})
            epochs = changes.get("epochs", args.epochs)
            if (name, seed, epochs) in done:
                continue
            load, reference_s = [round(v, 2) for v in os.getloadavg()], reference_seconds()
            r = (plain_script(dataset, seed, epochs) if name == "plain-script"
                 else run_candidate(name, changes, dataset, args.data, seed, args.epochs))
            r["loadavg_before"], r["loadavg_after"] = load, [round(v, 2) for v in os.getloadavg()]
            r["reference"] = {"workload": WORKLOAD, "seconds_before": reference_s,
                              "wall_in_reference_units": round(r["wall_s"] / reference_s, 1)}
            result["runs"].append(r)
            result["table"] = summarise(result["runs"], BUDGET_S)
            tmp = args.out.with_suffix(".tmp")
            tmp.write_text(json.dumps(result, indent=1))
            os.replace(tmp, args.out)
            print(f"{name:>16} seed {seed}: test {r['test_acc']:.3f}  F1 {r['macro_f1']:.3f}  "
                  f"Disgust {r['disgust_recall'] or 0:.2f}  val {r['val_acc']:.3f}  {r['wall_s']:.0f} s  "
                  f"(cpu {r['cpu_s']:.0f} s, load {load[0]})", flush=True)
    for row in result.get("table", []):
        print(f"{row['candidate']:>16} x{len(row['seeds'])} e{row['epochs']}: test {row['test_acc']['mean']:.3f} "
              f"[{row['test_acc']['min']:.3f}-{row['test_acc']['max']:.3f}]  F1 {row['macro_f1']['mean']:.3f}  "
              f"Disgust {row['disgust_recall']['mean'] or 0:.2f}  {row['wall_s']['mean']:.0f} s")


if __name__ == "__main__":
    main()
