"""fer_report.Report's keywords and in-memory forms, without building a report."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

import fer_report
from fer_report.api import iframe, settings_from
from fer_report.data import load_dataset
from fer_report.data.arrays import register as register_arrays
from fer_report.errors import ConfigError, DataError, UserError
from fer_report.logs import read_history
from fer_report.logs.objects import write_history
from fer_report.model import objects


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 48 * 48, 7)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def test_import_stays_light():
    code = "import sys, fer_report; fer_report.Report; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_keyword_is_a_type_error_with_the_closest_name():
    with pytest.raises(TypeError, match="'epoch'; did you mean 'epochs'"):
        fer_report.Report(epoch=1)


def test_bad_values_raise_user_error_a_value_error_with_the_cli_line(tmp_path):
    assert issubclass(fer_report.UserError, ValueError)
    with pytest.raises(fer_report.UserError, match="unknown model 'cnn5'; did you mean 'cnn4'") as e:
        fer_report.Report(model="cnn5", out=str(tmp_path))
    assert e.value.__traceback__.tb_next is None or "fer_report/model" not in str(e.traceback[-1].path)
    with pytest.raises(ValueError, match="key 'epochs' is str '3', expected int"):
        fer_report.Report(epochs="3", out=str(tmp_path))
    with pytest.raises(ConfigError, match="train=True: only for a model object"):
        fer_report.Report(model="cnn4", train=True, out=str(tmp_path))


def test_questions_a_preset_name_or_headings(tmp_path):
    assert settings_from({"questions": "ntu-ml-2019fall-hw3", "out": str(tmp_path)}).preset == "ntu-ml-2019fall-hw3"
    s = settings_from({"questions": {"confusion": "Q3"}, "sections": "confusion,history", "out": str(tmp_path)})
    assert s.questions == {"confusion": "Q3"} and s.preset is None and s.sections == ["confusion", "history"]


def test_model_object_name_follows_weights_and_training_flag(tmp_path):
    net = Small()
    a = objects.register(net, inputs=tmp_path)
    assert a == objects.register(net, inputs=tmp_path) and a.startswith("object:Small:")
    with torch.no_grad():
        net.fc.bias += 1
    b = objects.register(net, inputs=tmp_path)
    assert b != a and objects.register(net, train=True, inputs=tmp_path) == b + ":train"
    kept = objects.lookup(a).fresh()  # the copy registered before the change
    assert not torch.equal(kept.fc.bias, net.fc.bias)
    retrained = objects.lookup(b + ":train").fresh()
    assert not torch.equal(retrained.fc.weight, net.fc.weight)  # re-initialised to be trained here
    assert objects.lookup(b).source_from.endswith("test_api.py") and "class Small" in objects.lookup(b).source


def test_model_object_runs_through_build_network(tmp_path):
    from fer_report.model.network import build_network

    ds = load_dataset(None, synthetic_size="tiny")
    given = build_network(settings_from({"model": Small(), "out": str(tmp_path)}), ds)
    trained = build_network(settings_from({"model": Small(), "train": True, "out": str(tmp_path)}), ds)
    assert (given.kind, given.given, trained.given) == ("object", True, False)
    assert given.model(torch.zeros(2, 1, 48, 48)).shape == (2, 7)


@pytest.mark.parametrize("layout", ["nhw", "nhwc", "nchw", "flat", "float01", "float255", "torch"])
def test_arrays_in_every_layout_give_the_same_dataset(layout):
    ds = load_dataset(None, synthetic_size="tiny")

    def form(x):
        return {"nhw": x, "nhwc": x[..., None], "nchw": x[:, None], "flat": x.reshape(len(x), -1),
                "float01": x.astype(np.float32) / 255, "float255": x.astype(np.float64),
                "torch": torch.from_numpy(x[:, None].astype(np.float32) / 255)}[layout]

    name = register_arrays({k: (form(s.x), s.y) for k, s in ds.splits().items()})
    again = load_dataset(name)
    assert all(np.array_equal(again.splits()[k].x, s.x) for k, s in ds.splits().items())
    assert ("0..1, multiplied by 255" in again.source) == (layout in ("float01", "torch"))


def test_bad_arrays_say_what_was_expected():
    x, y = np.zeros((7, 48, 48), np.uint8), np.arange(7)
    with pytest.raises(DataError, match="no test split"):
        register_arrays({"train": (x, y), "val": (x, y)})
    with pytest.raises(DataError, match="unknown split 'valid', expected train, val or test; did you mean 'val'"):
        register_arrays({"train": (x, y), "valid": (x, y), "test": (x, y)})
    with pytest.raises(DataError, match=r"x ranges -1\.\.-1; expected pixels in 0..1 or 0..255 \(undo a normalisation"):
        register_arrays({s: (x.astype(float) * 2 / 255 - 1, y) for s in ("train", "val", "test")})
    with pytest.raises(DataError, match="x has shape \\(7, 47\\)"):
        register_arrays({s: (np.zeros((7, 47)), y) for s in ("train", "val", "test")})


class History:  # what keras.callbacks.History holds
    history = {"loss": [1.5, 1.2], "accuracy": [0.3, 0.4], "val_loss": [1.6, 1.4], "val_accuracy": [0.25, 0.35]}


@pytest.mark.parametrize("form", ["keras", "dict", "rows", "dataframe"])
def test_history_forms_read_as_the_json_log(form, tmp_path):
    h = History.history
    value = {"keras": History(), "dict": h,
             "rows": [dict(zip(h, v)) for v in zip(*h.values())],
             "dataframe": pytest.importorskip("pandas").DataFrame(h)}[form]
    log = read_history(write_history(value, tmp_path))
    assert [r["val_acc"] for r in log.rows] == [0.25, 0.35] and log.missing == []


def test_history_list_of_non_dicts_is_refused(tmp_path):
    with pytest.raises(DataError, match="history: a list of 2 items, not all dicts"):
        write_history([1, 2], tmp_path)


def test_images_list_written_and_read_as_a_folder(tmp_path):
    from PIL import Image

    from fer_report.data.images import load_images

    s = settings_from({"images": [Image.new("RGB", (60, 40), "red"), np.full((48, 48), 0.5)], "out": str(tmp_path)})
    got = load_images(s.images)
    assert [im.name for im in got] == ["image_001.png", "image_002.png"] and got[0].was_colour
    assert got[1].pixels.shape == (48, 48) and got[1].pixels.max() == 128


def test_iframe_escapes_the_page():
    shown = iframe('<html><style>body{color:red}</style><p title="x">a & b</p></html>')
    assert shown.startswith('<iframe srcdoc="&lt;html&gt;') and "&quot;x&quot;" in shown and "&amp; b" in shown
    assert shown.count('"') == shown.count('="') * 2 or "<style>" not in shown


def test_one_hot_labels_read_as_class_indices_and_said_so():
    ds = load_dataset(None, synthetic_size="tiny")
    indices = load_dataset(register_arrays({k: (s.x, s.y) for k, s in ds.splits().items()}))
    one_hot = load_dataset(register_arrays({k: (s.x, np.eye(7, dtype=np.float32)[s.y]) for k, s in ds.splits().items()}))
    assert all(np.array_equal(one_hot.splits()[k].y, s.y) for k, s in indices.splits().items())
    assert "labels one-hot (read as class indices)" in one_hot.source and "one-hot" not in indices.source
    x = np.zeros((7, 48, 48), np.uint8)
    with pytest.raises(DataError, match=r"y has shape \(7, 6\); expected \(7,\), one class index per image, or "
                                        r"\(7, 7\) one-hot rows"):
        register_arrays({s: (x, np.eye(7)[:, :6]) for s in ("train", "val", "test")})
    with pytest.raises(DataError, match=r"y has shape \(7, 7\)"):  # soft labels are not one-hot
        register_arrays({s: (x, np.full((7, 7), 1 / 7)) for s in ("train", "val", "test")})
