"""Read FER2013-style CSVs in every layout people have:

  emotion,pixels,Usage   the Kaggle FER2013 file (fer2013.csv; icml_face_data.csv writes ", " between columns)
  emotion,pixels         the Kaggle challenge's train.csv: no Usage, so a stratified split from the seed
  label,feature          the course CSV: a stratified split from the seed
  pixels / id,pixels     an unlabelled test.csv: no labels to train or score on; ``load_unlabelled`` reads it
                         for ``--predict``

Opening (plain, .gz, .zip) is ``csv_read``; pixel parsing is ``pixels``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from fer_report import CLASSES
from fer_report.data.csv_read import EXPECTED_HEADER, drop_blank_lines, read_table, short, source
from fer_report.data.dataset import Dataset, check_train_classes, make_dataset
from fer_report.data.pixels import parse_pixels
from fer_report.data.splits import stratified_split
from fer_report.errors import DataError

USAGES = {"Training": "train", "PublicTest": "val", "PrivateTest": "test"}
#: layout -> its columns (matched case-insensitively, spaces stripped); labels first, pixels second
LAYOUTS = {"kaggle": ("emotion", "pixels", "Usage"), "kaggle-train": ("emotion", "pixels"),
           "course": ("label", "feature"), "unlabelled": ("pixels",), "unlabelled-id": ("id", "pixels"),
           "course-test": ("id", "feature")}
UNLABELLED = ("unlabelled", "unlabelled-id", "course-test")
_SUFFIXES = (".csv", ".gz", ".zip", ".txt")


def load_csv(path: Path, *, seed: int) -> Dataset:
    """Read a labelled CSV (plain, .gz or .zip); splits that the file lacks come from ``seed``."""
    path = Path(path)
    where, kind, columns, table, lines = _read(path)
    if kind in UNLABELLED:
        raise DataError(f"{where} line 1: header '{','.join(columns)}' has no labels (an unlabelled test file); "
                        "expected a labelled file to train and score on (Kaggle train.csv, fer2013.csv, the course's "
                        "train.csv); with your own model and weights, --predict this file writes the submission CSV")
    _check_no_second_header(where, table, lines, columns)
    y = _parse_labels(where, table[columns[0]], lines, columns[0])
    x = parse_pixels(where, table[columns[1]].tolist(), lines)
    if kind == "kaggle":
        usage = _parse_usage(where, table[columns[2]], lines)
        return _kaggle_dataset(path, where, x, y, usage, seed)
    return _stratified_dataset(path, where, x, y, seed, "Kaggle train.csv" if kind == "kaggle-train" else "course CSV")


def load_unlabelled(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(ids, uint8 images) of a test file, labelled or not (the labels are ignored); ids are the file's ``id``
    column, else 0, 1, 2 ... in row order, as the course's submission counts them."""
    path = Path(path)
    where, kind, columns, table, lines = _read(path)
    pixels = columns[0] if kind == "unlabelled" else columns[1]
    _check_no_second_header(where, table, lines, columns)
    x = parse_pixels(where, table[pixels].tolist(), lines)
    if kind in ("unlabelled-id", "course-test"):
        text = table[columns[0]].str.strip()
        ok = text.str.fullmatch(r"[0-9]+").to_numpy()
        if not ok.all():
            i = int(np.argmin(ok))
            raise DataError(f"{where} line {lines[i]}: id '{short(text.iloc[i])}' is not a whole number; expected ids")
        return text.astype(np.int64).to_numpy(), x
    return np.arange(len(x)), x


def _read(path: Path):
    if path.suffix.lower() not in _SUFFIXES:
        raise DataError(f"{path}: unsupported file type '{path.suffix}'; expected a .csv, .csv.gz or .zip file")
    where, opener = source(path)
    table = read_table(where, opener)
    kind, columns = _detect_layout(where, table)
    table, lines = drop_blank_lines(where, table)
    return where, kind, columns, table, lines


def _detect_layout(where: str, table: pd.DataFrame) -> tuple[str, tuple[str, ...]]:
    """The layout from the header; column names are matched case-insensitively, spaces stripped."""
    found = [str(c).strip() for c in table.columns]
    for kind, wanted in LAYOUTS.items():
        if sorted(c.lower() for c in found) == sorted(w.lower() for w in wanted):
            return kind, tuple(next(c for c in table.columns if str(c).strip().lower() == w.lower()) for w in wanted)
    raise DataError(f"{where} line 1: header has columns '{short(','.join(found))}'; {EXPECTED_HEADER}")


