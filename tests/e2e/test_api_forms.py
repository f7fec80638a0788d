"""Each in-memory form ``fer_report.Report`` takes, through a whole build: a module trained here
(``train=True``) on torch tensors with a list of pictures, and a module evaluated as it is with a pandas
history. The unit tests (tests/test_api.py) check each conversion; these check the report made from them."""

import numpy as np
import pytest
import torch
from PIL import Image

import fer_report
from fer_report.data import load_dataset
from tests.test_api import Small
from tests.test_network import small_explanations  # noqa: F401  (autouse: fewer images and steps)


@pytest.fixture(scope="module")
def faces():
    return load_dataset(None, synthetic_size="tiny")


def test_module_trained_here_on_tensors_with_a_list_of_pictures(tmp_path, faces):
    torch.manual_seed(0)
    net = Small()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    data = {k: (torch.from_numpy(s.x[:, None].astype(np.float32) / 255), torch.from_numpy(s.y))
            for k, s in faces.splits().items()}
    pictures = [Image.new("L", (60, 60), 128), faces.test.x[0]]
    report = fer_report.Report(model=net, train=True, data=data, images=pictures, epochs=1, batch_size=32,
                               sections="architecture,history,saliency", out=tmp_path / "out")
    got = report.build()
    sections = {s["name"]: s for s in got["sections"]}
    assert {n: s["status"] for n, s in sections.items()} == dict.fromkeys(("architecture", "history", "saliency"), "ok")
    assert "given" not in got["run"] and "training" in got["run"]  # trained here, not evaluated as given
    assert sections["history"]["numbers"]["epochs"] == 1
    assert sections["architecture"]["numbers"]["total_params"] == sum(p.numel() for p in net.parameters())
    assert len(sections["saliency"]["numbers"]["own_images"]) == 2
    assert "0..1, multiplied by 255" in got["run"]["data"]["source"]
    assert all(torch.equal(v, net.state_dict()[k]) for k, v in before.items())  # the student's object untouched
    assert (tmp_path / "out" / "report.pdf").read_bytes().startswith(b"%PDF")


def test_module_as_given_with_a_dataframe_history(tmp_path, faces):
    pd = pytest.importorskip("pandas")
    torch.manual_seed(1)
    net = Small().eval()
    history = pd.DataFrame({"epoch": [0, 1, 2], "loss": [1.9, 1.7, 1.6], "accuracy": [0.2, 0.3, 0.35],
                            "val_loss": [1.8, 1.75, 1.7], "val_accuracy": [0.22, 0.28, 0.31]})
    data = {k: (s.x, s.y) for k, s in faces.splits().items()}  # uint8 (N, 48, 48)
    got = fer_report.Report(model=net, data=data, history=history, sections="history,confusion",
                            out=tmp_path / "out").build()
    sections = {s["name"]: s for s in got["sections"]}
    assert [s["status"] for s in got["sections"]] == ["ok", "ok"] and "given" in got["run"]
    assert sections["history"]["numbers"]["epochs"] == 3
    with torch.no_grad():  # the model as it is, on 0..1 input (the default for a user's model)
        predicted = net(torch.from_numpy(faces.test.x[:, None].astype(np.float32) / 255)).argmax(1).numpy()
    assert got["run"]["accuracy"]["test"] == pytest.approx(float((predicted == faces.test.y).mean()), abs=1e-9)
