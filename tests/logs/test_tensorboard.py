"""TensorBoard logs written here with torch's SummaryWriter: PyTorch's tag layouts and Keras's run folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
from tensorboard.util import tensor_util
from torch.utils.tensorboard import SummaryWriter
from torch.utils.tensorboard.writer import FileWriter

from fer_report.errors import DataError
from fer_report.logs import best_epoch, read_history

TRAIN_LOSS = [1.8, 1.4, 1.2, 1.0, 0.9]
VAL_ACC = [0.30, 0.41, 0.48, 0.46, 0.47]


def write_scalars(folder: str, series: dict[str, list[float]], first_step: int = 0) -> None:
    with SummaryWriter(folder) as w:
        for tag, values in series.items():
            for k, v in enumerate(values):
                w.add_scalar(tag, v, first_step + k)


def test_pytorch_slash_layout_steps_from_zero():
    write_scalars("runs/exp", {"Loss/train": TRAIN_LOSS, "Loss/val": [1.7, 1.5, 1.3, 1.35, 1.4],
                               "Accuracy/train": [0.3, 0.4, 0.5, 0.6, 0.65], "Accuracy/val": VAL_ACC})
    log = read_history("runs/exp")
    assert log.format == "TensorBoard event files" and log.missing == []
    assert [r["epoch"] for r in log.rows] == [1, 2, 3, 4, 5]
    assert [r["train_loss"] for r in log.rows] == pytest.approx(TRAIN_LOSS)
    assert [r["val_acc"] for r in log.rows] == pytest.approx(VAL_ACC)
    assert all(r["lr"] is None and r["seconds"] is None for r in log.rows)
    assert best_epoch(log.rows) == 3
    assert log.notes == ["TensorBoard steps 0, 1, 2, ..., 4 read as epochs 1-5 (the k-th distinct step is epoch k)"]


def test_flat_tags_percent_and_a_single_event_file():
    write_scalars("runs", {"train_loss": TRAIN_LOSS[:3], "val_acc": [30.0, 41.0, 48.0], "lr": [0.1, 0.1, 0.01]},
                  first_step=1)
    log = read_history(next(Path("runs").glob("events.out.tfevents.*")))
    assert [r["val_acc"] for r in log.rows] == pytest.approx([0.30, 0.41, 0.48])
    assert [r["lr"] for r in log.rows] == pytest.approx([0.1, 0.1, 0.01])
    assert log.missing == ["train_acc", "val_loss"]
    assert log.notes == ["val_acc: accuracy given in percent, divided by 100"]  # steps 1..3 are the epochs


def tf2_scalars(folder: str, tag: str, values: list[float]) -> None:
    """What Keras (TF2) writes: scalars as tensors with the 'scalars' plugin, not PyTorch's simple_value."""
    writer = FileWriter(folder)
    metadata = SummaryMetadata()
    metadata.plugin_data.plugin_name = "scalars"
    for step, v in enumerate(values):
        value = Summary.Value(tag=tag, metadata=metadata, tensor=tensor_util.make_tensor_proto(np.float32(v)))
        writer.add_summary(Summary(value=[value]), step)
    writer.close()


def test_keras_callback_layout_run_folder_decides_train_or_val():
    write_scalars("logs/fit/train", {"epoch_loss": TRAIN_LOSS, "epoch_accuracy": [0.3, 0.4, 0.5, 0.6, 0.65],
                                     "batch_loss": [9.0] * 12})
    write_scalars("logs/fit/validation", {"epoch_loss": [1.7, 1.5, 1.3, 1.35, 1.4], "epoch_accuracy": VAL_ACC,
                                          "evaluation_loss_vs_iterations": [1.0] * 5})
    log = read_history("logs/fit")
    assert [r["val_loss"] for r in log.rows] == pytest.approx([1.7, 1.5, 1.3, 1.35, 1.4])
    assert [r["train_acc"] for r in log.rows] == pytest.approx([0.3, 0.4, 0.5, 0.6, 0.65])
    assert len(log.rows) == 5 and best_epoch(log.rows) == 3  # batch_loss's 12 steps are not read


def test_keras_tf2_tensor_scalars():
    tf2_scalars("logs/train", "epoch_loss", TRAIN_LOSS)
    tf2_scalars("logs/validation", "epoch_accuracy", VAL_ACC)
    log = read_history("logs")
    assert [r["train_loss"] for r in log.rows] == pytest.approx(TRAIN_LOSS)
    assert [r["val_acc"] for r in log.rows] == pytest.approx(VAL_ACC)
    assert log.missing == ["train_acc", "val_loss"]


def test_tags_map_unusual_names():
    write_scalars("runs", {"my/weird_loss": TRAIN_LOSS, "eval/top1": VAL_ACC})
    log = read_history("runs", tags={"train_loss": "my/weird_loss", "val_acc": "eval/top1"})
    assert [r["train_loss"] for r in log.rows] == pytest.approx(TRAIN_LOSS)
    assert best_epoch(log.rows) == 3


def test_empty_folder(message):
    Path("runs").mkdir()
    Path("runs/notes.txt").write_text("hi")
    assert message(read_history, "runs", kind=DataError) == (
        "runs: no TensorBoard event files (events.out.tfevents.*) in it or its sub-folders; "
        "expected a log folder written by SummaryWriter or Keras's TensorBoard callback")


def test_event_files_without_scalars_list_their_tags(message):
    with SummaryWriter("runs") as w:
        w.add_image("faces/sample", np.zeros((1, 4, 4)), 0)
        w.add_histogram("conv1/weight", np.arange(5.0), 0)
    assert message(read_history, "runs") == (
        "runs: the event files hold no scalars (tags found: faces/sample, conv1/weight); "
        "expected loss and accuracy written with add_scalar or Keras's TensorBoard callback")


def test_unrecognised_scalar_tags_get_a_hint(message):
    write_scalars("runs", {"Los/train": [1.0], "eval/top1": [0.5]})
    assert message(read_history, "runs") == (
        "runs: no loss or accuracy among the scalar tags 'Los/train' (did you mean loss/train?), 'eval/top1'; "
        "expected tags such as Loss/train, Accuracy/val, train_loss, val_acc, or Keras's train/ and validation/ runs "
        "with epoch_loss, epoch_accuracy (other names: --history-tags train_loss=TAG,...)")


def test_mapped_tag_not_found(message):
    write_scalars("runs", {"Loss/train": [1.0], "eval/top1": [0.5]})
    assert message(read_history, "runs", tags={"val_acc": "eval/top_1"}) == (
        "runs: tag 'eval/top_1' (given for val_acc) not found (did you mean eval/top1?); tags found: Loss/train, eval/top1")


def test_two_runs_in_one_folder(message):
    write_scalars("runs/a", {"Loss/train": [1.0]})
    write_scalars("runs/b", {"Loss/train": [0.9]})
    assert message(read_history, "runs") == (
        "runs: tags 'a/Loss/train' and 'b/Loss/train' both read as train_loss; expected one "
        "(choose with --history-tags train_loss=NAME or point at one run's folder)")
