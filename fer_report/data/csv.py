"""Read FER2013-style CSVs: the Kaggle ``emotion,pixels,Usage`` file and the course ``label,feature`` file.

Both may be plain, gzip (``.csv.gz``) or a ``.zip`` holding one ``.csv``. The full Kaggle file has
35,887 rows of 2,304 space-separated pixels (~83 M numbers), so pixels are parsed with numpy over
whole chunks of rows; a row is only checked on its own when its chunk fails that fast path, which
is also how the error message gets the exact line and value.
"""

from __future__ import annotations

import gzip
import re
import warnings
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from fer_report import CLASSES
from fer_report.data.dataset import Dataset, Split, warn_missing_classes
from fer_report.data.splits import stratified_split
from fer_report.errors import DataError

KAGGLE_COLUMNS = ("emotion", "pixels", "Usage")
COURSE_COLUMNS = ("label", "feature")
USAGES = {"Training": "train", "PublicTest": "val", "PrivateTest": "test"}
SIDES = {48 * 48: 48, 64 * 64: 64}

_EXPECTED_HEADER = "expected a header 'emotion,pixels,Usage' (Kaggle FER2013) or 'label,feature' (course CSV)"
_EXPECTED_SIZE = "2304 (48x48) or 4096 (64x64)"
_SUFFIXES = (".csv", ".gz", ".zip", ".txt")
_CHUNK_ROWS = 2000


def load_csv(path: Path, *, seed: int) -> Dataset:
    """Read a Kaggle or course CSV (plain, .gz or .zip); splits that the file lacks come from ``seed``."""
    path = Path(path)
    if path.suffix.lower() not in _SUFFIXES:
        raise DataError(f"{path}: unsupported file type '{path.suffix}'; expected a .csv, .csv.gz or .zip file")
    where, opener = _source(path)
    table = _read_table(where, opener)
    kind, columns = _detect_layout(where, table)
    table, lines = _drop_blank_lines(where, table)
    _check_no_second_header(where, table, lines, columns)
    y = _parse_labels(where, table[columns[0]], lines, columns[0])
    x = _parse_pixels(where, table[columns[1]].tolist(), lines)
    if kind == "kaggle":
        usage = _parse_usage(where, table[columns[2]], lines)
        return _kaggle_dataset(path, where, x, y, usage, seed)
    return _course_dataset(path, where, x, y, seed)


# --- reading -----------------------------------------------------------------------------------


def _source(path: Path) -> tuple[str, Callable[[], AbstractContextManager[IO[bytes]]]]:
    """How to name the file in messages, and how to open its CSV bytes (inside a zip if need be)."""
    if path.suffix.lower() != ".zip":
        return str(path), lambda: open(path, "rb")
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/") and not n.startswith("__MACOSX/")]
    except (zipfile.BadZipFile, OSError) as e:
        raise DataError(f"{path}: not a readable zip archive ({e}); expected a .zip holding one .csv") from e
    csvs = [n for n in names if n.lower().endswith(".csv")]
    if len(csvs) != 1:
        found = ", ".join(csvs or names) or "nothing"
        what = f"{len(csvs)} .csv files ({found})" if csvs else f"no .csv file (found: {found})"
        raise DataError(f"{path}: zip contains {what}; expected exactly one .csv")
    member = csvs[0]

    def open_member() -> AbstractContextManager[IO[bytes]]:
        zf = zipfile.ZipFile(path)
        return _ClosingBoth(zf, zf.open(member))

    return f"{path}:{member}", open_member


class _ClosingBoth(AbstractContextManager):
    """Yield a zip member and close it together with its archive."""

    def __init__(self, archive: zipfile.ZipFile, member: IO[bytes]) -> None:
        self.archive, self.member = archive, member

    def __enter__(self) -> IO[bytes]:
        return self.member

    def __exit__(self, *exc: object) -> None:
        self.member.close()
        self.archive.close()


