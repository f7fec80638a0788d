"""Question: the handwritten derivations (convolution shape, BatchNorm gradients, softmax + cross-entropy),
typeset as SVG at build time and each followed by a numeric check run at build time.

A formula ziamath cannot typeset, or a check outside its tolerance, fails the section: the build stops
(or, with --keep-going, marks the section failed), and report.json still lists every check.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fer_report import derivations
from fer_report.mathsvg import pieces, render
from fer_report.section import Result, Section

# Display formulas, language-neutral (prose around them is in fer_report/i18n.py).
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


class ChecksFailed(AssertionError):
    """A derivation disagrees with PyTorch; carries the section's numbers so report.json lists every check."""

    def __init__(self, message: str, numbers: dict) -> None:
        super().__init__(message)
        self.numbers = numbers


def run(settings, figures, text) -> Result:
    svg = _SvgWriter(figures.build_dir, figures.dir / "math")
    # Typeset first: a formula that cannot be rendered fails the build before any check runs.
    parts = [{"name": part, "title": text(f"math.{part}.title"), "prefixes": prefixes,
              "blocks": [{"kind": "formula", "latex": v, **svg.display(v)} if kind == "f"
                         else {"kind": "p", "pieces": svg.pieces(text(v))} for kind, v in steps]}
             for part, steps, prefixes in PARTS if part != "gc" or derivations.gradcam_available()]
    checks = {c.name: c for c in derivations.run_all(seed=settings.seed)}
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
        raise ChecksFailed("; ".join(f"check {c.name} failed: max error {c.max_error:.3e} > tolerance "
                                     f"{c.tolerance:.0e} ({c.worst_case})" for c in failed), numbers)
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


def _row(c: derivations.Check, svg: "_SvgWriter", text) -> dict:
    latex, against = CHECK_ROWS[c.name]
    return {"name": c.name, "quantity": svg.inline(latex), "against": text(against), "cases": c.cases,
            "max_error": f"{c.max_error:.1e}" if c.max_error else "0",
            "tolerance": f"{c.tolerance:.0e}" if c.tolerance else "0",
            "result": text("math.pass" if c.passed else "math.fail"), "passed": c.passed}


class _SvgWriter:
    """Typesets formulas into build/figures/math/, one file per distinct formula (named by its hash)."""

    def __init__(self, build_dir: Path, folder: Path) -> None:
        self.build_dir, self.folder = build_dir, folder
        self.count = 0

    def _write(self, latex: str, inline: bool) -> dict:
        s = render(latex, inline=inline)
        name = ("i-" if inline else "d-") + hashlib.sha1(latex.encode()).hexdigest()[:12] + ".svg"
        path = self.folder / name
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(s.markup, encoding="utf-8")
            self.count += 1
        return {"svg": str(path.relative_to(self.build_dir)), "width": round(s.width, 2),
                "height": round(s.height, 2), "depth": round(s.depth, 2)}

    def display(self, latex: str) -> dict:
        return self._write(latex, inline=False)

    def inline(self, latex: str) -> dict:
        return {"latex": latex, **self._write(latex, inline=True)}

    def pieces(self, sentence: str) -> list[dict]:
        return [self.inline(p["latex"]) if "latex" in p else p for p in pieces(sentence)]


section = Section(name="math", order=80, run=run,
                  summary="Derivations (conv shape, BatchNorm gradients, softmax+CE, Grad-CAM weights) as SVG, "
                          "each checked numerically against PyTorch at build time")
