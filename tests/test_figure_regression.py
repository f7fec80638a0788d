"""Figures against committed baselines (tests/baseline/*.png), compared as matplotlib's own tests do.

The figures are drawn by the report's plotting functions from fixed, seeded inputs, so a difference
means the drawing changed, not the training. Fonts are pinned to DejaVu Sans (shipped inside
matplotlib, with matplotlib's own FreeType), so the pixels do not depend on which system fonts
are installed; the formula goes through the report's real path (ziamath SVG -> WeasyPrint PDF ->
poppler PNG); the saliency and Grad-CAM figures show captum's real maps of the hand-built MouthNet
(tests/explain/known_answer.py) on tiny synthetic faces, so they need no training either.

Regenerate the baselines on purpose after an intended change (then look at them before committing):

    make baselines        # = FER_REGEN_BASELINES=1 .venv/bin/pytest tests/test_figure_regression.py

TOLERANCE is the RMS difference on 0..255 above which a figure fails (pytest-mpl's default is 2).
Measured with ``measure_sensitivity`` below: drawing a figure twice gives RMS 0 (they are
deterministic), while the smallest changes that matter give: one digit of one confusion-matrix cell
(23 -> 24) 1.36, the same cell 23 -> 28 2.64, one validation point moved by 0.005 3.9 (by 0.02 6.1),
a "2" turned into a "3" in the formula 8.0. So 0.5: every one of those fails with a margin of more
than 2.5x, while sub-pixel anti-aliasing differences (another poppler or matplotlib patch release)
pass. A new poppler that moves whole glyph edges would fail: look at the diff, then regenerate.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.testing.compare import compare_images

from fer_report import CLASSES
from fer_report.explain.examples import titles
from fer_report.draw.figures import Figures

BASELINE = Path(__file__).parent / "baseline"
TOLERANCE = 0.5
REGENERATE = os.environ.get("FER_REGEN_BASELINES") == "1"
PINNED = {"font.family": "DejaVu Sans", "font.sans-serif": ["DejaVu Sans"], "text.hinting": "default",
          "svg.hashsalt": "fer-report"}


def confusion_counts(rng_seed: int = 4) -> np.ndarray:
    """A fixed 7x7 matrix shaped like a small model's: a strong diagonal, Fear/Sad and Angry/Disgust mixed."""
    rng = np.random.default_rng(rng_seed)
    cm = rng.integers(0, 6, (7, 7))
    np.fill_diagonal(cm, [61, 4, 38, 112, 47, 55, 70])
    cm[2, 4], cm[0, 1] = 23, 9
    return cm


def history_rows(epochs: int = 10) -> list[dict]:
    """Fixed curves: training keeps improving, validation flattens after epoch 7."""
    e = np.arange(1, epochs + 1)
    train_loss = 1.9 * np.exp(-0.16 * e) + 0.35
    val_loss = 1.9 * np.exp(-0.18 * e) + 0.55 + 0.012 * np.maximum(0, e - 7) ** 2
    train_acc = 0.9 - 0.7 * np.exp(-0.25 * e)
    val_acc = 0.8 - 0.62 * np.exp(-0.3 * e) - 0.004 * np.maximum(0, e - 7) ** 2
    return [{"epoch": int(i), "train_loss": float(a), "val_loss": float(b), "train_acc": float(c),
             "val_acc": float(d), "lr": 0.002} for i, a, b, c, d in zip(e, train_loss, val_loss, train_acc, val_acc)]


def draw_confusion(out: Path, cm: np.ndarray | None = None) -> Path:
    from fer_report.sections.confusion import plot_confusion, section

    text = section.text("en")
    cm = confusion_counts() if cm is None else cm
    return _save(out, "confusion", lambda: plot_confusion(cm, [text.cls(c) for c in CLASSES], text=text))


def draw_history(out: Path, history: list[dict] | None = None) -> Path:
    from fer_report.sections.history import plot_history, section

    history = history_rows() if history is None else history
    best = int(np.argmax([h["val_acc"] for h in history])) + 1
    return _save(out, "history", lambda: plot_history(history, best_epoch=best, text=section.text("en")))


