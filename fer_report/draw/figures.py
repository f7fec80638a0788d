"""Figure helpers: one matplotlib style for the whole report, saved as PNG into the build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


# Noto Sans CJK TC first so zh-TW labels print as glyphs, DejaVu for everything else.
FONTS = ["Noto Sans CJK TC", "DejaVu Sans"]


@dataclass
class Figure:
    """A saved figure as a section's result records it."""

    path: str  # relative to the build directory, e.g. "figures/confusion.png"
    caption: str
    alt: str = ""  # what the figure shows, said from its data for a screen reader; empty: the caption serves


class Figures:
    """``figures.save(fig, "confusion", caption)`` writes build/figures/confusion.png and closes the figure."""

    def __init__(self, build_dir: Path, *, lang: str = "en", dpi: int = 150) -> None:
        self.build_dir = build_dir
        self.dir = build_dir / "figures"
        self.lang = lang
        self.dpi = dpi
        plt.rcParams.update({
            "font.family": "sans-serif", "font.sans-serif": FONTS, "axes.unicode_minus": False,
            "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100,
            "axes.titlesize": 10, "axes.labelsize": 9, "xtick.labelsize": 8, "ytick.labelsize": 8,
            "legend.fontsize": 8,
        })

    def save(self, fig: plt.Figure, name: str, caption: str, alt: str = "") -> Figure:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{name}.png"
        fig.savefig(path, dpi=self.dpi, bbox_inches="tight")
        plt.close(fig)
        return Figure(path=str(path.relative_to(self.build_dir)), caption=caption, alt=alt)
