"""The course's homework file names for the explanation figures, written beside the report on request.

The course asked for fig1_0..fig1_6.jpg (saliency, one per class), fig2_1.jpg (filter ascent),
fig2_2.jpg (filter outputs) and fig3_0..fig3_6.jpg (LIME, one per class); ``--export-course-figures
DIR`` makes the sections write those names too, so the report's figures can be handed in as asked.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt


def export(fig: plt.Figure, folder: str | Path, name: str, *, close: bool = False) -> Path:
    """Save ``fig`` as JPEG ``folder/name`` on white (JPEG has no transparency); returns the path."""
    dest = Path(folder)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / name
    fig.savefig(path, dpi=150, bbox_inches="tight", format="jpeg", facecolor="white")
    if close:
        plt.close(fig)
    return path
