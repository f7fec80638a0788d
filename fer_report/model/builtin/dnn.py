"""A fully connected baseline with as many parameters as a chosen CNN, so that a CNN-vs-DNN comparison
measures architecture rather than capacity."""

from __future__ import annotations

import math
from collections import OrderedDict

import torch
from torch import nn

from fer_report.errors import ConfigError

HIDDEN_LAYERS = 3
DROPOUT = 0.3
TOLERANCE = 0.05  # the acceptance bound: within 5% of the matched model's count


def dnn_params(inputs: int, width: int, num_classes: int, layers: int = HIDDEN_LAYERS) -> int:
    """Keras count of Flatten -> layers x (Linear(width) + BN1d) -> Linear(num_classes).

    Each hidden layer has its weights and bias plus 4*width from BatchNorm (gamma, beta, mean, var).
    """
    first = inputs * width + width + 4 * width
    rest = (layers - 1) * (width * width + width + 4 * width)
    return first + rest + width * num_classes + num_classes


def solve_width(inputs: int, num_classes: int, target: int, layers: int = HIDDEN_LAYERS) -> int:
    """Width whose count is nearest `target`: solve the quadratic, then check the integers around it."""
    a = layers - 1
    b = inputs + 5 + 5 * (layers - 1) + num_classes
    c = num_classes - target
    root = -c / b if a == 0 else (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    candidates = range(max(1, math.floor(root) - 1), math.ceil(root) + 2)
    return min(candidates, key=lambda w: abs(dnn_params(inputs, w, num_classes, layers) - target))


class DNN(nn.Module):
    """`classifier.flatten`, `classifier.{fc,bn,relu,drop}{1..3}`, `classifier.fc4`.

    `matched_to`, `target_params` and `hidden_sizes` record how the width was chosen, for the report.
    """

    def __init__(self, num_classes: int, image_size: int, width: int) -> None:
        super().__init__()
        layers: OrderedDict[str, nn.Module] = OrderedDict(flatten=nn.Flatten())
        in_f = image_size * image_size
        for i in range(1, HIDDEN_LAYERS + 1):
            layers[f"fc{i}"] = nn.Linear(in_f, width)
            layers[f"bn{i}"] = nn.BatchNorm1d(width)
            layers[f"relu{i}"] = nn.ReLU(inplace=False)
            layers[f"drop{i}"] = nn.Dropout(DROPOUT)
            in_f = width
        layers[f"fc{HIDDEN_LAYERS + 1}"] = nn.Linear(in_f, num_classes)
        self.classifier = nn.Sequential(layers)
        self.hidden_sizes = (width,) * HIDDEN_LAYERS
        self.matched_to = ""
        self.target_params = 0

    def forward(self, x):
        return self.classifier(x)


def target_count(match: str, *, num_classes: int, image_size: int) -> int:
    """Keras count of the `match` model, built on the meta device so even VGG costs no memory."""
    from fer_report.model.builtin import MODELS, build_model, check_name
    from fer_report.model.summary import count_params

    check_name(match, option="--match model", choices=[m for m in MODELS if m != "dnn"])
    with torch.device("meta"):
        reference = build_model(match, num_classes=num_classes, image_size=image_size)
    return sum(count_params(reference))


def build(*, num_classes: int = 7, image_size: int = 48, match: str = "cnn4") -> nn.Module:
    target = target_count(match, num_classes=num_classes, image_size=image_size)
    inputs = image_size * image_size
    width = solve_width(inputs, num_classes, target)
    got = dnn_params(inputs, width, num_classes)
    if abs(got - target) > TOLERANCE * target:  # only when the target is below a width-1 net
        raise ConfigError(f"cannot size a {HIDDEN_LAYERS}-layer DNN to {target:,} parameters "
                          f"(nearest is {got:,}, width {width}); --match a larger model")
    model = DNN(num_classes, image_size, width)
    model.matched_to = match
    model.target_params = target
    return model
