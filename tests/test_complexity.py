import pytest
from torch import nn

from fer_report.model import complexity as cx
from fer_report.draw.mathsvg import render
from fer_report.model.builtin import build_model


@pytest.fixture(scope="module")
def cnn4_costs():
    return cx.layer_costs(build_model("cnn4"), (1, 48, 48))


def test_cnn4_conv_and_linear_costs_by_hand(cnn4_costs):
    by = {c.name: c for c in cnn4_costs}
    # k*k*C_in*C_out * H_out*W_out ("same" padding keeps 48, then each 2x2 pool halves: 24, 12, 6, 3)
    want = {
        "features.conv1": (3 * 3 * 1 * 32 * 48 * 48, 3 * 3 * 1 * 32 + 32, (32, 48, 48)),
        "features.conv2": (5 * 5 * 32 * 64 * 24 * 24, 5 * 5 * 32 * 64 + 64, (64, 24, 24)),
        "features.conv3": (3 * 3 * 64 * 64 * 12 * 12, 3 * 3 * 64 * 64 + 64, (64, 12, 12)),
        "features.conv4": (3 * 3 * 64 * 32 * 6 * 6, 3 * 3 * 64 * 32 + 32, (32, 6, 6)),
        "classifier.fc1": (32 * 3 * 3 * 256, 288 * 256 + 256, (256,)),
        "classifier.fc2": (256 * 512, 256 * 512 + 512, (512,)),
        "classifier.fc3": (512 * 7, 512 * 7 + 7, (7,)),
    }
    for name, (macs, params, shape) in want.items():
        c = by[name]
        assert (c.macs, c.hand_macs, c.params, c.output_shape) == (macs, macs, params, shape), name
    assert by["features.conv1"].bias_adds == 32 * 48 * 48 and by["classifier.fc3"].bias_adds == 7
    assert by["features.relu1"].hand_macs is None and by["features.relu1"].macs == 0
    assert by["features.bn1"].params == 64  # gamma and beta; running statistics are buffers


def test_cnn4_totals_and_check(cnn4_costs):
    t = cx.totals(cnn4_costs)
    assert t.params == 318_055  # the trainable count (319,975 in Keras's count with the BN statistics)
    assert t.macs == sum(c.hand_macs for c in cnn4_costs if c.hand_macs is not None)
    c = cx.check(cnn4_costs)
    assert c.passed and c.cases == 7 and c.max_error == 0 and c.tolerance == 0


def test_check_fails_when_the_formula_disagrees(cnn4_costs):
    import copy

    bad = copy.deepcopy(cnn4_costs)
    next(c for c in bad if c.name == "features.conv2").hand_macs += 1
    c = cx.check(bad)
    assert not c.passed and c.max_error == 1 and "features.conv2" in c.worst_case


def test_grouped_conv_and_mode_restored():
    model = nn.Sequential(nn.Conv2d(4, 8, 3, groups=2, stride=2, bias=False), nn.Flatten(), nn.Linear(8 * 4 * 4, 3))
    model.train()
    costs = cx.layer_costs(model, (4, 9, 9))
    conv = costs[0]
    assert conv.hand_macs == conv.macs == 3 * 3 * (4 // 2) * 8 * 4 * 4 and conv.bias_adds == 0
    assert cx.check(costs).passed and model.training


def test_course_example_by_hand():
    ex = cx.course_example()
    a, b = ex.layers
    # A: 8x8x5, kernel 2x2, stride 3, valid -> floor((8-2)/3)+1 = 3: 3x3x6
    assert (a.input_shape, a.output_shape) == ((8, 8, 5), (3, 3, 6))
    assert (a.weights, a.biases, a.params) == (2 * 2 * 5 * 6, 6, 126)
    assert a.multiplications == 3 * 3 * 6 * (2 * 2 * 5) == 1080
    assert a.additions == 3 * 3 * 6 * ((2 * 2 * 5 - 1) + 1) == 1080
    # B: 3x3x6, kernel 2x2, stride 2, valid -> floor((3-2)/2)+1 = 1: 1x1x4
    assert (b.input_shape, b.output_shape) == ((3, 3, 6), (1, 1, 4))
    assert (b.weights, b.biases, b.params) == (2 * 2 * 6 * 4, 4, 100)
    assert b.multiplications == b.additions == 1 * 1 * 4 * (2 * 2 * 6) == 96
    assert (a.counter_macs, b.counter_macs) == (1080, 96)
    assert ex.check.passed and ex.check.cases == 2


def test_formulas_typeset():
    for latex in [*cx.cost_formulas_latex(), cx.time_complexity_latex()]:
        assert render(latex).width > 0
    t = cx.time_complexity_latex()
    assert r"\sum_{l=1}^{L} n_l^2\, k_l^2\, C_{l-1}\, C_l" in t
