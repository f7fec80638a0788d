"""Pixels of FER2013-style CSVs: 2,304 (48x48) or 4,096 (64x64) space-separated integers 0..255 per row.

The full Kaggle file has ~83 M numbers, so rows are parsed with numpy over whole chunks; a row is
only checked on its own when its chunk fails that fast path, which is also how the error message
gets the exact line and value.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from fer_report.data.csv_read import short
from fer_report.errors import DataError

SIDES = {48 * 48: 48, 64 * 64: 64}
_EXPECTED_SIZE = "2304 (48x48) or 4096 (64x64)"
CHUNK_ROWS = 2000


def parse_pixels(where: str, rows: list[str], lines: np.ndarray) -> np.ndarray:
    """uint8 (N, side, side); the first row fixes the size every other row must have."""
    first = rows[0].split()
    if len(first) not in SIDES:
        raise DataError(f"{where} line {lines[0]}: {len(first)} pixels, expected {_EXPECTED_SIZE}")
    size = len(first)
    side = SIDES[size]
    out = np.empty((len(rows), size), dtype=np.uint8)
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
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
                raise DataError(f"{where} line {line}: pixel {k + 1} is '{short(t)}', expected an integer 0..255")
    values = np.array([int(t) for t in tokens], dtype=np.int64)
    bad = np.flatnonzero((values < 0) | (values > 255))
    if len(bad):
        k = int(bad[0])
        raise DataError(f"{where} line {line}: pixel {k + 1} is {values[k]}, outside 0..255")
    return values.astype(np.uint8)
