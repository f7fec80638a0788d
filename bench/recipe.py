"""Accuracy and training time of the fer2013-best recipe on the real FER2013 (a GPU job: hours on a CPU).
Trains through `fer-report train`'s own path (cache included) and writes bench/results/recipe.json
with the PrivateTest and PublicTest accuracy, the minutes, the GPU and the exact command.

    .venv/bin/python bench/recipe.py [--data ../shared/data/fer2013.csv.gz] [-- extra fer-report flags]

e.g. `-- --epochs 100 --compile`; under torchrun, use `fer-report train` itself (this script is one process).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reference import begin, end, save  # noqa: E402  (a CPU reference: it measures the host, not the GPU)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fer2013.csv.gz"))
    ap.add_argument("--out", default="/tmp/fer-bench-recipe")
    ap.add_argument("--result", default=str(ROOT / "bench" / "results" / "recipe.json"))
    ap.add_argument("extra", nargs="*", help="more fer-report flags, after --")
    args = ap.parse_args()

    import torch

    from fer_report.report.artifacts import Artefacts
    from fer_report.cli import _settings, parser

    argv = ["train", "--recipe", "fer2013-best", "--data", args.data, "--out", args.out, *args.extra]
    settings = _settings(parser().parse_args(argv))
    result = begin("recipe")
    start = time.perf_counter()
    artefacts = Artefacts(settings, Path(args.out), progress=True)
    trained = artefacts.trained
    p = artefacts.predictions
    best = max(trained.history, key=lambda h: h["val_acc"])
    result.update({
        "ran": "fer-report " + " ".join(argv), "settings": settings.to_json(), "device": str(trained.device),
        "gpu": torch.cuda.get_device_name(trained.device) if trained.device.type == "cuda" else None,
        "splits": artefacts.dataset.split_names,
        "test_accuracy": p.test.accuracy, "val_accuracy": p.val.accuracy,
        "best_epoch": best["epoch"], "epochs": len(trained.history),
        "training_minutes": round(trained.recorded_seconds / 60, 2),
        "trained_in_this_run": trained.seconds > 0,
        "wall_minutes_this_run": round((time.perf_counter() - start) / 60, 2),
        "published_record": 0.7328,
    })
    end(result)
    save(result, Path(args.result))


if __name__ == "__main__":
    main()