def draw_formula(out: Path, latex: str | None = None) -> Path:
    """A display formula of the math section, printed by WeasyPrint and rasterised by poppler at 150 dpi."""
    from fer_report.draw.mathsvg import render
    from fer_report.report.render import write_pdf
    from fer_report.sections.math import BN_DX

    svg = render(BN_DX if latex is None else latex)
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.markup.encode()).decode()
    html = (f"<style>@page {{ size: {svg.width + 8:.0f}px {svg.height + 8:.0f}px; margin: 4px }} body {{ margin: 0 }}"
            f"</style><img src='{uri}' width='{svg.width}' height='{svg.height}'>")
    out.mkdir(parents=True, exist_ok=True)
    write_pdf(html, out / "formula.pdf", out)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(out / "formula.pdf"), str(out / "formula")],
                   check=True)
    return out / "formula.png"


def _mouth_examples(n: int = 7):
    """Seven tiny synthetic faces explained on the hand-built MouthNet: real captum maps, no training."""
    import torch

    from fer_report.data.synthetic import make_synthetic
    from tests.explain.known_answer import MEAN, mouth_artefacts

    art = mouth_artefacts(make_synthetic(seed=0, size="tiny"))
    pred = art["predictions"].test
    idx = np.arange(n)
    x = torch.as_tensor(art["dataset"].test.x[idx], dtype=torch.float32)[:, None] / 255.0 - MEAN
    return art, pred, idx, x


def draw_saliency(out: Path) -> Path:
    from fer_report.explain.attribution import saliency, smoothgrad
    from fer_report.sections.saliency import plot_examples, section

    art, pred, idx, x = _mouth_examples()
    model, targets = art["trained"].model, pred.y_pred[idx]
    maps = {"saliency": saliency(model, x, targets), "smoothgrad": smoothgrad(model, x, targets, samples=8, seed=0)}
    text = section.text("en")
    heads = titles(idx, pred, CLASSES, text)
    return _save(out, "saliency", lambda: plot_examples(art["dataset"].test.x[idx], maps, heads, text=text))


def draw_gradcam(out: Path) -> Path:
    from fer_report.explain.attribution import gradcam
    from fer_report.sections.gradcam import plot_overlays, section

    art, pred, idx, x = _mouth_examples()
    maps = gradcam(art["trained"].model, "conv", x, pred.y_pred[idx])
    text = section.text("en")
    heads = titles(idx, pred, CLASSES, text)
    return _save(out, "gradcam", lambda: plot_overlays(art["dataset"].test.x[idx], maps, heads, text=text))


def _save(out: Path, name: str, plot) -> Path:
    figures = Figures(out)  # the report's style and dpi; fonts pinned on top of it
    with matplotlib.rc_context(PINNED):
        figure = figures.save(plot(), name, "")
    return out / figure.path


DRAW = {"confusion": draw_confusion, "history": draw_history, "formula": draw_formula, "saliency": draw_saliency,
        "gradcam": draw_gradcam}


@pytest.mark.parametrize("name", sorted(DRAW))
def test_figure_matches_its_baseline(name, tmp_path):
    actual = DRAW[name](tmp_path / "actual")
    expected = BASELINE / f"{name}.png"
    if REGENERATE:
        BASELINE.mkdir(exist_ok=True)
        shutil.copyfile(actual, expected)
        pytest.skip(f"baseline regenerated: {expected}")
    assert expected.exists(), f"no baseline {expected}; `make baselines` writes it"
    # compare_images writes <actual>-failed-diff.png next to the actual image when they differ
    error = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert error is None, f"{name} differs from its baseline (diff image in {actual.parent}):\n{error}"


@pytest.mark.parametrize("name", sorted(DRAW))
def test_figure_is_deterministic(name, tmp_path):
    a, b = DRAW[name](tmp_path / "a"), DRAW[name](tmp_path / "b")
    assert compare_images(str(a), str(b), tol=0) is None


def measure_sensitivity(out: Path) -> dict[str, float]:
    """RMS of the smallest changes that matter; how TOLERANCE was chosen (run by hand, not a test)."""
    from matplotlib.testing.compare import calculate_rms
    from PIL import Image

    from fer_report.sections.math import BN_DX

    def rms(a: Path, b: Path) -> float:
        x, y = (np.asarray(Image.open(p).convert("RGB")).astype(float) for p in (a, b))
        return float(calculate_rms(x, y)) if x.shape == y.shape else float("inf")

    cm = confusion_counts()
    cm[2, 4] = 24
    hist = history_rows()
    hist[4]["val_acc"] += 0.005
    return {
        "confusion_one_digit": rms(draw_confusion(out / "c0"), draw_confusion(out / "c1", cm)),
        "history_one_point": rms(draw_history(out / "h0"), draw_history(out / "h1", hist)),
        "formula_2_to_3": rms(draw_formula(out / "f0"), draw_formula(out / "f1", BN_DX.replace("2(x_i", "3(x_i"))),
    }
