import dataclasses

import numpy as np
import pytest

from fer_report.explain import lime_maps
from fer_report.draw.figures import Figures
from fer_report.report.section import run_section
from fer_report.sections import lime
from tests.explain.known_answer import mouth_artefacts


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(lime, "N_FAITH", 6)
    monkeypatch.setattr(lime_maps, "NUM_SAMPLES", 150)


def run(artefacts, **replace):
    return run_section(lime.section, artefacts, **replace)


def test_section_on_a_tiny_trained_model_with_course_figures(tiny_artefacts, small, tmp_path):
    course = tmp_path / "course"
    settings = dataclasses.replace(tiny_artefacts.settings, export_course_figures=str(course))
    result = run(tiny_artefacts, settings=settings)
    n, pred = result.numbers, tiny_artefacts.predictions.test
    classes = [int(pred.y_true[i]) for i in n["examples"]]
    assert classes == list(range(7))  # one image per class, in class order
    assert n["num_samples"] == 150 and n["batch_size"] == 32  # on the CPU
    assert 25 <= n["mean_segments"] <= 80 and -1 <= n["r2_mean"] <= 1
    assert [r["class"] for r in result.tables["examples"]] == list(tiny_artefacts.dataset.classes)
    for r in result.tables["examples"]:
        assert 0 <= r["positive"] <= r["segments"] and 0 <= r["prob"] <= 1
        assert r["region"] in (None, "brows", "eyes", "mouth")
    measured = n["measured"]
    assert all(pred.y_true[i] == pred.y_pred[i] for i in measured)
    if measured:
        s = n["faithfulness"]["lime"]
        assert s["n"] == len(measured) and 0 <= s["pointing_game"] <= 1 and 0 < s["chance"] < 1
        assert result.tables["faithfulness"][0]["method"] == "LIME"
    assert [f.path for f in result.figures] == ["figures/lime.png"]
    assert (tiny_artefacts.figures.build_dir / "figures" / "lime.png").stat().st_size > 5000
    assert result.text[0].startswith("LIME splits each image into")
    assert sorted(p.name for p in course.iterdir()) == [f"fig3_{c}.jpg" for c in range(7)]
    assert all((course / f"fig3_{c}.jpg").read_bytes()[:3] == b"\xff\xd8\xff" for c in range(7))
    again = run(tiny_artefacts)  # same seed: same images, same superpixels, same weights
    assert again.tables["examples"] == result.tables["examples"] and again.numbers["measured"] == measured


def test_known_answer_lime_points_at_the_mouth(tiny_artefacts, small):
    """MouthNet reads only the mouth window: LIME's top superpixels must lie there."""
    result = run(tiny_artefacts, **mouth_artefacts(tiny_artefacts.dataset))
    s = result.numbers["faithfulness"]["lime"]
    assert s["n"] == 13  # 7 shown + 6 more, all correct by construction
    assert s["pointing_game"] >= 0.6 and s["mass_inside"] > 2 * s["chance"]
    mouth = [c for c in s["per_class"] if c["dominant"] == "mouth"]
    assert len(mouth) >= len(s["per_class"]) - 1
    assert sum(r["region"] == "mouth" for r in result.tables["examples"]) >= 5
    assert any("on the mouth" in line for line in result.text)


def test_traditional_chinese_on_data_without_regions(tiny_artefacts, small, tmp_path):
    ds = tiny_artefacts.dataset
    no_regions = type(ds)(**{**ds.__dict__, "test": type(ds.test)(x=ds.test.x, y=ds.test.y)})
    result = run(tiny_artefacts, dataset=no_regions, text=lime.section.text("zh-TW"), figures=Figures(tmp_path, lang="zh-TW"))
    assert all(r["region"] is None and r["region_name"] == "–" for r in result.tables["examples"])
    assert result.text[0].startswith("LIME 把每張圖片")
    if result.numbers["measured"]:
        assert result.numbers["faithfulness"]["lime"]["pointing_game"] is None
        assert any("真實照片" in line for line in result.text)
        assert np.isfinite(result.numbers["faithfulness"]["lime"]["deletion_auc"])


def test_template_renders_both_tables():
    from fer_report.report.render import environment

    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    env.globals["t"] = lime.section.text("en")
    examples = [{"name": "Happy", "prob": 0.93, "segments": 45, "positive": 20, "top_weight": 0.21,
                 "region_name": "mouth", "r2": 0.81}]
    faith = [{"method": "LIME", "pointing_game": 0.25, "mass_inside": 0.4, "chance": 0.11, "deletion_auc": 0.277,
              "random_auc": 0.3}]
    s = {"figures": [{"path": "figures/lime.png", "caption": "c <i>"}], "text": ["x"],
         "tables": {"examples": examples, "faithfulness": faith}}
    html = env.get_template("sections/lime.html.j2").render(s=s)
    assert html.count('<table class="data">') == 2 and "93%" in html and "0.210" in html and "0.277" in html
    assert "Pointing game" in html and "c &lt;i&gt;" in html
    s["tables"]["faithfulness"] = []  # nothing measured: no empty table
    assert env.get_template("sections/lime.html.j2").render(s=s).count("<table") == 1


def test_a_small_budget_takes_fewer_samples_and_says_so(tiny_artefacts, small):
    from fer_report.explain.budget import Budget

    cost = tiny_artefacts.budget.cost
    before = tiny_artefacts.evaluations.snapshot()
    result = run(tiny_artefacts, budget=Budget(1e-6, cost))
    used = tiny_artefacts.evaluations.snapshot() - before
    n = result.numbers
    assert n["budget"]["counts"] == {"samples": lime.MIN_SAMPLES, "images": lime.MIN_FAITH} and n["budget"]["over_budget"]
    assert n["num_samples"] == lime.MIN_SAMPLES and "100 perturbed copies" in result.text[0]
    assert any("100 perturbed copies per image instead of 150, 5 extra test images measured instead of 6" in line
               for line in result.text)
    explained = len(n["examples"]) + len(set(n["measured"]) - set(n["examples"]))
    assert used.backward == 0 and used.forward == explained * 100 + len(n["measured"]) * 11 * 2
    assert used.forward <= lime.cost(n["budget"]["counts"], len(n["examples"]))
