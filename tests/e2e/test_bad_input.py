"""Every kind of bad input the issues list, for every data format and every file the user brings (model
file, checkpoint, training logs, pictures: tests/e2e/own_input_cases.py), through the real command.

Each case writes its input into an empty folder, runs ``fer_report.cli.main`` there (relative paths,
so messages are the same on every machine) and demands: one line on stderr, naming the file and the
line or path, what was found and what was expected; exit code 2; no traceback. Every case fails
while reading options or data, before any training, so the whole table takes seconds. A few inputs
are not errors (a class missing only from val or test): those must build, with one warning line.

docs/bad-input.md is this table with the messages the command actually printed:

    .venv/bin/python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import os
import pickle
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from PIL import Image

from fer_report.cli import main
from tests.e2e.own_input_cases import own_cases
from tests.e2e.pretrained_cases import pretrained_cases

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "bad-input.md"
BASE = ["build", "--sections", "architecture", "--out", "out", "--synthetic-size", "tiny", "-q"]
CLASS_DIRS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


@dataclass(frozen=True)
class Case:
    id: str
    case: str  # the issue's wording
    fmt: str  # which data format / input it concerns
    what: str  # what the input holds, for the table
    make: Callable[[Path], list[str]]  # writes the input into the folder, returns the command line after BASE
    expect: tuple[str, ...]  # substrings the message must contain
    code: int = 2  # 0: not an error, the build goes on (with one warning line)
    command: tuple[str, ...] = tuple(BASE)


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


# (id, the issue's case, what the file holds, make text from (layout, header, rows), expected, exit code)
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


def _csv_cases() -> list[Case]:
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


# --- image folders ---------------------------------------------------------------------------------


def _png(path: Path, value: int = 100, side: int = 48) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((side, side), value, dtype=np.uint8)).save(path, format="PNG")


def _faces(root: Path, n: int, names=CLASS_DIRS) -> None:
    for k, name in enumerate(names):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            _png(root / name / f"{i:02d}.png", 20 + 30 * (k % 7))


def _flat(edit: Callable[[Path], None] = lambda root: None, names=CLASS_DIRS) -> Callable[[Path], list[str]]:
    """faces/<class>/*.png, ten per class (80/10/10 leaves each class in val and test), then ``edit``."""
    def make(folder: Path) -> list[str]:
        _faces(folder / "faces", 10, names)
        edit(folder / "faces")
        return ["--data", "faces"]
    return make


def _split(edit: Callable[[Path], None] = lambda root: None) -> Callable[[Path], list[str]]:
    """faces/{train,val,test}/<class>/*.png, one per class each, then ``edit``."""
    def make(folder: Path) -> list[str]:
        for split in ("train", "val", "test"):
            _faces(folder / "faces" / split, 1)
        edit(folder / "faces")
        return ["--data", "faces"]
    return make


def _rmtree(path: Path) -> None:
    for p in sorted(path.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    path.rmdir()


def _truncate(path: Path, keep: int) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def _jpeg_truncated(path: Path) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (48, 48), dtype=np.uint8)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])


FLAT, SPLIT = "image folder", "image folder (train/val/test)"
FOLDER_CASES = [
    Case("folder-empty", "empty file", FLAT, "an empty folder", lambda d: [(d / "faces").mkdir(), "--data", "faces"][1:],
         ("faces: no sub-folders; expected one folder per class",)),
    Case("folder-class-empty", "a class with no images", FLAT, "disgust/ holds no image",
         _flat(lambda r: [p.unlink() for p in (r / "disgust").iterdir()]),
         ("faces/disgust: class Disgust (1) has no images, so the build stops", "expected .png, .jpg")),
    Case("folder-class-missing", "a class with no images", FLAT, "no disgust/ folder",
         _flat(lambda r: _rmtree(r / "disgust")),
         ("faces: class Disgust (1) has no training images (no class folder), so the build stops",)),
    Case("folder-png-garbage", "corrupt PNG", FLAT, "happy/bad.png holds text",
         _flat(lambda r: (r / "happy" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nnot an image")),
         ("faces/happy/bad.png: cannot read image", "expected a PNG, JPEG or BMP file")),
    Case("folder-png-truncated", "corrupt PNG", FLAT, "happy/03.png cut to its first 60 bytes",
         _flat(lambda r: _truncate(r / "happy" / "03.png", 60)),
         ("faces/happy/03.png: cannot read image", "expected a PNG, JPEG or BMP file")),
    Case("folder-jpeg-truncated", "corrupt JPEG", FLAT, "sad/bad.jpg cut in half",
         _flat(lambda r: _jpeg_truncated(r / "sad" / "bad.jpg")),
         ("faces/sad/bad.jpg: cannot read image", "expected a PNG, JPEG or BMP file")),
    Case("folder-names", "class names that do not match", FLAT, "folders happpy/ and joy/ instead of happy/",
         _flat(names=("angry", "disgust", "fear", "happpy", "sad", "surprise", "neutral", "joy")),
         ("faces: unexpected folder names happpy (did you mean happy?), joy; expected class folders angry,",)),
    Case("folder-label-7", "label outside 0..6", FLAT, "folders 0/ .. 7/",
         _flat(names=tuple(str(k) for k in range(8))),
         ("faces: unexpected folder names 7; expected class folders", "or 0..6")),
    Case("folder-duplicate", "duplicate header", FLAT, "both angry/ and Anger/",
         _flat(names=CLASS_DIRS + ("Anger",)),
         ("faces: folders Anger/ and angry/ are both class Angry (0); expected one",)),
    Case("split-no-test", "missing columns", SPLIT, "train/ and val/ but no test/",
         _split(lambda r: _rmtree(r / "test")),
         ("faces: split folders train/, val/; expected train/ and test/ (val/ optional)",)),
    Case("split-train-class-missing", "a class with no images", SPLIT, "no train/disgust/",
         _split(lambda r: _rmtree(r / "train" / "disgust")),
         ("faces/train: class Disgust (1) has no training images (no class folder), so the build stops",)),
    Case("split-test-class-missing", "a class with no images (test only)", SPLIT, "no test/disgust/",
         _split(lambda r: _rmtree(r / "test" / "disgust")),
         ("warning: faces: class Disgust (1) has no test images (test/)", "the build goes on"), code=0),
    Case("split-png-garbage", "corrupt PNG", SPLIT, "test/happy/00.png holds text",
         _split(lambda r: (r / "test" / "happy" / "00.png").write_bytes(b"GIF89a nonsense")),
         ("faces/test/happy/00.png: cannot read image", "expected a PNG, JPEG or BMP file")),
    Case("split-names", "class names that do not match", SPLIT, "train/happiest/ instead of train/happy/",
         _split(lambda r: (r / "train" / "happy").rename(r / "train" / "happiest")),
         ("faces/train: unexpected folder names happiest (did you mean happiness?); expected class folders",)),
]


# --- options, config files, untrusted weights -------------------------------------------------------


class _RunsCode:
    """What a malicious checkpoint smuggles in: unpickling it would run ``touch PWNED``."""

    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def _evil_checkpoint(folder: Path) -> list[str]:
    import torch

    torch.save({"conv1.weight": torch.zeros(64, 1, 7, 7), "payload": _RunsCode()}, folder / "evil.pt")
    return ["--model", "resnet18", "--weights", "evil.pt"]


def _evil_pickle(folder: Path) -> list[str]:
    (folder / "evil.pth").write_bytes(pickle.dumps({"payload": _RunsCode()}, protocol=2))
    return ["--model", "resnet18", "--weights", "evil.pth"]


def _truncated_checkpoint(path: Path) -> None:
    import torch

    torch.save({"conv1.weight": torch.zeros(64, 1, 7, 7)}, path)
    path.write_bytes(path.read_bytes()[:100])


def _toml(text: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "report.toml").write_text(text, encoding="utf-8")
        return ["--config", "report.toml"]
    return make


def _args(*args: str) -> Callable[[Path], list[str]]:
    return lambda folder: list(args)


OPTION_CASES = [
    Case("recipe-unknown", "unknown --recipe", "command line", "--recipe fer2013-cpx", _args("--recipe", "fer2013-cpx"),
         ("--recipe: unknown recipe 'fer2013-cpx'; did you mean 'fer2013-cpu'? (known: fer2013-best, fer2013-cpu)",)),
    Case("data-missing", "non-existent --data", "command line", "--data fer2013.csv (no such file)",
         _args("--data", "fer2013.csv"), ("fer2013.csv: no such file or folder", "expected a FER2013 CSV")),
    Case("out-unwritable", "unwritable --out", "command line", "--out under a regular file",
         lambda d: [(d / "taken").write_text(""), "--out", "taken/report"][1:],
         ("--out taken/report: cannot write there (", "choose another folder")),
    Case("model-unknown", "unknown --model", "command line", "--model cnn5", _args("--model", "cnn5"),
         ("--model: unknown model 'cnn5'; did you mean 'cnn4'? (choices: cnn4,",)),
    Case("match-unknown", "unknown --model", "command line", "--model dnn --match vgg16",
         _args("--model", "dnn", "--match", "vgg16"), ("--match: unknown match 'vgg16'; did you mean 'vgg'?",)),
    Case("section-unknown", "unknown section name", "command line", "--sections confusoin",
         _args("--sections", "confusoin"), ("unknown section 'confusoin'; did you mean 'confusion'?",),
         command=("build", "--out", "out", "-q")),
    Case("section-command-unknown", "unknown section name", "command line", "fer-report section histroy",
         _args(), ("unknown section 'histroy'; did you mean 'history'?",),
         command=("section", "histroy", "--out", "out", "-q")),
    Case("command-unknown", "unknown command", "command line", "fer-report bulid", _args(),
         ("fer-report: error: argument COMMAND: invalid choice: 'bulid'", "did you mean 'build'?"), command=("bulid",)),
    Case("choice-unknown", "unknown option value", "command line", "--lang zh-tw", _args("--lang", "zh-tw"),
         ("argument --lang: invalid choice: 'zh-tw' (choose from 'en', 'zh-TW'); did you mean 'zh-TW'?",)),
    Case("int-wrong", "wrong type", "command line", "--epochs ten", _args("--epochs", "ten"),
         ("argument --epochs: invalid int value: 'ten'",)),
    Case("epochs-zero", "out-of-range value", "command line", "--epochs 0", _args("--epochs", "0"),
         ("--epochs: epochs must be at least 1, got 0",)),
    Case("templates-missing", "non-existent path", "command line", "--templates mine/ (no such folder)",
         _args("--templates", "mine"), ("--templates: templates folder 'mine' does not exist",)),
    Case("weights-missing", "non-existent path", "command line", "--model resnet18 --weights r18.pth (no such file)",
         _args("--model", "resnet18", "--weights", "r18.pth"), ("--weights: weights file 'r18.pth' does not exist",)),
    Case("pretrained-wrong-model", "wrong option", "command line", "--pretrained with --model cnn4",
         lambda d: [(d / "w.pt").write_bytes(b"x"), "--pretrained", "w.pt"][1:],
         ("--pretrained: pretrained weights apply only to --model resnet18, not 'cnn4'",)),
    Case("weights-pickled-object", "checkpoint holding a pickled object", "--weights", "a torch.save file whose "
         "payload's __reduce__ calls os.system", _evil_checkpoint,
         ("weights file evil.pt: refused: it holds a pickled Python object (posix.system)", "expected only tensors")),
    Case("weights-legacy-pickle", "checkpoint holding a pickled object", "--weights", "a plain pickle (protocol 2) "
         "with the same payload", _evil_pickle,
         ("weights file evil.pth: refused: it holds a pickled Python object (posix.system)",)),
    Case("weights-not-torch", "corrupt file", "--weights", "a PNG named r18.pth",
         lambda d: [_png(d / "r18.pth"), "--model", "resnet18", "--weights", "r18.pth"][1:],
         ("weights file r18.pth: not a readable torch checkpoint (it starts with b'\\x89PNG",
          "expected a state dict saved by torch.save")),
    Case("weights-truncated", "corrupt file", "--weights", "a torch.save file cut to 100 bytes",
         lambda d: [_truncated_checkpoint(d / "r18.pth"), "--model", "resnet18", "--weights", "r18.pth"][1:],
         ("weights file r18.pth: not a readable torch checkpoint (RuntimeError: PytorchStreamReader failed",)),
    Case("config-missing", "non-existent path", "config file", "--config report.toml (no such file)",
         _args("--config", "report.toml"), ("report.toml: config file not found",)),
    Case("config-unknown-key", "TOML unknown key", "config file", "line 2: epoch = 3",
         _toml('lang = "en"\nepoch = 3\n'), ("report.toml line 2: unknown key 'epoch'; did you mean 'epochs'?",)),
    Case("config-unknown-table", "TOML unknown key", "config file", "line 1: [autor]",
         _toml('[autor]\nname = "x"\n'), ("report.toml line 1: unknown key 'autor'; did you mean 'author'?",)),
    Case("config-author-key", "TOML unknown key", "config file", "[author] line 3: nmae = ...",
         _toml('[author]\nstudent_id = "b01"\nnmae = "x"\n'),
         ("report.toml line 3: unknown key(s) in [author]: nmae (known: student_id, department, name, collaborators)",)),
    Case("config-wrong-type", "TOML wrong type", "config file", 'line 1: epochs = "3"', _toml('epochs = "3"\n'),
         ("report.toml line 1: key 'epochs' is str '3', expected int",)),
    Case("config-wrong-type-bool", "TOML wrong type", "config file", "line 1: augment = 1", _toml("augment = 1\n"),
         ("report.toml line 1: key 'augment' is int 1, expected bool",)),
    Case("config-question-type", "TOML wrong type", "config file", "[questions] line 2: confusion = 3",
         _toml("[questions]\nconfusion = 3\n"), ("report.toml line 2: 'confusion' is int 3, expected a string",)),
    Case("config-bad-value", "TOML unknown value", "config file", 'line 2: model = "cnn5"',
         _toml('epochs = 3\nmodel = "cnn5"\n'), ("report.toml line 2: unknown model 'cnn5'; did you mean 'cnn4'?",)),
    Case("config-syntax", "TOML syntax error", "config file", "line 1: epochs =", _toml("epochs =\n"),
         ("report.toml: not valid TOML: ", "(at line 1, column")),
]

CASES = _csv_cases() + FOLDER_CASES + OPTION_CASES + own_cases(Case) + pretrained_cases(Case)


# --- running a case ---------------------------------------------------------------------------------


_RESULTS: dict[str, tuple[int, str, str, list[str]]] = {}  # case id -> last result, reused by the docs test


def run_case(case: Case, folder: Path) -> tuple[int, str, str, list[str]]:
    """(exit code, stderr, stdout, arguments) of the command run in ``folder``; log records count as stderr."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(folder):
        args = [*case.command, *case.make(folder)]
    err, out = io.StringIO(), io.StringIO()
    logger = logging.getLogger("fer_report")
    handler = logging.StreamHandler(err)
    handler.setLevel(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # else pytest's or basicConfig's handler prints it a second time
    try:
        with contextlib.chdir(folder), contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse
                code = int(exc.code or 0)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    _RESULTS[case.id] = code, err.getvalue(), out.getvalue(), args
    return _RESULTS[case.id]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_clear_line(case, tmp_path):
    code, err, out, _ = run_case(case, tmp_path)
    assert code == case.code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, and never a traceback
    message = lines[0]
    assert "Traceback" not in message and "internal error" not in message
    for part in case.expect:
        assert part in message, f"{part!r} not in {message!r}"
    if case.code == 2:
        assert message.startswith("fer-report") and ": error: " in message
        assert not (tmp_path / "out" / "report.html").exists()
    else:  # not an error: the build went on and wrote the report
        assert message.startswith("warning: ")
        assert (tmp_path / "out" / "report.html").exists() and "wrote out/report.html" in out
    assert not (tmp_path / "PWNED").exists()  # no case may run code from a file


def test_no_code_runs_from_a_crafted_checkpoint(tmp_path):
    """The payload really would run if unpickled freely; weights_only refuses it before the call."""
    _evil_checkpoint(tmp_path)
    with contextlib.chdir(tmp_path):
        pickle.loads(pickle.dumps(_RunsCode()))  # the payload is live: plain unpickling runs it
        assert (tmp_path / "PWNED").exists()
        (tmp_path / "PWNED").unlink()
    case = next(c for c in CASES if c.id == "weights-pickled-object")
    code, err, _, _ = run_case(case, tmp_path)
    assert code == 2 and "refused" in err and not (tmp_path / "PWNED").exists()


def test_a_real_process_exits_2_without_a_traceback(tmp_path):
    """In-process runs above prove the messages; this proves what a shell sees: the exit status, one line."""
    case = next(c for c in CASES if c.id == "kaggle-gz-2305-pixels")
    args = case.make(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "fer_report", *case.command, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == f"fer-report: error: {case.expect[0]}\n"
    assert proc.stdout == ""


def test_every_issue_case_is_covered_for_every_format():
    """The issue's list, per data format: a case dropped from the table fails here."""
    def having(fmt_prefix: str) -> set[str]:
        return {c.case for c in CASES if c.fmt.startswith(fmt_prefix)}

    csv_cases = {"empty file", "header only", "missing column", "wrong column", "a row with 2303 pixels",
                 "a row with 2305 pixels", "non-numeric pixel", "out-of-range pixel (<0)", "out-of-range pixel (>255)",
                 "label outside 0..6", "non-integer label", "a class with no images", "duplicate header"}
    for fmt in ("Kaggle CSV", "Kaggle CSV (.csv.gz)", "Kaggle CSV (.zip)", "course CSV", "course CSV (.csv.gz)",
                "course CSV (.zip)"):
        assert csv_cases <= {c.case for c in CASES if c.fmt == fmt}, fmt
    assert {"empty file", "a class with no images", "corrupt PNG", "corrupt JPEG", "class names that do not match",
            "label outside 0..6", "duplicate header"} <= having("image folder")
    assert {"non-existent --data", "unwritable --out", "unknown --model", "unknown section name", "TOML unknown key",
            "TOML wrong type", "checkpoint holding a pickled object"} <= {c.case for c in CASES}
    assert {"a model file with a syntax error", "an import that fails", "a constructor that raises", "unknown NAME",
            "NAME that is not an nn.Module", "a missing model file", "mismatched weights", "truncated weights",
            "pickled weights", "wrong class count"} <= {c.case for c in CASES}  # the own-model issue's list
    assert {"a truncated log", "unknown columns", "an empty TensorBoard folder", "non-numeric values",
            "epochs out of order", "an images folder with no pictures", "a corrupt picture"} <= {c.case for c in CASES}


# --- the table in docs/bad-input.md -------------------------------------------------------------------


def markdown() -> str:
    """The table of every case with the message the command printed (run now unless a test just ran it)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, case in enumerate(CASES, start=1):
            code, err, _, args = _RESULTS.get(case.id) or run_case(case, Path(tmp) / case.id)
            message = err.strip().replace("|", "\\|")
            extra = args[len(case.command):]
            shown = ["build", "…", *extra] if case.command == tuple(BASE) else args  # BASE: see the note above
            command = " ".join(["fer-report", *shown])
            rows.append(f"| {k} | {case.case} | {case.fmt} | {case.what} | `{command}` | {code} | `{message}` |")
    n_err = sum(c.code == 2 for c in CASES)
    return "\n".join([
        "# Bad input: what `fer-report` says",
        "",
        "Generated by `.venv/bin/python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md` from the",
        "cases in `tests/e2e/test_bad_input.py`: each message below is what the command printed (paths are",
        "relative to the folder it ran in). Every case ends with one line on stderr and no traceback; exit",
        f"code 2 means the build stopped before any training ({n_err} cases), exit code 0 means the input is",
        f"usable and the build went on with one warning ({len(CASES) - n_err} cases). `--debug` adds the",
        "traceback to an error. A failed build never touches the previous report in `--out`.",
        "",
        "Not errors: blank lines, header case and stray spaces, 64x64 rows (4096 pixels), images of any size",
        "or colour in a folder (converted to 48x48 grey; 64x64 stays 64x64), files other than images in a",
        "class folder.",
        "",
        f"`build …` stands for `fer-report {' '.join(BASE)}`: one cheap section, so a usable input builds in",
        "seconds; `--all` reads the data the same way.",
        "",
        "| # | Case | Format | Input | Command | Exit | Message |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ])


def _stable(text: str) -> str:
    """Lists of sections and config keys grow as features are added; they are not what the table is about."""
    return re.sub(r"\((choices|known): [^)]*\)", r"(\1: …)", text)


def test_docs_table_shows_the_current_messages():
    assert DOC.exists(), "run: .venv/bin/python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md"
    assert _stable(DOC.read_text(encoding="utf-8")) == _stable(markdown()), (
        "docs/bad-input.md is stale; run: .venv/bin/python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md")


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    sys.stdout.write(markdown())
