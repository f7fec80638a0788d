"""VGG variant of Khaireddin & Chen, "Facial Emotion Recognition: State of the Art Performance on
FER2013" (arXiv:2105.03588, 2021), the best published single-network FER2013 accuracy (73.28%).

As in the paper: 4 stages of 2x(Conv3x3 pad 1 -> BN -> ReLU) with 64/128/256/512 channels, each stage
ending in MaxPool 2x2, then FC 4096 -> FC 4096 -> FC classes with dropout 0.2 after the first two.
The paper feeds 40x40 ten-crops (flatten 512*2*2); here the flatten size follows image_size
(512*3*3 at 48x48, 512*4*4 at 64x64).
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

_STAGES = (64, 128, 256, 512)
_FC = 4096
_DROPOUT = 0.2


class VGG(nn.Module):
    """`features.{conv,bn,relu}{stage}{a,b}` + `features.pool{stage}`, then `classifier.{flatten,fc1,...,fc3}`."""

    last_conv_name = "features.conv4b"

    def __init__(self, num_classes: int = 7, image_size: int = 48) -> None:
        super().__init__()
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        in_ch, side = 1, image_size
        for s, out_ch in enumerate(_STAGES, start=1):
            for half in "ab":
                layers[f"conv{s}{half}"] = nn.Conv2d(in_ch, out_ch, 3, padding=1)
                layers[f"bn{s}{half}"] = nn.BatchNorm2d(out_ch)
                layers[f"relu{s}{half}"] = nn.ReLU(inplace=False)
                in_ch = out_ch
            layers[f"pool{s}"] = nn.MaxPool2d(2)
            side //= 2
        self.features = nn.Sequential(layers)
        self.classifier = nn.Sequential(OrderedDict(
            flatten=nn.Flatten(),
            fc1=nn.Linear(in_ch * side * side, _FC), relu1=nn.ReLU(inplace=False), drop1=nn.Dropout(_DROPOUT),
            fc2=nn.Linear(_FC, _FC), relu2=nn.ReLU(inplace=False), drop2=nn.Dropout(_DROPOUT),
            fc3=nn.Linear(_FC, num_classes),
        ))

    def forward(self, x):
        return self.classifier(self.features(x))


def build(*, num_classes: int = 7, image_size: int = 48) -> nn.Module:
    return VGG(num_classes, image_size)
