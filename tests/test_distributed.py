"""Two CPU processes on gloo train what one process trains with the same global batch.

With a model free of BatchNorm and dropout the two runs differ only in the order floating-point sums
are taken (the gradient is the average of two half-batch gradients), so they must agree closely.
The course CNN has BatchNorm, which on gloo normalises each half batch with its own statistics
(SyncBatchNorm is CUDA-only; fer_report.training.train uses it there), and dropout masks drawn per process:
for it the test asserts agreement within a tolerance, plus rank-0-only writing of the cache.
The steps run in fp32 here: under bf16 autocast (a CPU with native bf16) the half-batch sums round
differently at bf16's 3 significant digits, which would hide the plumbing this test is about.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from torch import nn

import fer_report.training.train as tr
from fer_report.data.synthetic import make_synthetic
from tests.conftest import tiny_settings


def _plain_model(settings, dataset) -> nn.Module:
    """Conv and linear layers only: no BatchNorm, no dropout, so nothing differs between process counts."""
    torch.manual_seed(settings.seed)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                         nn.Linear(8 * 12 * 12, len(dataset.classes)))


PLAIN_RUNS = {
    "plain": {},
    "recipe": dict(augment_policy="strong", ten_crop=True, schedule="plateau", optimizer="sgd", lr=0.01),
}


def _runs(root: Path) -> dict[str, object]:
    import fer_report.model.inference as inference

    data = make_synthetic(seed=0, size="tiny")
    real_model, real_bf16 = tr._new_model, inference.train_bf16
    tr._new_model = _plain_model
    inference.train_bf16 = lambda device: False  # fp32 steps, in a spawned worker and in the test's process
    try:
        runs = {name: tr.train(tiny_settings(root / name, batch_size=25, **extra), data, progress=False)
                for name, extra in PLAIN_RUNS.items()}  # batches of 25: shards of 12 and 13
        tr._new_model = real_model
        runs["cnn4"] = tr.train(tiny_settings(root / "cnn4"), data, progress=False)
    finally:
        tr._new_model, inference.train_bf16 = real_model, real_bf16
    return runs


def _worker(rank: int, world_size: int, port: int, root: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE=str(world_size), LOCAL_WORLD_SIZE=str(world_size))
    from fer_report.training import distributed

    try:
        _runs(Path(root))
    finally:
        distributed.leave()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("ddp")
    mp.spawn(_worker, args=(2, _free_port(), str(root / "two")), nprocs=2, join=True)
    one = _runs(root / "one")
    return root, one


def _history(trained_dir: Path) -> list[dict]:
    (entry,) = (trained_dir / "cache").glob("train-*")
    return json.loads((entry / "history.json").read_text())["history"]


@pytest.mark.parametrize("run", list(PLAIN_RUNS))
def test_two_processes_match_one_with_the_same_global_batch(both, run):
    root, one = both
    two = _history(root / "two" / run)
    assert len(two) == len(one[run].history) == 2
    for a, b in zip(one[run].history, two):
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-4)
        assert a["val_loss"] == pytest.approx(b["val_loss"], rel=1e-4)
        assert a["train_acc"] == pytest.approx(b["train_acc"], abs=1e-9)
        assert a["val_acc"] == pytest.approx(b["val_acc"], abs=1e-9)
    (entry,) = (root / "two" / run / "cache").glob("train-*")
    two_best = torch.load(entry / "best.pt", weights_only=True)
    for name, w in one[run].model.state_dict().items():
        torch.testing.assert_close(two_best[name], w, rtol=1e-4, atol=1e-5)


def test_batchnorm_model_agrees_within_tolerance_and_uses_the_same_cache_entry(both):
    root, one = both
    entry = one["cnn4"].cache_dir
    (two_entry,) = (root / "two" / "cnn4" / "cache").glob("train-*")
    assert two_entry.name == entry.name  # same key: a build after torchrun reuses the model
    assert sorted(p.name for p in two_entry.iterdir()) == ["best.pt", "history.json", "state.pt"]
    two = _history(root / "two" / "cnn4")
    for a, b in zip(one["cnn4"].history, two):
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=0.1)
        assert a["val_acc"] == pytest.approx(b["val_acc"], abs=0.1)
    assert two != one["cnn4"].history  # per-half statistics do change the numbers a little
