"""Keras ``history.history`` saved as JSON, and every JSON that is not one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fer_report.errors import DataError
from fer_report.logs import best_epoch, read_history


def write(name: str, obj) -> str:
    Path(name).write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return name


def test_keras_history_json():
    history = {"loss": [1.8, 1.4, 1.2, 1.1], "accuracy": [0.3, 0.45, 0.5, 0.55], "val_loss": [1.7, 1.4, 1.3, 1.35],
               "val_accuracy": [0.33, 0.44, 0.52, 0.50], "lr": [0.001, 0.001, 0.0005, 0.0005]}
    log = read_history(write("history.json", history))
    assert log.format == "Keras history JSON" and log.missing == [] and log.notes == []
    assert log.rows[0] == {"epoch": 1, "train_loss": 1.8, "train_acc": 0.3, "val_loss": 1.7, "val_acc": 0.33,
                           "lr": 0.001, "seconds": None}
    assert [r["epoch"] for r in log.rows] == [1, 2, 3, 4] and best_epoch(log.rows) == 3


def test_old_keras_names_percent_and_missing_validation():
    log = read_history(write("h.json", {"loss": [1.5, 1.2], "acc": [35.0, 48.5], "precision": [0.1, 0.2]}))
    assert [r["train_acc"] for r in log.rows] == pytest.approx([0.35, 0.485])
    assert log.missing == ["val_loss", "val_acc"] and "train_acc: accuracy given in percent, divided by 100" in log.notes
    assert best_epoch(log.rows) is None


def test_nan_and_null_are_missing_values():
    log = read_history(write("h.json", '{"loss": [1.5, NaN, 1.0], "val_acc": [0.3, null, 0.4]}'))
    assert [r["train_loss"] for r in log.rows] == [1.5, None, 1.0]
    assert "train_loss: no value for epoch 2" in log.notes


BAD = {
    "empty": ("", 'h.json: file is empty; expected a dict of equal-length number lists like {"loss": [...], "val_loss": [...]} (Keras history.history)'),
    "not JSON": ('{"loss": [1.0,', "h.json line 1 column 15: not valid JSON (Expecting value); expected a dict"),
    "a list": ([1.0, 2.0], "h.json: the top level is a list; expected a dict of equal-length number lists"),
    "empty dict": ({}, "h.json: the top level is an empty dict; expected a dict"),
    "not a list": ({"loss": 1.5}, "h.json: key 'loss' holds a float; expected a dict of equal-length number lists"),
    "not numbers": ({"loss": [1.5, "x"]}, "h.json: key 'loss' item 1 is \"x\", not a number; expected a dict"),
    "unequal lengths": ({"loss": [1.5, 1.2, 1.0], "val_loss": [1.4, 1.3]},
                        "h.json: lists of different lengths ('loss' 3, 'val_loss' 2); expected a dict"),
    "empty lists": ({"loss": [], "val_loss": []}, "h.json: every list is empty; expected a dict"),
    "no metric": ({"los": [1.0], "f1": [0.3]},
                  "h.json: no loss or accuracy key among 'los' (did you mean loss?), 'f1'; expected loss, accuracy"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_json(case, message):
    obj, expected = BAD[case]
    got = message(read_history, write("h.json", obj), kind=DataError)
    assert got.startswith(expected), got
