"""The dnn section for a student's own model: fer-report's DNN sized to their model's parameter count (within
1 %), or their own DNN (--dnn-model, --dnn-weights, --dnn-history); the text says which was trained where."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from fer_report.config import load_settings
from fer_report.draw.figures import Figures
from fer_report.errors import ConfigError
from fer_report.model.builtin.dnn import COUNT_TOLERANCE, build
from fer_report.model.summary import count_params
from fer_report.report.artifacts import Artefacts
from fer_report.report.section import run_section
from fer_report.sections import dnn
from tests.conftest import tiny_settings

FILES = '''
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.head = nn.Linear(8 * 12 * 12, 7)

    def forward(self, x):
        return self.head(torch.nn.functional.max_pool2d(torch.relu(self.conv(x)), 4).flatten(1))


class MyDNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, 16), nn.ReLU(), nn.Linear(16, 7))

    def forward(self, x):
        return self.net(x)
'''
LOG = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.30,1.80,0.28,1.85\n1,0.36,1.70,0.33,1.75\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("dnn_student")
    (root / "model.py").write_text(FILES)
    (root / "log.csv").write_text(LOG)
    from fer_report.model.user_model import load_user_model

    torch.manual_seed(2)
    torch.save(load_user_model(f"{root / 'model.py'}:Net").state_dict(), root / "w.pt")
    torch.save(load_user_model(f"{root / 'model.py'}:MyDNN").state_dict(), root / "dnn.pt")
    return root


def _settings(root, **extra):
    return tiny_settings(root / "build", model=f"{root / 'model.py'}:Net", weights=str(root / "w.pt"), epochs=1,
                         sections=["dnn"], **extra)


def _run(settings, tmp_path):
    a = Artefacts(settings, tmp_path / "build", progress=False)
    return run_section(dnn.section, a, figures=Figures(tmp_path), text=dnn.section.text("en"))


@pytest.mark.parametrize("count", [20_000, 123_457, 319_975, 1_000_003, 11_170_000])
def test_a_dnn_matched_to_a_count_is_within_one_percent(count):
    model = build(match=str(count))
    assert abs(sum(count_params(model)) - count) <= COUNT_TOLERANCE * count


def test_too_small_a_count_is_refused_with_the_nearest():
    with pytest.raises(ConfigError, match="within 1%"):
        build(match="500")


def test_a_given_model_gets_our_dnn_sized_to_its_own_count(files, tmp_path):
    result = _run(_settings(files), tmp_path)
    n = result.numbers
    own = sum(count_params(torch.nn.Conv2d(1, 8, 3))) + 8 * 12 * 12 * 7 + 7
    assert n["cnn"]["params"] == own and n["cnn"]["trained_here"] is False
    assert n["dnn"]["source"] == "matched" and n["dnn"]["trained_here"] is True
    assert abs(n["dnn"]["params"] - own) <= 0.01 * own
    text = " ".join(result.text)
    assert "as you trained it in your own script" in text and "trained by this run on the same data" in text
    assert "different recipes" in text and "no training log (give it with --history)" in text
    assert "within 1% of your model's" in text


def test_the_students_own_dnn_is_evaluated_as_given(files, tmp_path):
    settings = _settings(files, dnn_model=f"{files / 'model.py'}:MyDNN", dnn_weights=str(files / "dnn.pt"),
                         dnn_history=str(files / "log.csv"), history=str(files / "log.csv"))
    result = _run(settings, tmp_path)
    n = result.numbers
    assert n["dnn"]["source"] == "own" and n["dnn"]["trained_here"] is False
    assert n["dnn"]["params"] == 48 * 48 * 16 + 16 + 16 * 7 + 7 and n["dnn"]["best_val_acc"] == 0.33
    assert any("(--dnn-model) as you trained it" in line for line in result.text)
    assert not any("different recipes" in line for line in result.text)  # both came from the student's script
    assert len(result.figures) == 1  # both logs drawn


def test_the_students_dnn_class_without_weights_is_trained_here(files, tmp_path):
    result = _run(_settings(files, dnn_model=f"{files / 'model.py'}:MyDNN"), tmp_path)
    assert result.numbers["dnn"]["trained_here"] is True and result.numbers["dnn"]["source"] == "own"
    assert any("trained by this run from scratch with fer-report's recipe" in line for line in result.text)


@pytest.mark.parametrize("flags, message", [
    ({"dnn_weights": "WEIGHTS"}, "give its model too with --dnn-model"),
    ({"dnn_model": "cnn4"}, "is not a model file"),
    ({"dnn_model": "missing.py:MyDNN"}, "no such file"),
    ({"dnn_model": "MODEL:MyDNN", "dnn_history": "LOG"}, "give its weights too"),
])
def test_bad_dnn_flags_stop_with_one_line(files, flags, message):
    paths = {"WEIGHTS": str(files / "dnn.pt"), "LOG": str(files / "log.csv"), "MODEL": str(files / "model.py")}
    flags = {k: paths.get(v.split(":")[0], v.split(":")[0]) + (":" + v.split(":")[1] if ":" in v else "")
             for k, v in flags.items()}
    with pytest.raises(ConfigError, match=message):
        load_settings(None, flags)


def test_cli_passes_the_dnn_flags(files):
    from fer_report.cli import _settings as cli_settings, parser

    args = parser().parse_args(["build", "--dnn-model", f"{files / 'model.py'}:MyDNN", "--dnn-weights",
                                str(files / "dnn.pt"), "--dnn-history", str(files / "log.csv"), "--out", "/tmp/x"])
    s = cli_settings(args)
    assert s.dnn_model.endswith("model.py:MyDNN") and s.dnn_weights.endswith("dnn.pt")
    assert s.dnn_history.endswith("log.csv")
