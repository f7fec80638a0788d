"""The data audit on the whole FER2013: how long it takes (goal: under 60 s on 2 cores, loading included)
and what it finds, which are facts about the data set every student uses. Also the counts of train-test
pairs per hash distance and pixel correlation, the measurement behind fer_report/data/audit.py's
thresholds. Writes bench/results/data_audit.json.

    .venv/bin/python bench/data_audit.py [--data ../shared/data/fer2013.csv.gz]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import begin, end, in_reference_units, save  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fer2013.csv.gz"))
    args = ap.parse_args()
    if not Path(args.data).exists():
        sys.exit(f"{args.data}: not found (the whole FER2013 lives in ../shared/data)")
    from fer_report.data import audit as A
    from fer_report.data import load_dataset

    result = begin("data_audit") | {"data": args.data}
    start = time.perf_counter()
    ds = load_dataset(args.data, seed=0)
    loaded = time.perf_counter()
    a = A.audit(ds.splits(), len(ds.classes))
    done = time.perf_counter()
    names = ds.split_names
    pairs = a.duplicates["train-test"]
    result["seconds"] = {"load": round(loaded - start, 2), "audit": round(done - loaded, 2),
                         "total": round(done - start, 2), "goal_total": 60}
    result["thresholds"] = {"hamming_bits": A.HAMMING, "min_correlation": A.MIN_CORR, "blank_std": A.BLANK_STD}
    result["findings"] = {
        "images": {names[k]: len(v) for k, v in ds.splits().items()},
        "copies": {k: len(v) for k, v in a.duplicates.items()},
        "test_images_with_a_training_copy": len(a.tainted_test()),
        "val_images_with_a_training_copy": len(np.unique(a.duplicates["train-val"][:, 1])),
        "identical_train_test_pairs": int(sum(np.array_equal(ds.train.x[i], ds.test.x[j]) for i, j, _ in pairs)),
        "train_test_pairs_with_different_labels": int(sum(ds.train.y[i] != ds.test.y[j] for i, j, _ in pairs)),
        "blank": {names[k]: v.tolist() for k, v in a.blank.items()},
    }
    candidates = A.cross_pairs(a.hashes["train"], a.hashes["test"], max_bits=10)
    corr = A.correlation(ds.train.x[candidates[:, 0]], ds.test.x[candidates[:, 1]])
    result["pairs_by_distance"] = [
        {"bits": b, "pairs": int((candidates[:, 2] == b).sum()),
         **{f"corr_at_least_{c}": int(((candidates[:, 2] == b) & (corr >= c)).sum()) for c in (0.8, 0.85, 0.9)}}
        for b in range(0, 11, 2)]
    end(result)
    result["seconds"]["total_in_reference_units"] = in_reference_units(result["seconds"]["total"], result)
    save(result, ROOT / "bench" / "results" / "data_audit.json")
    print(result["seconds"], result["findings"]["copies"], result["findings"]["test_images_with_a_training_copy"])


if __name__ == "__main__":
    main()
