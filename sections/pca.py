"""Question (2018 Fall Q5): PCA by hand on the ten given 3-D points: the principal axes, each sample's
principal components, and the reconstruction error when reduced to 2-D.

The hand computation is ``fer_report.maths.pca`` (no eigen-solver); every number it prints is then compared
with numpy. A number outside its tolerance fails the section (report.json still lists every check), as
the math section does: a wrong step must not print as an answer.
"""

from __future__ import annotations


from fer_report.maths import pca
from fer_report.draw.mathsvg import SvgWriter
from fer_report.report.section import ChecksFailed, Result, Section, tolerance_failures

QUESTION = {
    "en": "PCA practice on the 10 given samples in 3-D: what are the principal axes, what are the principal "
          "components of each sample, and what is the reconstruction error (L2 norm) if reduced to 2-D?",
    "zh-TW": "PCA 練習：給定 3D 空間中的 10 個樣本，求 principal axes、每個樣本的 principal components，以及降到 "
             "2D 時的 reconstruction error（L2-norm）。",
}

# One sentence before each formula of pca.latex_steps, in its order.
STEP_KEYS = ("pca.step.mean", "pca.step.cov", "pca.step.poly", "pca.step.roots", "pca.step.vectors",
             "pca.step.project", "pca.step.components", "pca.step.errors", "pca.step.total")

