"""Bad input through the Python API (``fer_report.Report`` in a notebook): each in-memory form a student
hands over wrongly, and the one line it raises. tests/e2e/test_bad_input.py runs them and appends their
table to docs/bad-input.md. Every case fails while the settings are read, before anything is trained."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

import fer_report

X = np.zeros((7, 48, 48), np.uint8)
Y = np.arange(7)


@dataclass(frozen=True)
class ApiCase:
    id: str
    case: str  # what the student did
    call: str  # the call as the table shows it
    run: Callable[[], Any]
    expect: tuple[str, ...]  # substrings the message must contain
    raises: type = fer_report.UserError


def _data(**splits) -> dict:
    return {"train": (X, Y), "val": (X, Y), "test": (X, Y), **splits}


def _report(**kwargs) -> Callable[[], Any]:
    return lambda: fer_report.Report(out="out", **kwargs)


API_CASES = [
    ApiCase("api-unknown-keyword", "a misspelt keyword", "Report(epoch=3)", _report(epoch=3),
            ("unexpected keyword argument 'epoch'", "did you mean 'epochs'"), TypeError),
    ApiCase("api-wrong-type", "a keyword of the wrong type", "Report(epochs='3')", _report(epochs="3"),
            ("'epochs'", "expected int")),
    ApiCase("api-model-not-a-module", "model= an object that is no model", "Report(model={'conv': ...})",
            _report(model={"conv": 1}), ("expected a torch.nn.Module, a Keras model", "got dict")),
    ApiCase("api-train-a-file", "train=True with a model name or file", "Report(model='cnn4', train=True)",
            _report(model="cnn4", train=True), ("train=True: only for a model object",)),
    ApiCase("api-data-no-test", "data= without a test split", "Report(data={'train': (x, y), 'val': (x, y)})",
            _report(data={"train": (X, Y), "val": (X, Y)}), ("no test split",)),
    ApiCase("api-data-split-name", "data= with a misspelt split", "Report(data={..., 'valid': (x, y)})",
            _report(data={"train": (X, Y), "valid": (X, Y), "test": (X, Y)}),
            ("unknown split 'valid'", "did you mean 'val'")),
    ApiCase("api-data-shape", "data= images of no square shape", "Report(data={..., x of shape (7, 47)})",
            _report(data=_data(train=(np.zeros((7, 47)), Y))), ("data['train']: x has shape (7, 47)",)),
    ApiCase("api-data-normalised", "data= pixels already normalised", "Report(data={..., (x - mean) / std})",
            _report(data=_data(train=(X.astype(float) - 0.5, Y))), ("undo a normalisation",)),
    ApiCase("api-data-labels-shape", "data= labels neither indices nor one-hot", "Report(data={..., y of shape (7, 6)})",
            _report(data=_data(train=(X, np.eye(7)[:, :6]))), ("y has shape (7, 6)", "one-hot rows")),
    ApiCase("api-data-labels-range", "data= a label outside 0..6", "Report(data={..., y = 1..7})",
            _report(data=_data(train=(X, Y + 1))), ("y holds 1..7; expected class indices 0..6",)),
    ApiCase("api-data-sizes", "data= splits of different image sizes", "Report(data={..., test x 64x64})",
            _report(data=_data(test=(np.zeros((7, 64, 64), np.uint8), Y))), ("the splits' images differ in size",)),
    ApiCase("api-history-not-dicts", "history= a list of numbers", "Report(history=[1.2, 0.9])",
            _report(history=[1.2, 0.9]), ("history: a list of 2 items, not all dicts",)),
    ApiCase("api-history-text", "history= a value that is no number", "Report(history=[{'loss': 'nan?'}])",
            _report(history=[{"loss": "nan?"}]), ("'loss' at epoch 1 is 'nan?', not a number",)),
    ApiCase("api-images-one", "images= one picture, not a list", "Report(images=np.zeros((48, 48)))",
            _report(images=np.zeros((48, 48))), ("expected a folder, or a non-empty list",)),
    ApiCase("api-images-shape", "images= a picture of no image shape", "Report(images=[np.zeros((2, 3, 4, 5))])",
            _report(images=[np.zeros((2, 3, 4, 5))]), ("images[0]: an array of shape (2, 3, 4, 5)",)),
    ApiCase("api-to-file-suffix", "to_file with a suffix fer-report does not write", "report.to_file('report.docx')",
            lambda: fer_report.Report(out="out").to_file("report.docx"), ("expected one of .pdf, .html, .json",)),
    ApiCase("api-section-name", "section() with a misspelt name", "report.section('confusoin')",
            lambda: fer_report.Report(out="out").section("confusoin"), ("did you mean 'confusion'",)),
]


def run_api_case(case: ApiCase, folder: Path) -> tuple[type | None, str]:
    """(the exception's type, its message), raised in ``folder``; (None, "") when nothing was raised."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(folder):
        try:
            case.run()
        except Exception as exc:  # noqa: BLE001: the table records whatever it was
            return type(exc), str(exc)
    return None, ""


def api_markdown(folder: Path, first: int) -> list[str]:
    """The Python API's table for docs/bad-input.md, numbered on from ``first``."""
    rows = []
    for k, case in enumerate(API_CASES, start=first):
        kind, message = run_api_case(case, folder / case.id)
        name = kind.__name__ if kind else "nothing"
        rows.append(f"| {k} | {case.case} | `{case.call}` | {name} | `{message.replace('|', chr(92) + '|')}` |")
    return ["", "## From Python: `fer_report.Report`", "",
            "The same rule for a notebook: each mistake raises one exception with one line (`fer_report.UserError`,",
            "a `ValueError`; `TypeError` for an unknown keyword, as Python does), without our internals' traceback",
            "behind it, before anything is built. `Report(...)` stands for `fer_report.Report(out='out', ...)`.",
            "", "| # | Case | Call | Raises | Message |", "|---|---|---|---|---|", *rows]
