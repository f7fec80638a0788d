from fer_report.report.section import run_section, string_problems
from fer_report.sections import face_regions


def test_section_on_a_tiny_trained_model(tiny_artefacts):
    result = run_section(face_regions.section, tiny_artefacts)
    n = result.numbers
    assert n["drawn_regions"] and set(n["regions"]) == set(tiny_artefacts.dataset.region_names.values())
    assert n["images"] == min(face_regions.OCCLUSION_IMAGES, len(tiny_artefacts.dataset.test))
    for r in n["occlusion"].values():
        assert r["excess_low"] <= r["excess"] <= r["excess_high"]
        assert abs(r["drop"] - r["control_drop"] - r["excess"]) < 1e-9
    assert set(n["mass_share"]) >= {"Gradient", "Integrated Gradients"}
    assert result.text[0].startswith("The parts (") and len(result.figures) == 2


def test_strings_in_both_languages_have_the_same_placeholders():
    assert string_problems(face_regions.STRINGS, ("en", "zh-TW")) == []
