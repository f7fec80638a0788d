"""Untrusted torch files: a checkpoint that smuggles a pickled object is refused and nothing in it runs,
whether it comes in as --weights (see tests/e2e/test_bad_input.py) or sits in a copied training cache."""

from __future__ import annotations

import logging
import os
import pickle

import pytest
import torch

import fer_report.training.train as tr
from fer_report.training import cache as train_cache
from fer_report.model.checkpoints import UnsafeCheckpoint, load_tensors
from fer_report.data.synthetic import make_synthetic
from fer_report.errors import UserError
from tests.conftest import tiny_settings


class RunsCode:
    """Unpickled freely, this would run ``touch PWNED`` in the current folder."""

    def __reduce__(self):
        return (os.system, ("touch PWNED",))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where the payload would create PWNED
    return tmp_path


def test_the_payload_is_live(in_tmp):
    """Guards the tests below: a plain unpickle of RunsCode does run the command."""
    pickle.loads(pickle.dumps(RunsCode()))
    assert (in_tmp / "PWNED").exists()


@pytest.mark.parametrize("write", [
    lambda p: torch.save({"w": torch.zeros(2), "payload": RunsCode()}, p),  # torch's zip format
    lambda p: p.write_bytes(pickle.dumps({"payload": RunsCode()}, protocol=2)),  # legacy plain pickle
], ids=["torch-save", "legacy-pickle"])
def test_pickled_object_is_refused_in_one_line(in_tmp, write):
    path = in_tmp / "evil.pt"
    write(path)
    with pytest.raises(UnsafeCheckpoint) as info:
        load_tensors(path, "weights file")
    message = str(info.value)
    assert message.startswith(f"weights file {path}: refused: it holds a pickled Python object (posix.system)")
    assert "\n" not in message
    assert not (in_tmp / "PWNED").exists()


def test_other_unreadable_files_say_what_they_are(in_tmp):
    (in_tmp / "a.pt").write_bytes(b"GIF89a....")
    good = in_tmp / "b.pt"
    torch.save({"w": torch.zeros(3)}, good)
    (in_tmp / "c.pt").write_bytes(good.read_bytes()[:100])
    messages = []
    for name in ("a.pt", "c.pt", "missing.pt"):
        with pytest.raises(UserError) as info:
            load_tensors(in_tmp / name)
        messages.append(str(info.value))
    assert "it starts with b'GIF89a" in messages[0]
    assert "not a readable torch checkpoint (RuntimeError: PytorchStreamReader failed" in messages[1]
    assert "missing.pt: no such file" in messages[2]
    assert all("\n" not in m for m in messages)
    assert torch.equal(load_tensors(good)["w"], torch.zeros(3))


@pytest.fixture(scope="module")
def data():
    return make_synthetic(seed=0, size="tiny")


def _entry(settings, data):
    entry = settings.cache_dir / f"train-{tr.cache_key(settings, data, tr.resolve_device(settings.device))}"
    entry.mkdir(parents=True)
    return entry


def test_crafted_resume_state_is_refused_and_training_starts_over(in_tmp, data, caplog):
    s = tiny_settings(in_tmp / "build", epochs=1)
    entry = _entry(s, data)
    torch.save({"model": {}, "history": [], "payload": RunsCode()}, entry / "state.pt")
    with caplog.at_level(logging.WARNING, logger="fer_report"):
        trained = tr.train(s, data, progress=False)
    assert not (in_tmp / "PWNED").exists()
    assert trained.seconds > 0 and len(trained.history) == 1  # trained from scratch
    warning = [r.getMessage() for r in caplog.records if "state.pt" in r.getMessage()]
    assert len(warning) == 1 and "\n" not in warning[0]
    assert "refused: it holds a pickled Python object (posix.system)" in warning[0]


def test_crafted_best_model_with_matching_checksums_is_refused(in_tmp, data):
    """Checksums catch damage, not forgery: the file's own loader must still refuse the object."""
    s = tiny_settings(in_tmp / "build", epochs=1)
    entry = _entry(s, data)
    torch.save({"payload": RunsCode()}, entry / "best.pt")
    train_cache.write_finished(entry, {"history": [{"epoch": 1, "val_acc": 0.5}], "mean": 0.5, "std": 0.2,
                                       "seconds": 1.0})
    with pytest.raises(UnsafeCheckpoint, match=r"cache file .*best.pt: refused: it holds a pickled Python object"):
        tr.train(s, data, progress=False)
    assert not (in_tmp / "PWNED").exists()
