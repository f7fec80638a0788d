import dataclasses

import numpy as np
import torch
from torch import nn

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
    assert result.text[1].startswith("Grad-CAM uses layer features.conv3 through the output of its activation "
                                     "features.relu3 (ReLU, what the next layer sees)")
    assert n["formula_check"] == "match" and n["empty_examples"] == {} and n["empty_measured"] == {}
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
    assert "的最深殘差區塊" in result.text[0]  # a block, not a convolution (issue 28)
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


class AgainstEveryClass(nn.Module):
    """Positive feature maps (ReLU of a conv with a large bias) read by a head whose weights are all negative:
    every Grad-CAM weight alpha_k is negative, so ReLU(sum_k alpha_k A^k) is zero on every image."""

    def __init__(self):
        super().__init__()
        self.conv, self.relu = nn.Conv2d(1, 4, 3, padding=1), nn.ReLU()
        self.pool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(4, 7)
        with torch.no_grad():
            self.conv.bias.fill_(3.0)
            self.fc.weight.copy_(-torch.rand(7, 4) - 0.1)

    def forward(self, x):
        return self.fc(self.pool(self.relu(self.conv(x))).flatten(1))


def test_an_empty_map_is_a_failure_not_a_match(tiny_artefacts, monkeypatch):
    monkeypatch.setattr(gradcam, "N_FAITH", 12)
    torch.manual_seed(0)
    t = tiny_artefacts.trained
    result = run(tiny_artefacts, trained=Trained.given(AgainstEveryClass().eval(), t.spec, t.device))
    n = result.numbers
    assert (n["layer"], n["hooked"]) == ("conv", "relu")
    assert set(n["empty_examples"]) == set(n["examples"]) and set(n["empty_examples"].values()) == {"negative"}
    assert n["formula_check"] == "no_information" and n["map_peak"] == 0.0
    shown = len(n["examples"])
    assert any(line.startswith(f"Grad-CAM gives no map for {shown} of the {shown} images shown (")
               and "100% of the weights alpha_k are negative" in line for line in result.text)
    assert any(line.startswith("Check failed: all ") for line in result.text)
    assert not any(line.startswith("Check: Grad-CAM computed directly") for line in result.text)
    measured = n["faithfulness"]["gradcam"]
    assert n["empty_measured"] == {"negative": measured["n"]} and measured["pointing_game"] == 0.0
    assert measured["deletion_verdict"] != "faster"  # no information cannot beat a random order
    zh = run(tiny_artefacts, trained=Trained.given(AgainstEveryClass().eval(), t.spec, t.device),
             text=gradcam.section.text("zh-TW"))
    assert any("沒有給出任何圖" in line for line in zh.text) and any(line.startswith("驗證失敗") for line in zh.text)


def test_an_empty_map_is_drawn_as_no_map_not_stretched():
    text = gradcam.section.text("en")
    images = np.full((2, 8, 8), 128.0)
    maps = np.zeros((2, 8, 8))
    maps[0, 2, 2] = 1e-10  # rounding noise: stretched to its own peak it would be a full-colour blob
    maps[1, 4, 4] = 0.5
    fig = gradcam.plot_overlays(images, maps, [("a", False), ("b", False)], ["negative", None], text=text)
    overlay_a, overlay_b = fig.axes[2], fig.axes[3]
    assert len(overlay_a.images) == 1 and [t.get_text() for t in overlay_a.texts] == ["no map"]
    assert len(overlay_b.images) == 2 and overlay_b.images[1].get_array().max() == 1.0


def test_the_coarse_text_names_the_kind_and_the_side_the_model_runs_at(tiny_artefacts, monkeypatch):
    """Issue 28: a residual block is not "the deepest convolution", and a model at 44x44 is not "at 48x48"."""
    from fer_report.model.inference import Resized

    monkeypatch.setattr(gradcam, "N_FAITH", 6)
    torch.manual_seed(0)
    t = tiny_artefacts.trained
    at44 = Trained.given(Resized(build_model("resnet18"), 44), dataclasses.replace(t.spec, meta={"model_size": 44}),
                         t.device)
    result = run(tiny_artefacts, trained=at44)
    n = result.numbers
    assert (n["requested_layer"], n["requested_size"], n["layer_replaced"]) == ("layer4.1", [2, 2], True)
    assert result.text[0].startswith("Layer layer4.1 is only 2x2 at 44x44 input, too coarse")
    # at 44x44 a quarter of the side is 11: layer1.1's 11x11 maps qualify (at 48 they would not)
    assert (n["layer"], n["feature_size"]) == ("layer1.1", [11, 11])
    assert "so Grad-CAM uses layer1.1 (11x11) instead, the deepest residual block with at least 11x11" in result.text[0]
    cnn = run(tiny_artefacts)  # a plain CNN: the deepest convolution, at the data's side
    assert "at 48x48 input" in cnn.text[0] and "the deepest convolution with" in cnn.text[0]


def test_a_small_budget_measures_fewer_images_and_checks_the_formula_on_a_few(tiny_artefacts, monkeypatch):
    from fer_report.explain.budget import Budget

    monkeypatch.setattr(gradcam, "N_FAITH", 40)
    monkeypatch.setattr(gradcam, "MIN_FAITH", 8)
    monkeypatch.setattr(gradcam, "CHECK_IMAGES", 5)
    small = Budget(1e-6, tiny_artefacts.budget.cost)  # the predictions and the cost measured before counting
    tiny_artefacts.predictions
    before = tiny_artefacts.evaluations.snapshot()
    result = run(tiny_artefacts, budget=small)
    used = tiny_artefacts.evaluations.snapshot() - before
    n = result.numbers
    assert n["budget"]["counts"] == {"images": 8} and n["faithfulness"]["gradcam"]["n"] == 8
    assert n["formula_images"] == 5 and n["formula_check"] == "match"
    assert any("8 test images measured instead of 40" in line for line in result.text)
    forward_only, gradient = gradcam.cost(n["budget"]["counts"], len(n["examples"]))
    assert used.backward == gradient
    assert 0 <= used.forward - (forward_only + gradient) <= 2  # and the passes on one image that find the layer
