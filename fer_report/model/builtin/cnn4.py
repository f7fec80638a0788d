"""The course's 4-block CNN, reproduced layer for layer so its Keras parameter count (319,975) matches."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

# (out_channels, kernel_size) per block, as in the course notebook.
_BLOCKS = ((32, 3), (64, 5), (64, 3), (32, 3))
_DENSE = (256, 512)


def _features() -> nn.Sequential:
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    in_ch = 1
    for i, (out_ch, k) in enumerate(_BLOCKS, start=1):
        layers[f"conv{i}"] = nn.Conv2d(in_ch, out_ch, k, padding="same")  # Keras padding="same"
        layers[f"bn{i}"] = nn.BatchNorm2d(out_ch)
        layers[f"relu{i}"] = nn.ReLU(inplace=False)
        layers[f"pool{i}"] = nn.MaxPool2d(2)
        layers[f"drop{i}"] = nn.Dropout(0.25)
        in_ch = out_ch
    return nn.Sequential(layers)


def _classifier(flat: int, num_classes: int) -> nn.Sequential:
    layers: OrderedDict[str, nn.Module] = OrderedDict(flatten=nn.Flatten())
    in_f = flat
    for i, width in enumerate(_DENSE, start=1):
        layers[f"fc{i}"] = nn.Linear(in_f, width)
        layers[f"bn{i}"] = nn.BatchNorm1d(width)
        layers[f"relu{i}"] = nn.ReLU(inplace=False)
        layers[f"drop{i}"] = nn.Dropout(0.5)
        in_f = width
    layers[f"fc{len(_DENSE) + 1}"] = nn.Linear(in_f, num_classes)
    return nn.Sequential(layers)


class CNN4(nn.Module):
    """Blocks are `features.{conv,bn,relu,pool,drop}{1..4}`, the head `classifier.{flatten,fc1,...,fc3}`."""

    last_conv_name = "features.conv4"

    def __init__(self, num_classes: int = 7, image_size: int = 48) -> None:
        super().__init__()
        side = image_size
        for _ in _BLOCKS:
            side //= 2  # MaxPool2d(2) floors, like Keras's "valid" pooling
        self.features = _features()
        self.classifier = _classifier(_BLOCKS[-1][0] * side * side, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x))


def build(*, num_classes: int = 7, image_size: int = 48) -> nn.Module:
    return CNN4(num_classes, image_size)