def _read_table(where: str, opener: Callable[[], AbstractContextManager[IO[bytes]]]) -> pd.DataFrame:
    """Every cell as a raw string; blank lines kept (then dropped by ``_drop_blank_lines``) so line numbers stay true."""
    compression = "gzip" if where.lower().endswith(".gz") else None
    try:
        with opener() as fh, warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                fh,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
                compression=compression,
                encoding="utf-8",
            )
    except pd.errors.EmptyDataError as e:
        raise DataError(f"{where}: file is empty; {_EXPECTED_HEADER} and one row per image") from e
    except pd.errors.ParserWarning as e:
        line = _first_line_with_extra_fields(opener, compression)
        raise DataError(f"{where} line {line}: more comma-separated fields than the header (line 1); {_EXPECTED_HEADER}") from e
    except pd.errors.ParserError as e:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
        if m is None:
            raise DataError(f"{where}: not a readable CSV ({str(e).strip()}); {_EXPECTED_HEADER}") from e
        expected, line, saw = m.groups()
        raise DataError(f"{where} line {line}: {saw} comma-separated fields, expected {expected} like the header (line 1)") from e
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: not a UTF-8 text CSV (byte {e.start}: {e.reason}); {_EXPECTED_HEADER}") from e
    except OSError as e:  # gzip.BadGzipFile, zlib errors, permissions
        raise DataError(f"{where}: cannot read ({e}); expected a CSV, gzip-compressed CSV or zip with one CSV") from e


def _first_line_with_extra_fields(opener: Callable[[], AbstractContextManager[IO[bytes]]], compression: str | None) -> int:
    """Only on the error path: pandas says a row is too long, but not which."""
    with opener() as raw, (gzip.open(raw) if compression == "gzip" else nullcontext(raw)) as fh:
        n_header = fh.readline().count(b",")
        for number, line in enumerate(fh, start=2):
            if line.count(b",") > n_header:
                return number
    return 2


def _detect_layout(where: str, table: pd.DataFrame) -> tuple[str, tuple[str, ...]]:
    """Kaggle or course layout from the header; column names are matched case-insensitively."""
    found = [str(c).strip() for c in table.columns]
    for kind, wanted in (("kaggle", KAGGLE_COLUMNS), ("course", COURSE_COLUMNS)):
        if sorted(c.lower() for c in found) == sorted(w.lower() for w in wanted):
            return kind, tuple(_match(table, w) for w in wanted)
    raise DataError(f"{where} line 1: header has columns '{_short(','.join(found))}'; {_EXPECTED_HEADER}")


def _short(text: str, limit: int = 60) -> str:
    """Keep messages one readable line even when a pixel row was taken for the header."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _match(table: pd.DataFrame, wanted: str) -> str:
    """The real column name for ``wanted`` when the header has stray spaces, e.g. ' pixels'."""
    return next(c for c in table.columns if str(c).strip().lower() == wanted.lower())


def _drop_blank_lines(where: str, table: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The table without fully blank lines, and the file line of each remaining row (header = 1)."""
    lines = np.arange(len(table)) + 2
    blank = table.eq("").all(axis=1).to_numpy()
    if blank.any():
        table = table.loc[~blank].reset_index(drop=True)
        lines = lines[~blank]
    if table.empty:
        header = ",".join(str(c).strip() for c in table.columns)
        raise DataError(f"{where}: header only (line 1: {header}), no data rows; expected one row per image")
    return table, lines


# --- checking and parsing ------------------------------------------------------------------------


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
        what = f"{name} {value}" if re.fullmatch(r"[+-]?[0-9]+", value) else f"{name} '{_short(value)}' is not an integer"
        classes = ", ".join(f"{k} {c}" for k, c in enumerate(CLASSES))
        raise DataError(f"{where} line {lines[i]}: {what}; expected an integer 0..6 ({classes})")
    return text.astype(np.int64).to_numpy()


def _parse_usage(where: str, col: pd.Series, lines: np.ndarray) -> np.ndarray:
    text = col.str.strip()
    ok = text.isin(list(USAGES)).to_numpy()
    if not ok.all():
        i = int(np.argmin(ok))
        raise DataError(f"{where} line {lines[i]}: Usage '{_short(text.iloc[i])}'; expected Training, PublicTest or PrivateTest")
    return text.to_numpy()


def _parse_pixels(where: str, rows: list[str], lines: np.ndarray) -> np.ndarray:
    """uint8 (N, side, side); the first row fixes the size every other row must have."""
    first = rows[0].split()
    if len(first) not in SIDES:
        raise DataError(f"{where} line {lines[0]}: {len(first)} pixels, expected {_EXPECTED_SIZE}")
    size = len(first)
    side = SIDES[size]
    out = np.empty((len(rows), size), dtype=np.uint8)
    for start in range(0, len(rows), _CHUNK_ROWS):
        chunk = rows[start : start + _CHUNK_ROWS]
        values = _fast_chunk(chunk, size)
        if values is None:
            values = np.stack([_slow_row(where, r, int(lines[start + k]), size, int(lines[0])) for k, r in enumerate(chunk)])
        out[start : start + len(chunk)] = values
    return out.reshape(len(rows), side, side)


