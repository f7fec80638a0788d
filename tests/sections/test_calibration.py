import numpy as np
import pytest

from fer_report.maths import calibration as cal
from fer_report.report.section import run_section
from fer_report.sections import calibration


def test_section_on_a_tiny_trained_model(tiny_artefacts):
    result = run_section(calibration.section, tiny_artefacts)
    p = tiny_artefacts.predictions
    n = result.numbers
    assert n["images"] == len(p.test.y_true)
    assert n["scores"]["ece"]["value"] == pytest.approx(cal.ece(p.test.probs.astype(np.float64), p.test.y_true))
    assert n["accuracy"] == p.test.accuracy
    t = n["temperature"]
    assert t is not None and t > 0
    val = p.val.probs.astype(np.float64)
    assert cal.nll(cal.scaled(val, t), p.val.y_true) <= cal.nll(val, p.val.y_true) + 1e-12  # fitted on val only
    assert sum(n["reliability"]["count"]) == n["images"]
    assert result.text[0].startswith("On the test split") and f"T = {t:.2f}" in result.text[2]
    assert len(result.figures) == 1 and result.figures[0].path == "figures/calibration.png"
    assert [r["class"] for r in n["per_class"]] == list(tiny_artefacts.dataset.classes)


def test_strings_in_both_languages_have_the_same_placeholders():
    from fer_report.report.section import string_problems

    assert string_problems(calibration.STRINGS, ("en", "zh-TW")) == []


def test_over_and_under_confidence_read_from_the_numbers():
    t = calibration.section.text("en")
    assert t("cal.over", conf=0.8, acc=0.6).startswith("The model is over-confident")
    assert "過度自信" in calibration.section.text("zh-TW")("cal.over", conf=0.8, acc=0.6)
