import json

import pytest
import torch

from fer_report.data.synthetic import make_synthetic
from fer_report.training.train import train
from tests.conftest import dies_in_second_epoch, tiny_settings


@pytest.fixture(scope="module")
def data():
    return make_synthetic(seed=0, size="tiny")


def test_second_run_trains_nothing_and_gives_the_same_model(tmp_path, data):
    s = tiny_settings(tmp_path / "build")
    first = train(s, data, progress=False)
    assert first.seconds > 0 and len(first.history) == 2
    second = train(s, data, progress=False)
    assert second.seconds == 0.0
    assert second.history == first.history
    for a, b in zip(first.model.state_dict().values(), second.model.state_dict().values()):
        assert torch.equal(a, b)


def test_interrupted_training_resumes_to_the_same_result(tmp_path, data, monkeypatch):
    import fer_report.training.train as tr

    reference = train(tiny_settings(tmp_path / "a", epochs=3), data, progress=False)

    s = tiny_settings(tmp_path / "b", epochs=3)
    real_epoch, calls = dies_in_second_epoch(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        train(s, data, progress=False)
    monkeypatch.setattr(tr, "_train_epoch", real_epoch)
    resumed = train(s, data, progress=False)
    assert len(calls) == 2  # the first epoch was not trained again
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3]
    for r, h in zip(reference.history, resumed.history):
        assert r["val_acc"] == h["val_acc"]
        assert r["train_loss"] == pytest.approx(h["train_loss"], rel=1e-5)


def test_corrupt_checkpoint_is_detected_and_rebuilt(tmp_path, data):
    s = tiny_settings(tmp_path / "build")
    first = train(s, data, progress=False)
    best = first.cache_dir / "best.pt"
    best.write_bytes(best.read_bytes()[:100])  # truncated
    again = train(s, data, progress=False)
    assert again.seconds > 0  # retrained rather than trusting the file
    assert json.loads((again.cache_dir / "history.json").read_text())["history"] == first.history


def test_edited_history_is_detected_and_rebuilt(tmp_path, data):
    s = tiny_settings(tmp_path / "build", epochs=1)
    first = train(s, data, progress=False)
    record_file = first.cache_dir / "history.json"
    record = json.loads(record_file.read_text())
    record["history"][0]["val_acc"] = 0.99
    record_file.write_text(json.dumps(record))
    again = train(s, data, progress=False)
    assert again.seconds > 0 and again.history == first.history


def test_settings_that_change_the_model_change_the_cache_entry(tmp_path, data):
    a = train(tiny_settings(tmp_path / "build", epochs=1), data, progress=False)
    b = train(tiny_settings(tmp_path / "build", epochs=1, augment=False), data, progress=False)
    assert a.cache_dir != b.cache_dir
