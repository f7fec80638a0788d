import dataclasses

import pytest

from fer_report.errors import ConfigError
from fer_report.draw.figures import Figures
from fer_report.report.section import run_section
from fer_report.sections import filters


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(filters, "ASCENT_STEPS", 12)
    monkeypatch.setattr(filters, "MAX_FILTERS", 8)


def run(artefacts, **replace):
    return run_section(filters.section, artefacts, **replace)


def settings_with(artefacts, **changes):
    return dataclasses.replace(artefacts.settings, **changes)


def test_first_and_last_conv_layer_on_a_tiny_trained_model(tiny_artefacts, small):
    result = run(tiny_artefacts)
    n = result.numbers
    assert [f["layer"] for f in n["layers"]] == ["features.conv1", "features.conv4"]
    assert n["shown_outputs"] == ["features.relu1", "features.relu4"]  # what the next layer sees
    first, last = n["layers"]
    assert (first["filters"], first["map_size"]) == (8, [48, 48]) and (last["filters"], last["map_size"]) == (8, [6, 6])
    for f in n["layers"]:
        assert f["ascent_end"] > f["ascent_start"] and 0 < f["ascent_raised"] <= 8
        assert 0 <= f["high_freq_share"] <= 1 and 0 <= f["silent"] <= 8 and len(f["strongest"]) == 3
        assert f["peak_region"] in (None, "brows", "eyes", "mouth")
        assert all(s["enrichment"] >= 0 and 0 <= s["share"] <= 1 for s in f["selective"])
    assert n["input_class"] == "Happy" or "Happy" not in tiny_artefacts.dataset.classes
    assert [f.path for f in result.figures] == ["figures/filters_ascent.png", "figures/filters_outputs.png"]
    assert all((tiny_artefacts.figures.build_dir / f.path).stat().st_size > 5000 for f in result.figures)
    assert [f["total_filters"] for f in n["layers"]] == [32, 32] and all(f["activation"] == "ReLU" for f in n["layers"])
    assert result.text[:2] == ["features.conv1 has 32 filters; the figures and numbers below show the first 8 (0 to 7).",
                               "features.conv4 has 32 filters; the figures and numbers below show the first 8 (0 to 7)."]
    assert result.text[2].startswith("Gradient ascent (12 steps from faint noise) raised the mean activation of")
    assert sum("grained than the last layer's" in line for line in result.text) == 1
    assert [r["layer"] for r in result.tables["layers"]] == ["features.conv1", "features.conv4"]
    again = run(tiny_artefacts).numbers
    assert again["layers"] == n["layers"] and again["input_index"] == n["input_index"]  # same seed, same result


def test_the_layer_setting_picks_one_layer_and_a_wrong_name_lists_the_choices(tiny_artefacts, small):
    result = run(tiny_artefacts, settings=settings_with(tiny_artefacts, layer="features.conv2"))
    assert [f["layer"] for f in result.numbers["layers"]] == ["features.conv2"]
    assert any("of the spectral energy of the features.conv2 ascent images" in line for line in result.text)
    with pytest.raises(ConfigError, match="features.conv1, features.conv2"):
        run(tiny_artefacts, settings=settings_with(tiny_artefacts, layer="features.nope"))


def test_course_figures_and_traditional_chinese_without_regions(tiny_artefacts, small, tmp_path):
    ds = tiny_artefacts.dataset
    no_regions = type(ds)(**{**ds.__dict__, "test": type(ds.test)(x=ds.test.x, y=ds.test.y)})
    course = tmp_path / "course"
    result = run(tiny_artefacts, dataset=no_regions, text=filters.section.text("zh-TW"), figures=Figures(tmp_path, lang="zh-TW"),
                 settings=settings_with(tiny_artefacts, export_course_figures=str(course)))
    assert sorted(p.name for p in course.iterdir()) == ["fig2_1.jpg", "fig2_2.jpg"]
    assert all((course / name).read_bytes()[:3] == b"\xff\xd8\xff" for name in ("fig2_1.jpg", "fig2_2.jpg"))
    assert all(f["peak_region"] is None and f["selective"] == [] for f in result.numbers["layers"])
    assert any("平均輸出最高的 filter" in line for line in result.text)
    assert not any("落在" in line for line in result.text)  # no regions: nothing said about where filters fire
    assert (tmp_path / "figures" / "filters_ascent.png").exists()


def test_template_renders_the_layer_table():
    from fer_report.report.render import environment

    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    env.globals["t"] = filters.section.text("zh-TW")
    rows = [{"layer": "features.conv1", "filters": 32, "total": 32, "raised": 32, "hf": 0.59, "freq": 0.291,
             "silent": 0, "strongest": "6, 12, 26"},
            {"layer": "features.conv4", "filters": 32, "total": 64, "raised": 30, "hf": 0.2, "freq": 0.1, "silent": 3,
             "strongest": "1, 2, 3"}]
    html = env.get_template("sections/filters.html.j2").render(s={"figures": [], "text": ["y"], "tables": {"layers": rows}})
    assert "features.conv1" in html and "59%" in html and "0.29" in html and "反應最強的 filter" in html
    assert ">32</td>" in html and ">32 / 64</td>" in html  # how many of how many, when not all are shown


def test_the_grid_title_says_how_many_of_how_many_filters():
    """A 64-filter layer shown with MAX_FILTERS = 32 was titled "features.0: 32 filters" (issue 28)."""
    import numpy as np

    en = filters.section.text("en")
    fig = filters.plot_grids({"features.0": np.zeros((32, 6, 6)), "features.8": np.zeros((16, 6, 6))}, (0.0, 1.0),
                             text=en, totals={"features.0": 64, "features.8": 16})
    assert [sub._suptitle.get_text() for sub in fig.subfigs] == ["features.0: 32 of 64 filters",
                                                                  "features.8: 16 of 16 filters"]
    zh = filters.plot_grids({"features.0": np.zeros((32, 6, 6))}, (0.0, 1.0), text=filters.section.text("zh-TW"),
                            totals={"features.0": 64})
    assert zh.subfigs[0]._suptitle.get_text() == "features.0：64 個 filter 中的 32 個"


def test_a_small_budget_takes_fewer_ascent_steps_and_says_so(tiny_artefacts, small):
    from fer_report.explain.budget import Budget

    tight = Budget(1e-6, tiny_artefacts.budget.cost)  # the predictions and the cost measured before counting
    tiny_artefacts.predictions
    before = tiny_artefacts.evaluations.snapshot()
    result = run(tiny_artefacts, budget=tight)
    used = tiny_artefacts.evaluations.snapshot() - before
    n = result.numbers
    assert n["steps"] == filters.MIN_STEPS == n["budget"]["counts"]["steps"] and n["budget"]["over_budget"]
    assert any("10 gradient-ascent steps instead of 12" in line for line in result.text)
    assert any(line.startswith("Gradient ascent (10 steps") for line in result.text)
    assert used.backward == 10 * 8 * 2  # each step: one image per filter, 8 filters in each of 2 layers


def test_the_outputs_caption_speaks_of_drawn_cues_only_on_drawn_faces(tiny_artefacts):
    ds = tiny_artefacts.dataset
    drawn = run_section(filters.section, tiny_artefacts)
    photos = run_section(filters.section, tiny_artefacts,
                         dataset=dataclasses.replace(ds, test=dataclasses.replace(ds.test, regions=None)))
    assert "drawn cue regions" in drawn.figures[1].caption
    assert "cue" not in photos.figures[1].caption and photos.figures[1].caption.startswith("A ")