def _fast_chunk(chunk: list[str], size: int) -> np.ndarray | None:
    """Parse a chunk in one numpy call; ``None`` when anything is off, so the slow path can say what."""
    spaces = np.fromiter((r.strip().count(" ") for r in chunk), dtype=np.int64, count=len(chunk))
    if np.any(spaces != size - 1):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            flat = np.fromstring(" ".join(chunk), dtype=np.int64, sep=" ")
        except (ValueError, DeprecationWarning):  # unparsable text: the slow path names the row
            return None
    if flat.size != len(chunk) * size or flat.min() < 0 or flat.max() > 255:
        return None
    return flat.astype(np.uint8).reshape(len(chunk), size)


def _slow_row(where: str, row: str, line: int, size: int, first_line: int) -> np.ndarray:
    """Check one row token by token, raising with the line and the offending value."""
    tokens = row.split()
    if len(tokens) != size:
        raise DataError(
            f"{where} line {line}: {len(tokens)} pixels, expected {size} ({SIDES[size]}x{SIDES[size]}) like line {first_line}"
        )
    if not all(t.isdigit() and t.isascii() for t in tokens):
        for k, t in enumerate(tokens):
            if not re.fullmatch(r"[+-]?[0-9]+", t):
                raise DataError(f"{where} line {line}: pixel {k + 1} is '{_short(t)}', expected an integer 0..255")
    values = np.array([int(t) for t in tokens], dtype=np.int64)
    bad = np.flatnonzero((values < 0) | (values > 255))
    if len(bad):
        k = int(bad[0])
        raise DataError(f"{where} line {line}: pixel {k + 1} is {values[k]}, outside 0..255")
    return values.astype(np.uint8)


# --- building the dataset ------------------------------------------------------------------------


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
    _check_train_classes(where, y[idx["train"]])
    side = x.shape[-1]
    source = f"Kaggle FER2013 CSV {path.name}: {len(y):,} rows ({_usage_summary(counts)}), {side}x{side}{note}"
    return _dataset(path, source, x, y, idx, split_names)


def _course_dataset(path: Path, where: str, x: np.ndarray, y: np.ndarray, seed: int) -> Dataset:
    """The course file has no split column: a seeded stratified 80/10/10 keeps every class in each part."""
    _check_train_classes(where, y)
    train, val, test = stratified_split(y, (0.8, 0.1, 0.1), seed)
    idx = {"train": train, "val": val, "test": test}
    side = x.shape[-1]
    source = (
        f"course CSV {path.name}: {len(y):,} rows ({len(train):,} train / {len(val):,} val / {len(test):,} test), "
        f"{side}x{side}; no usage column, so a stratified 80/10/10 split (seed {seed})"
    )
    split_names = {"train": "80% of file", "val": "10% of file", "test": "10% of file"}
    return _dataset(path, source, x, y, idx, split_names)


def _check_train_classes(where: str, train_y: np.ndarray) -> None:
    """A class absent from training cannot be learnt; better to stop before hours of training."""
    counts = np.bincount(train_y, minlength=len(CLASSES))
    empty = [k for k in range(len(CLASSES)) if counts[k] == 0]
    if empty:
        names = ", ".join(f"{CLASSES[k]} ({k})" for k in empty)
        noun = "class" if len(empty) == 1 else "classes"
        verb = "has" if len(empty) == 1 else "have"
        raise DataError(f"{where}: {noun} {names} {verb} no training images, so the build stops (a model cannot learn "
                        "a class it never sees); expected every class 0..6 in the training split")


def _usage_summary(counts: dict[str, int]) -> str:
    return " / ".join(f"{n:,} {name}" for name, n in counts.items() if n)


def _dataset(path: Path, source: str, x: np.ndarray, y: np.ndarray, idx: dict[str, np.ndarray], split_names: dict[str, str]) -> Dataset:
    splits = {s: Split(x=x[i], y=y[i]) for s, i in idx.items()}
    dataset = Dataset(
        name=path.name,
        source=source,
        classes=CLASSES,
        train=splits["train"],
        val=splits["val"],
        test=splits["test"],
        split_names=split_names,
    )
    warn_missing_classes(dataset, str(path))
    return dataset
