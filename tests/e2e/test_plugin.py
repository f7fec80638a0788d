"""A section from another package, found through the entry point like the built-ins, end to end:
its artefact, strings, heading and template work, its requirement can skip it, and an edit to its
own files (wherever it is installed) recomputes its cached result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = Path(__file__).parents[1] / "plugin"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The plugin 'installed': its package and dist-info (with the entry point) on a folder of the path."""
    target = tmp_path_factory.mktemp("site")
    for item in PLUGIN.iterdir():
        shutil.copytree(item, target / item.name)
    return target


def cli(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "fer_report", *args], capture_output=True, text=True, env=env)


def test_a_plugin_section_builds_with_its_own_strings_template_and_artefact(site, tmp_path):
    listed = cli(site, "list")
    assert listed.returncode == 0 and "hello" in listed.stdout and "(a plugin)" in listed.stdout
    out = tmp_path / "out"
    args = ["build", "--sections", "hello", "--synthetic-size", "tiny", "--out", str(out), "-q"]
    done = cli(site, *args, "--lang", "zh-TW")
    assert done.returncode == 0, done.stderr
    entry = json.loads((out / "report.json").read_text(encoding="utf-8"))["sections"][0]
    assert entry["name"] == "hello" and entry["status"] == "ok" and entry["question"] == "1. 訓練影像的平均灰階是多少？"
    assert entry["numbers"]["n"] == 210 and 0 < entry["numbers"]["mean"] < 255
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "平均灰階: " in html and "210 張訓練影像的平均灰階為" in html

    again = cli(site, *args, "--lang", "zh-TW")
    assert again.returncode == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["sections"][0].get("cached") is True
    template = site / "fer_report_hello" / "hello.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    edited = cli(site, *args, "--lang", "zh-TW")
    assert edited.returncode == 0
    assert "cached" not in json.loads((out / "report.json").read_text(encoding="utf-8"))["sections"][0]


def test_its_requirement_skips_it_with_its_own_reason(site, tmp_path):
    from tests.data.test_csv import course_text, make_rows

    data = tmp_path / "faces.csv"
    data.write_text(course_text(make_rows({"Training": 3})))
    out = tmp_path / "out"
    done = cli(site, "build", "--sections", "hello", "--data", str(data), "--out", str(out), "-q")
    assert done.returncode == 0, done.stderr
    entry = json.loads((out / "report.json").read_text(encoding="utf-8"))["sections"][0]
    assert entry["status"] == "skipped" and entry["reason"] == "this section only looks at the embedded faces."
    assert "Skipped: this section only looks at the embedded faces." in (out / "report.html").read_text()
    assert "sections skipped" in done.stderr and "hello" in done.stderr
