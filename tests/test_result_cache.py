import json
import re

from fer_report.report import result_cache
from fer_report.report.build import build
from fer_report.report.section import load_sections
from tests.conftest import tiny_settings

SECTIONS = ["architecture", "confusion", "math"]  # math writes files (formula SVGs) that no Figure lists


def _report(out):
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _html(out):
    return re.sub(r"\d{4}-\d\d-\d\d", "DATE", (out / "report.html").read_text(encoding="utf-8"))


def test_second_build_reuses_every_section_and_writes_the_same_report(tmp_path):
    out = tmp_path / "build"
    settings = tiny_settings(out, sections=SECTIONS)
    build(settings)
    first, first_html = _report(out), _html(out)
    (out / "report.html").unlink()
    build(settings)
    second = _report(out)
    assert [s.get("cached", False) for s in first["sections"]] == [False] * 3
    assert [s.get("cached", False) for s in second["sections"]] == [True] * 3
    for a, b in zip(first["sections"], second["sections"]):
        assert (a["numbers"], a["text"], a["figures"], a["tables"]) == (b["numbers"], b["text"], b["figures"], b["tables"])
    assert second["run"]["accuracy"] == first["run"]["accuracy"]  # header facts survive without predicting
    assert _html(out) == first_html  # every figure and formula file came back
    assert list((out / "figures" / "math").glob("*.svg"))


def test_a_changed_setting_or_a_damaged_entry_recomputes(tmp_path):
    out = tmp_path / "build"
    build(tiny_settings(out, sections=["confusion"]))
    assert not _report(out)["sections"][0].get("cached")
    build(tiny_settings(out, sections=["confusion"], lang="zh-TW"))
    assert not _report(out)["sections"][0].get("cached")  # other language, other text and figures
    for png in (out / "cache" / "results").rglob("*.png"):
        png.unlink()
    build(tiny_settings(out, sections=["confusion"]))
    assert not _report(out)["sections"][0].get("cached")  # its figure is gone: run again
    build(tiny_settings(out, sections=["confusion"]))
    assert _report(out)["sections"][0]["cached"]


def test_course_figure_export_is_never_taken_from_the_cache(tmp_path):
    settings = tiny_settings(tmp_path / "build", export_course_figures=str(tmp_path / "course"))
    assert not result_cache.usable(settings)
    assert result_cache.usable(tiny_settings(tmp_path / "build"))


def test_the_key_follows_settings_data_and_section_but_not_where_the_report_goes(tmp_path):
    sections = load_sections()
    confusion, history = sections["confusion"], sections["history"]
    a = tiny_settings(tmp_path / "a")
    key = result_cache.key(confusion, a, "data1")
    assert key == result_cache.key(confusion, tiny_settings(tmp_path / "b", title="Mine"), "data1")
    assert key != result_cache.key(confusion, tiny_settings(tmp_path / "a", seed=1), "data1")
    assert key != result_cache.key(confusion, a, "data2")
    assert key != result_cache.key(history, a, "data1")
    swapped = type(confusion)(name="confusion", summary="", order=30, run=lambda dataset: None)
    assert key != result_cache.key(swapped, a, "data1")
