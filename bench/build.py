"""Wall time and peak memory of `fer-report build --all` on the embedded default: cold artefact cache,
then fully cached. Writes bench/results/build.json.

    .venv/bin/python bench/build.py [--repeats 1] [-- extra fer-report flags]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> dict:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"seconds": round(time.perf_counter() - start, 2),
            "peak_rss_mb_at_least": round(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("fer-report"))
    cold, cached = [], []
    for _ in range(args.repeats):
        out = Path(tempfile.mkdtemp(prefix="fer-bench-"))
        try:
            cmd = [exe, "build", "--all", "--out", str(out), "-q", *args.extra]
            cold.append(timed(cmd))
            cached.append(timed(cmd))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    result = {
        "benchmark": "build", "command": "fer-report build --all " + " ".join(args.extra),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "cold": cold, "cached": cached,
        "cold_median_s": statistics.median(r["seconds"] for r in cold),
        "cached_median_s": statistics.median(r["seconds"] for r in cached),
    }
    result["cold_over_cached"] = round(result["cold_median_s"] / result["cached_median_s"], 1)
    dest = ROOT / "bench" / "results" / "build.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
