"""A student's model file that downloads pretrained weights in its constructor (issue 27), without network:
with --weights nothing is downloaded; trained here, torch's hub cache or --pretrained serves them, else one
line says how to proceed. Every test runs with name resolution and connections failing, and counts the tries."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import torch
from torch import nn

from fer_report.errors import UserError
from fer_report.report.i18n import Text
from fer_report.model import downloads
from fer_report.model.downloads import header_line, missing_hint, pretrained_downloads
from fer_report.model.user_model import load_user_model
from fer_report.model.weights import load_weights

STUDENT_MODELS = Path(__file__).parent / "models" / "student_models"
R18_URL = "https://download.pytorch.org/models/resnet18-f37072fd.pth"
# (file, NAME, what the file asks for, the line of the constructor that asks)
PRETRAINED = [("pretrained_weights_enum", "PretrainedResNet", "resnet18 IMAGENET1K_V1", 15),
              ("pretrained_legacy", "LegacyPretrained", "resnet18 IMAGENET1K_V1", 13),
              ("pretrained_hub_url", "HubNet", "hubnet-0123abcd.pth", 18)]
IDS = [p[0] for p in PRETRAINED]


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path) -> list[str]:
    """No network (every try is recorded, then fails as on a machine without one) and an empty hub cache."""
    tries: list[str] = []

    def no_name(host, *args, **kwargs):
        tries.append(str(host))
        raise socket.gaierror(-2, "Name or service not known")

    def no_connect(self, address, *args, **kwargs):
        tries.append(str(address))
        raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(socket, "getaddrinfo", no_name)
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tries


def ref(file: str, name: str) -> str:
    return f"{STUDENT_MODELS / file}.py:{name}"


def hub_cache() -> Path:
    folder = Path(torch.hub.get_dir()) / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def randomised(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's state dict with other values, as training would leave it."""
    torch.manual_seed(1)
    return {k: (torch.randn_like(v) if v.is_floating_point() else v + 1) for k, v in model.state_dict().items()}


@pytest.mark.parametrize(("file", "name", "asks", "line"), PRETRAINED, ids=IDS)
def test_with_weights_builds_without_network_and_loads_the_checkpoint(file, name, asks, line, offline, tmp_path):
    with pretrained_downloads(skip=True) as record:
        model = load_user_model(ref(file, name))
    assert offline == []
    assert [(a["weights"], a["source"]) for a in record.facts()] == [(asks, "skipped")]
    saved = randomised(model)
    torch.save(saved, tmp_path / "best.pth")
    load_weights(model, tmp_path / "best.pth")
    assert all(torch.equal(model.state_dict()[k], v) for k, v in saved.items())
    assert offline == []


@pytest.mark.parametrize(("file", "name", "asks", "line"), PRETRAINED, ids=IDS)
def test_without_weights_or_cache_one_line_says_how_to_proceed(file, name, asks, line, offline):
    with pytest.raises(UserError) as err, pretrained_downloads(skip=False):
        load_user_model(ref(file, name))
    message = str(err.value)
    cached = Path(torch.hub.get_dir()) / "checkpoints" / ("resnet18-f37072fd.pth" if "resnet18" in asks
                                                          else "hubnet-0123abcd.pth")
    assert message.startswith(f"{STUDENT_MODELS / file}.py line {line}: {name}() asks for pretrained weights ({asks}), "
                              "which are not in torch's hub cache and cannot be downloaded here (URLError: <urlopen "
                              "error [Errno -2] Name or service not known>); give your trained model's checkpoint "
                              "with --weights FILE")
    assert f" at {cached}, or give a copy of it with --pretrained FILE" in message
    assert "\n" not in message
    assert len(offline) == 1  # one try, then the line


def test_a_cached_download_is_used(offline):
    torch.manual_seed(3)
    reference = nn.ModuleDict({"features": nn.Sequential(nn.Conv2d(1, 4, 3, padding=1)), "head": nn.Linear(64, 7)})
    torch.save(reference.state_dict(), hub_cache() / "hubnet-0123abcd.pth")
    with pretrained_downloads(skip=False) as record:
        model = load_user_model(ref("pretrained_hub_url", "HubNet"))
    assert offline == []
    assert [a["source"] for a in record.facts()] == ["cache"]
    assert all(torch.equal(model.state_dict()[k], v) for k, v in reference.state_dict().items())