def _check_no_second_header(where: str, table: pd.DataFrame, lines: np.ndarray, columns: tuple[str, ...]) -> None:
    """A header repeated inside the data (e.g. two files concatenated) would otherwise read as a bad label."""
    first = table[columns[0]].str.strip().str.lower()
    hits = np.flatnonzero((first == str(columns[0]).strip().lower()).to_numpy())
    if len(hits):
        header = ",".join(str(c).strip() for c in table.columns)
        raise DataError(f"{where} line {lines[hits[0]]}: a second header line ({header}); expected the header only on line 1")


def _parse_labels(where: str, col: pd.Series, lines: np.ndarray, name: str) -> np.ndarray:
    """Labels must be the integers 0..6 (FER2013's class order)."""
    text = col.str.strip()
    ok = text.isin([str(i) for i in range(len(CLASSES))]).to_numpy()
    if not ok.all():
        i = int(np.argmin(ok))
        value = text.iloc[i]
        what = f"{name} {value}" if re.fullmatch(r"[+-]?[0-9]+", value) else f"{name} '{short(value)}' is not an integer"
        classes = ", ".join(f"{k} {c}" for k, c in enumerate(CLASSES))
        raise DataError(f"{where} line {lines[i]}: {what}; expected an integer 0..6 ({classes})")
    return text.astype(np.int64).to_numpy()


def _parse_usage(where: str, col: pd.Series, lines: np.ndarray) -> np.ndarray:
    text = col.str.strip()
    ok = text.isin(list(USAGES)).to_numpy()
    if not ok.all():
        i = int(np.argmin(ok))
        raise DataError(f"{where} line {lines[i]}: Usage '{short(text.iloc[i])}'; expected Training, PublicTest or PrivateTest")
    return text.to_numpy()


def _kaggle_dataset(path: Path, where: str, x: np.ndarray, y: np.ndarray, usage: np.ndarray, seed: int) -> Dataset:
    """Use the file's own Usage split; only a Usage that is missing entirely is carved out of Training."""
    idx = {split: np.flatnonzero(usage == name) for name, split in USAGES.items()}
    counts = {name: len(idx[split]) for name, split in USAGES.items()}
    if counts["Training"] == 0:
        raise DataError(f"{where}: no Training rows (Usage column has only {_usage_summary(counts)}); expected Training rows")
    split_names = {"train": "Training", "val": "PublicTest", "test": "PrivateTest"}
    missing = [s for s in ("val", "test") if len(idx[s]) == 0]
    note = ""
    if missing:
        training = idx["train"]
        fractions = (1.0 - 0.1 * len(missing),) + (0.1,) * len(missing)
        parts = stratified_split(y[training], fractions, seed)
        idx["train"] = training[parts[0]]
        for split, part in zip(missing, parts[1:]):
            idx[split] = training[part]
            split_names[split] = "10% of Training"
        names = "/".join(n for n, s in USAGES.items() if s in missing)
        note = f"; no {names} rows, so {' and '.join(missing)} = stratified 10% of Training each (seed {seed})"
    check_train_classes(where, y[idx["train"]])
    side = x.shape[-1]
    source = f"Kaggle FER2013 CSV {path.name}: {len(y):,} rows ({_usage_summary(counts)}), {side}x{side}{note}"
    return make_dataset(path, source, x, y, idx, split_names)


def _course_dataset(path: Path, where: str, x: np.ndarray, y: np.ndarray, seed: int) -> Dataset:
    """The course file has no split column: a seeded stratified 80/10/10 keeps every class in each part."""
    check_train_classes(where, y)
    train, val, test = stratified_split(y, (0.8, 0.1, 0.1), seed)
    idx = {"train": train, "val": val, "test": test}
    side = x.shape[-1]
    source = (
        f"course CSV {path.name}: {len(y):,} rows ({len(train):,} train / {len(val):,} val / {len(test):,} test), "
        f"{side}x{side}; no usage column, so a stratified 80/10/10 split (seed {seed})"
    )
    split_names = {"train": "80% of file", "val": "10% of file", "test": "10% of file"}
    return make_dataset(path, source, x, y, idx, split_names)


def _stratified_dataset(path: Path, where: str, x: np.ndarray, y: np.ndarray, seed: int, what: str) -> Dataset:
    """A file without a split column: a seeded stratified 80/10/10 keeps every class in each part."""
    check_train_classes(where, y)
    train, val, test = stratified_split(y, (0.8, 0.1, 0.1), seed)
    idx = {"train": train, "val": val, "test": test}
    side = x.shape[-1]
    source = (f"{what} {path.name}: {len(y):,} rows ({len(train):,} train / {len(val):,} val / {len(test):,} test), "
              f"{side}x{side}; no usage column, so a stratified 80/10/10 split (seed {seed})")
    split_names = {"train": "80% of file", "val": "10% of file", "test": "10% of file"}
    return make_dataset(path, source, x, y, idx, split_names)


def _usage_summary(counts: dict[str, int]) -> str:
    return " / ".join(f"{n:,} {name}" for name, n in counts.items() if n)