STRINGS = {
    "en": {
        "pca.h.steps": "The computation step by step",
        "pca.h.answers": "Answers",
        "pca.h.checks": "Checks against numpy",
        "pca.step.mean": "Centre the data: subtract the mean of the n samples.",
        "pca.step.cov": "The covariance matrix of the centred samples:",
        "pca.step.poly": "Its eigenvalues are the roots of the characteristic polynomial:",
        "pca.step.roots": "The three roots (closed form for a symmetric 3×3 matrix), largest first; their sum is "
                          "the trace:",
        "pca.step.vectors": "For each eigenvalue, u_k is orthogonal to the rows of C − λ_k I, so the cross "
                            "product of two of its rows gives u_k, scaled to unit length:",
        "pca.step.project": "Projecting onto the axes gives the components; keeping the first two gives the 2-D "
                            "reconstruction, whose error is the dropped third component:",
        "pca.step.components": "All samples at once, one row per sample:",
        "pca.step.errors": "The reconstruction error of each sample:",
        "pca.step.total": "The L2 norm of all residuals together, and the sum of the per-sample norms:",
        "pca.setup": "The {n} given points, computed in float64. The covariance divides by n = {n}, as the "
                     "course's PCA lecture defines it; dividing by n − 1 would scale every eigenvalue by "
                     "n/(n − 1) and leave the axes and the components unchanged.",
        "pca.axes": "(1) The principal axes are u₁ = {u1}, u₂ = {u2} and u₃ = {u3}, with variances λ₁ = {l1:.4f}, "
                    "λ₂ = {l2:.4f} and λ₃ = {l3:.4f} ({e1:.1%}, {e2:.1%} and {e3:.1%} of the total).",
        "pca.sign": "Each axis is fixed only up to its sign; here each is turned so that its largest component is "
                    "positive (flipping an axis flips that component of every sample).",
        "pca.components": "(2) The principal components z_ik = u_kᵀ(x_i − x̄) of each sample are in the table "
                          "below; z_i1 and z_i2 are its coordinates in the 2-D subspace.",
        "pca.error": "(3) Reduced to 2-D, sample i is reconstructed as x̂_i = x̄ + z_i1·u₁ + z_i2·u₂, with error "
                     "e_i = ‖x_i − x̂_i‖₂ = |z_i3|; the largest is sample {worst} ({worst_err:.4f}). The L2 norm "
                     "of all residuals is √(n·λ₃) = {total:.4f}; the per-sample norms add up to {sum:.4f}.",
        "pca.check": "Check: all {count} quantities agree with numpy (np.cov, np.linalg.eigvalsh, np.poly and the "
                     "SVD of the centred data) to within {err:.1e} (pass at {tol:.0e}).",
        "pca.check_bad": "Check FAILED for {names}: largest error {err:.2e}, above the tolerance {tol:.0e}, in "
                         "{case}.",
        "pca.axis": "Axis",
        "pca.variance": "Variance λ",
        "pca.share": "Share",
        "pca.sample": "Sample",
        "pca.point": "x_i",
        "pca.recon": "x̂_i (2-D)",
        "pca.err": "e_i",
        "pca.total": "L2 norm of all residuals",
        "pca.quantity": "Quantity",
        "pca.against": "Compared with",
        "pca.cases": "Numbers",
        "pca.max_error": "Largest error",
        "pca.tolerance": "Tolerance",
        "pca.result": "Result",
        "pca.pass": "pass",
        "pca.fail": "FAILED",
    },
    "zh-TW": {
        "pca.h.steps": "計算步驟",
        "pca.h.answers": "答案",
        "pca.h.checks": "與 numpy 比對",
        "pca.step.mean": "先把資料置中：減去 n 個樣本的平均。",
        "pca.step.cov": "置中後樣本的 covariance matrix：",
        "pca.step.poly": "它的 eigenvalue 是特徵多項式的根：",
        "pca.step.roots": "三個根（對稱 3×3 矩陣的公式解），由大到小；三者之和等於 trace：",
        "pca.step.vectors": "對每個 eigenvalue，u_k 與 C − λ_k I 的每一列都正交，所以取其中兩列的外積即得 u_k，"
                            "再正規化為單位長度：",
        "pca.step.project": "投影到各軸上得到 principal components；只保留前兩個即為 2D 的重建，誤差就是捨去的第三個"
                            "component：",
        "pca.step.components": "所有樣本一起計算，每列一個樣本：",
        "pca.step.errors": "每個樣本的 reconstruction error：",
        "pca.step.total": "所有殘差合起來的 L2-norm，以及各樣本誤差的總和：",
        "pca.setup": "題目給定的 {n} 個點，以 float64 計算。Covariance 除以 n = {n}，與課程 PCA 講義的定義相同；"
                     "若除以 n − 1，每個 eigenvalue 會乘上 n/(n − 1)，principal axes 與 components 則不變。",
        "pca.axes": "(1) Principal axes 為 u₁ = {u1}、u₂ = {u2}、u₃ = {u3}，對應的變異量為 λ₁ = {l1:.4f}、"
                    "λ₂ = {l2:.4f}、λ₃ = {l3:.4f}（分別佔總變異量的 {e1:.1%}、{e2:.1%}、{e3:.1%}）。",
        "pca.sign": "每個軸只確定到正負號；這裡把每個軸轉成其絕對值最大的分量為正（把某軸反向，所有樣本在該軸上的 "
                    "component 也會跟著變號）。",
        "pca.components": "(2) 每個樣本的 principal components z_ik = u_kᵀ(x_i − x̄) 列於下表；z_i1 與 z_i2 "
                          "即為它在 2D 子空間中的座標。",
        "pca.error": "(3) 降到 2D 時，樣本 i 重建為 x̂_i = x̄ + z_i1·u₁ + z_i2·u₂，誤差 e_i = ‖x_i − x̂_i‖₂ = "
                     "|z_i3|；最大的是第 {worst} 個樣本（{worst_err:.4f}）。所有殘差合起來的 L2-norm 為 "
                     "√(n·λ₃) = {total:.4f}；各樣本誤差相加則為 {sum:.4f}。",
        "pca.check": "驗證：全部 {count} 項數值都與 numpy（np.cov、np.linalg.eigvalsh、np.poly 及置中資料的 SVD）"
                     "一致，最大誤差 {err:.1e}（通過標準 {tol:.0e}）。",
        "pca.check_bad": "驗證失敗：{names} 的最大誤差為 {err:.2e}，超過容許值 {tol:.0e}，發生於 {case}。",
        "pca.axis": "軸",
        "pca.variance": "變異量 λ",
        "pca.share": "比例",
        "pca.sample": "樣本",
        "pca.point": "x_i",
        "pca.recon": "x̂_i（2D）",
        "pca.err": "e_i",
        "pca.total": "所有殘差的 L2-norm",
        "pca.quantity": "數值",
        "pca.against": "比較對象",
        "pca.cases": "個數",
        "pca.max_error": "最大誤差",
        "pca.tolerance": "容許值",
        "pca.result": "結果",
        "pca.pass": "通過",
        "pca.fail": "失敗",
    },
}


