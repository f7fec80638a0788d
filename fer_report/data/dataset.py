"""The in-memory dataset every loader returns: images as one uint8 array per split."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fer_report import CLASSES
from fer_report.errors import DataError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Split:
    """One split. ``x``: uint8 (N, H, W) grayscale 0..255; ``y``: int64 (N,) labels 0..6.

    ``regions`` is only known for the synthetic faces: uint8 (N, H, W) with 0 = no cue,
    1 = brows, 2 = eyes, 3 = mouth; explanation sections measure their maps against it.
    """

    x: np.ndarray
    y: np.ndarray
    regions: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Dataset:
    """Train/val/test splits plus where they came from (shown in the report)."""

    name: str  # short, e.g. "synthetic", "fer2013-small.csv"
    source: str  # one line for the report, e.g. "Kaggle FER2013 CSV /path (35,887 rows)"
    classes: tuple[str, ...]
    train: Split
    val: Split
    test: Split
    # what each split is called in the source, e.g. {"train": "Training", "val": "PublicTest", "test": "PrivateTest"}
    split_names: dict[str, str] = field(default_factory=lambda: {"train": "train", "val": "val", "test": "test"})
    # code -> name of the cue regions in Split.regions (the synthetic faces: brows, eyes, mouth); {} without them
    region_names: dict[int, str] = field(default_factory=dict)

    @property
    def image_size(self) -> int:
        return int(self.train.x.shape[-1])

    def splits(self) -> dict[str, Split]:
        return {"train": self.train, "val": self.val, "test": self.test}

    def fingerprint(self) -> str:
        """Hash of every pixel and label: the training cache is keyed by it."""
        h = hashlib.sha256()
        h.update(",".join(self.classes).encode())
        for name, split in self.splits().items():
            h.update(name.encode())
            h.update(np.ascontiguousarray(split.x, dtype=np.uint8).tobytes())
            h.update(np.ascontiguousarray(split.y, dtype=np.int64).tobytes())
        return h.hexdigest()[:16]


def warn_missing_classes(dataset: Dataset, where: str) -> None:
    """A class absent from val or test only leaves its scores there empty, so the build goes on; say so once.

    (A class absent from training stops the loader instead: a model cannot learn a class it never sees.)
    """
    for split in ("val", "test"):
        counts = np.bincount(dataset.splits()[split].y, minlength=len(dataset.classes))
        empty = [f"{c} ({k})" for k, c in enumerate(dataset.classes) if counts[k] == 0]
        if empty:
            noun, verb = ("class", "has") if len(empty) == 1 else ("classes", "have")
            log.warning("warning: %s: %s %s %s no %s images (%s); the build goes on, but per-class %s scores "
                        "for %s will be empty", where, noun, ", ".join(empty), verb, split,
                        dataset.split_names.get(split, split), split, "it" if len(empty) == 1 else "them")


def check_train_classes(where: str | Path, train_y: np.ndarray, *, why: str = "") -> None:
    """A class absent from training cannot be learnt; better to stop before hours of training.
    ``why`` says how the class could be missing (e.g. " (no class folder)")."""
    counts = np.bincount(train_y, minlength=len(CLASSES))
    empty = [k for k in range(len(CLASSES)) if counts[k] == 0]
    if empty:
        names = ", ".join(f"{CLASSES[k]} ({k})" for k in empty)
        noun, verb = ("class", "has") if len(empty) == 1 else ("classes", "have")
        raise DataError(f"{where}: {noun} {names} {verb} no training images{why}, so the build stops (a model cannot "
                        "learn a class it never sees); expected every class 0..6 in the training split")


def make_dataset(path: Path, source: str, x: np.ndarray, y: np.ndarray, parts: dict[str, np.ndarray],
                 split_names: dict[str, str]) -> Dataset:
    """The Dataset of a file or folder loader: its rows ``parts`` per split, with a warning for empty classes."""
    splits = {s: Split(x=x[i], y=y[i]) for s, i in parts.items()}
    dataset = Dataset(name=path.name, source=source, classes=CLASSES, train=splits["train"], val=splits["val"],
                      test=splits["test"], split_names=split_names)
    warn_missing_classes(dataset, str(path))
    return dataset
