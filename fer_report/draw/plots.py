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


def plot_runs(runs: list[tuple[str, list[dict]]], *, text, colours: tuple[str, ...]) -> plt.Figure:
    """Loss and accuracy of every run on shared axes: solid training, dashed validation, a colour per run.
    A curve a run's history lacks (a user's log without validation loss) is left out."""
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, 2, figsize=(8.6, 3.3))
    for (label, history), colour in zip(runs, colours):
        epochs = [h["epoch"] for h in history]
        for ax, key in ((axes[0], "loss"), (axes[1], "acc")):
            for split, style in (("train", "-"), ("val", "--")):
                values = [np.nan if h.get(f"{split}_{key}") is None else h[f"{split}_{key}"] for h in history]
                if not np.isnan(values).all():
                    ax.plot(epochs, values, style, color=colour, lw=1.4, label=f"{label}, {text('fig.' + split)}")
    for ax, label in ((axes[0], text("fig.loss")), (axes[1], text("fig.acc"))):
        ax.set_xlabel(text("fig.epoch"))
        ax.set_ylabel(label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False,
               bbox_to_anchor=(0.5, -0.02 - 0.05 * len(runs)))
    fig.tight_layout()
    return fig


def image_grid(images: list[np.ndarray], titles: list[str], *, cols: int = 8, width: float = 1.0) -> plt.Figure:
    """Grey uint8 images in rows of ``cols``, a small title over each (a gallery: duplicates, suspect labels)."""
    rows = max(1, -(-len(images) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, (width + 0.32) * rows), squeeze=False,
                             gridspec_kw={"wspace": 0.05, "hspace": 0.35})
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap="gray", vmin=0, vmax=255)
            ax.set_title(titles[k], fontsize=6, linespacing=1.0)
    return fig
