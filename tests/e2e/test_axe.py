"""Accessibility of the HTML report (issue 26), checked by axe-core (the npm package, installed by `make test`'s
set-up into .venv/axe and loaded from disk into the page) in headless Chromium: no serious or critical
violation on the default report nor on a course preset's. Skipped, with the reason, where Chromium or
axe-core is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from fer_report.cli import main
from tests.e2e.test_browser import CHROMIUM, QUIET

AXE = Path(__file__).resolve().parents[2] / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/system-deps.sh installs it)"),
    pytest.mark.skipif(not AXE.is_file(), reason=f"axe-core is not installed ({AXE}; `make setup` installs it "
                                                 "with npm)"),
]


def _violations(html: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=QUIET)
        page = browser.new_page()
        page.goto(html.as_uri(), wait_until="load")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        browser.close()
    return result["violations"]


@pytest.mark.parametrize("extra", [
    ["--sections", "architecture,model_code,confusion,mistakes,calibration,saliency,gradcam,math"],
    ["--questions", "ntu-ml-2019fall-hw3", "--lang", "zh-TW", "--sections", "architecture,confusion,math"],
], ids=["default", "preset-zh-TW"])
def test_no_serious_or_critical_violation(tmp_path, extra):
    out = tmp_path / "out"
    assert main(["build", "--synthetic-size", "tiny", "--epochs", "1", "--out", str(out), "-q", *extra]) == 0
    found = _violations(out / "report.html")
    bad = [(v["id"], v["impact"], v["help"], v["nodes"][0]["target"]) for v in found
           if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert not any(v["id"] in ("landmark-one-main", "html-has-lang", "image-alt") for v in found)
