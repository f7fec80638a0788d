"""--history-tags and --compare parsing, best_epoch, and which files read_history takes at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from fer_report.errors import ConfigError, DataError
from fer_report.logs import best_epoch, parse_compare, parse_tags, read_history


def test_parse_tags():
    assert parse_tags("train_loss=my/weird_loss,val_acc=eval/top1") == {"train_loss": "my/weird_loss", "val_acc": "eval/top1"}
    assert parse_tags(" lr = lr-Adam , ") == {"lr": "lr-Adam"}


@pytest.mark.parametrize("text, expected", [
    ("train_loss", "--history-tags: 'train_loss' is not KEY=TAG; expected pairs like train_loss=Loss/train,val_acc=Accuracy/val"),
    ("train_loss=", "--history-tags: 'train_loss=' is not KEY=TAG; expected pairs like"),
    ("val_accuracy=eval/top1", "--history-tags: unknown key 'val_accuracy' (did you mean val_acc?); expected one of "
                               "train_loss, train_acc, val_loss, val_acc, lr, seconds"),
    ("val_acc=a,val_acc=b", "--history-tags: val_acc given twice ('a' and 'b'); expected each key once"),
    (" , ", "--history-tags: empty; expected pairs like train_loss=Loss/train,val_acc=Accuracy/val"),
])
def test_parse_tags_errors(text, expected, message):
    assert message(parse_tags, text, kind=ConfigError).startswith(expected)


def test_unknown_key_in_tags_argument(message):
    Path("log.csv").write_text("epoch,loss\n1,1.0\n")
    assert message(read_history, "log.csv", tags={"valacc": "x"}, kind=ConfigError).startswith(
        "--history-tags: unknown key 'valacc' (did you mean val_acc?)")


def test_parse_compare():
    Path("logs").mkdir()
    Path("logs/aug.csv").write_text("")
    Path("lr=0.01").mkdir()
    got = parse_compare(["with augmentation=logs/aug.csv", "small lr=lr=0.01", " plain = logs/aug.csv "])
    assert got == {"with augmentation": "logs/aug.csv", "small lr": "lr=0.01", "plain": "logs/aug.csv"}
    assert list(got) == ["with augmentation", "small lr", "plain"]


@pytest.mark.parametrize("items, expected", [
    (["logs/aug.csv"], "--compare 'logs/aug.csv': no '='; expected LABEL=FILE, e.g. 'with augmentation=logs/aug.csv'"),
    (["=logs/aug.csv"], "--compare '=logs/aug.csv': empty label; expected LABEL=FILE, e.g. 'with augmentation=logs/aug.csv'"),
    (["aug="], "--compare 'aug=': empty file name; expected LABEL=FILE, e.g. 'with augmentation=logs/aug.csv'"),
    (["aug=logs/aug.csv", "aug=logs/aug.csv"], "--compare: label 'aug' given twice (logs/aug.csv and logs/aug.csv); "
                                               "expected each label once"),
    (["aug=logs/nope.csv"], "--compare 'aug=logs/nope.csv': logs/nope.csv: no such file or folder; expected a training log"),
])
def test_parse_compare_errors(items, expected, message):
    Path("logs").mkdir()
    Path("logs/aug.csv").write_text("")
    assert message(parse_compare, items, kind=ConfigError) == expected


def row(epoch, val_acc=None, val_loss=None):
    return {"epoch": epoch, "val_acc": val_acc, "val_loss": val_loss}


def test_best_epoch():
    assert best_epoch([row(1, 0.3, 1.0), row(2, 0.5, 0.9), row(3, 0.5, 0.8), row(4, 0.4, 0.7)]) == 2  # first of a tie
    assert best_epoch([row(1, None, 1.0), row(2, 0.4, 1.2), row(3, None, 0.5)]) == 2  # val_acc wins where present
    assert best_epoch([row(5, None, 1.0), row(6, None, 0.8), row(7, None, 0.9)]) == 6
    assert best_epoch([row(1), row(2)]) is None and best_epoch([]) is None


def test_missing_path_and_unknown_type(message):
    expected = ("a .csv (Keras CSVLogger, PyTorch Lightning metrics.csv, or columns such as epoch,loss,acc,val_loss,"
                "val_acc), a .json (Keras history.history), or TensorBoard event files (events.out.tfevents.*) or their folder")
    assert message(read_history, "logs/run.csv", kind=DataError) == f"logs/run.csv: no such file or folder; expected {expected}"
    Path("history.pkl").write_bytes(b"\x80\x04")
    assert message(read_history, "history.pkl") == f"history.pkl: unknown log type '.pkl'; expected {expected}"
