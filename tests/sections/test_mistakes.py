from dataclasses import replace

import numpy as np

from fer_report.report.artifacts import Predictions, SplitPredictions
from fer_report.report.section import run_section, string_problems
from fer_report.sections import mistakes
from fer_report.sections.mistakes import PER_CELL, cell_images


def test_a_cell_shows_its_most_confident_images_first():
    y = np.array([0, 0, 0, 1, 0])
    yp = np.array([1, 1, 1, 1, 0])
    probs = np.zeros((5, 2))
    probs[:, 1] = [0.6, 0.9, 0.7, 0.8, 0.1]
    assert cell_images(y, yp, probs, 0, 1).tolist() == [1, 2, 0]


def test_a_diagonal_cell_shows_the_most_and_the_least_confident():
    n = 40
    y = yp = np.zeros(n, int)
    probs = np.zeros((n, 2))
    probs[:, 0] = np.linspace(0.5, 0.99, n)
    shown = cell_images(y, yp, probs, 0, 0).tolist()
    assert shown[:PER_CELL // 2] == list(range(n - 1, n - 1 - PER_CELL // 2, -1))
    assert shown[PER_CELL // 2:] == list(range(PER_CELL // 2 - 1, -1, -1))


def test_section_on_a_tiny_trained_model(tiny_artefacts):
    result = run_section(mistakes.section, tiny_artefacts)
    p = tiny_artefacts.predictions.test
    n = result.numbers
    assert n["errors"] == int((p.y_true != p.y_pred).sum()) and n["saliency"]
    for g in result.tables["galleries"]:
        i, j = map(int, g["id"].split("-")[1:])
        assert g["count"] == int(((p.y_true == i) & (p.y_pred == j)).sum()) >= len(g["items"])
    build = tiny_artefacts.build_dir
    assert all((build / item["path"]).is_file() for g in result.tables["galleries"] for item in g["items"])


def test_a_whole_fer2013_test_split_stays_under_15_mb(tiny_artefacts, tmp_path):
    """3,589 images with every one of the 49 cells full: the most pictures the page can hold, inlined."""
    ds = tiny_artefacts.dataset
    rng = np.random.default_rng(0)
    pick = rng.integers(0, len(ds.test), 3589)
    noisy = np.clip(ds.test.x[pick].astype(int) + rng.normal(0, 12, (3589, 48, 48)), 0, 255).astype(np.uint8)
    y, yp = rng.integers(0, 7, 3589), rng.integers(0, 7, 3589)
    probs = rng.dirichlet(np.ones(7), 3589)
    split = SplitPredictions(y_true=y, y_pred=yp, probs=probs)
    dataset = replace(ds, test=replace(ds.test, x=noisy, y=y, regions=None))
    from fer_report.draw.figures import Figures

    result = run_section(mistakes.section, None, dataset=dataset, predictions=Predictions(test=split, val=split),
                         trained=tiny_artefacts.trained, figures=Figures(tmp_path), text=mistakes.section.text("en"))
    assert result.numbers["thumbnails"] == 49 * PER_CELL
    inlined = sum(4 / 3 * (tmp_path / item["path"]).stat().st_size for g in result.tables["galleries"]
                  for item in g["items"])
    assert inlined < 15e6 - 2e6  # leave room for the rest of the page (the default report is ~2 MB)


def test_strings_in_both_languages_have_the_same_placeholders():
    assert string_problems(mistakes.STRINGS, ("en", "zh-TW")) == []
