"""Opening a CSV the way users have it: plain, gzip (``.csv.gz``) or a ``.zip`` holding one ``.csv``,
read as strings with pandas, with a one-line error naming the file (and the zip member and line)."""

from __future__ import annotations

import gzip
import re
import warnings
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import IO

from pathlib import Path

import numpy as np
import pandas as pd

from fer_report.errors import DataError

EXPECTED_HEADER = ("expected a header 'emotion,pixels,Usage' (Kaggle FER2013), 'emotion,pixels' (Kaggle train.csv), "
                   "'label,feature' (course CSV), or 'pixels' / 'id,pixels' (unlabelled test.csv)")


def source(path: Path) -> tuple[str, Callable[[], AbstractContextManager[IO[bytes]]]]:
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


def read_table(where: str, opener: Callable[[], AbstractContextManager[IO[bytes]]]) -> pd.DataFrame:
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
        raise DataError(f"{where}: file is empty; {EXPECTED_HEADER} and one row per image") from e
    except pd.errors.ParserWarning as e:
        line = _first_line_with_extra_fields(opener, compression)
        raise DataError(f"{where} line {line}: more comma-separated fields than the header (line 1); {EXPECTED_HEADER}") from e
    except pd.errors.ParserError as e:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
        if m is None:
            raise DataError(f"{where}: not a readable CSV ({str(e).strip()}); {EXPECTED_HEADER}") from e
        expected, line, saw = m.groups()
        raise DataError(f"{where} line {line}: {saw} comma-separated fields, expected {expected} like the header (line 1)") from e
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: not a UTF-8 text CSV (byte {e.start}: {e.reason}); {EXPECTED_HEADER}") from e
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


def short(text: str, limit: int = 60) -> str:
    """Keep messages one readable line even when a pixel row was taken for the header."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def drop_blank_lines(where: str, table: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
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
