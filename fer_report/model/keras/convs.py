"""Convolutions and poolings with TensorFlow's padding, as subclasses of the torch modules.

TensorFlow's "same" pads ``max((ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)`` in all, the smaller
half before (top/left) and the larger after: for an even kernel or a stride above 1 that is not
symmetric, which torch's ``padding=`` cannot say (and torch refuses ``padding="same"`` with strides).
A symmetric case keeps torch's own ``padding``; otherwise the padding is computed from each input's
size in ``forward``, so any input side works. Max pooling pads with -inf and average pooling divides
by the number of real pixels in each window, as TensorFlow does. The classes stay ``nn.Conv2d`` /
``nn.MaxPool2d`` / ``nn.AvgPool2d`` so layer searches that look for those types still find them.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) padding of TensorFlow's "same" along one axis of length ``size``."""
    effective = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def symmetric_same(kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]) -> bool:
    """Whether "same" pads equally on both sides whatever the input size (stride 1, odd effective kernel)."""
    return all(s == 1 and ((k - 1) * d) % 2 == 0 for k, s, d in zip(kernel, stride, dilation))


def _pads(x: torch.Tensor, kernel, stride, dilation) -> tuple[int, int, int, int]:
    top, bottom = same_padding(x.shape[-2], kernel[0], stride[0], dilation[0])
    left, right = same_padding(x.shape[-1], kernel[1], stride[1], dilation[1])
    return left, right, top, bottom  # F.pad's order: last axis first


class TFConv2d(nn.Conv2d):
    """nn.Conv2d with TensorFlow's asymmetric "same" padding, computed per input size."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, _pads(x, self.kernel_size, self.stride, self.dilation))
        return self._conv_forward(x, self.weight, self.bias)


def conv2d(in_ch: int, out_ch: int, kernel, stride, dilation, padding: str, *, groups: int = 1,
           bias: bool = True) -> nn.Conv2d:
    """A conv with Keras's ``padding`` ("valid" or "same") semantics."""
    kernel, stride, dilation = tuple(kernel), tuple(stride), tuple(dilation)
    if padding == "same" and not symmetric_same(kernel, stride, dilation):
        return TFConv2d(in_ch, out_ch, kernel, stride, 0, dilation, groups=groups, bias=bias)
    pad = tuple((k - 1) * d // 2 for k, d in zip(kernel, dilation)) if padding == "same" else 0
    return nn.Conv2d(in_ch, out_ch, kernel, stride, pad, dilation, groups=groups, bias=bias)


class SeparableConv2d(nn.Module):
    """Keras's SeparableConv2D: a depthwise conv (``depthwise``) then a 1x1 conv (``pointwise``, with the bias).

    One module so the Keras layer is one child (its output is the layer's); its two convs are named."""

    def __init__(self, depthwise: nn.Conv2d, pointwise: nn.Conv2d) -> None:
        super().__init__()
        self.depthwise, self.pointwise = depthwise, pointwise

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


class TFMaxPool2d(nn.MaxPool2d):
    """Max pooling; "same" pads with -inf, so a window's maximum is over real pixels only."""

    def __init__(self, kernel, stride, same: bool) -> None:
        super().__init__(tuple(kernel), tuple(stride))
        self.same = same

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.same:
            x = F.pad(x, _pads(x, self.kernel_size, self.stride, (1, 1)), value=float("-inf"))
        return F.max_pool2d(x, self.kernel_size, self.stride)


class TFAvgPool2d(nn.AvgPool2d):
    """Average pooling; "same" averages over the real pixels of each window (padding not counted)."""

    def __init__(self, kernel, stride, same: bool) -> None:
        super().__init__(tuple(kernel), tuple(stride))
        self.same = same

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.same:
            return F.avg_pool2d(x, self.kernel_size, self.stride)
        pads = _pads(x, self.kernel_size, self.stride, (1, 1))
        total = F.avg_pool2d(F.pad(x, pads), self.kernel_size, self.stride)
        ones = torch.ones((1, 1, *x.shape[-2:]), dtype=x.dtype, device=x.device)
        counted = F.avg_pool2d(F.pad(ones, pads), self.kernel_size, self.stride)
        return total / counted


class GlobalPool2d(nn.Module):
    """GlobalAveragePooling2D / GlobalMaxPooling2D over H and W (``keepdims`` keeps them as 1x1)."""

    def __init__(self, mode: str, keepdims: bool = False) -> None:
        super().__init__()
        self.mode, self.keepdims = mode, keepdims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == "max":
            return torch.amax(x, dim=(2, 3), keepdim=self.keepdims)
        return torch.mean(x, dim=(2, 3), keepdim=self.keepdims)

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}, keepdims={self.keepdims}"


def out_size(size: int | None, kernel: int, stride: int, dilation: int, padding: str) -> int | None:
    """Keras's output length along one axis (None stays None: an input of any size)."""
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / stride)
    return (size - (kernel - 1) * dilation - 1) // stride + 1
