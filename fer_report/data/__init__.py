"""Load a dataset from a path (CSV, compressed CSV, image folder) or generate the embedded default."""

from __future__ import annotations

from pathlib import Path

from fer_report.data.dataset import Dataset, Split
from fer_report.errors import DataError

__all__ = ["Dataset", "Split", "load_dataset"]


def load_dataset(path: str | Path | None, *, seed: int = 0, synthetic_size: str = "default") -> Dataset:
    """``None`` means the embedded synthetic faces, ``arrays:HASH`` arrays given in Python; anything else is read
    from disk."""
    if path is None:
        from fer_report.data.synthetic import make_synthetic

        return make_synthetic(seed=seed, size=synthetic_size)
    if str(path).startswith("arrays:"):  # arrays handed over in Python (data/arrays.py)
        from fer_report.data.arrays import lookup

        return lookup(str(path))
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file or folder (expected a FER2013 CSV, a course CSV, or an image folder)")
    if p.is_dir():
        from fer_report.data.folder import load_folder

        return load_folder(p, seed=seed)
    from fer_report.data.csv import load_csv

    return load_csv(p, seed=seed)
