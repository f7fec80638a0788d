"""The training process of a student's model (2017 Spring Q1) from their checkpoint's extra keys: the epoch it
was saved at, the optimiser and its learning rate (fer_report.model.checkpoints.training_record)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from fer_report.draw.figures import Figures
from fer_report.model.checkpoints import training_record
from fer_report.report.artifacts import Artefacts
from fer_report.report.section import run_section
from fer_report.sections import history
from tests.conftest import tiny_settings


def _opt_state(cls, **kwargs) -> dict:
    model = nn.Linear(3, 2)
    opt = cls(model.parameters(), **kwargs)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    return opt.state_dict()


@pytest.mark.parametrize("cls, kwargs, name", [
    (torch.optim.Adam, {"lr": 1e-3}, "Adam"),
    (torch.optim.AdamW, {"lr": 3e-4}, "AdamW"),
    (torch.optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}, "SGD with Nesterov momentum"),
    (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}, "SGD with momentum 0.9"),
    (torch.optim.RMSprop, {"lr": 0.01}, "RMSprop"),
])
def test_the_optimiser_and_learning_rate_are_read_from_its_state(cls, kwargs, name):
    record = training_record({"model_state_dict": {}, "optimizer_state_dict": _opt_state(cls, **kwargs), "epoch": 7})
    assert record == {"epoch": 7, "optimizer": name, "lr": kwargs["lr"]}


def test_a_bare_state_dict_records_nothing():
    assert training_record(nn.Linear(3, 2).state_dict()) == {}


MODEL = '''
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 48 * 48, 7))

    def forward(self, x):
        return self.body(x)
'''


def test_the_history_section_names_the_checkpoints_epoch_and_optimiser(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "log.csv").write_text("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.3,1.8,0.28,1.85\n")
    from fer_report.model.user_model import load_user_model

    model = load_user_model(f"{tmp_path / 'model.py'}:Net")
    opt = torch.optim.Adam(model.parameters(), lr=5e-4)
    torch.save({"model_state_dict": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 12},
               tmp_path / "best.pth")
    settings = tiny_settings(tmp_path / "build", model=f"{tmp_path / 'model.py'}:Net",
                             weights=str(tmp_path / "best.pth"), history=str(tmp_path / "log.csv"))
    a = Artefacts(settings, tmp_path / "build", progress=False)
    result = run_section(history.section, a, figures=Figures(tmp_path), text=history.section.text("en"))
    assert result.numbers["checkpoint"]["epoch"] == 12 and result.numbers["checkpoint"]["lr"] == 5e-4
    assert ("Your checkpoint best.pth also records the training that made it: saved at epoch 12, the state of the "
            "Adam optimiser, at learning rate 0.0005 when saved.") in result.text
