"""`--export-course-figures DIR` end to end: the course's file names, from the command line."""

import json

from fer_report.cli import main
from fer_report.explain import lime_maps
from fer_report.sections import filters, lime, saliency


def test_build_writes_the_course_file_names(tiny_artefacts, tmp_path, monkeypatch):
    for module, name, value in ((saliency, "N_FAITH", 20), (saliency, "SMOOTH_SAMPLES", 2), (filters, "ASCENT_STEPS", 5),
                                (filters, "MAX_FILTERS", 8), (lime, "N_FAITH", 2), (lime_maps, "NUM_SAMPLES", 60)):
        monkeypatch.setattr(module, name, value)
    tiny_artefacts.trained  # train once into the shared cache, which the command then reuses
    s = tiny_artefacts.settings
    course, out = tmp_path / "course", tmp_path / "build"
    assert main(["build", "--sections", "saliency,filters,lime", "--out", str(out), "--cache", str(s.cache),
                 "--synthetic-size", s.synthetic_size, "--epochs", str(s.epochs), "--batch-size", str(s.batch_size),
                 "--export-course-figures", str(course), "-q"]) == 0
    expected = [f"fig1_{c}.jpg" for c in range(7)] + ["fig2_1.jpg", "fig2_2.jpg"] + [f"fig3_{c}.jpg" for c in range(7)]
    assert sorted(p.name for p in course.iterdir()) == sorted(expected)
    assert all((course / name).read_bytes()[:3] == b"\xff\xd8\xff" for name in expected)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["settings"]["export_course_figures"] == str(course)
    assert [(x["name"], x["status"]) for x in report["sections"]] == [
        ("saliency", "ok"), ("filters", "ok"), ("lime", "ok")]
    assert report["run"]["training"]["cache"].startswith(str(s.cache))  # the tiny model, not a new training
