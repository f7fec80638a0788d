"""PCA by hand for the 2018 Fall question (10 points in 3-D): axes, components, 2-D reconstruction error.

The steps are the ones a student writes on paper (mean, centred data, covariance, characteristic
polynomial, its three roots, one eigenvector per root from a cross product), computed in float64 with
no eigen-solver, so each printed number has a derivation behind it; `checks` then compares every
number with numpy's eigh and with the SVD of the centred data, as derivations.py does for the others.

Covariance divides by n, not n - 1: the course's PCA lecture defines Cov(x) = 1/N sum (x - xbar)(x - xbar)^T,
and the question describes these 10 points themselves, not a population estimated from them. The axes
are the same either way; only the eigenvalues scale, and the total squared reconstruction error is
n * lambda_3 (it would be (n - 1) * lambda_3 with the other divisor).

Sign convention: an eigenvector is defined up to its sign, so each axis is turned so that its
largest-magnitude component is positive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fer_report.maths.derivations import Check

COURSE_POINTS = ((1, 2, 3), (4, 8, 5), (3, 12, 9), (1, 8, 5), (5, 14, 2), (7, 4, 1), (9, 8, 9), (3, 8, 1), (11, 5, 6),
                 (10, 11, 7))
TOLERANCE = 1e-9  # float64 on numbers of size ~10-100: rounding is ~1e-13, a wrong step is far above 1e-9
KEEP = 2  # dimensions kept for the reconstruction


@dataclass
class PCAResult:
    points: np.ndarray  # (n, 3) as given
    mean: np.ndarray  # (3,)
    centred: np.ndarray  # (n, 3) points - mean
    covariance: np.ndarray  # (3, 3) centred^T centred / n
    char_poly: tuple[float, float, float]  # (tr C, sum of 2x2 principal minors, det C): l^3 - a l^2 + b l - c
    eigenvalues: np.ndarray  # (3,) descending
    axes: np.ndarray  # (3, 3) row k = k-th principal axis (unit length, sign convention above)
    components: np.ndarray  # (n, 3) z_ik = u_k . (x_i - mean)
    reconstruction: np.ndarray  # (n, 3) mean + first KEEP components times their axes
    errors: np.ndarray  # (n,) ||x_i - x_hat_i||_2 = |z_i3|
    total_error: float  # sqrt(sum_i ||x_i - x_hat_i||^2) = sqrt(n lambda_3), the L2 norm of all residuals
    sum_error: float  # sum_i ||x_i - x_hat_i||_2, for readers who add up the per-sample norms

    @property
    def n(self) -> int:
        return len(self.points)

    @property
    def explained(self) -> np.ndarray:
        """Fraction of the variance along each axis."""
        return self.eigenvalues / self.eigenvalues.sum()


def solve(points=COURSE_POINTS) -> PCAResult:
    """Every step of the hand computation, for any n >= 2 points in 3-D with distinct eigenvalues."""
    x = np.asarray(points, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 3 or len(x) < 2:
        raise ValueError(f"expected n >= 2 points in 3-D, got an array of shape {x.shape}")
    n = len(x)
    mean = x.sum(0) / n
    d = x - mean
    cov = d.T @ d / n
    a = float(np.trace(cov))
    b = float(cov[0, 0] * cov[1, 1] - cov[0, 1] ** 2 + cov[0, 0] * cov[2, 2] - cov[0, 2] ** 2
              + cov[1, 1] * cov[2, 2] - cov[1, 2] ** 2)
    c = float(_det3(cov))
    lams = _cubic_roots(cov)
    # Near a double root acos loses half the digits (~1e-8 relative), so "repeated" means closer than 1e-6.
    if np.diff(lams).max() >= -1e-6 * max(float(np.abs(lams).max()), 1e-300):
        raise ValueError(f"eigenvalues {', '.join(f'{v:.6g}' for v in lams)} are (nearly) repeated: the axes are not "
                         "unique, so PCA by hand has no single answer")
    axes = np.stack([_eigenvector(cov, lam) for lam in lams])
    z = d @ axes.T
    recon = mean + z[:, :KEEP] @ axes[:KEEP]
    errors = np.sqrt(((x - recon) ** 2).sum(1))
    return PCAResult(points=x, mean=mean, centred=d, covariance=cov, char_poly=(a, b, c), eigenvalues=lams,
                     axes=axes, components=z, reconstruction=recon, errors=errors,
                     total_error=float(np.sqrt((errors ** 2).sum())), sum_error=float(errors.sum()))


def _det3(m: np.ndarray) -> float:
    return (m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
            + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]))


def _cubic_roots(cov: np.ndarray) -> np.ndarray:
    """Roots of det(C - l I) = 0 in closed form (trigonometric solution, all real for a symmetric C).

    Shifting by q = tr C / 3 and scaling by p leaves B = (C - q I) / p with roots 2 cos(phi + 2 pi k / 3),
    where cos(3 phi) = det(B) / 2.
    """
    q = np.trace(cov) / 3
    shifted = cov - q * np.eye(3)
    p = math.sqrt((shifted ** 2).sum() / 6)
    if p == 0:
        return np.full(3, q)
    r = min(1.0, max(-1.0, _det3(shifted / p) / 2))
    phi = math.acos(r) / 3
    largest = q + 2 * p * math.cos(phi)
    smallest = q + 2 * p * math.cos(phi + 2 * math.pi / 3)
    return np.array([largest, 3 * q - largest - smallest, smallest])


def _eigenvector(cov: np.ndarray, lam: float) -> np.ndarray:
    """(C - l I) u = 0: u is orthogonal to the rows of C - l I, so the cross product of two rows is u.

    The pair with the largest cross product is the best conditioned; then unit length and the sign convention.
    """
    m = cov - lam * np.eye(3)
    u = max((np.cross(m[i], m[j]) for i, j in ((0, 1), (0, 2), (1, 2))), key=lambda v: float(v @ v))
    u = u / math.sqrt(float(u @ u))
    return _signed(u)


def _signed(u: np.ndarray) -> np.ndarray:
    return u if u[np.argmax(np.abs(u))] > 0 else -u


# --- checks against numpy ------------------------------------------------------------------------

def checks(result: PCAResult) -> list[Check]:
    """Every number of the hand computation against an independent one (numpy eigh, SVD of the centred data)."""
    r = result
    x, n = r.points, r.n
    u_svd, s, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
    flips = np.sign(vt[np.arange(3), np.argmax(np.abs(vt), axis=1)])  # the same sign convention as the axes
    vt, u_svd = vt * flips[:, None], u_svd * flips[None, :]
    eig = np.linalg.eigvalsh(np.cov(x.T, bias=True))[::-1]
    resid_svd = (x - x.mean(0)) - (u_svd[:, :KEEP] * s[:KEEP]) @ vt[:KEEP]
    a, b, c = r.char_poly
    out = [
        _compare("pca.mean", r.mean, x.mean(0), "np.mean"),
        _compare("pca.covariance", r.covariance, np.cov(x.T, bias=True), "np.cov(bias=True)"),
        _compare("pca.char_poly", np.array([-a, b, -c]), np.poly(r.covariance)[1:], "np.poly"),
        _compare("pca.eigenvalues", r.eigenvalues, eig, "np.linalg.eigvalsh"),
        _compare("pca.eigenvalues_svd", r.eigenvalues, s ** 2 / n, "singular values^2 / n"),
        _compare("pca.trace", np.array([r.eigenvalues.sum()]), np.array([np.trace(r.covariance)]), "trace of C"),
        _compare("pca.eigen_equation", r.covariance @ r.axes.T, r.axes.T * r.eigenvalues, "C u = lambda u"),
        _compare("pca.orthonormal", r.axes @ r.axes.T, np.eye(3), "identity"),
        _compare("pca.axes", r.axes, vt, "SVD right singular vectors"),
        _compare("pca.components", r.components, u_svd * s, "SVD U S"),
        _compare("pca.reconstruction", r.reconstruction, x - resid_svd, "SVD rank-2 reconstruction"),
        _compare("pca.errors", r.errors, np.linalg.norm(resid_svd, axis=1), "SVD residual norms"),
        _compare("pca.errors_z3", r.errors, np.abs(r.components[:, KEEP]), "|z_i3|"),
        _compare("pca.total_error", np.array([r.total_error] * 2), np.array([math.sqrt(n * r.eigenvalues[KEEP]), s[KEEP]]),
                 "sqrt(n lambda_3) and the third singular value"),
    ]
    return out


def _compare(name: str, got: np.ndarray, want: np.ndarray, against: str) -> Check:
    err = np.abs(np.asarray(got, dtype=np.float64) - np.asarray(want, dtype=np.float64))
    where = np.unravel_index(int(np.argmax(err)), err.shape)
    worst = f"entry {tuple(int(i) for i in where)}: {float(np.asarray(got)[where]):.12g} vs {against} " \
            f"{float(np.asarray(want)[where]):.12g}"
    return Check(name, int(err.size), float(err.max()), TOLERANCE, worst, {"against": against})


# --- formulas ------------------------------------------------------------------------------------

def _f(v: float, digits: int = 4) -> str:
    s = f"{v:.{digits}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s  # no "-0.0000"


def _given(v: float) -> str:
    """An input coordinate as the course wrote it: integers without decimals."""
    return str(int(v)) if float(v).is_integer() else _f(v)


def _vector(v: np.ndarray) -> str:
    return r"\begin{pmatrix} " + r" \\ ".join(_f(a) for a in v) + r" \end{pmatrix}"


def _matrix(m: np.ndarray, fmt=_f) -> str:
    return r"\begin{pmatrix} " + r" \\ ".join(" & ".join(fmt(a) for a in row) for row in m) + r" \end{pmatrix}"


def _term(coef: float, power: str) -> str:
    return f"{'-' if coef < 0 else '+'} {_f(abs(coef))}{power}"


def latex_steps(result: PCAResult) -> list[str]:
    """The hand computation as display formulas (numbers to 4 decimals), in the order it is done.

    The per-sample numbers are matrices, one row per sample (ziamath draws no rules in arrays, so a
    ruled table belongs in the HTML, from the result's arrays).
    """
    r = result
    a, b, c = r.char_poly
    lam = r.eigenvalues
    L2, L1 = r"\lambda^2", r"\lambda"
    return [
        rf"\bar{{x}} = \frac{{1}}{{n}}\sum_{{i=1}}^{{n}} x_i = {_vector(r.mean)}, \qquad n = {r.n}",
        r"C = \frac{1}{n}\sum_{i=1}^{n} (x_i - \bar{x})(x_i - \bar{x})^{\top} = " + _matrix(r.covariance),
        r"\det(C - \lambda I) = -\lambda^3 " + f"{_term(a, L2)} {_term(-b, L1)} {_term(c, '')} = 0",
        (rf"\lambda_1 = {_f(lam[0])}, \quad \lambda_2 = {_f(lam[1])}, \quad \lambda_3 = {_f(lam[2])}, \qquad "
         rf"\lambda_1 + \lambda_2 + \lambda_3 = \operatorname{{tr}}(C) = {_f(a)}"),
        (r"(C - \lambda_k I)\,u_k = 0,\ \ u_k^{\top} u_k = 1: \qquad "
         + r", \quad ".join(f"u_{k + 1} = {_vector(r.axes[k])}" for k in range(3))),
        (r"z_{ik} = u_k^{\top} (x_i - \bar{x}), \qquad \hat{x}_i = \bar{x} + z_{i1} u_1 + z_{i2} u_2, \qquad "
         r"e_i = \lVert x_i - \hat{x}_i \rVert_2 = \lvert z_{i3} \rvert"),
        (r"X = " + _matrix(r.points, _given) + r", \qquad Z = (X - \mathbf{1}\bar{x}^{\top})\,(u_1\ u_2\ u_3) = "
         + _matrix(r.components)),
        r"(e_1, \ldots, e_{" + str(r.n) + r"}) = (" + ", ".join(_f(e) for e in r.errors) + ")",
        (r"\Big(\sum_{i=1}^{n} e_i^2\Big)^{1/2} = \sqrt{n \lambda_3} = "
         rf"\sqrt{{{r.n} \times {_f(lam[2])}}} = {_f(r.total_error)}, \qquad "
         rf"\sum_{{i=1}}^{{n}} e_i = {_f(r.sum_error)}"),
    ]
