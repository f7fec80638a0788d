"""Wall time and peak memory of `fer-report build --all` on the embedded default: cold artefact cache,
then fully cached. Writes bench/results/build.json.

    .venv/bin/python bench/build.py [--repeats 1] [-- extra fer-report flags]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reference import begin, end, in_reference_units, save

ROOT = Path(__file__).resolve().parents[1]
# Sections beyond the course's questions (issue 25): their goal is to add at most 10 % to the cold build.
INSIGHT = ("mistakes", "calibration", "data_audit", "face_regions")


def timed(cmd: list[str]) -> dict:
    """Wall time and the command's own peak resident memory (wait4 gives that one child's rusage)."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({child.returncode}):\n{stderr.decode(errors='replace')[-2000:]}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1)}


def stages(out: Path) -> dict[str, float]:
    """Seconds per section as report.json records them (the first section to ask for the model trains it)."""
    report = json.loads((out / "report.json").read_text())
    return {s["name"]: s["seconds"] for s in report["sections"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("fer-report"))
    cold, cached = [], []
    result = begin("build")  # other work on the machine slows the build: the reference says how much
    for _ in range(args.repeats):
        out = Path(tempfile.mkdtemp(prefix="fer-bench-"))
        try:
            cmd = [exe, "build", "--all", "--out", str(out), "-q", *args.extra]
            cold.append(timed(cmd) | {"stages_s": stages(out)})
            cached.append(timed(cmd) | {"stages_s": stages(out)})
        finally:
            shutil.rmtree(out, ignore_errors=True)
    end(result)
    result.update({
        "built": "fer-report build --all " + " ".join(args.extra),
        "goals_s": {"cold": 180, "cached": 20}, "cold": cold, "cached": cached,
        "cold_median_s": statistics.median(r["seconds"] for r in cold),
        "cached_median_s": statistics.median(r["seconds"] for r in cached),
    })
    result["cold_in_reference_units"] = in_reference_units(result["cold_median_s"], result)
    result["cached_in_reference_units"] = in_reference_units(result["cached_median_s"], result)
    result["cold_over_cached"] = round(result["cold_median_s"] / result["cached_median_s"], 1)
    insight = statistics.median(sum(r["stages_s"].get(name, 0.0) for name in INSIGHT) for r in cold)
    result["insight_sections"] = {"sections": list(INSIGHT), "cold_s": round(insight, 2),
                                  "share_of_the_rest": round(insight / (result["cold_median_s"] - insight), 3),
                                  "goal_share": 0.10}
    save(result, ROOT / "bench" / "results" / "build.json")


if __name__ == "__main__":
    main()
