"""The HTML report opened in a real browser (Debian's headless Chromium, driven by playwright): it makes
no network request, logs no console error, every image loads, a click opens a figure full size, and a
screenshot is not blank. Where Chromium is absent the test is skipped with that reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fer_report.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium's own start-up calls (updates, sync, field trials) are not the page's: switched off, as NOTES.md says
QUIET = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-domain-reliability", "--no-sandbox", "--disable-gpu"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/system-deps.sh "
                                                          "installs Debian's chromium package as root)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "out"
    assert main(["build", "--questions", "ntu-ml-2019fall-hw3", "--sections", "architecture,confusion,math",
                 "--lang", "zh-TW", "--synthetic-size", "tiny", "--epochs", "1", "--out", str(out), "-q"]) == 0
    return out / "report.html"


def test_the_report_in_chromium(report, tmp_path):
    from playwright.sync_api import sync_playwright

    requests, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=QUIET)
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri(), wait_until="load")
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
        toc = page.eval_on_selector_all("nav.toc a", "els => els.map(e => e.getAttribute('href'))")
        targets = page.evaluate("hrefs => hrefs.map(h => !!document.querySelector(h))", toc)
        page.click("figure label.zoom")  # the first figure opens full size ...
        zoomed = page.eval_on_selector("figure img", "e => getComputedStyle(e).position")
        shot = tmp_path / "page.png"
        page.screenshot(path=str(shot))
        browser.close()
    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert outside == [] and requests[0] == report.as_uri()  # the page fetches nothing, not even its own images
    assert errors == []
    assert images and all(done and width > 0 for done, width in images), images
    assert toc and all(targets)  # every contents entry points at a heading on the page
    assert zoomed == "fixed"

    from PIL import Image, ImageStat

    stat = ImageStat.Stat(Image.open(shot).convert("L"))
    assert stat.stddev[0] > 10  # not a blank page: text and figures
