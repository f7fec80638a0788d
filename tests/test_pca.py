import math

import numpy as np
import pytest

from fer_report.maths import pca
from fer_report.draw.mathsvg import render


@pytest.fixture(scope="module")
def result():
    return pca.solve(pca.COURSE_POINTS)


def test_course_points_are_the_question_s():
    assert pca.COURSE_POINTS == ((1, 2, 3), (4, 8, 5), (3, 12, 9), (1, 8, 5), (5, 14, 2), (7, 4, 1), (9, 8, 9),
                                 (3, 8, 1), (11, 5, 6), (10, 11, 7))


def test_every_check_passes(result):
    checks = pca.checks(result)
    assert {c.name for c in checks} >= {"pca.mean", "pca.covariance", "pca.eigenvalues", "pca.axes", "pca.components",
                                        "pca.reconstruction", "pca.errors", "pca.total_error"}
    for c in checks:
        assert c.passed, (c.name, c.max_error, c.worst_case)
        assert c.tolerance == pca.TOLERANCE and c.cases >= 1


def test_hand_values(result):
    # sums of the coordinates are 54, 80, 48; sum of x^2 is 412, so var(x) = 41.2 - 5.4^2 = 12.04 (divisor n)
    assert result.mean.tolist() == pytest.approx([5.4, 8.0, 4.8], abs=1e-12)
    assert result.covariance[0, 0] == pytest.approx(12.04, abs=1e-12)
    assert np.trace(result.covariance) == pytest.approx(12.04 + 12.2 + 8.16, abs=1e-12)
    assert result.eigenvalues.sum() == pytest.approx(np.trace(result.covariance), abs=1e-12)
    assert list(result.eigenvalues) == sorted(result.eigenvalues, reverse=True)


def test_reconstruction_error_is_sqrt_n_times_the_discarded_eigenvalue(result):
    n = len(pca.COURSE_POINTS)
    assert result.total_error == pytest.approx(math.sqrt(n * result.eigenvalues[2]), abs=1e-12)
    assert result.errors == pytest.approx(np.abs(result.components[:, 2]), abs=1e-12)
    assert result.sum_error == pytest.approx(result.errors.sum(), abs=1e-12)
    # with the other divisor the same residuals give sqrt((n-1) lambda'), lambda' = n lambda / (n-1)
    lam_unbiased = np.linalg.eigvalsh(np.cov(np.array(pca.COURSE_POINTS, float).T))[0]
    assert result.total_error == pytest.approx(math.sqrt((n - 1) * lam_unbiased), abs=1e-12)


def test_sign_convention_and_orthonormal_axes(result):
    for axis in result.axes:
        assert axis[np.argmax(np.abs(axis))] > 0
    assert result.axes @ result.axes.T == pytest.approx(np.eye(3), abs=1e-12)


def test_a_wrong_number_fails_its_check(result):
    import copy

    bad = copy.deepcopy(result)
    bad.components[3, 1] += 1e-6
    failed = [c.name for c in pca.checks(bad) if not c.passed]
    assert failed == ["pca.components"]


def test_repeated_eigenvalue_and_bad_shape_are_refused():
    with pytest.raises(ValueError, match="repeated"):
        pca.solve([(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0)])
    with pytest.raises(ValueError, match="shape"):
        pca.solve([(1, 2), (3, 4)])


def test_formulas_typeset(result):
    steps = pca.latex_steps(result)
    assert len(steps) >= 8
    for latex in steps:
        svg = render(latex)
        assert svg.width > 0 and "<path" in svg.markup
    text = " ".join(steps)
    assert "15.2974" in text and "5.4720" in text and "-0.0000" not in text
    assert f"{result.total_error:.4f}" in steps[-1]
