"""Bad-input cases for the FER2013 CSV files: two layouts (Kaggle, course) x three containers (.csv, .gz, .zip)."""

from __future__ import annotations

import gzip
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tests.e2e.cases import Case
from tests.e2e.folder_cases import _png


# --- CSV files: two layouts x three containers ---------------------------------------------------

PIXELS = [" ".join([str(20 + 30 * k)] * 2304) for k in range(7)]


@dataclass(frozen=True)
class Layout:
    key: str
    name: str
    header: tuple[str, ...]

    def rows(self) -> list[list[str]]:
        """Kaggle: one row per class and Usage (21); course: ten per class (70), so its 80/10/10 split
        gives every class val and test images. Line 4 (rows[2]) is the row the cases break."""
        if self.key == "kaggle":
            return [[str(k), PIXELS[k], usage] for usage in ("Training", "PublicTest", "PrivateTest") for k in range(7)]
        return [[str(k), PIXELS[k]] for k in range(7) for _ in range(10)]


KAGGLE = Layout("kaggle", "Kaggle CSV", ("emotion", "pixels", "Usage"))
COURSE = Layout("course", "course CSV", ("label", "feature"))


def _lines(header, rows) -> str:
    return "\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n"


def _pixel(row: list[str], index: int, value: str) -> list[str]:
    tokens = row[1].split()
    tokens[index] = value
    return [row[0], " ".join(tokens), *row[2:]]


def _edit_row(rows, row: list[str]) -> list[list[str]]:
    return rows[:2] + [row] + rows[3:]


def _pixels(n: int) -> Callable:
    return lambda L, h, rows: _lines(h, _edit_row(rows, [rows[2][0], " ".join(["7"] * n), *rows[2][2:]]))


def _label(value: str) -> Callable:
    return lambda L, h, rows: _lines(h, _edit_row(rows, [value, *rows[2][1:]]))


def _without_disgust(L, h, rows):
    if L.key == "kaggle":  # no Training row of Disgust; PublicTest/PrivateTest ones are no help
        return _lines(h, [r for r in rows if not (r[0] == "1" and r[2] == "Training")])
    return _lines(h, [r for r in rows if r[0] != "1"])


def _no_test_disgust(L, h, rows):
    if L.key == "kaggle":
        return _lines(h, [r for r in rows if not (r[0] == "1" and r[2] == "PrivateTest")])
    disgust = [r for r in rows if r[0] == "1"][:5]  # 5 images: the 80/10/10 split gives 4/1/0
    return _lines(h, [r for r in rows if r[0] != "1"] + disgust)


# (id, the case, what the file holds, make text from (layout, header, rows), expected, exit code)
CSV_CASES = [
    ("empty", "empty file", "0 bytes", lambda L, h, r: "",
     ("{file}: file is empty", "expected a header 'emotion,pixels,Usage'"), 2),
    ("header-only", "header only", "the header line and no rows", lambda L, h, r: ",".join(h) + "\n",
     ("{file}: header only (line 1: {header})", "expected one row per image"), 2),
    ("missing-column", "missing column", "header and rows without the pixel column",
     lambda L, h, r: _lines((h[0], *h[2:]), [[row[0], *row[2:]] for row in r]),
     ("{file} line 1: header has columns '{short}'", "expected a header"), 2),
    ("wrong-column", "wrong column", "second column named 'image'",
     lambda L, h, r: _lines((h[0], "image", *h[2:]), r),
     ("{file} line 1: header has columns", "image", "expected a header 'emotion,pixels,Usage'"), 2),
    ("extra-field", "wrong columns in a row", "line 4 has one more comma-separated field",
     lambda L, h, r: _lines(h, _edit_row(r, [*r[2], "x"])),
     ("{file} line 4:", "expected"), 2),
    ("2303-pixels", "a row with 2303 pixels", "line 4 has 2303 pixels", _pixels(2303),
     ("{file} line 4: 2303 pixels, expected 2304 (48x48) like line 2",), 2),
    ("2305-pixels", "a row with 2305 pixels", "line 4 has 2305 pixels", _pixels(2305),
     ("{file} line 4: 2305 pixels, expected 2304 (48x48) like line 2",), 2),
    ("2303-pixels-first", "a row with 2303 pixels", "line 2 (the first row, which sets the size) has 2303 pixels",
     lambda L, h, r: _lines(h, [[r[0][0], " ".join(["7"] * 2303), *r[0][2:]]] + r[1:]),
     ("{file} line 2: 2303 pixels, expected 2304 (48x48) or 4096 (64x64)",), 2),
    ("pixel-text", "non-numeric pixel", "pixel 100 of line 4 is '1O' (letter O)",
     lambda L, h, r: _lines(h, _edit_row(r, _pixel(r[2], 99, "1O"))),
     ("{file} line 4: pixel 100 is '1O', expected an integer 0..255",), 2),
    ("pixel-negative", "out-of-range pixel (<0)", "pixel 100 of line 4 is -1",
     lambda L, h, r: _lines(h, _edit_row(r, _pixel(r[2], 99, "-1"))),
     ("{file} line 4: pixel 100 is -1, outside 0..255",), 2),
    ("pixel-256", "out-of-range pixel (>255)", "pixel 100 of line 4 is 256",
     lambda L, h, r: _lines(h, _edit_row(r, _pixel(r[2], 99, "256"))),
     ("{file} line 4: pixel 100 is 256, outside 0..255",), 2),
    ("label-7", "label outside 0..6", "label 7 on line 4", _label("7"),
     ("{file} line 4: {label} 7; expected an integer 0..6",), 2),
    ("label-negative", "label outside 0..6", "label -1 on line 4", _label("-1"),
     ("{file} line 4: {label} -1; expected an integer 0..6",), 2),
    ("label-word", "non-integer label", "label 'happy' on line 4", _label("happy"),
     ("{file} line 4: {label} 'happy' is not an integer; expected an integer 0..6",), 2),
    ("label-float", "non-integer label", "label 2.0 on line 4", _label("2.0"),
     ("{file} line 4: {label} '2.0' is not an integer; expected an integer 0..6",), 2),
    ("no-class", "a class with no images", "no Disgust (1) training rows",
     _without_disgust, ("{file}: class Disgust (1) has no training images, so the build stops",
                        "expected every class 0..6"), 2),
    ("no-test-class", "a class with no images (test only)", "no Disgust (1) image ends up in the test split",
     _no_test_disgust, ("warning: {file}: class Disgust (1) has no test images", "the build goes on"), 0),
    ("duplicate-header", "duplicate header", "the header repeated on line 5",
     lambda L, h, r: _lines(h, r[:3] + [list(h)] + r[3:]),
     ("{file} line 5: a second header line ({header})", "expected the header only on line 1"), 2),
]


