"""Question: the handwritten derivations (convolution shape, BatchNorm gradients, softmax + cross-entropy),
typeset as SVG at build time and each followed by a numeric check run at build time.

A formula ziamath cannot typeset, or a check outside its tolerance, fails the section: the build stops
(or, with --keep-going, marks the section failed), and report.json still lists every check.
"""

from __future__ import annotations

from fer_report.explain.attribution import gradcam_by_formula
from fer_report.maths import derivations
from fer_report.draw.mathsvg import SvgWriter
from fer_report.report.section import ChecksFailed, Result, Section, tolerance_failures

# Display formulas, language-neutral (prose around them is in fer_report/report/i18n.py).
CONV_SHAPE = (r"(B,\ W,\ H,\ C_{\mathrm{in}}) \longrightarrow \left(B,\ \left\lfloor \frac{W+2p_1-k_1}{s_1} "
              r"\right\rfloor + 1,\ \left\lfloor \frac{H+2p_2-k_2}{s_2} \right\rfloor + 1,\ C_{\mathrm{out}}\right)")
CONV_POSITIONS = (r"j s_1 + k_1 \le W + 2p_1 \iff j \le \frac{W+2p_1-k_1}{s_1}, \qquad "
                  r"j = 0, 1, \ldots, \left\lfloor \frac{W+2p_1-k_1}{s_1} \right\rfloor")
ROOT = r"\sqrt{\sigma_B^2+\varepsilon}"
BN_FORWARD = (r"\begin{aligned} \mu_B &= \frac{1}{m}\sum_{i=1}^{m} x_i, & \sigma_B^2 &= \frac{1}{m}\sum_{i=1}^{m}"
              r"(x_i-\mu_B)^2, \\ \hat{x}_i &= \frac{x_i-\mu_B}{" + ROOT + r"}, & y_i &= \gamma\hat{x}_i+\beta "
              r"\end{aligned}")
D = r"\frac{\partial \ell}{\partial "  # d loss / d ...
BN_DXHAT = D + r"\hat{x}_i} = " + D + r"y_i}\,\gamma"
BN_DVAR = (D + r"\sigma_B^2} = -\frac{1}{2}(\sigma_B^2+\varepsilon)^{-3/2}\sum_{i=1}^{m}" + D
           + r"\hat{x}_i}\,(x_i-\mu_B)")
BN_CENTRED = r"\sum_{i=1}^{m}(x_i-\mu_B) = \sum_{i=1}^{m}x_i - m\mu_B = m\mu_B - m\mu_B = 0"
BN_DMU = (D + r"\mu_B} = \sum_{i=1}^{m}" + D + r"\hat{x}_i}\cdot\frac{-1}{" + ROOT + r"} + " + D
          + r"\sigma_B^2}\cdot\frac{-2}{m}\underbrace{\sum_{i=1}^{m}(x_i-\mu_B)}_{=\,0} = \frac{-1}{" + ROOT
          + r"}\sum_{i=1}^{m}" + D + r"\hat{x}_i}")
BN_DX = (D + r"x_i} = " + D + r"\hat{x}_i}\cdot\frac{1}{" + ROOT + r"} + " + D
         + r"\sigma_B^2}\cdot\frac{2(x_i-\mu_B)}{m} + " + D + r"\mu_B}\cdot\frac{1}{m}")
BN_DGAMMA_BETA = (D + r"\gamma} = \sum_{i=1}^{m}" + D + r"y_i}\,\hat{x}_i, \qquad " + D
                  + r"\beta} = \sum_{i=1}^{m}" + D + r"y_i}")
CE_DEF = r"\hat{y}_t = \frac{e^{z_t}}{\sum_{k} e^{z_k}}, \qquad L = -\sum_{k} y_k \log \hat{y}_k"
CE_JACOBIAN = r"\frac{\partial \hat{y}_k}{\partial z_t} = \hat{y}_k\,(\delta_{kt} - \hat{y}_t)"
CE_GENERAL = (r"\frac{\partial L}{\partial z_t} = -\sum_k \frac{y_k}{\hat{y}_k}\,\hat{y}_k(\delta_{kt}-\hat{y}_t)"
              r" = \hat{y}_t\sum_k y_k - y_t")
CE_ONEHOT = r"\sum_k y_k = 1 \;\Longrightarrow\; \frac{\partial L}{\partial z_t} = \hat{y}_t - y_t"
GC_DEF = (r"\alpha_k^c = \frac{1}{Z}\sum_{i}\sum_{j}\frac{\partial y^c}{\partial A^k_{ij}}, \qquad "
          r"L^c = \operatorname{ReLU}\Big(\sum_k \alpha_k^c A^k\Big)")
