import dataclasses

import numpy as np
import pytest

from fer_report.maths import pca
from fer_report.draw.figures import Figures
from fer_report.report.render import environment
from fer_report.report.section import run_section
from fer_report.sections import pca as pca_section

POINTS = np.array([(1, 2, 3), (4, 8, 5), (3, 12, 9), (1, 8, 5), (5, 14, 2), (7, 4, 1), (9, 8, 9), (3, 8, 1),
                   (11, 5, 6), (10, 11, 7)], dtype=float)  # the 2018 Fall question, as printed


def run(tmp_path, lang="en"):
    return run_section(pca_section.section, None, figures=Figures(tmp_path, lang=lang),
                       text=pca_section.section.text(lang))


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return run(tmp_path_factory.mktemp("pca"))


def test_the_numbers_are_numpys(result):
    n = result.numbers
    assert np.array_equal(n["points"], POINTS)
    d = POINTS - POINTS.mean(0)
    values, vectors = np.linalg.eigh(d.T @ d / len(POINTS))  # ascending
    values, vectors = values[::-1], vectors[:, ::-1]
    assert np.allclose(n["eigenvalues"], values, atol=1e-10)
    axes = np.array(n["axes"])
    assert np.allclose(np.abs(axes @ vectors), np.eye(3), atol=1e-10)  # the same axes, each up to its sign
    assert all(a[np.argmax(np.abs(a))] > 0 for a in axes)  # the sign convention the text states
    assert np.allclose(n["components"], d @ axes.T, atol=1e-10)
    rank2 = POINTS.mean(0) + (d @ vectors[:, :2]) @ vectors[:, :2].T
    assert np.allclose(n["reconstruction"], rank2, atol=1e-10)
    residual = np.linalg.norm(POINTS - rank2, axis=1)
    assert np.allclose(n["errors"], residual, atol=1e-10)
    assert n["total_error"] == pytest.approx(np.sqrt((residual ** 2).sum()), abs=1e-10)
    assert n["total_error"] == pytest.approx(np.sqrt(10 * values[2]), abs=1e-10)
    assert n["passed"] and len(n["checks"]) == 14
    assert all(c["passed"] and c["max_error"] <= c["tolerance"] == 1e-9 for c in n["checks"])


def test_the_sentences_answer_the_three_parts(result):
    lam = result.numbers["eigenvalues"]
    worst = int(np.argmax(result.numbers["errors"]))
    assert result.text[1].startswith("(1) The principal axes are u₁ = (0.6166, 0.5888, 0.5226), ")
    assert f"λ₃ = {lam[2]:.4f}" in result.text[1]
    assert result.text[3].startswith("(2) The principal components")
    assert (f"the largest is sample {worst + 1} ({result.numbers['errors'][worst]:.4f}). The L2 norm of all "
            f"residuals is √(n·λ₃) = {result.numbers['total_error']:.4f}") in result.text[4]
    assert result.text[5].startswith("Check: all 14 quantities agree with numpy")
    assert [r["i"] for r in result.tables["samples"]] == list(range(1, 11))
    assert result.tables["samples"][1]["x"] == ["4", "8", "5"]


def test_every_step_is_typeset_and_both_languages_render(tmp_path):
    result = run(tmp_path, lang="zh-TW")
    steps = result.tables["steps"]
    assert len(steps) == len(pca_section.STEP_KEYS) == 9
    assert all((tmp_path / s["svg"]).read_text().startswith("<svg") for s in steps)
    assert result.text[1].startswith("(1) Principal axes 為 u₁ = (0.6166, 0.5888, 0.5226)")
    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    html = env.get_template("sections/pca.html.j2").render(s=dataclasses.asdict(result),
                                                            t=pca_section.section.text("zh-TW"))
    assert html.count('<img class="math-display"') == 9 and html.count('<table class="data') == 3
    assert "<code>pca.eigenvalues</code>" in html and "與 numpy 比對" in html and "所有殘差的 L2-norm" in html


def test_a_wrong_step_fails_the_section_and_keeps_the_checks(tmp_path, monkeypatch):
    real = pca.solve

    def wrong():  # the covariance divided by n - 1 while the rest assumes n: the eigenvalues are off
        r = real()
        return dataclasses.replace(r, eigenvalues=r.eigenvalues * 10 / 9)

    monkeypatch.setattr(pca, "solve", wrong)
    with pytest.raises(pca_section.ChecksFailed, match=r"check pca\.eigenvalues failed") as err:
        run(tmp_path)
    failed = {c["name"] for c in err.value.numbers["checks"] if not c["passed"]}
    assert "pca.eigenvalues" in failed and "pca.mean" not in failed and not err.value.numbers["passed"]
