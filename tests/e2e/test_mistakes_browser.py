"""The mistakes section in a real browser: a click on a confusion-matrix cell opens that cell's gallery with
the right number of pictures, from the page itself (no network request), and a keyboard user can do the
same with Tab and Enter. Skipped where Chromium is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fer_report.cli import main
from tests.e2e.test_browser import CHROMIUM, QUIET

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/system-deps.sh "
                                                          "installs Debian's chromium package as root)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mistakes") / "out"
    assert main(["build", "--sections", "mistakes", "--synthetic-size", "tiny", "--epochs", "1", "--out", str(out),
                 "-q"]) == 0
    return out


def test_a_click_on_a_cell_opens_its_gallery(report):
    from playwright.sync_api import sync_playwright

    section = next(s for s in json.loads((report / "report.json").read_text())["sections"] if s["name"] == "mistakes")
    cells = section["numbers"]["cells"]
    key = max(cells, key=lambda c: len(cells[c]))  # the fullest cell
    i, j = key.split(",")
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=QUIET)
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.on("request", lambda r: requests.append(r.url))
        page.goto((report / "report.html").as_uri(), wait_until="load")
        gallery = f"#mis-{i}-{j}"
        assert not page.is_visible(gallery)
        page.click(f'.mis-matrix a[href="{gallery}"]')
        shown = page.eval_on_selector_all(f"{gallery} img", "els => els.filter(e => e.complete && e.naturalWidth > 0 "
                                                             "&& e.getBoundingClientRect().width > 0).length")
        other = next(c for c in cells if c != key).split(",")
        page.focus(f'.mis-matrix a[href="#mis-{other[0]}-{other[1]}"]')
        page.keyboard.press("Enter")
        keyboard_open = page.is_visible(f"#mis-{other[0]}-{other[1]}") and not page.is_visible(gallery)
        browser.close()
    assert shown == len(cells[key]) > 0
    assert keyboard_open
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