GC_GAP = (r"y^c = \sum_k w_k^c\,\frac{1}{Z}\sum_{i,j} A^k_{ij} + b^c \;\Longrightarrow\; "
          r"\frac{\partial y^c}{\partial A^k_{ij}} = \frac{w_k^c}{Z}, \qquad \alpha_k^c = \frac{w_k^c}{Z}")

# (part, [("p", i18n key) | ("f", formula)], the check names that follow it)
PARTS = [
    ("conv", [("p", "math.conv.setup"), ("f", CONV_SHAPE), ("p", "math.conv.why"), ("f", CONV_POSITIONS),
              ("p", "math.conv.count")], ("conv.",)),
    ("bn", [("p", "math.bn.setup"), ("f", BN_FORWARD), ("p", "math.bn.chain"), ("f", BN_DXHAT), ("f", BN_DVAR),
            ("p", "math.bn.mu"), ("f", BN_CENTRED), ("f", BN_DMU), ("p", "math.bn.x"), ("f", BN_DX),
            ("f", BN_DGAMMA_BETA)], ("bn.",)),
    ("ce", [("p", "math.ce.setup"), ("f", CE_DEF), ("p", "math.ce.jac"), ("f", CE_JACOBIAN),
            ("p", "math.ce.general"), ("f", CE_GENERAL), ("p", "math.ce.onehot"), ("f", CE_ONEHOT)], ("ce.",)),
    ("gc", [("p", "math.gc.setup"), ("f", GC_DEF), ("p", "math.gc.gap"), ("f", GC_GAP)], ("gradcam.",)),
]

# check name -> (the quantity as inline LaTeX, i18n key of what it is compared with)
CHECK_ROWS = {
    "conv.shape": (r"(B, W', H', C_{\mathrm{out}})", "math.vs.conv"),
    "bn.y": (r"y_i", "math.vs.bn_forward"),
    "bn.x_hat": (r"\partial \ell / \partial \hat{x}_i", "math.vs.autograd"),
    "bn.var": (r"\partial \ell / \partial \sigma_B^2", "math.vs.autograd"),
    "bn.mu": (r"\partial \ell / \partial \mu_B", "math.vs.autograd"),
    "bn.centred": (r"\sum_i (x_i - \mu_B)", "math.vs.zero"),
    "bn.x": (r"\partial \ell / \partial x_i", "math.vs.bn_autograd"),
    "bn.gamma": (r"\partial \ell / \partial \gamma", "math.vs.bn_autograd"),
    "bn.beta": (r"\partial \ell / \partial \beta", "math.vs.bn_autograd"),
    "ce.onehot": (r"\hat{y}_t - y_t", "math.vs.ce_onehot"),
    "ce.soft": (r"\hat{y}_t - y_t", "math.vs.ce_soft"),
    "ce.general": (r"\hat{y}_t \sum_k y_k - y_t", "math.vs.ce_general"),
    "gradcam.alpha": (r"\operatorname{ReLU}\big(\sum_k \alpha_k^c A^k\big)", "math.vs.gradcam"),
}


QUESTION = {
    "en": "Derive the output shape of a convolution, the gradients of batch normalisation, and the gradient of "
          "softmax with cross-entropy.",
    "zh-TW": "請推導 convolution 的輸出大小、Batch Normalization 的各項梯度，以及 softmax 搭配 cross-entropy "
             "的梯度。",
}

