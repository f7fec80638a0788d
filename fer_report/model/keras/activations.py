"""Keras activations as torch modules, so a fused ``activation="relu"`` becomes a child of its own.

A Keras `Conv2D(..., activation="relu")` has no pre-activation tensor; here the conv is the child
`conv2d_1` and its activation the next child `conv2d_1_relu` (an `nn.ReLU`), so a forward hook can
take either, and Grad-CAM's "the ReLU right after the conv" rule finds the rectified maps.
The defaults are Keras's, not torch's: `leaky_relu` as an activation string has slope 0.2, the
`LeakyReLU` layer 0.3 (torch's is 0.01); `gelu` is the exact (erf) form, Keras's default.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from .config import Problem


class Softmax(nn.Softmax):
    """Softmax over Keras's ``axis`` given in the NCHW layout the module computes in."""


class Swish(nn.SiLU):
    """x * sigmoid(x) (Keras's `swish`/`silu`)."""


class Exponential(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(x)


class KerasReLU(nn.Module):
    """Keras's `ReLU(max_value, negative_slope, threshold)` beyond the plain case (which is `nn.ReLU`)."""

    def __init__(self, max_value: float | None, negative_slope: float, threshold: float) -> None:
        super().__init__()
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.where(x >= self.threshold, x, self.negative_slope * (x - self.threshold))
        return y if self.max_value is None else torch.clamp(y, max=self.max_value)

    def extra_repr(self) -> str:
        return f"max_value={self.max_value}, negative_slope={self.negative_slope}, threshold={self.threshold}"


#: name -> factory; the channel axis of softmax is filled in by ``activation()``.
_NAMED: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "relu6": nn.ReLU6,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "softplus": nn.Softplus,
    "softsign": nn.Softsign,
    "swish": Swish,
    "silu": Swish,
    "gelu": nn.GELU,
    "mish": nn.Mish,
    "exponential": Exponential,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
}

SUPPORTED = ("linear", "softmax", "log_softmax", *_NAMED)


def activation_name(value: Any) -> str:
    """The activation's name from a config value: "relu", or Keras 3's serialized-function record."""
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("config"), str):
        return value["config"]
    raise Problem(f"activation {str(value)[:60]} is not a built-in activation name")


def activation(value: Any, rank: int, *, where: str) -> nn.Module | None:
    """The module for a Keras activation on a tensor of ``rank`` (batch axis included); None for linear.

    ``where`` names the layer for the message when the activation is not supported."""
    name = activation_name(value)
    if name == "linear":
        return None
    if name in ("softmax", "log_softmax"):
        axis = 1 if rank == 4 else -1  # Keras's axis -1 is the channels: dim 1 in NCHW
        return Softmax(dim=axis) if name == "softmax" else nn.LogSoftmax(dim=axis)
    if name in _NAMED:
        return _NAMED[name]()
    raise Problem(f"{where}: activation '{name}' is not supported (supported: {', '.join(SUPPORTED)})")