def test_a_cached_torchvision_download_is_used(offline):
    import torchvision

    torch.manual_seed(4)
    reference = torchvision.models.resnet18()
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in reference.state_dict().items()},
               hub_cache() / "resnet18-f37072fd.pth")  # half: the cache file is written at half the size
    with pretrained_downloads(skip=False) as record:
        model = load_user_model(ref("pretrained_legacy", "LegacyPretrained"))
    assert offline == []
    assert record.facts() == [{"weights": "resnet18 IMAGENET1K_V1", "url": R18_URL, "source": "cache",
                               "cache": str(hub_cache() / "resnet18-f37072fd.pth")}]
    assert torch.equal(model.features[0].weight, reference.conv1.weight.half().float())


def test_pretrained_file_serves_the_download(offline, tmp_path):
    torch.manual_seed(5)
    reference = nn.ModuleDict({"features": nn.Sequential(nn.Conv2d(1, 4, 3, padding=1)), "head": nn.Linear(64, 7)})
    torch.save(reference.state_dict(), tmp_path / "mine.pth")
    with pretrained_downloads(skip=False, local=tmp_path / "mine.pth") as record:
        model = load_user_model(ref("pretrained_hub_url", "HubNet"))
    assert offline == [] and [a["source"] for a in record.facts()] == ["local"]
    assert torch.equal(model.head.weight, reference["head"].weight)


def test_everything_is_put_back_and_names_bound_on_import_still_work(offline):
    real = (torch.hub.load_state_dict_from_url, torch.hub.download_url_to_file, nn.Module.load_state_dict)
    with pretrained_downloads(skip=True):
        model = load_user_model(ref("pretrained_hub_url", "HubNet"))
    assert (torch.hub.load_state_dict_from_url, torch.hub.download_url_to_file, nn.Module.load_state_dict) == real
    bound = __import__(type(model).__module__).load_state_dict_from_url  # the file's own name for it
    torch.save(model.state_dict(), hub_cache() / "hubnet-0123abcd.pth")
    assert bound is downloads._hub_load and bound.__module__ == downloads.__name__
    assert set(bound("https://example.com/fer-report-tests/hubnet-0123abcd.pth")) == set(model.state_dict())
    with pytest.raises(RuntimeError, match="Missing key"):
        model.load_state_dict({})  # outside the context an empty state dict is refused as always


def test_a_constructor_that_filters_or_reads_the_skipped_weights(tmp_path, offline):
    (tmp_path / "net.py").write_text(
        "import torch.hub\nimport torch.nn as nn\n\n\nclass Filtered(nn.Module):\n    def __init__(self, read=False):\n"
        "        super().__init__()\n        self.fc = nn.Linear(3, 7)\n"
        "        state = torch.hub.load_state_dict_from_url('https://example.com/w/net-00aa.pth')\n"
        "        del state['fc.weight']\n"
        "        self.load_state_dict({k: v for k, v in state.items() if not k.startswith('fc.')})\n"
        "        if read:\n            self.fc.weight.data.copy_(state['fc.weight'])\n")
    with pretrained_downloads(skip=True):
        assert isinstance(load_user_model(f"{tmp_path / 'net.py'}:Filtered"), nn.Module)
        with pytest.raises(UserError) as err:
            load_user_model(f"{tmp_path / 'net.py'}:Filtered", args={"read": True})
    assert str(err.value) == (f"{tmp_path / 'net.py'} line 13: Filtered(read=True) raised KeyError: 'fc.weight'; it "
                              "ran with the pretrained weights it asks for (net-00aa.pth) not downloaded, since "
                              "--weights replaces them: an empty state dict stood in for them")
    assert offline == []


def test_download_url_to_file_cannot_be_skipped_and_says_where_to_put_it(tmp_path, offline):
    (tmp_path / "dl.py").write_text(
        "import torch\nimport torch.nn as nn\n\n\ndef build():\n"
        "    torch.hub.download_url_to_file('https://example.com/w/dl.pth', 'dl.pth')\n"
        "    return nn.Linear(2, 7)\n")
    with pytest.raises(UserError) as err, pretrained_downloads(skip=True):
        load_user_model(f"{tmp_path / 'dl.py'}:build")
    assert str(err.value).startswith(f"{tmp_path / 'dl.py'} line 6: build() downloads https://example.com/w/dl.pth "
                                     "with torch.hub.download_url_to_file, which fer-report cannot skip, and it cannot "
                                     "be downloaded here (URLError: ")
    assert str(err.value).endswith("; put that file at dl.pth")