def _write(folder: Path, container: str, text: str) -> str:
    """Write ``text`` as fer.csv, fer.csv.gz or fer.zip (holding fer.csv); return the --data argument."""
    if container == "csv":
        (folder / "fer.csv").write_text(text)
        return "fer.csv"
    if container == "gz":
        (folder / "fer.csv.gz").write_bytes(gzip.compress(text.encode(), mtime=0))
        return "fer.csv.gz"
    with zipfile.ZipFile(folder / "fer.zip", "w") as zf:
        zf.writestr("fer.csv", text)
    return "fer.zip"


def csv_cases() -> list[Case]:
    out = []
    names = {"csv": "fer.csv", "gz": "fer.csv.gz", "zip": "fer.zip:fer.csv"}
    for layout in (KAGGLE, COURSE):
        for cid, case, what, text, expect, code in CSV_CASES:
            for container in ("csv", "gz", "zip"):
                if code == 0 and container != "csv":  # a build that goes on costs a PDF: once per layout
                    continue
                values = {"file": names[container], "label": layout.header[0], "header": ",".join(layout.header),
                          "short": ",".join((layout.header[0], *layout.header[2:]))}

                def make(folder, text=text, layout=layout, container=container):
                    return ["--data", _write(folder, container, text(layout, layout.header, layout.rows()))]

                fmt = layout.name + {"csv": "", "gz": " (.csv.gz)", "zip": " (.zip)"}[container]
                out.append(Case(f"{layout.key}-{container}-{cid}", case, fmt, what, make,
                                tuple(e.format(**values) for e in expect), code))
    rows = KAGGLE.rows()
    good = _lines(KAGGLE.header, rows)
    out += [
        Case("kaggle-csv-usage", "wrong value in a column", "Kaggle CSV", "Usage 'Train' on line 4",
             lambda d: ["--data", _write(d, "csv", _lines(KAGGLE.header, _edit_row(rows, [*rows[2][:2], "Train"])))],
             ("fer.csv line 4: Usage 'Train'; expected Training, PublicTest or PrivateTest",)),
        Case("not-utf8", "wrong file type", "CSV", "a PNG image renamed fer.csv",
             lambda d: [_png(d / "fer.csv"), "--data", "fer.csv"][1:],
             ("fer.csv: not a UTF-8 text CSV", "expected a header")),
        Case("suffix", "wrong file type", "CSV", "fer.xlsx",
             lambda d: [(d / "fer.xlsx").write_bytes(b"PK"), "--data", "fer.xlsx"][1:],
             ("fer.xlsx: unsupported file type '.xlsx'; expected a .csv, .csv.gz or .zip file",)),
        Case("gz-broken", "corrupt file", ".csv.gz", "plain text named fer.csv.gz",
             lambda d: [(d / "fer.csv.gz").write_text(good), "--data", "fer.csv.gz"][1:],
             ("fer.csv.gz: cannot read", "expected a CSV, gzip-compressed CSV or zip with one CSV")),
        Case("zip-no-csv", "missing file in archive", ".zip", "a zip holding only notes.txt",
             lambda d: [_zip(d / "fer.zip", {"notes.txt": "hi"}), "--data", "fer.zip"][1:],
             ("fer.zip: zip contains no .csv file (found: notes.txt); expected exactly one .csv",)),
        Case("zip-two-csv", "missing file in archive", ".zip", "a zip holding a.csv and b.csv",
             lambda d: [_zip(d / "fer.zip", {"a.csv": good, "b.csv": good}), "--data", "fer.zip"][1:],
             ("fer.zip: zip contains 2 .csv files (a.csv, b.csv); expected exactly one .csv",)),
    ]
    return out


def _zip(path: Path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