STRINGS = {
    "en": {
        "math.conv.title": "Output shape of a convolution",
        "math.conv.setup": "A convolution layer with a $k_1 \\times k_2$ kernel, padding $p_1, p_2$, stride $s_1, "
                           "s_2$ and $C_{{\\mathrm{{out}}}}$ filters maps a batch of shape $(B, W, H, "
                           "C_{{\\mathrm{{in}}}})$ to",
        "math.conv.why": "Along the width, padding adds $p_1$ columns on each side, so the kernel slides over $W "
                         "+ 2p_1$ columns. Its $j$-th position starts at column $j s_1$ and must end inside the "
                         "padded input:",
        "math.conv.count": "So there is one position more than the quotient rounded down: the floor drops the "
                           "last columns when the stride does not land exactly on the edge. The height follows in "
                           "the same way with $p_2, k_2, s_2$; each of the $C_{{\\mathrm{{out}}}}$ filters gives "
                           "one output channel, and the batch size $B$ is unchanged.",
        "math.bn.title": "Batch normalisation: forward pass and gradients",
        "math.bn.setup": "Batch normalisation normalises each feature over the $m$ values $x_1, \\ldots, x_m$ of a "
                         "mini-batch, then scales and shifts it with the learned $\\gamma$ and $\\beta$:",
        "math.bn.chain": "Let $\\partial \\ell / \\partial y_i$ be the gradient arriving from the layers above. "
                         "$\\hat x_i$ reaches the loss only through $y_i$, and $\\sigma_B^2$ only through every "
                         "$\\hat x_i$:",
        "math.bn.mu": "$\\mu_B$ reaches the loss through every $\\hat x_i$ and through $\\sigma_B^2$. The second "
                      "path contributes nothing, because deviations from the mean sum to zero:",
        "math.bn.x": "Finally $x_i$ reaches the loss through $\\hat x_i$, $\\sigma_B^2$ and $\\mu_B$, while $\\gamma$ "
                     "and $\\beta$ act on every $y_i$ directly:",
        "math.ce.title": "Softmax and cross-entropy",
        "math.ce.setup": "The scores $z$ go through softmax, and cross-entropy compares the result with the "
                         "target $y$:",
        "math.ce.jac": "The derivative of softmax is $\\hat y_t (1 - \\hat y_t)$ for $k = t$ and $-\\hat y_k \\hat "
                       "y_t$ otherwise; with $\\delta_{{kt}}$ (1 if $k = t$, else 0) in one line:",
        "math.ce.general": "The chain rule through every $\\hat y_k$ gives the general sum form, valid for any "
                           "target $y$:",
        "math.ce.onehot": "A one-hot label (or any probability distribution) sums to 1, which leaves predicted "
                          "minus true:",
        "math.gc.title": "Grad-CAM weights",
        "math.gc.setup": "Grad-CAM weights each feature map $A^k$ of a layer by the mean, over its $Z$ positions, "
                         "of the gradient of the class score $y^c$, and keeps the positive part of the weighted "
                         "sum:",
        "math.gc.gap": "When $A$ is followed only by global average pooling and one linear layer, that gradient "
                       "is the same at every position, so the weights are the linear layer's divided by $Z$ "
                       "(Grad-CAM is then CAM divided by $Z$):",
        "math.check.conv": "Check: the formula gives the output shape of nn.Conv2d in all {cases} random settings "
                           "(sizes up to 31, kernels 1-7, strides 1-4 and paddings up to half the kernel, drawn "
                           "per axis); in {floored} of them the division leaves a remainder, so the floor "
                           "matters. Largest difference: {err:g}.",
        "math.check.bn": "Check: the closed forms above, written as plain tensor code, agree with torch autograd "
                         "(and with F.batch_norm for the forward pass) in float64 on {cases} random batches, "
                         "every fourth a BatchNorm2d batch, under a random nonlinear upstream loss (a weighted "
                         "sum of tanh of the outputs): the largest absolute error over the {count} quantities is "
                         "{err:.1e} (pass at {tol:.0e}).",
        "math.check.ce": "Check: both forms agree with torch autograd in float64 on {cases} random score matrices "
                         "each, for one-hot labels (through F.cross_entropy), probability targets and arbitrary "
                         "non-negative targets: largest absolute error {err:.1e} (pass at {tol:.0e}).",
        "math.check.gc": "Check: the report's own Grad-CAM code (gradcam_by_formula, used by the Grad-CAM "
                         "section) matches this closed form on {cases} random networks of that shape to within "
                         "{err:.1e} of the map's peak (the code computes in float32; pass at {tol:.0e}).",
        "math.check.bad": "Check FAILED for {names}: largest error {err:.2e}, above the tolerance {tol:.0e}, in "
                          "{case}.",
        "math.q_h": "Quantity",
        "math.against_h": "Compared with",
        "math.cases_h": "Cases",
        "math.err_h": "Largest error",
        "math.tol_h": "Tolerance",
        "math.result_h": "Result",
        "math.pass": "pass",
        "math.fail": "FAILED",
        "math.vs.conv": "nn.Conv2d output shape",
        "math.vs.bn_forward": "F.batch_norm (training mode)",
        "math.vs.autograd": "autograd on the same graph",
        "math.vs.bn_autograd": "autograd through F.batch_norm",
        "math.vs.zero": "0 (rounding only)",
        "math.vs.ce_onehot": "autograd through F.cross_entropy, one-hot",
        "math.vs.ce_soft": "autograd through F.cross_entropy, probability targets",
        "math.vs.ce_general": "autograd, non-negative targets of any sum",
        "math.vs.gradcam": "gradcam_by_formula (float32, relative to the peak)",
    },
    "zh-TW": {
        "math.conv.title": "Convolution 的輸出大小",
        "math.conv.setup": "一層 kernel 為 $k_1 \\times k_2$、padding 為 $p_1, p_2$、stride 為 $s_1, s_2$、有 "
                           "$C_{{\\mathrm{{out}}}}$ 個 filter 的 convolution，把形狀為 $(B, W, H, "
                           "C_{{\\mathrm{{in}}}})$ 的 batch 變成",
        "math.conv.why": "沿著寬度方向，padding 在兩側各補 $p_1$ 欄，所以 kernel 在 $W + 2p_1$ 欄上滑動。第 $j$ "
                         "個位置從第 $j s_1$ 欄開始，而且必須在補過的輸入內結束：",
        "math.conv.count": "因此位置數是商取下整再加一：當 stride 沒有剛好落在邊緣時，floor "
                           "捨去最後幾欄。高度方向以 $p_2, k_2, s_2$ 同理可得；$C_{{\\mathrm{{out}}}}$ 個 filter "
                           "各產生一個輸出 channel，batch 大小 $B$ 不變。",
        "math.bn.title": "Batch Normalization：前向計算與梯度",
        "math.bn.setup": "Batch Normalization 對每個特徵，用 mini-batch 中的 $m$ 個值 $x_1, \\ldots, x_m$ "
                         "做正規化，再以學到的 $\\gamma$ 與 $\\beta$ 縮放與平移：",
        "math.bn.chain": "令 $\\partial \\ell / \\partial y_i$ 為從上層傳回的梯度。$\\hat x_i$ 只經由 $y_i$ 影響 "
                         "loss，$\\sigma_B^2$ 則經由每一個 $\\hat x_i$ 影響 loss：",
        "math.bn.mu": "$\\mu_B$ 經由每一個 $\\hat x_i$ 以及 $\\sigma_B^2$ 影響 "
                      "loss。第二條路徑的貢獻為零，因為與平均值的差加總為零：",
        "math.bn.x": "最後，$x_i$ 經由 $\\hat x_i$、$\\sigma_B^2$ 與 $\\mu_B$ 影響 loss，而 $\\gamma$ 與 $\\beta$ "
                     "直接作用在每一個 $y_i$ 上：",
        "math.ce.title": "Softmax 與 cross-entropy",
        "math.ce.setup": "分數 $z$ 經過 softmax，cross-entropy 再把結果與目標 $y$ 比較：",
        "math.ce.jac": "Softmax 的導數在 $k = t$ 時為 $\\hat y_t (1 - \\hat y_t)$，其餘為 $-\\hat y_k \\hat y_t$；用 "
                       "$\\delta_{{kt}}$（$k = t$ 時為 1，否則為 0）寫成一行：",
        "math.ce.general": "對每一個 $\\hat y_k$ 使用 chain rule，得到一般的加總形式，對任何目標 $y$ 都成立：",
        "math.ce.onehot": "One-hot 標籤（或任何機率分布）加總為 1，於是只剩下預測減去真實：",
        "math.gc.title": "Grad-CAM 的權重",
        "math.gc.setup": "Grad-CAM 以類別分數 $y^c$ 對某層每張特徵圖 $A^k$ 的梯度，在其 $Z$ "
                         "個位置上的平均作為權重，並只保留加權總和的正值部分：",
        "math.gc.gap": "當 $A$ 之後只接 global average pooling 與一層 linear "
                       "時，每個位置的梯度都相同，所以權重就是 linear 層的權重除以 $Z$（此時 Grad-CAM 即為 CAM "
                       "除以 $Z$）：",
        "math.check.conv": "驗證：在全部 {cases} 組隨機設定下（大小至多 31、kernel 1-7、stride 1-4、padding "
                           "至多為 kernel 的一半，兩個方向分別抽樣），公式都給出與 nn.Conv2d 相同的輸出大小；其中 "
                           "{floored} 組的除法有餘數，floor 確實起作用。最大差異：{err:g}。",
        "math.check.bn": "驗證：上面的公式寫成一般的 tensor 運算後，在 float64 下於 {cases} 個隨機 "
                         "batch（每四個中有一個是 BatchNorm2d 的 batch）、隨機的非線性上游 loss（輸出取 tanh "
                         "後的加權和）上，與 torch autograd（前向計算則與 F.batch_norm）一致：{count} "
                         "個量的最大絕對誤差為 {err:.1e}（通過標準 {tol:.0e}）。",
        "math.check.ce": "驗證：兩種形式在 float64 下，各於 {cases} 個隨機分數矩陣上，對 one-hot 標籤（經由 "
                         "F.cross_entropy）、機率目標與任意非負目標，都與 torch autograd 一致：最大絕對誤差 "
                         "{err:.1e}（通過標準 {tol:.0e}）。",
        "math.check.gc": "驗證：報告本身的 Grad-CAM 程式（gradcam_by_formula，Grad-CAM 一節所用）在 {cases} "
                         "個這種形狀的隨機網路上，與此公式的差距在圖最大值的 {err:.1e} 以內（程式以 float32 "
                         "計算；通過標準 {tol:.0e}）。",
        "math.check.bad": "驗證失敗：{names} 的最大誤差為 {err:.2e}，超過容許值 {tol:.0e}，發生於 {case}。",
        "math.q_h": "量",
        "math.against_h": "比較對象",
        "math.cases_h": "案例數",
        "math.err_h": "最大誤差",
        "math.tol_h": "容許值",
        "math.result_h": "結果",
        "math.pass": "通過",
        "math.fail": "失敗",
        "math.vs.conv": "nn.Conv2d 的輸出大小",
        "math.vs.bn_forward": "F.batch_norm（訓練模式）",
        "math.vs.autograd": "同一計算圖上的 autograd",
        "math.vs.bn_autograd": "經由 F.batch_norm 的 autograd",
        "math.vs.zero": "0（僅捨入誤差）",
        "math.vs.ce_onehot": "經由 F.cross_entropy 的 autograd，one-hot",
        "math.vs.ce_soft": "經由 F.cross_entropy 的 autograd，機率目標",
        "math.vs.ce_general": "autograd，任意加總的非負目標",
        "math.vs.gradcam": "gradcam_by_formula（float32，相對於最大值）",
    },
}


