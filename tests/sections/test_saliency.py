import dataclasses

import numpy as np
import pytest

from fer_report.explain.scorecard import DELETION_STEPS
from fer_report.draw.figures import Figures
from fer_report.report.section import run_section
from fer_report.sections import saliency
from tests.explain.known_answer import mouth_artefacts


def small(monkeypatch):
    monkeypatch.setattr(saliency, "N_FAITH", 30)
    monkeypatch.setattr(saliency, "SMOOTH_SAMPLES", 4)


def run(artefacts, **replace):
    return run_section(saliency.section, artefacts, **replace)


def test_section_on_a_tiny_trained_model(tiny_artefacts, monkeypatch):
    small(monkeypatch)
    result = run(tiny_artefacts)
    pred = tiny_artefacts.predictions.test
    n_correct = min(30, int((pred.y_true == pred.y_pred).sum()))
    for f in result.figures:
        assert (tiny_artefacts.figures.build_dir / f.path).stat().st_size > 3000 and f.caption
    assert [f.path for f in result.figures] == ["figures/saliency.png", "figures/saliency_deletion.png"]
    faith = result.numbers["faithfulness"]
    assert set(faith) == {"saliency", "smoothgrad"}
    for s in faith.values():
        assert s["n"] == n_correct
        assert 0 <= s["pointing_game"] <= 1 and 0 <= s["mass_inside"] <= 1 and 0 < s["chance"] < 1
        assert 0 <= s["deletion_auc"] <= 1 and 0 <= s["random_auc"] <= 1 and len(s["curve"]) == DELETION_STEPS + 1
        assert {c["dominant"] for c in s["per_class"]} <= {"brows", "eyes", "mouth"}
    assert [r["method"] for r in result.tables["faithfulness"]] == ["Saliency", "SmoothGrad"]
    assert any("pointing game" in line for line in result.text)
    assert any(line.startswith("Region holding most of the Saliency mass") for line in result.text)
    assert all(line.strip() for line in result.text)
    assert run(tiny_artefacts).numbers["examples"] == result.numbers["examples"]  # same seed, same examples


def test_section_in_traditional_chinese_on_real_looking_data(tiny_artefacts, monkeypatch, tmp_path):
    """zh-TW text, and data without cue regions (real photos): only the deletion test."""
    small(monkeypatch)
    ds = tiny_artefacts.dataset
    no_regions = type(ds)(**{**ds.__dict__, "test": type(ds.test)(x=ds.test.x, y=ds.test.y)})
    result = run(tiny_artefacts, dataset=no_regions, text=saliency.section.text("zh-TW"), figures=Figures(tmp_path, lang="zh-TW"))
    assert all(s["pointing_game"] is None and s["chance"] is None for s in result.numbers["faithfulness"].values())
    assert any("刪除測試" in line for line in result.text) and any("真實照片" in line for line in result.text)
    assert np.isfinite(result.numbers["faithfulness"]["saliency"]["deletion_auc"])
    assert (tmp_path / "figures" / "saliency.png").exists()


def test_template_renders_the_faithfulness_table():
    from fer_report.report.render import environment

    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    env.globals["t"] = saliency.section.text("en")
    rows = [{"method": "Saliency", "pointing_game": 0.9, "mass_inside": 0.5, "chance": 0.2, "deletion_auc": 0.31,
             "random_auc": 0.52},
            {"method": "SmoothGrad", "pointing_game": None, "mass_inside": None, "chance": None, "deletion_auc": 0.3,
             "random_auc": 0.5}]
    s = {"figures": [], "text": ["a <b>"], "tables": {"faithfulness": rows}}
    html = env.get_template("sections/saliency.html.j2").render(s=s)
    assert '<table class="data">' in html and "90%" in html and "0.310" in html and "–" in html
    assert "a &lt;b&gt;" in html


def test_known_answer_every_map_points_at_the_mouth(tiny_artefacts, monkeypatch):
    """MouthNet reads only the mouth window: saliency must put all its mass there, for every class."""
    small(monkeypatch)
    result = run(tiny_artefacts, **mouth_artefacts(tiny_artefacts.dataset))
    for s in result.numbers["faithfulness"].values():
        assert s["n"] == 30 and s["pointing_game"] == 1.0 and s["mass_inside"] == pytest.approx(1.0)
        assert {c["dominant"] for c in s["per_class"]} == {"mouth"}
        assert all(c["shares"]["mouth"] == pytest.approx(1.0) for c in s["per_class"])
        assert s["deletion_auc"] < s["random_auc"]
    assert any("100% on the mouth" in line for line in result.text)
    assert any("it looks at the drawn expression cues" in line for line in result.text)


def test_course_figures_one_per_class(tiny_artefacts, monkeypatch, tmp_path):
    small(monkeypatch)
    settings = dataclasses.replace(tiny_artefacts.settings, export_course_figures=str(tmp_path / "course"))
    result = run(tiny_artefacts, settings=settings)
    classes = [int(tiny_artefacts.predictions.test.y_true[i]) for i in result.numbers["examples"][:7]]
    assert sorted(classes) == list(range(7))  # the tiny test split has every class
    assert sorted(p.name for p in (tmp_path / "course").iterdir()) == [f"fig1_{c}.jpg" for c in range(7)]
    for c in range(7):
        assert (tmp_path / "course" / f"fig1_{c}.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_small_budget_measures_fewer_images_and_says_so(tiny_artefacts, monkeypatch):
    from fer_report.explain.budget import Budget

    monkeypatch.setattr(saliency, "N_FAITH", 40)
    monkeypatch.setattr(saliency, "MIN_FAITH", 6)
    cost = tiny_artefacts.budget.cost
    full = run(tiny_artefacts, budget=Budget(1e6, cost)).numbers
    assert full["budget"]["counts"] == {"images": 40, "copies": 8} and not full["budget"]["reduced"]
    result = run(tiny_artefacts, budget=Budget(1e-6, cost))
    n = result.numbers
    assert n["budget"]["counts"] == {"images": 6, "copies": saliency.MIN_SMOOTH} and n["budget"]["over_budget"]
    assert n["smoothgrad_samples"] == saliency.MIN_SMOOTH and n["faithfulness"]["saliency"]["n"] == 6
    assert any("6 test images measured instead of 40, 4 SmoothGrad copies instead of 8" in line for line in result.text)


def test_the_estimate_counts_what_the_section_evaluates(tiny_artefacts, monkeypatch):
    monkeypatch.setattr(saliency, "N_FAITH", 5)
    tiny_artefacts.predictions, tiny_artefacts.budget  # computed before counting
    before = tiny_artefacts.evaluations.snapshot()
    result = run(tiny_artefacts)
    used = tiny_artefacts.evaluations.snapshot() - before
    forward_only, gradient = saliency.cost(result.numbers["budget"]["counts"], len(result.numbers["examples"]))
    assert (used.forward, used.backward) == (forward_only + gradient, gradient)
