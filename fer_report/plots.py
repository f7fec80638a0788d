"""Figure helpers shared by the explanation sections: the examples-by-views image grid."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

MISTAKE_COLOUR = "firebrick"


@dataclass(frozen=True)
class Layer:
    """One image drawn into a grid cell; several layers in a cell are drawn in order (an overlay on top)."""

    image: np.ndarray
    cmap: str | None = "gray"
    vmin: float | None = 0
    vmax: float | None = 255
    alpha: float | None = None


def image_rows(rows: list[tuple[str, list[list[Layer]]]], titles: list[tuple[str, bool]]) -> plt.Figure:
    """One column per example, one row per view (the input, a map, an overlay): the view's label at the
    left, each column's title on top (red when the example is a mistake), no ticks and no frames."""
    cols = max(1, len(titles))
    fig, axes = plt.subplots(len(rows), cols, figsize=(1.05 * cols + 0.6, 1.1 * len(rows) + 0.4), squeeze=False,
                             gridspec_kw={"wspace": 0.06, "hspace": 0.08})
    for j, (title, wrong) in enumerate(titles):
        for r, (_, cells) in enumerate(rows):
            ax = axes[r, j]
            for layer in cells[j]:
                ax.imshow(layer.image, cmap=layer.cmap, vmin=layer.vmin, vmax=layer.vmax, alpha=layer.alpha)
            if r == 0:
                ax.set_title(title, fontsize=7, color=MISTAKE_COLOUR if wrong else "black")
    for r, (label, _) in enumerate(rows):
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        axes[r, 0].set_ylabel(label, fontsize=8)
    return fig
