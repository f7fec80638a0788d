"""The small torch modules for Keras layers that have no exact torch twin.

The module computes in NCHW (what torch's convs take and what Grad-CAM expects of a feature map);
Keras computes in NHWC. Wherever the order of the elements matters, these modules step into NHWC
and back: Flatten (so the next Dense's kernel fits as saved), Reshape, a Dense applied to a 4-D
tensor. Per-channel constants (Rescaling, Normalization, PReLU) are laid out for NCHW.
"""

from __future__ import annotations

import torch
from torch import nn


def to_nchw_constant(values: torch.Tensor, rank: int) -> torch.Tensor:
    """A per-channel (or per-position, NHWC-shaped) constant broadcastable to an NCHW tensor of ``rank``."""
    if rank == 4:
        if values.dim() == 3:  # (H, W, C) -> (C, H, W)
            return values.permute(2, 0, 1)
        return values.reshape(-1, 1, 1)
    return values


class Flatten(nn.Module):
    """Keras's Flatten: the elements in NHWC order, as the next Dense layer's kernel was trained on."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:
            x = x.permute(0, 2, 3, 1)
        return x.flatten(1)


class Reshape(nn.Module):
    """Keras's Reshape to ``target`` (no batch axis, Keras order); 3-D targets come back as NCHW."""

    def __init__(self, target: tuple[int, ...]) -> None:
        super().__init__()
        self.target = tuple(target)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:
            x = x.permute(0, 2, 3, 1)
        y = x.reshape(x.shape[0], *self.target)
        return y.permute(0, 3, 1, 2) if y.dim() == 4 else y

    def extra_repr(self) -> str:
        return f"target={self.target}"


class ChannelLinear(nn.Linear):
    """A Dense layer on a 4-D tensor: Keras applies it to the last (channel) axis."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:
            return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return super().forward(x)


class Merge(nn.Module):
    """Add / Subtract / Multiply / Average / Maximum / Minimum / Concatenate of a list of tensors."""

    def __init__(self, mode: str, dim: int = 1) -> None:
        super().__init__()
        self.mode, self.dim = mode, dim

    def forward(self, xs: list[torch.Tensor]) -> torch.Tensor:
        if self.mode == "concatenate":
            return torch.cat(list(xs), dim=self.dim)
        if self.mode == "subtract":
            return xs[0] - xs[1]
        out = xs[0]
        for x in xs[1:]:
            if self.mode in ("add", "average"):
                out = out + x
            elif self.mode == "multiply":
                out = out * x
            elif self.mode == "maximum":
                out = torch.maximum(out, x)
            else:
                out = torch.minimum(out, x)
        return out / len(xs) if self.mode == "average" else out

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}" + (f", dim={self.dim}" if self.mode == "concatenate" else "")


class Cropping2d(nn.Module):
    def __init__(self, top: int, bottom: int, left: int, right: int) -> None:
        super().__init__()
        self.crop = (top, bottom, left, right)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        top, bottom, left, right = self.crop
        return x[:, :, top:x.shape[2] - bottom, left:x.shape[3] - right]


class Rescaling(nn.Module):
    """x * scale + offset (Keras's Rescaling: e.g. 1/255 inside the model, then raw 0-255 pixels go in)."""

    def __init__(self, scale: torch.Tensor, offset: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("scale", scale)
        self.register_buffer("offset", offset)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale + self.offset


class Normalization(nn.Module):
    """Keras's Normalization: (x - mean) / max(sqrt(variance), epsilon), or its inverse (``invert``)."""

    def __init__(self, mean: torch.Tensor, variance: torch.Tensor, epsilon: float, invert: bool) -> None:
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("variance", variance)
        self.epsilon, self.invert = epsilon, invert

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        std = torch.clamp(torch.sqrt(self.variance), min=self.epsilon)
        return self.mean + x * std if self.invert else (x - self.mean) / std


class PReLU(nn.Module):
    """Keras's PReLU: a learned slope per position and channel (``shared_axes`` set to 1), laid out NCHW."""

    def __init__(self, alpha: torch.Tensor) -> None:
        super().__init__()
        self.alpha = nn.Parameter(alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, x, self.alpha * x)


class BatchNorm(nn.modules.batchnorm._BatchNorm):
    """BatchNormalization on the channel axis with Keras's epsilon; a missing gamma/beta is a fixed buffer.

    ``center=False`` / ``scale=False`` layers have no beta / gamma in Keras (and no parameters to count);
    here they are constant buffers of 0 / 1, so the arithmetic and the parameter counts both match."""

    def __init__(self, channels: int, eps: float, momentum: float, center: bool, scale: bool) -> None:
        super().__init__(channels, eps=eps, momentum=momentum, affine=True)
        if not scale:
            del self.weight
            self.register_buffer("weight", torch.ones(channels))
        if not center:
            del self.bias
            self.register_buffer("bias", torch.zeros(channels))

    def _check_input_dim(self, x: torch.Tensor) -> None:
        if x.dim() not in (2, 4):
            raise ValueError(f"expected a 2-D or 4-D input, got {x.dim()}-D")


class BatchNorm2d(BatchNorm, nn.BatchNorm2d):
    """The 4-D case, also an ``nn.BatchNorm2d`` for layer searches that look for that type."""


class BatchNorm1d(BatchNorm, nn.BatchNorm1d):
    """The 2-D case (after a Dense layer), also an ``nn.BatchNorm1d``."""