def run(settings, figures, text) -> Result:
    svg = SvgWriter(figures.build_dir, figures.dir / "math")
    # Typeset first: a formula that cannot be rendered fails the build before any check runs.
    parts = [{"name": part, "title": text(f"math.{part}.title"), "prefixes": prefixes,
              "blocks": [{"kind": "formula", "latex": v, **svg.display(v)} if kind == "f"
                         else {"kind": "p", "pieces": svg.pieces(text(v))} for kind, v in steps]}
             for part, steps, prefixes in PARTS]
    checks = {c.name: c for c in derivations.run_all(seed=settings.seed, gradcam_by_formula=gradcam_by_formula)}
    lines = []
    for part in parts:
        prefixes = part.pop("prefixes")
        mine = [c for name, c in checks.items() if name.startswith(prefixes)]
        part["check"] = _check_sentence(part["name"], mine, text) if mine else ""
        part["rows"] = [_row(c, svg, text) for c in mine]
        part["passed"] = all(c.passed for c in mine)
        lines.append(part["check"])

    numbers = {"passed": all(c.passed for c in checks.values()),
               "checks": [c.to_json() for c in checks.values()],
               "max_error": {name: c.max_error for name, c in checks.items()},
               "formulas": svg.count}
    failed = [c for c in checks.values() if not c.passed]
    if failed:
        raise ChecksFailed(tolerance_failures(failed), numbers)
    return Result(numbers=numbers, text=lines, tables={"parts": parts})


