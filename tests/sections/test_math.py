import json

import pytest
import torch

from fer_report.maths import derivations
from fer_report.config import Settings
from fer_report.draw.figures import Figures
from fer_report.draw.mathsvg import MathError, check_latex, pieces, render
from fer_report.sections import math as math_section
from tests.conftest import tiny_settings


def test_conv_output_size_known_values():
    assert derivations.conv_output_size(48, 3, 1, 1) == 48  # "same" padding
    assert derivations.conv_output_size(7, 3, 2, 0) == 3  # (7 - 3) / 2 + 1, no remainder
    assert derivations.conv_output_size(8, 3, 2, 0) == 3  # floor(5 / 2) + 1: the last column is dropped
    assert derivations.conv_shape((4, 48, 40, 1), 32, (5, 3), (2, 1), (2, 0)) == (4, 24, 38, 32)


def test_every_derivation_check_passes_at_its_tolerance():
    from fer_report.explain.attribution import gradcam_by_formula

    checks = derivations.run_all(seed=1, gradcam_by_formula=gradcam_by_formula)
    names = {c.name for c in checks}
    assert {"conv.shape", "bn.x", "bn.mu", "bn.var", "bn.x_hat", "bn.gamma", "bn.beta", "ce.onehot",
            "ce.general", "gradcam.alpha"} <= names
    for c in checks:
        assert c.passed, (c.name, c.max_error, c.worst_case)
    conv = next(c for c in checks if c.name == "conv.shape")
    assert conv.cases >= 100 and conv.detail["floored"] >= 20  # cases where the floor matters are covered
    assert max(c.max_error for c in checks if c.name.startswith(("bn.", "ce."))) <= 1e-8


def test_batchnorm_closed_form_matches_a_hand_computed_batch():
    x = torch.tensor([[1.0], [3.0]], dtype=torch.float64)  # mu 2, var 1
    gamma, beta = torch.tensor([2.0], dtype=torch.float64), torch.tensor([0.5], dtype=torch.float64)
    f = derivations.bn_forward(x, gamma, beta, 0.0)
    assert f["mu"].item() == 2 and f["var"].item() == 1
    assert f["y"].flatten().tolist() == [-1.5, 2.5]


def test_a_wrong_closed_form_fails_its_check_and_names_the_case(monkeypatch):
    monkeypatch.setattr(derivations, "softmax_ce_grad",
                        lambda z, y: torch.softmax(z, 1) - y)  # forgets the sum of y: wrong unless sum(y) = 1
    checks = {c.name: c for c in derivations.check_softmax_ce(trials=10)}
    assert checks["ce.onehot"].passed and checks["ce.soft"].passed
    assert not checks["ce.general"].passed and checks["ce.general"].max_error > 1e-3
    assert "general targets" in checks["ce.general"].worst_case


def test_unbiased_variance_is_caught(monkeypatch):
    real = derivations.bn_forward

    def unbiased(x, gamma, beta, eps):
        out = real(x, gamma, beta, eps)
        m = x.shape[0]
        var = out["var"] * m / (m - 1)
        x_hat = (x - out["mu"]) / torch.sqrt(var + eps)
        return {**out, "var": var, "x_hat": x_hat, "y": gamma * x_hat + beta}

    monkeypatch.setattr(derivations, "bn_forward", unbiased)
    failed = [c.name for c in derivations.check_batchnorm(trials=4) if not c.passed]
    assert "bn.y" in failed and "bn.x" in failed


def test_formulas_that_ziamath_would_print_wrongly_are_errors():
    for bad in (r"\foo{x}", r"x_{i", r"\frac{a}{b", "a^{", r"\text{中文}", r"\Big\lfloor x \Big\rfloor", ""):
        with pytest.raises(MathError):
            render(bad)
    check_latex(r"\frac{\partial \ell}{\partial \hat{x}_i}")
    svg = render(r"\frac{\partial \ell}{\partial \hat{x}_i}")
    assert svg.markup.startswith("<svg") and "<path" in svg.markup and svg.height > svg.depth > 0


def test_prose_splits_into_text_and_inline_formulas():
    assert pieces(r"mean $\mu_B$ of $m$ values") == [{"text": "mean "}, {"latex": r"\mu_B"}, {"text": " of "},
                                                      {"latex": "m"}, {"text": " values"}]
    with pytest.raises(MathError):
        pieces("an unmatched $x")


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_section_typesets_every_formula_and_lists_every_check(tmp_path, lang):
    result = math_section.section.run(settings=Settings(seed=0), figures=Figures(tmp_path, lang=lang),
                                      text=math_section.section.text(lang))
    n = result.numbers
    assert n["passed"] and len(n["checks"]) == len(n["max_error"]) >= 12
    assert all(c["max_error"] <= c["tolerance"] for c in n["checks"])
    parts = result.tables["parts"]
    assert [p["name"] for p in parts][:3] == ["conv", "bn", "ce"]
    svgs = [b["svg"] for p in parts for b in p["blocks"] if b["kind"] == "formula"]
    svgs += [x["svg"] for p in parts for b in p["blocks"] if b["kind"] == "p" for x in b["pieces"] if "svg" in x]
    assert len(svgs) > 20 and all((tmp_path / s).read_text().startswith("<svg") for s in svgs)
    for p in parts:  # Chinese stays outside the formulas
        for b in p["blocks"]:
            assert all(x["latex"].isascii() for x in b.get("pieces", []) if "latex" in x)
    assert len(result.text) == len(parts)


def test_a_formula_that_fails_to_render_fails_the_section(tmp_path, monkeypatch):
    monkeypatch.setattr(math_section, "PARTS", [("conv", [("f", r"\frac{W}{s")], ("conv.",))])
    monkeypatch.setattr(derivations, "run_all", lambda seed, **_: pytest.fail("checks ran before typesetting"))
    with pytest.raises(MathError, match="unbalanced"):
        math_section.section.run(settings=Settings(), figures=Figures(tmp_path), text=math_section.section.text("en"))


def _break_softmax(monkeypatch):
    """Only the (fast) softmax checks, with a closed form that forgets the sum of y."""
    real = derivations.check_softmax_ce
    monkeypatch.setattr(derivations, "softmax_ce_grad", lambda z, y: torch.softmax(z, 1) - y)
    monkeypatch.setattr(derivations, "run_all", lambda seed, **_: [derivations.check_conv_shapes(cases=5, seed=seed),
                                                              *real(trials=5, seed=seed)])


def test_a_failed_check_stops_the_build_with_the_failing_case(tmp_path, monkeypatch):
    from fer_report.report.build import SectionFailed, build

    _break_softmax(monkeypatch)
    settings = tiny_settings(tmp_path / "out", sections=["math"])
    with pytest.raises(SectionFailed, match=r"check ce\.general failed: max error .* \(trial \d+: \d+ samples"):
        build(settings)
    assert not (tmp_path / "out" / "report.json").exists()


def test_keep_going_marks_the_section_failed_and_keeps_every_check(tmp_path, monkeypatch):
    from fer_report.report.build import build

    _break_softmax(monkeypatch)
    build(tiny_settings(tmp_path / "out", sections=["math"], keep_going=True))
    entry = json.loads((tmp_path / "out" / "report.json").read_text())["sections"][0]
    assert entry["status"] == "failed" and "ce.general" in entry["error"]
    checks = {c["name"]: c for c in entry["numbers"]["checks"]}
    assert not checks["ce.general"]["passed"] and checks["ce.onehot"]["passed"] and checks["conv.shape"]["passed"]
    assert checks["ce.general"]["max_error"] > 1e-3
