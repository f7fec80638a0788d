"""Cases of tests/e2e/test_bad_input.py for issue 27: a model file whose constructor downloads pretrained
weights (torchvision's ``weights=``/``pretrained=True``, ``torch.hub.load_state_dict_from_url``).

None of them reaches the network: with ``--weights`` nothing is downloaded, and the offline case's
model file makes name resolution fail in its constructor (as on a machine without network), with a
weights folder of its own (``model_dir``), so that its message is the same on every machine."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

RESNET = '''import torch.nn as nn
from torchvision.models import ResNet18_Weights, resnet18


class FineTuned(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = resnet18(weights=ResNet18_Weights.DEFAULT)
        self.backbone.fc = nn.Linear(512, 7)

    def forward(self, x):
        return self.backbone(x)
'''

OFFLINE = '''import socket

import torch.nn as nn
from torch.hub import load_state_dict_from_url

URL = "https://download.pytorch.org/models/facenet-0123abcd.pth"


def no_network(*args, **kwargs):
    raise socket.gaierror(-2, "Name or service not known")


class FaceNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.head = nn.Linear(8 * 4 * 4, 7)
        real, socket.getaddrinfo = socket.getaddrinfo, no_network  # this machine has no network
        try:
            self.load_state_dict(load_state_dict_from_url(URL, model_dir="weights"))
        finally:
            socket.getaddrinfo = real

    def forward(self, x):
        return self.head(self.features(x).flatten(1))
'''


def _resnet(keep: str | None = None) -> Callable[[Path], list[str]]:
    """model.py building resnet18 with ImageNet weights, and its checkpoint (only the keys starting with ``keep``)."""
    def make(folder: Path) -> list[str]:
        import torch
        import torchvision
        from torch import nn

        (folder / "model.py").write_text(RESNET)
        net = torchvision.models.resnet18()
        net.fc = nn.Linear(512, 7)
        state = {f"backbone.{k}": v for k, v in net.state_dict().items() if keep is None or k.startswith(keep)}
        torch.save(state, folder / "best.pth")
        return ["--model", "model.py:FineTuned", "--weights", "best.pth"]
    return make


def _offline(folder: Path) -> list[str]:
    (folder / "model.py").write_text(OFFLINE)
    return ["--model", "model.py:FaceNet"]


def pretrained_cases(Case) -> list:
    model, weights = "--model FILE.py:NAME", "--weights"
    return [
        Case("own-model-pretrained-weights", "a constructor that downloads ImageNet weights", weights,
             "FineTuned() builds resnet18(weights=ResNet18_Weights.DEFAULT); the whole model's checkpoint",
             _resnet(), ("warning: model.py asks for pretrained weights (resnet18 IMAGENET1K_V1); they were not "
                         "downloaded: your checkpoint (best.pth) replaces them",), code=0),
        Case("own-weights-pretrained-head-only", "a checkpoint of the head only", weights,
             "FineTuned() builds resnet18 with ImageNet weights; the checkpoint holds backbone.fc only",
             _resnet(keep="fc."), ("weights file best.pth does not fit FineTuned: 100 missing",
                                   "model.py builds its backbone with pretrained weights (resnet18 IMAGENET1K_V1), "
                                   "which were not downloaded", "save the whole model's state_dict")),
        Case("own-model-pretrained-offline", "a constructor that downloads weights, without network", model,
             "FaceNet() loads load_state_dict_from_url(URL, model_dir='weights'); no --weights, no network",
             _offline, ("model.py line 20: FaceNet() asks for pretrained weights (facenet-0123abcd.pth), which are "
                        "not in weights/ and cannot be downloaded here (URLError: <urlopen error [Errno -2] Name or "
                        "service not known>)", "--weights FILE", "at weights/facenet-0123abcd.pth",
                        "--pretrained FILE")),
    ]
