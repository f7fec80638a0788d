"""An empty Grad-CAM map is a failure with a reason, not a map (issue 28): ``gradcam_emptiness`` tells
which images carry no information and why, on small models built to fail in each way."""

import numpy as np
import torch
from torch import nn

from fer_report.explain.attribution import gradcam_emptiness


class Probe(nn.Module):
    """conv -> relu -> (pool) -> linear head; ``bias``, ``head`` and ``pool`` choose how Grad-CAM on relu fails."""

    def __init__(self, *, bias: float, head: float | None, pool: bool = False) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv, self.relu = nn.Conv2d(1, 4, 3, padding=1), nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1) if pool else nn.Identity()
        self.fc = nn.Linear(4, 3)
        with torch.no_grad():
            self.conv.bias.fill_(bias)
            if head is not None:
                self.fc.weight.fill_(head)

    def forward(self, x):
        return self.fc(self.relu(self.pool(self.conv(x))).mean((2, 3)))


def reasons(model: nn.Module, x: torch.Tensor) -> tuple[list, np.ndarray]:
    return gradcam_emptiness(model.eval(), "relu", x, np.zeros(len(x), np.int64))


def test_each_way_a_map_can_be_empty_is_named():
    x = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    assert reasons(Probe(bias=-50.0, head=None), x)[0] == ["no_activation"] * 3  # every unit off
    assert reasons(Probe(bias=5.0, head=0.0), x)[0] == ["no_gradient"] * 3  # the score ignores the layer
    negative, share = reasons(Probe(bias=5.0, head=-1.0), x)  # positive maps, every weight negative
    assert negative == ["negative"] * 3 and np.allclose(share, 1.0)
    assert reasons(Probe(bias=5.0, head=1.0, pool=True), x)[0] == ["flat"] * 3  # a 1x1 layer points nowhere
    assert reasons(Probe(bias=0.0, head=None), x)[0] == [None] * 3  # an ordinary map
    assert reasons(Probe(bias=0.0, head=None), x[:0])[0] == []  # no images, no reasons
