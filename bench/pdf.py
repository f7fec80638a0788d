"""HTML -> PDF time of a full report (WeasyPrint through fer_report.report.render.write_pdf, as a build does).
Uses OUT/report.html of an existing build, or first builds the embedded default into OUT.
Writes bench/results/pdf.json.

    .venv/bin/python bench/pdf.py [--out /tmp/fer-bench-pdf] [--repeats 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reference import begin, end, in_reference_units, save  # noqa: E402


def pages(pdf: Path) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in out.splitlines() if line.startswith("Pages:")), None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/fer-bench-pdf", help="build folder holding report.html")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    out = Path(args.out)
    html_file = out / "report.html"
    if not html_file.exists():
        exe = str(Path(sys.executable).with_name("fer-report"))
        subprocess.run([exe, "build", "--all", "--out", str(out), "-q"], check=True)

    from fer_report.report.render import write_pdf

    html = html_file.read_text(encoding="utf-8")
    result = begin("pdf")
    seconds, first = [], None
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "report.pdf"
        for r in range(args.repeats + 1):  # round 0 also loads fonts and WeasyPrint's caches
            start = time.perf_counter()
            write_pdf(html, target, out)
            took = round(time.perf_counter() - start, 3)
            if r == 0:
                first = took  # what a build pays: one PDF per process
            else:
                seconds.append(took)
        n_pages, size = pages(target), target.stat().st_size
    end(result)
    result.update({
        "html": str(html_file), "html_bytes": len(html.encode()), "pdf_pages": n_pages, "pdf_bytes": size,
        "first_call_s": first, "seconds": seconds, "median_s": statistics.median(seconds),
    })
    result["median_in_reference_units"] = in_reference_units(result["median_s"], result)
    save(result, ROOT / "bench" / "results" / "pdf.json")


if __name__ == "__main__":
    main()
