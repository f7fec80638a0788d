"""Rules of the printed page (templates/print.css), checked on the PDF WeasyPrint makes: a table split across
pages keeps at least three rows on each page, with its header repeated."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from fer_report.report.render import templates_dir

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")


def _rows_per_page(tmp_path, filler: int) -> list[tuple[int, int]]:
    """(rows, header lines) on each page holding rows of a 12-row table after ``filler`` lines of text."""
    from weasyprint import HTML

    css = (templates_dir() / "print.css").read_text()
    rows = "".join(f"<tr><td>row{i}</td><td class='num'>{i}</td></tr>" for i in range(12))
    html = (f"<html><head><style>{css}</style></head><body>{'<p>filler</p>' * filler}<table class='data'>"
            f"<thead><tr><th>Method</th><th>AUC</th></tr></thead><tbody>{rows}</tbody></table></body></html>")
    HTML(string=html).write_pdf(tmp_path / "t.pdf")
    pages = subprocess.run(["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    counts = [(sum(w.startswith("row") for w in page.split()), page.count("Method")) for page in pages]
    return [c for c in counts if c[0]]


def test_a_split_table_keeps_three_rows_on_each_page(tmp_path):
    splits = 0
    for filler in range(10, 40, 2):  # the table's start walks down a page until it no longer fits there
        pages = _rows_per_page(tmp_path, filler)
        assert sum(rows for rows, _ in pages) == 12
        if len(pages) == 2:
            splits += 1
            assert min(rows for rows, _ in pages) >= 3, (filler, pages)
            assert pages[1][1] == 1  # the header row repeats on the second page
    assert splits >= 2  # the walk did split the table
