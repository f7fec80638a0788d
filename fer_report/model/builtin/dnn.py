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
COUNT_TOLERANCE = 0.01  # matched to a count (a student's model): within 1 %, the last hidden width tuned to it


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


def widths_params(inputs: int, widths: tuple[int, ...], num_classes: int) -> int:
    """Keras count of Flatten -> (Linear + BN1d) per width -> Linear(num_classes), any hidden widths."""
    total, prev = 0, inputs
    for w in widths:
        total += prev * w + w + 4 * w
        prev = w
    return total + prev * num_classes + num_classes


def solve_widths(inputs: int, num_classes: int, target: int) -> tuple[int, ...]:
    """Hidden widths (w, w, last) nearest ``target``: w near what ``solve_width`` gives, then the last width alone
    tuned. One unit of w moves the count by about ``inputs`` (2,304 at 48x48: 11 % of a 20k-parameter model); one
    unit of the last width by only w + 5 + classes, so any model above a few thousand parameters is met to 1 %.
    Of the fits within ``COUNT_TOLERANCE``, the one whose last width is closest to w (the most even net)."""
    solved = solve_width(inputs, num_classes, target)
    fits = []
    for w in range(max(1, solved - 3), solved + 2):
        head = (w,) * (HIDDEN_LAYERS - 1)
        base = widths_params(inputs, head, 0)  # the hidden layers before the last one (no output layer)
        last = max(1, round((target - base - num_classes) / (w + 5 + num_classes)))
        for c in range(max(1, last - 1), last + 2):
            widths = (*head, c)
            fits.append((abs(widths_params(inputs, widths, num_classes) - target), abs(c - w), widths))
    good = [f for f in fits if f[0] <= COUNT_TOLERANCE * target]
    return min(good, key=lambda f: f[1])[2] if good else min(fits)[2]


def parse_count(match: str | int) -> int | None:
    """A parameter count given as ``match`` ("1234567"), or None for a model name."""
    text = str(match).replace(",", "").replace("_", "")
    return int(text) if text.isdigit() else None


class DNN(nn.Module):
    """`classifier.flatten`, `classifier.{fc,bn,relu,drop}{1..3}`, `classifier.fc4`.

    `matched_to`, `target_params` and `hidden_sizes` record how the width was chosen, for the report.
    """

    def __init__(self, num_classes: int, image_size: int, width: int | tuple[int, ...]) -> None:
        super().__init__()
        widths = tuple(width) if isinstance(width, tuple) else (width,) * HIDDEN_LAYERS
        layers: OrderedDict[str, nn.Module] = OrderedDict(flatten=nn.Flatten())
        in_f = image_size * image_size
        for i, w in enumerate(widths, start=1):
            layers[f"fc{i}"] = nn.Linear(in_f, w)
            layers[f"bn{i}"] = nn.BatchNorm1d(w)
            layers[f"relu{i}"] = nn.ReLU(inplace=False)
            layers[f"drop{i}"] = nn.Dropout(DROPOUT)
            in_f = w
        layers[f"fc{len(widths) + 1}"] = nn.Linear(in_f, num_classes)
        self.classifier = nn.Sequential(layers)
        self.hidden_sizes = widths
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
    """Sized to the built-in model ``match`` names (within 5 %, equal widths), or to a parameter count ``match``
    gives as digits (a student's model: within 1 %, the last width tuned; ``sections/dnn``)."""
    inputs = image_size * image_size
    count = parse_count(match)
    if count is not None:
        widths = solve_widths(inputs, num_classes, count)
        got = widths_params(inputs, widths, num_classes)
        if abs(got - count) > COUNT_TOLERANCE * count:
            raise ConfigError(f"cannot size a {HIDDEN_LAYERS}-layer DNN to {count:,} parameters within "
                              f"{COUNT_TOLERANCE:.0%} (nearest is {got:,}, widths {widths}): the model is smaller "
                              f"than the smallest such net on {image_size}x{image_size} inputs")
        model = DNN(num_classes, image_size, widths)
        model.matched_to, model.target_params = f"{count:,} parameters", count
        return model
    target = target_count(match, num_classes=num_classes, image_size=image_size)
    width = solve_width(inputs, num_classes, target)
    got = dnn_params(inputs, width, num_classes)
    if abs(got - target) > TOLERANCE * target:  # only when the target is below a width-1 net
        raise ConfigError(f"cannot size a {HIDDEN_LAYERS}-layer DNN to {target:,} parameters "
                          f"(nearest is {got:,}, width {width}); --match a larger model")
    model = DNN(num_classes, image_size, width)
    model.matched_to = match
    model.target_params = target
    return model
