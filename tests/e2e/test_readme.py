"""The README's "Your own model" and "Your logs, your pictures" commands, run as written, end to end,
on files made the way a student's script makes them (a model file, its checkpoint, Keras logs ...)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fer_report.cli import main
from tests.test_network import small_explanations  # noqa: F401  (fixture: fewer images and steps)

README = Path(__file__).parents[2] / "README.md"

MODEL = '''
import torch.nn as nn


def block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
                         nn.MaxPool2d(2))


class FaceExpressionNet(nn.Module):
    def __init__(self, num_classes=7):
        super().__init__()
        self.features = nn.Sequential(block(1, 8), block(8, 16), block(16, 16))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(16 * 6 * 6, num_classes))

    def forward(self, x):
        return self.head(self.features(x))
'''


def commands(heading: str) -> list[str]:
    """The shell commands of the README section under ``heading`` (continuation lines joined)."""
    text = README.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1).replace("\\\n", " ")
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.startswith("fer-report ")]


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    """A student's folder: model.py, best.pth, train.csv (Kaggle's emotion,pixels), exported.onnx, logs, photos."""
    import importlib.util

    root = tmp_path_factory.mktemp("student")
    (root / "model.py").write_text(MODEL)
    spec = importlib.util.spec_from_file_location("student_model", root / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    net = module.FaceExpressionNet().eval()
    torch.save({"epoch": 12, "model_state_dict": net.state_dict(), "best_acc": 0.61}, root / "best.pth")
    torch.onnx.export(net, (torch.zeros(1, 1, 48, 48),), str(root / "exported.onnx"), dynamo=False, opset_version=17)
    from fer_report.data.synthetic import make_synthetic

    ds = make_synthetic(seed=0, size="tiny")
    rows = [f"{y},{' '.join(map(str, x.reshape(-1)))}" for x, y in zip(ds.train.x[:140], ds.train.y[:140])]
    (root / "train.csv").write_text("emotion,pixels\n" + "\n".join(rows) + "\n")
    (root / "test.csv").write_text("id,pixels\n" + "".join(f"{i},{' '.join(map(str, x.reshape(-1)))}\n"
                                                           for i, x in enumerate(ds.test.x[:12])))
    log = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.30,1.8,0.35,1.7\n1,0.45,1.5,0.44,1.5\n2,0.55,1.3,0.52,1.35\n"
    for name in ("training.log.csv", "aug.csv"):
        (root / name).write_text(log)
    (root / "plain.csv").write_text(log.replace("0.52,1.35", "0.48,1.42").replace("0.55,1.3", "0.70,0.9"))
    (root / "my_photos").mkdir()
    for i in range(2):
        face = np.repeat(ds.test.x[i][..., None], 3, axis=-1)
        Image.fromarray(face).resize((120, 150)).save(root / "my_photos" / f"me_{i}.jpg")
    return root


@pytest.mark.parametrize("heading", ["Your own model", "Your logs, your pictures, the files you have"])
def test_readme_commands_run_as_written(student, heading, monkeypatch, capsys):
    monkeypatch.chdir(student)
    found = commands(heading)
    assert len(found) >= 4
    for command in found:
        out = student / "out"
        assert main([*shlex.split(command)[1:], "--out", str(out), "--epochs", "2", "-q"]) == 0, command
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        status = {s["name"]: s["status"] for s in report["sections"]}
        assert "failed" not in status.values(), (command, status)
        if "--weights" in command or ".onnx" in command:
            assert "training" not in report["run"] and report["run"]["given"]
        if "--history" in command:  # the Keras log's best val_accuracy is at its epoch 2, which Keras prints as 3
            history = next(s for s in report["sections"] if s["name"] == "history")
            assert status["history"] == "ok" and (history["numbers"]["best_epoch"], history["numbers"]["epochs"]) == (3, 3)
            assert "epoch 3 of 3" in history["text"][1]
        if "--compare" in command:
            augmentation = next(s for s in report["sections"] if s["name"] == "augmentation")
            assert status["augmentation"] == "ok" and len(augmentation["numbers"]["runs"]) == 2
        if "--images" in command:
            saliency = next(s for s in report["sections"] if s["name"] == "saliency")
            assert [u["name"] for u in saliency["numbers"]["own_images"]] == ["me_0.jpg", "me_1.jpg"]
        if "--predict" in command:
            assert (out / "submission.csv").read_text().startswith("id,label\n0,")
