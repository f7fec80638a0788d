import dataclasses

import torch

from fer_report.model.builtin import build_model
from fer_report.training.train import Trained
from fer_report.report.section import run_section
from fer_report.sections import gradcam
from tests.explain.known_answer import mouth_artefacts


def run(artefacts, **replace):
    return run_section(gradcam.section, artefacts, **replace)


def test_section_on_a_tiny_trained_model(tiny_artefacts, monkeypatch):
    monkeypatch.setattr(gradcam, "N_FAITH", 30)
    result = run(tiny_artefacts)
    n = result.numbers
    assert (n["requested_layer"], n["requested_size"]) == ("features.conv4", [6, 6])  # cnn4's last conv: too coarse
    assert (n["layer"], n["hooked"], n["feature_size"], n["layer_replaced"]) == (
        "features.conv3", "features.relu3", [12, 12], True)
    assert n["formula_max_abs_diff"] < 1e-5 and n["map_peak"] > 0
    s = n["faithfulness"]["gradcam"]
    assert 0 <= s["pointing_game"] <= 1 and 0 <= s["mass_inside"] <= 1 and 0 < s["chance"] < 1
    assert 0 <= s["deletion_auc"] <= 1 and s["n"] > 0
    assert [f.path for f in result.figures] == ["figures/gradcam.png", "figures/gradcam_deletion.png"]
    assert all((tiny_artefacts.figures.build_dir / f.path).stat().st_size > 3000 for f in result.figures)
    assert result.text[0].startswith("Layer features.conv4 is only 6x6 at 48x48 input, too coarse")
    assert result.text[1].startswith("Grad-CAM uses layer features.conv3 through its rectified output features.relu3")
    assert any(line.startswith("Check: Grad-CAM computed directly") for line in result.text)
    assert result.tables["faithfulness"][0]["method"] == "Grad-CAM"


def test_a_coarse_layer_is_replaced_and_the_text_says_so(tiny_artefacts, monkeypatch):
    """ResNet18's layer4 is 2x2 at 48x48: the section moves to the block layer1.1 (12x12), in zh-TW; on a
    residual net the candidates are the blocks' outputs, not the raw convs before the residual add."""
    monkeypatch.setattr(gradcam, "N_FAITH", 10)
    torch.manual_seed(0)
    t = tiny_artefacts.trained
    resnet = Trained.given(build_model("resnet18"), t.spec, t.device)
    result = run(tiny_artefacts, trained=resnet, text=gradcam.section.text("zh-TW"))
    n = result.numbers
    assert (n["requested_layer"], n["requested_size"]) == ("layer4.1", [2, 2])
    assert (n["layer"], n["hooked"], n["feature_size"], n["layer_replaced"]) == ("layer1.1", "layer1.1", [12, 12], True)
    assert "layer4.1" in result.text[0] and "layer1.1" in result.text[0] and "太粗糙" in result.text[0]
    assert n["formula_max_abs_diff"] < 1e-5


def test_the_layer_setting_is_used_even_when_coarse(tiny_artefacts, monkeypatch):
    model = tiny_artefacts.trained.model
    assert gradcam.choose_layer(model, (1, 48, 48), "features.conv2") == {
        "layer": "features.conv2", "size": [24, 24], "requested": "features.conv2", "requested_size": [24, 24],
        "replaced": False}
    monkeypatch.setattr(gradcam, "N_FAITH", 10)
    settings = dataclasses.replace(tiny_artefacts.settings, layer="features.conv4")
    result = run(tiny_artefacts, settings=settings)
    assert (result.numbers["layer"], result.numbers["layer_replaced"]) == ("features.conv4", False)
    assert result.text[0].startswith("Layer features.conv4, chosen with --layer, is only 6x6")


def test_known_answer_points_at_the_mouth(tiny_artefacts, monkeypatch):
    """MouthNet reads only the mouth window: its Grad-CAM (on a 24x24 layer) must peak there for every class."""
    monkeypatch.setattr(gradcam, "N_FAITH", 30)
    result = run(tiny_artefacts, **mouth_artefacts(tiny_artefacts.dataset))
    n = result.numbers
    assert (n["layer"], n["feature_size"]) == ("conv", [24, 24]) and n["formula_max_abs_diff"] < 1e-5
    s = n["faithfulness"]["gradcam"]
    assert s["pointing_game"] == 1.0 and s["mass_inside"] > 0.85  # bilinear upsampling spills a little
    assert {c["dominant"] for c in s["per_class"]} == {"mouth"}
    assert s["deletion_auc"] < s["random_auc"]
    assert any("on the mouth" in line for line in result.text)
