"""Model registry.

`MODELS` is a plain dict and the builders are imported only inside `build_model`, so that
`fer-report --help` and `fer-report list` never pay for importing torch.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from fer_report.errors import ConfigError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    import torch

#: name -> one line for `fer-report list`.
MODELS: dict[str, str] = {
    "cnn4": "the course's 4-block CNN (Conv 32/64/64/32, Dense 256/512): 319,975 parameters at 48x48",
    "cnn3": "3-layer CNN (Conv 64/128/512, global average pool): for filter visualisation",
    "resnet18": "torchvision ResNet-18 with a 1-channel stem; --pretrained starts from a local torchvision state dict",
    "vgg": "VGG with 4 double-conv blocks (64-512) and two 4096 FC layers (Khaireddin & Chen 2021, 73.28%)",
    "dnn": "fully connected net sized to the parameter count of --match (default cnn4)",
}

# name -> module under fer_report.model.builtin that defines `build(...)`.
_MODULES: dict[str, str] = {"cnn4": "cnn4", "cnn3": "cnn3", "resnet18": "resnet", "vgg": "vgg", "dnn": "dnn"}


def check_name(name: str, *, option: str = "model", choices: list[str] | None = None) -> str:
    """Reject an unknown model name with a did-you-mean hint, because typos are the usual cause."""
    choices = list(MODELS) if choices is None else choices
    if name in choices:
        return name
    raise ConfigError(f"unknown {option} '{name}'{did_you_mean(name, choices)} (choices: {', '.join(choices)})")


def build_model(name: str, *, num_classes: int = 7, image_size: int = 48, match: str = "cnn4",
                weights: str | Path | None = None) -> "torch.nn.Module":
    """Build an untrained model taking (B, 1, image_size, image_size) and returning (B, num_classes) logits.

    `match` only matters for `dnn`; `weights` only for `resnet18` (the only model with published weights).
    """
    check_name(name)
    if num_classes < 2:
        raise ConfigError(f"num_classes must be at least 2, got {num_classes}")
    if image_size < 16:
        raise ConfigError(f"image size must be at least 16 pixels (four 2x2 poolings), got {image_size}")
    if weights is not None and name != "resnet18":
        raise ConfigError(f"--pretrained only applies to resnet18; model '{name}' has no pretrained weights")
    module = importlib.import_module(f"fer_report.model.builtin.{_MODULES[name]}")
    if name == "dnn":
        return module.build(num_classes=num_classes, image_size=image_size, match=match)
    if name == "resnet18":
        return module.build(num_classes=num_classes, image_size=image_size, weights=weights)
    return module.build(num_classes=num_classes, image_size=image_size)