def _check_sentence(part: str, checks: list[derivations.Check], text) -> str:
    """One sentence per part; a part's checks share their number of cases and their tolerance."""
    failed = [c for c in checks if not c.passed]
    if failed:
        return text("math.check.bad", names=", ".join(c.name for c in failed), err=failed[0].max_error,
                    tol=failed[0].tolerance, case=failed[0].worst_case)
    values = {"cases": checks[0].cases, "err": max(c.max_error for c in checks), "tol": checks[0].tolerance,
              "count": len(checks)}
    if part == "conv":
        values["floored"] = checks[0].detail["floored"]
    return text(f"math.check.{part}", **values)


def _row(c: derivations.Check, svg: SvgWriter, text) -> dict:
    latex, against = CHECK_ROWS[c.name]
    return {"name": c.name, "quantity": svg.inline(latex), "against": text(against), "cases": c.cases,
            "max_error": f"{c.max_error:.1e}" if c.max_error else "0",
            "tolerance": f"{c.tolerance:.0e}" if c.tolerance else "0",
            "result": text("math.pass" if c.passed else "math.fail"), "passed": c.passed}


section = Section(name="math", order=80, run=run, question=QUESTION, strings=STRINGS,
                  summary="Derivations (conv shape, BatchNorm gradients, softmax+CE, Grad-CAM weights) as SVG, "
                          "each checked numerically against PyTorch at build time")
