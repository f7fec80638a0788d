"""CSV training logs: Keras CSVLogger, Lightning metrics.csv, hand-made tables, and every bad CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from fer_report.errors import DataError
from fer_report.logs import KEYS, best_epoch, read_history

ROW_KEYS = {"epoch", *KEYS}


def write(name: str, text: str) -> str:
    Path(name).write_text(text)
    return name


KERAS = """epoch,accuracy,loss,lr,val_accuracy,val_loss
0,0.30,1.80,0.001,0.35,1.70
1,0.42,1.50,0.001,0.44,1.45
2,0.50,1.30,0.0005,0.49,1.35
3,0.58,1.10,0.0005,0.55,1.30
4,0.65,0.90,0.00025,0.53,1.38
"""


def test_keras_csvlogger_counts_epochs_from_one_and_finds_the_best():
    log = read_history(write("training.log.csv", KERAS))
    assert log.format == "Keras CSVLogger CSV" and log.path == "training.log.csv"
    assert [r["epoch"] for r in log.rows] == [1, 2, 3, 4, 5]
    assert all(set(r) == ROW_KEYS for r in log.rows)
    assert log.rows[3] == {"epoch": 4, "train_loss": 1.10, "train_acc": 0.58, "val_loss": 1.30, "val_acc": 0.55,
                           "lr": 0.0005, "seconds": None}
    assert best_epoch(log.rows) == 4  # file epoch 3
    assert log.missing == [] and log.notes == ["epochs counted from 0 in the file, shown from 1"]


def test_old_keras_names_and_na_cells():
    text = "epoch,acc,learning_rate,loss,val_acc,val_loss\n0,0.3,0.01,1.8,0.35,1.7\n1,0.4,0.01,1.5,NA,NA\n2,0.5,0.01,1.3,0.5,1.2\n"
    log = read_history(write("log.csv", text))
    assert log.format == "Keras CSVLogger CSV"
    assert [r["val_acc"] for r in log.rows] == [0.35, None, 0.5] and log.rows[0]["lr"] == 0.01
    assert "val_acc: no value for epoch 2" in log.notes and "val_loss: no value for epoch 2" in log.notes


def test_plain_csv_with_loose_spellings_keeps_epochs_from_one():
    text = ("Epoch,Train Loss,Train-Accuracy,Validation Loss,Validation Accuracy,epoch_time,test_acc\n"
            "1,1.6,0.31,1.5,0.33,12.5,0.30\n2,1.2,0.45,1.3,0.41,11.0,0.39\n3,1.0,0.52,1.25,0.47,11.2,0.44\n")
    log = read_history(write("hist.csv", text))
    assert log.format == "CSV" and log.notes == []
    assert [r["epoch"] for r in log.rows] == [1, 2, 3]
    assert log.rows[1] == {"epoch": 2, "train_loss": 1.2, "train_acc": 0.45, "val_loss": 1.3, "val_acc": 0.41,
                           "lr": None, "seconds": 11.0}  # test_acc is not validation
    assert best_epoch(log.rows) == 3


def test_plain_csv_from_zero_and_valid_spellings():
    text = "epoch;training_loss;train_accuracy;valid_loss;valid_acc;seconds\n0;1.5;0.3;1.4;0.32;9\n1;1.2;0.4;1.3;0.38;9\n"
    log = read_history(write("hist.csv", text))
    assert log.format == "CSV" and [r["epoch"] for r in log.rows] == [1, 2]
    assert log.notes == ["epochs counted from 0 in the file, shown from 1"]
    assert log.rows[1]["val_acc"] == 0.38 and log.rows[1]["seconds"] == 9.0


def test_resumed_run_keeps_its_epoch_numbers():
    log = read_history(write("hist.csv", "epoch,loss,val_loss\n11,0.9,1.1\n12,0.8,1.0\n"))
    assert [r["epoch"] for r in log.rows] == [11, 12] and log.format == "CSV"


def test_pandas_dump_without_epoch_column_numbers_rows_from_one():
    # pd.DataFrame(history.history).to_csv("h.csv"): an unnamed index column, then Keras's keys
    text = ",loss,accuracy,val_loss,val_accuracy\n0,1.5,0.3,1.4,0.31\n1,1.2,0.4,1.3,0.36\n2,1.0,0.5,1.35,0.35\n"
    log = read_history(write("h.csv", text))
    assert [r["epoch"] for r in log.rows] == [1, 2, 3] and "no epoch column; rows numbered from 1" in log.notes
    assert best_epoch(log.rows) == 2


def test_percent_accuracy_is_divided_by_100():
    text = "epoch,loss,accuracy,val_loss,val_accuracy\n1,1.5,30.5,1.4,0.9\n2,1.2,45.0,1.3,41.25\n"
    log = read_history(write("pct.csv", text))
    assert [r["train_acc"] for r in log.rows] == pytest.approx([0.305, 0.45])
    assert [r["val_acc"] for r in log.rows] == pytest.approx([0.009, 0.4125])
    assert "train_acc: accuracy given in percent, divided by 100" in log.notes
    assert "val_acc: accuracy given in percent, divided by 100" in log.notes


def test_missing_columns_give_none_and_best_epoch_falls_back_to_val_loss():
    log = read_history(write("loss.csv", "epoch,loss,val_loss\n0,1.5,1.4\n1,1.2,1.1\n2,1.0,1.2\n"))
    assert log.missing == ["train_acc", "val_acc"]
    assert all(r["train_acc"] is None and r["val_acc"] is None for r in log.rows)
    assert best_epoch(log.rows) == 2
    only_train = read_history(write("train.csv", "epoch,train_loss\n1,1.0\n2,0.8\n"))
    assert only_train.missing == ["train_acc", "val_loss", "val_acc"] and best_epoch(only_train.rows) is None


def test_tags_name_an_unusual_column():
    log = read_history(write("w.csv", "epoch,my_loss,eval_top1\n1,1.0,0.4\n2,0.8,0.5\n"),
                       tags={"train_loss": "my_loss", "val_acc": "eval_top1"})
    assert [(r["train_loss"], r["val_acc"]) for r in log.rows] == [(1.0, 0.4), (0.8, 0.5)]


def test_typo_column_is_noted_when_others_are_read():
    log = read_history(write("t.csv", "epoch,loss,val_acuracy\n1,1.0,0.4\n"))
    assert "column 'val_acuracy' (did you mean val_accuracy?) not read" in log.notes


LIGHTNING = """epoch,lr-Adam,step,train_acc_epoch,train_loss_epoch,train_loss_step,val_acc,val_loss
,0.001,0,,,,,
0,,9,,,1.9,,
0,,19,,,1.7,,
0,,19,,,,0.31,1.65
0,,19,0.28,1.8,,,
,0.0005,20,,,,,
1,,29,,,1.4,,
1,,39,,,1.2,,
1,,39,,,,0.42,1.35
1,,39,0.40,1.3,,,
"""


def test_lightning_rows_are_merged_per_epoch():
    log = read_history(write("metrics.csv", LIGHTNING))
    assert log.format == "PyTorch Lightning metrics.csv"
    assert log.rows == [
        {"epoch": 1, "train_loss": 1.8, "train_acc": 0.28, "val_loss": 1.65, "val_acc": 0.31, "lr": 0.001, "seconds": None},
        {"epoch": 2, "train_loss": 1.3, "train_acc": 0.40, "val_loss": 1.35, "val_acc": 0.42, "lr": 0.0005, "seconds": None},
    ]  # train_loss_epoch wins over train_loss_step; lr rows without an epoch belong to the next epoch
    assert "epochs counted from 0 in the file, shown from 1" in log.notes


def test_lightning_step_only_metric_takes_the_last_value_and_says_so():
    text = ("epoch,step,train_loss,val_loss\n0,49,2.0,\n0,99,1.6,\n0,99,,1.5\n1,149,1.3,\n1,199,1.1,\n"
            "2,249,1.0,\n2,299,0.9,\n2,299,,1.2\n")
    log = read_history(write("metrics.csv", text))
    assert [r["train_loss"] for r in log.rows] == [1.6, 1.1, 0.9]
    assert [r["val_loss"] for r in log.rows] == [1.5, None, 1.2]  # validation every other epoch
    assert "train_loss: train_loss has up to 2 values an epoch (logged per step); the last of each epoch is used" in log.notes
    assert "val_loss: no value for epoch 2" in log.notes
    assert log.missing == ["train_acc", "val_acc"]


def test_lightning_version_folder_reads_its_metrics_csv():
    Path("version_0").mkdir()
    write("version_0/metrics.csv", LIGHTNING)
    Path("version_0/hparams.yaml").write_text("{}\n")
    log = read_history("version_0")
    assert log.format == "PyTorch Lightning metrics.csv" and log.path == "version_0/metrics.csv"


# --- bad input: each one line naming the file, the line / column, what was found and expected ----

BAD = {
    "empty": ("", "log.csv: file is empty; expected a header such as epoch,loss,accuracy,val_loss,val_accuracy "
                  "and one row per epoch"),
    "header only": ("epoch,loss,val_loss\n",
                    "log.csv: header only (line 1: epoch,loss,val_loss), no epochs; expected one row per epoch"),
    "short row": ("epoch,loss,val_loss\n0,1.5,1.4\n1,1.2\n2,1.0,1.1\n",
                  "log.csv line 3: 2 fields, the header has 3; expected 3 (a truncated line or a missing value?)"),
    "long row": ("epoch,loss,val_loss\n0,1.5,1.4,9\n", "log.csv line 2: 4 fields, the header has 3; expected 3 (a stray ','?)"),
    "cut-off line": ("epoch,loss,val_loss\n0,1.5,1.4\n1,1.",
                     "log.csv line 3: the file ends in the middle of this line (2 of 3 fields); expected complete "
                     "lines (was it copied while training ran?)"),
    "cut after a comma": ("epoch,loss,val_loss\n0,1.5,1.4\n1,1.2,",
                          "log.csv line 3: the file ends in the middle of this line (its last value, val_loss, is "
                          "empty); expected complete lines"),
    "bad quote": ('epoch,loss\n0,"1.5\n', "log.csv line 2: not valid CSV"),
    "unknown columns": ("epoch,los,val_acuracy,foo\n0,1,2,3\n",
                        "log.csv line 1: no loss or accuracy column among 'los' (did you mean loss?), 'val_acuracy' "
                        "(did you mean val_accuracy?), 'foo'; expected loss, accuracy, val_loss, val_accuracy (Keras)"),
    "test only": ("epoch,test_loss,test_acc\n1,1,0.5\n",
                  "log.csv line 1: no loss or accuracy column among 'test_loss' (test is not validation, so not read)"),
    "not a number": ("epoch,loss,val_acc\n0,1.5,0.3\n1,1.2,abc\n",
                     "log.csv line 3: val_acc 'abc' is not a number; expected a number (or empty / NA for a missing value)"),
    "a tensor": ("epoch,loss\n0,tensor(1.5)\n", "log.csv line 2: loss 'tensor(1.5)' is not a number (log loss.item(), not the tensor)"),
    "bad epoch": ("epoch,loss\n0.5,1.5\n", "log.csv line 2: epoch '0.5' is not a whole number; expected the epoch number"),
    "repeated epoch": ("epoch,loss\n0,1.5\n1,1.2\n1,1.1\n",
                       "log.csv line 4: epoch 1 repeated (line 3); expected increasing epochs, each once (two runs appended to one file?)"),
    "epochs out of order": ("epoch,loss\n0,1.5\n1,1.2\n2,1.1\n0,1.6\n",
                            "log.csv line 5: epoch 0 after epoch 2 (line 4); expected increasing epochs, each once"),
    "all NA": ("epoch,loss,val_loss\n0,NA,\n1,nan,NA\n",
               "log.csv: no loss or accuracy values (read: loss, val_loss; all empty, NA or nan); expected numbers for "
               "at least one of train loss, train accuracy, val loss, val accuracy"),
    "accuracy out of range": ("epoch,accuracy\n1,0.5\n2,150\n",
                              "log.csv: accuracy 150 at epoch 2 is not an accuracy; expected a fraction 0..1 or a percentage 0..100"),
    "two accuracy columns": ("epoch,acc,accuracy\n1,0.5,0.5\n",
                             "log.csv: columns 'acc' and 'accuracy' both read as train_acc; expected one (choose with "
                             "--history-tags train_acc=NAME)"),
    "tag not in the file": ("epoch,loss\n1,0.5\n", "log.csv: column 'los' (given for val_loss) not found (did you mean loss?); columns found: epoch, loss"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_csv(case, message):
    text, expected = BAD[case]
    tags = {"val_loss": "los"} if case == "tag not in the file" else None
    got = message(read_history, write("log.csv", text), tags=tags, kind=DataError)
    assert got.startswith(expected), got


def test_lightning_epoch_going_back(message):
    text = "epoch,step,val_loss\n0,9,1.5\n1,19,1.2\n0,29,1.1\n"
    assert message(read_history, write("metrics.csv", text)) == (
        "metrics.csv line 4: epoch 0 after epoch 1 (line 3); expected epochs that never go back")


def test_not_utf8(message):
    Path("log.csv").write_bytes(b"epoch,loss\n0,\xff\xfe\n")
    assert message(read_history, "log.csv") == "log.csv: not UTF-8 text (byte 13); expected a CSV text file"
