"""The fer2013-best recipe's plumbing on tiny data (its accuracy needs the real data and a GPU), and the
CUDA code path (bf16 autocast, channels_last, torch.compile) exercised on the CPU."""

import hashlib
import json
from dataclasses import replace

import pytest
import torch

import fer_report.training.train as tr
from fer_report.data.augment import CROPS, warp, with_ten_crops
from fer_report.config import load_settings
from fer_report.data.dataset import Split
from fer_report.data.synthetic import make_synthetic
from fer_report.errors import ConfigError
from fer_report.model.inference import train_bf16
from tests.conftest import tiny_settings


@pytest.fixture(scope="module")
def data():
    return make_synthetic(seed=0, size="tiny")


def test_recipe_sets_the_published_training_and_flags_override_it(tmp_path):
    s = load_settings(None, {"epochs": 5}, recipe="fer2013-best")
    assert (s.model, s.optimizer, s.lr, s.schedule, s.augment_policy, s.ten_crop) == (
        "vgg", "sgd", 0.01, "plateau", "strong", True)
    assert s.epochs == 5
    config = tmp_path / "c.toml"
    config.write_text('model = "cnn4"\n')
    assert load_settings(config, {}, recipe="fer2013-best").model == "cnn4"
    with pytest.raises(ConfigError, match="did you mean 'fer2013-best'"):
        load_settings(None, {}, recipe="fer2013-bset")


def _few(data, n: int = 32):
    """The first n images of each split: ten crops make every image cost ten."""
    return replace(data, train=Split(data.train.x[:n], data.train.y[:n]), val=Split(data.val.x[:n], data.val.y[:n]),
                   test=Split(data.test.x[:n], data.test.y[:n]))


def test_the_cpu_recipe_for_real_faces_is_the_benchmarks_winner():
    """configs/fer2013-cpu.toml is what bench/results/accuracy.json measured best; flags still override it."""
    from fer_report.toml_file import recipes

    assert "fer2013-cpu" in recipes()
    s = load_settings(None, {}, recipe="fer2013-cpu")
    assert (s.model, s.epochs, s.augment, s.augment_policy, s.balance) == ("cnn4", 50, True, "flip", "none")
    assert load_settings(None, {"epochs": 3}, recipe="fer2013-cpu").epochs == 3


def test_real_faces_default_to_a_flip_and_synthetic_faces_keep_the_light_policy(tmp_path):
    """bench/results/accuracy.json: on real faces a flip alone beat the light policy at 20 epochs. Only the
    default moves: a policy from a flag, a config file or a recipe is kept."""
    data = str(tmp_path / "faces.csv")
    assert load_settings(None, {}).augment_policy == "light"
    assert load_settings(None, {"data": data}).augment_policy == "flip"
    assert load_settings(None, {"data": data, "augment_policy": "light"}).augment_policy == "light"
    config = tmp_path / "c.toml"
    config.write_text(f'data = "{data}"\naugment_policy = "strong"\n')
    assert load_settings(config, {}).augment_policy == "strong"
    assert load_settings(None, {"data": data}, recipe="fer2013-best").augment_policy == "strong"


def test_recipe_trains_with_ten_crops_and_predicts_their_average(tmp_path, data):
    data = _few(data)
    s = load_settings(None, {"model": "cnn4", "epochs": 2, "batch_size": 16, "synthetic_size": "tiny",
                             "out": str(tmp_path), "device": "cpu"}, recipe="fer2013-best")
    t = tr.train(s, data, progress=False)
    assert t.ten_crop and len(t.history) == 2
    assert all(h["lr"] == 0.01 for h in t.history)  # plateau: no cut within patience
    x = t.inputs(data.test.x[:4])
    with torch.no_grad():
        crops = warp(x.repeat_interleave(CROPS, 0), with_ten_crops(None, 4, x.device))
        expected = t.model(crops).view(4, CROPS, -1).mean(1)
        torch.testing.assert_close(t.predict(x), expected)
    again = tr.train(s, data, progress=False)
    assert again.seconds == 0.0 and again.ten_crop


def test_cache_keys_of_default_settings_did_not_change(tmp_path, data):
    """Entries made before the recipe settings existed are still found: the key's parts are the old ones
    (code 2 since training went channels_last on the CPU too, which changes the numbers slightly, and the
    defaults of the settings added since changed); bf16 steps, on a CPU that has them, enter as "precision"."""
    s = tiny_settings(tmp_path)
    old_parts = {"code": 2, "data": data.fingerprint(), "model": "cnn4", "match": None, "weights": None,
                 "epochs": 2, "batch_size": 32, "lr": s.lr, "optimizer": "adam", "augment": True, "seed": 0,
                 "device": "cpu"}
    if train_bf16(torch.device("cpu")):
        old_parts["precision"] = "bf16-autocast"
    old_key = hashlib.sha256(json.dumps(old_parts, sort_keys=True).encode()).hexdigest()[:16]
    cpu = torch.device("cpu")
    assert tr.cache_key(s, data, cpu) == old_key
    for change in (dict(augment_policy="strong"), dict(ten_crop=True), dict(schedule="plateau")):
        assert tr.cache_key(replace(s, **change), data, cpu) != old_key
    assert tr.cache_key(replace(s, compile=True), data, cpu) == old_key  # same computation, same model


def test_gpu_path_bf16_channels_last_and_compile_run_on_the_cpu(tmp_path, data, monkeypatch):
    compiled = []

    def fake_compile(module, **kwargs):  # a real compile costs ~20 s here; CUDA runs the real one
        compiled.append(module)
        return module

    import fer_report.model.inference as inference

    # bf16 autocast of predictions and of training steps (the layout is channels_last on every device)
    monkeypatch.setattr(inference, "fast", lambda device: True)
    monkeypatch.setattr(inference, "train_bf16", lambda device: True)
    monkeypatch.setattr(torch, "compile", fake_compile)
    s = tiny_settings(tmp_path, epochs=1, compile=True)
    t = tr.train(s, data, progress=False)
    assert len(compiled) == 1
    h = t.history[0]
    assert 0 < h["train_loss"] < 10 and 0 <= h["val_acc"] <= 1
    monkeypatch.setattr(inference, "fast", lambda device: False)
    monkeypatch.setattr(inference, "train_bf16", lambda device: False)
    assert tr.cache_key(s, data, t.device) not in str(t.cache_dir)  # bf16 runs have their own entries