def run(figures, text) -> Result:
    r = pca.solve()
    steps = [{"text": text(key), **_svg(figures, latex)}
             for key, latex in zip(STEP_KEYS, pca.latex_steps(r), strict=True)]
    checks = pca.checks(r)
    numbers = {"points": r.points.tolist(), "mean": r.mean.tolist(), "covariance": r.covariance.tolist(),
               "eigenvalues": r.eigenvalues.tolist(), "explained": r.explained.tolist(), "axes": r.axes.tolist(),
               "components": r.components.tolist(), "reconstruction": r.reconstruction.tolist(),
               "errors": r.errors.tolist(), "total_error": r.total_error, "sum_error": r.sum_error,
               "passed": all(c.passed for c in checks), "checks": [c.to_json() for c in checks]}
    failed = [c for c in checks if not c.passed]
    if failed:
        raise ChecksFailed(tolerance_failures(failed), numbers)

    worst = int(r.errors.argmax())
    lam, share = r.eigenvalues, r.explained
    lines = [text("pca.setup", n=r.n),
             text("pca.axes", **{f"u{k + 1}": _vec(r.axes[k]) for k in range(3)},
                  **{f"l{k + 1}": float(lam[k]) for k in range(3)}, **{f"e{k + 1}": float(share[k]) for k in range(3)}),
             text("pca.sign"),
             text("pca.components"),
             text("pca.error", worst=worst + 1, worst_err=float(r.errors[worst]), total=r.total_error,
                  sum=r.sum_error),
             text("pca.check", count=len(checks), err=max(c.max_error for c in checks), tol=pca.TOLERANCE)]
    axes = [{"k": k + 1, "variance": float(lam[k]), "share": float(share[k]), "u": _cells(r.axes[k])}
            for k in range(3)]
    samples = [{"i": i + 1, "x": [_given(v) for v in r.points[i]], "z": _cells(r.components[i]),
                "recon": _cells(r.reconstruction[i]), "error": f"{r.errors[i]:.4f}"} for i in range(r.n)]
    rows = [{"name": c.name, "against": c.detail["against"], "cases": c.cases,
             "max_error": f"{c.max_error:.1e}" if c.max_error else "0", "tolerance": f"{c.tolerance:.0e}",
             "result": text("pca.pass")} for c in checks]
    return Result(numbers=numbers, text=lines,
                  tables={"steps": steps, "axes": axes, "samples": samples, "checks": rows,
                          "total_error": f"{r.total_error:.4f}",
                          "say": {"setup": lines[0], "axes": lines[1:3], "samples": lines[3:5], "check": lines[5]}})


def _vec(v) -> str:
    return "(" + ", ".join(_num(a) for a in v) + ")"


def _cells(v) -> list[str]:
    return [_num(a) for a in v]


def _num(v: float) -> str:
    s = f"{v:.4f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s  # no "-0.0000"


def _given(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else _num(v)


def _svg(figures, latex: str) -> dict:
    """The formula as an SVG file under build/figures/math/, as the math section stores them."""
    return {"latex": latex, **SvgWriter(figures.build_dir, figures.dir / "math").display(latex)}


section = Section(name="pca", order=85, run=run, question=QUESTION, strings=STRINGS, on_request=True,
                  summary="PCA by hand on the 2018 Fall question's 10 points: steps typeset, axes, components, "
                          "2-D reconstruction error, every number checked against numpy")
