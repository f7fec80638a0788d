import dataclasses

import pytest
import torch
from torch import nn

from fer_report.model import complexity as cx
from fer_report.draw.figures import Figures
from fer_report.model.inference import InputSpec
from fer_report.model.builtin import build_model
from fer_report.report.render import environment
from fer_report.report.section import run_section
from fer_report.sections import complexity
from tests.conftest import tiny_settings


def run(tmp_path, lang="en", **given):
    settings = given.pop("settings", None) or tiny_settings(tmp_path)
    values = dict(settings=settings, network=build_model("cnn4"), spec=InputSpec(channels=1, size=48),
                  figures=Figures(tmp_path, lang=lang), text=complexity.section.text(lang))
    values.update(given)
    return run_section(complexity.section, None, **values)


@pytest.fixture(scope="module")
def cnn4(tmp_path_factory):
    return run(tmp_path_factory.mktemp("cplx"))


def test_cnn4_conv_layers_counted_by_hand(cnn4):
    rows = {r["name"]: r for r in cnn4.numbers["layers"]}
    # k*k*C_in*C_out*H_out*W_out with "same" padding; each 2x2 pool halves the side: 48, 24, 12, 6
    by_hand = {"features.conv1": 3 * 3 * 1 * 32 * 48 * 48, "features.conv2": 5 * 5 * 32 * 64 * 24 * 24,
               "features.conv3": 3 * 3 * 64 * 64 * 12 * 12, "features.conv4": 3 * 3 * 64 * 32 * 6 * 6}
    for name, macs in by_hand.items():
        assert rows[name]["macs"] == rows[name]["hand"] == macs, name
    assert rows["features.conv2"]["params"] == 5 * 5 * 32 * 64 + 64 and rows["features.conv2"]["shape"] == "64×24×24"
    linear = 288 * 256 + 256 * 512 + 512 * 7
    n = cnn4.numbers
    assert n["conv_macs"] == sum(by_hand.values()) and n["linear_macs"] == linear
    assert n["macs"] == sum(by_hand.values()) + linear and n["params"] == n["model_params"] == 318_055
    assert n["check"]["passed"] and n["check"]["max_error"] == 0 and n["check"]["cases"] == 7
    assert cnn4.text[0] == (f"cnn4 has 318,055 parameters and needs {n['macs']:,} multiply-adds "
                            f"({n['macs'] / 1e6:.2f} M) for a forward pass of one 1×48×48 input, plus "
                            f"{n['bias_adds']:,} additions of biases.")
    assert any(line.startswith("Check: for all 7 conv and linear layers") and "(largest difference 0)" in line
               for line in cnn4.text)


def test_the_course_example_layer_a_and_b(cnn4):
    a, b = cnn4.tables["course"]
    # A: 2x2x5 kernels, 6 filters, stride 3 on 8x8x5 -> floor((8-2)/3)+1 = 3: 3x3x6 outputs, 20 terms each
    assert (a["output"], a["params"], a["mult"], a["add"], a["macs"]) == ("3×3×6", 2 * 2 * 5 * 6 + 6, 54 * 20, 54 * 20,
                                                                           1080)
    # B: 2x2x6 kernels, 4 filters, stride 2 on 3x3x6 -> floor((3-2)/2)+1 = 1: 1x1x4 outputs, 24 terms each
    assert (b["output"], b["params"], b["mult"], b["add"], b["macs"]) == ("1×1×4", 2 * 2 * 6 * 4 + 4, 96, 96, 96)
    assert ("Layer A: 8×8×5 → 3×3×6. Parameters: 2×2·5·6 weights + 6 biases = 126. Multiplications: 54 output "
            "values × 20 = 1,080. Additions: 54 × ((20 − 1) + 1 for the bias) = 1,080.") in cnn4.text
    assert cnn4.numbers["course_check"]["passed"]


def test_formulas_are_typeset_and_the_template_renders(tmp_path):
    result = run(tmp_path, lang="zh-TW")
    svgs = [f["svg"] for f in result.tables["formulas"]] + [result.tables["time"]["svg"]]
    assert len(svgs) == 4 and all((tmp_path / s).read_text().startswith("<svg") for s in svgs)
    assert result.text[0].startswith("cnn4 共有 318,055 個參數")
    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    html = env.get_template("sections/complexity.html.j2").render(s=dataclasses.asdict(result),
                                                                   t=complexity.section.text("zh-TW"))
    assert html.count('<table class="data">') == 2 and html.count('<img class="math-display"') == 4
    assert "<code>features.conv2</code>" in html and "1,080" in html and "課程的例子" in html


def test_a_formula_that_disagrees_with_the_counter_fails_the_section(tmp_path, monkeypatch):
    real = cx.layer_costs

    def off_by_one(model, shape):
        costs = real(model, shape)
        for c in costs:
            if c.name == "features.conv2":
                c.hand_macs += 1
        return costs

    monkeypatch.setattr(cx, "layer_costs", off_by_one)
    with pytest.raises(complexity.ChecksFailed, match=r"features\.conv2") as err:
        run(tmp_path)
    assert err.value.numbers["check"]["max_error"] == 1 and not err.value.numbers["check"]["passed"]


class Unused(nn.Module):
    """A dense net with a layer its forward never calls and a parameter held by the model itself."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 7)
        self.spare = nn.Linear(3, 3)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return self.fc(x.flatten(1)) * self.scale


def test_a_model_without_convolutions_and_with_unused_parameters(tmp_path):
    result = run(tmp_path, settings=tiny_settings(tmp_path, model="dnn"), network=Unused(),
                 spec=InputSpec(channels=1, size=4))
    assert result.numbers["conv_macs"] == 0 and result.numbers["macs"] == 16 * 7
    assert "dnn has no convolution: its linear layers (1) take all 112 multiply-adds." in result.text
    assert ("13 of the model's 132 parameters belong to no layer that ran in the forward pass (unused layers, or "
            "parameters held by a container), so the table leaves them out.") in result.text
    assert not result.tables["time_model"]


def test_the_run_uses_the_runs_network_and_spec(tiny_artefacts):
    result = run_section(complexity.section, tiny_artefacts)
    assert result.numbers["input_shape"] == list(tiny_artefacts.spec.shape)
    assert result.numbers["params"] == sum(p.numel() for p in tiny_artefacts.network.parameters())
    assert "trained" not in complexity.section.needs  # counting costs no training
