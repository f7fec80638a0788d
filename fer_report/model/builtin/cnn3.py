"""A 3-layer CNN whose wide filters (64/128/512) make per-filter visualisations worth looking at."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

_CHANNELS = (64, 128, 512)


class CNN3(nn.Module):
    """`features.{conv,bn,relu,pool}{1..3}`, then `head.{gap,flatten,fc}`.

    Global average pooling keeps the head at 512*num_classes weights whatever the image size, so the
    parameters live in the filters that the report visualises.
    """

    last_conv_name = "features.conv3"

    def __init__(self, num_classes: int = 7, image_size: int = 48) -> None:
        super().__init__()
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        in_ch = 1
        for i, out_ch in enumerate(_CHANNELS, start=1):
            layers[f"conv{i}"] = nn.Conv2d(in_ch, out_ch, 3, padding=1)
            layers[f"bn{i}"] = nn.BatchNorm2d(out_ch)
            layers[f"relu{i}"] = nn.ReLU(inplace=False)
            layers[f"pool{i}"] = nn.MaxPool2d(2)
            in_ch = out_ch
        self.features = nn.Sequential(layers)
        self.head = nn.Sequential(OrderedDict(
            gap=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(), fc=nn.Linear(in_ch, num_classes)))

    def forward(self, x):
        return self.head(self.features(x))


def build(*, num_classes: int = 7, image_size: int = 48) -> nn.Module:
    return CNN3(num_classes, image_size)
