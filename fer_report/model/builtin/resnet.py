"""ResNet-18 for 1-channel faces, optionally started from a local torchvision ImageNet state dict."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
import torchvision
from torch import nn

from fer_report.model.checkpoints import load_tensors
from fer_report.errors import ConfigError


def _side(image_size: int, stride2_layers: int) -> int:
    side = image_size
    for _ in range(stride2_layers):  # each stride-2 3x3/7x7 conv or pool with padding: ceil(side / 2)
        side = (side - 1) // 2 + 1
    return side


def _load_checkpoint(path: Path) -> Mapping[str, torch.Tensor]:
    state = load_tensors(path, "weights file")  # tensors only: a pickled object is refused, never run
    if isinstance(state, Mapping) and isinstance(state.get("state_dict"), Mapping):
        state = state["state_dict"]
    if not isinstance(state, Mapping) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ConfigError(f"weights file {path} is not a state dict (a mapping of names to tensors)")
    return state


def load_weights(model: nn.Module, path: str | Path) -> None:
    """Load a torchvision resnet18 state dict into the 1-channel model.

    conv1: an RGB kernel is summed over its channels. A gray image copied to R, G and B gives
    conv(x, W) summed over channels = conv(x, sum_c W_c), so the sum (not the mean, which would shrink
    activations 3x and mismatch bn1's running statistics) reproduces the pretrained stem on gray input.
    fc: the ImageNet head (`fc.weight`, 1000 classes) does not fit `fc.1` (Dropout, Linear); any `fc.*`
    key whose shape differs is skipped and the head stays freshly initialised. Every other key must match.
    """
    path = Path(path)
    state = dict(_load_checkpoint(path))
    stem = state.get("conv1.weight")
    if stem is not None and stem.ndim == 4 and stem.shape[1] == 3:
        state["conv1.weight"] = stem.sum(dim=1, keepdim=True)
    own = model.state_dict()
    for key in ("weight", "bias"):  # torchvision's plain head -> our fc.1 when the class count agrees
        if f"fc.{key}" in state and f"fc.1.{key}" in own:
            state[f"fc.1.{key}"] = state.pop(f"fc.{key}")
    state = {k: v for k, v in state.items()
             if not (k.startswith("fc.") and (k not in own or own[k].shape != v.shape))}
    missing = sorted(k for k in own if k not in state and not k.startswith("fc."))
    unexpected = sorted(k for k in state if k not in own)
    wrong = sorted(k for k in state if k in own and own[k].shape != state[k].shape)
    problems = [f"{label}: {', '.join(keys[:5])}{' ...' if len(keys) > 5 else ''}"
                for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong))
                if keys]
    if problems:
        raise ConfigError(f"weights file {path} does not fit resnet18 ({'; '.join(problems)})")
    model.load_state_dict(state, strict=False)


def build(*, num_classes: int = 7, image_size: int = 48, weights: str | Path | None = None) -> nn.Module:
    """torchvision's resnet18 with conv1 taking 1 channel and head `fc = (Dropout 0.5, Linear 512->classes)`.

    The 7x7/2 stem and max pool are kept so that ImageNet weights still fit; the price is coarse late
    feature maps, which `gradcam_layer_note` spells out.
    """
    model = torchvision.models.resnet18(weights=None, num_classes=num_classes)
    model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    model.fc = nn.Sequential(nn.Dropout(0.5), nn.Linear(model.fc.in_features, num_classes))
    for module in model.modules():
        if isinstance(module, nn.ReLU):
            module.inplace = False  # captum's backward hooks fail on in-place ReLU
    if weights is not None:
        load_weights(model, weights)
    l3, l4 = _side(image_size, 4), _side(image_size, 5)
    model.last_conv_name = "layer4.1.conv2"
    model.gradcam_layer_note = (
        f"At {image_size}x{image_size} input ResNet-18's layer4 is only {l4}x{l4} (layer3: {l3}x{l3}), "
        f"because the ImageNet stem (7x7 stride 2 + max pool) and three stride-2 stages halve the image five "
        f"times. Grad-CAM on layer4.1.conv2 is the most class-specific but {l4}x{l4}-coarse; "
        f"layer3.1.conv2 gives finer ({l3}x{l3}) but less class-specific maps.")
    return model