def test_top_level_code_that_builds_a_pretrained_backbone(tmp_path, offline):
    (tmp_path / "top.py").write_text("from torchvision import models\n\nBACKBONE = models.resnet18(weights='DEFAULT')\n"
                                     "\n\ndef build():\n    return BACKBONE\n")
    with pytest.raises(UserError, match=r"top.py line 3: the file's top-level code asks for pretrained weights "
                                        r"\(resnet18 IMAGENET1K_V1\)"), pretrained_downloads(skip=False):
        load_user_model(f"{tmp_path / 'top.py'}:build")
    with pretrained_downloads(skip=True) as record:
        load_user_model(f"{tmp_path / 'top.py'}:build")
    assert [a["source"] for a in record.facts()] == ["skipped"]


def test_missing_keys_name_the_backbone_whose_download_was_skipped(tmp_path, offline):
    with pretrained_downloads(skip=True) as record:
        model = load_user_model(ref("pretrained_weights_enum", "PretrainedResNet"))
    torch.save({k: v for k, v in model.state_dict().items() if k.startswith("backbone.fc.")}, tmp_path / "head.pth")
    with pytest.raises(UserError) as err:
        load_weights(model, tmp_path / "head.pth",
                     missing_hint=missing_hint(record.facts(), "model.py:PretrainedResNet"))
    assert str(err.value).startswith(f"weights file {tmp_path / 'head.pth'} does not fit PretrainedResNet: 100 missing "
                                     "(backbone.conv1.weight, ")
    assert str(err.value).endswith("; model.py builds its backbone with pretrained weights (resnet18 IMAGENET1K_V1), "
                                   "which were not downloaded, so the checkpoint must hold every parameter: save the "
                                   "whole model's state_dict (torch.save(model.state_dict(), path))")
    assert missing_hint([], "model.py:Net") == ""


def test_the_header_line_in_both_languages():
    skipped = [{"weights": "resnext50_32x4d IMAGENET1K_V1", "url": "u", "cache": "c", "source": "skipped"}]
    cached = [{**skipped[0], "source": "cache"}]
    assert header_line(skipped, Text("en")) == ("The model's file asks for pretrained weights (resnext50_32x4d "
                                                "IMAGENET1K_V1); they were not downloaded: your checkpoint replaces "
                                                "them.")
    assert header_line(skipped, Text("zh-TW")) == ("模型檔要求載入預訓練權重（resnext50_32x4d IMAGENET1K_V1）；"
                                                   "未下載：由你的 checkpoint 取代。")
    assert header_line(cached, Text("en")) == ("The model starts from the pretrained weights its file asks for: "
                                               "resnext50_32x4d IMAGENET1K_V1 (from torch's hub cache).")
    assert "取自 torch hub 快取" in header_line(cached, Text("zh-TW"))


def test_build_with_weights_states_it_in_the_run_facts_and_once_on_the_console(tmp_path, offline, caplog):
    """The network as a build makes it: run facts under the model, one console line once the checkpoint loaded."""
    from fer_report.report.artifacts import Artefacts
    from fer_report.report.header import run_facts as _run_facts
    from tests.conftest import tiny_settings

    with pretrained_downloads(skip=True):
        saved = randomised(load_user_model(ref("pretrained_weights_enum", "PretrainedResNet")))
    torch.save(saved, tmp_path / "best.pth")
    settings = tiny_settings(tmp_path / "out", model=ref("pretrained_weights_enum", "PretrainedResNet"),
                             weights=str(tmp_path / "best.pth"))
    artefacts = Artefacts(settings, tmp_path / "out", progress=False)
    with caplog.at_level("WARNING", logger="fer_report"):
        trained = artefacts.get("trained")
        artefacts.get("net")
    facts = _run_facts(artefacts)["model"]["pretrained"]
    assert [(a["weights"], a["source"], a["url"]) for a in facts] == [("resnet18 IMAGENET1K_V1", "skipped", R18_URL)]
    inner = trained.model
    while hasattr(inner, "inner"):
        inner = inner.inner
    assert all(torch.equal(inner.state_dict()[k], v) for k, v in saved.items())
    said = [r.getMessage() for r in caplog.records if "pretrained" in r.getMessage()]
    assert said == [f"warning: {STUDENT_MODELS / 'pretrained_weights_enum.py'} asks for pretrained weights (resnet18 "
                    f"IMAGENET1K_V1); they were not downloaded: your checkpoint ({tmp_path / 'best.pth'}) replaces "
                    "them"]
    assert offline == []
