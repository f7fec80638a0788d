"""What a conv filter responds to: gradient-ascent images and activation maps, as arrays.

``ascend_filters`` optimises one input image per filter so that the filter's mean activation is as
large as possible (Erhan et al. 2009; Olah et al. 2017 for the regularisers). All filters of a
layer are optimised together as one batch: image ``f`` only feeds filter ``f``'s loss, and in eval
mode every batch item is independent, so the result is a filter-by-filter loop's
(``ascend_filters_loop``, kept for the benchmark and the test that checks this) at a fraction of
the cost. Equal in exact arithmetic, that is: batched and single convolutions round differently,
and over tens of steps a rounding difference can flip a ReLU or a max-pool choice, after which a
filter's two images part ways while reaching about the same activation. Images are model input
(``fer_report.model.inference.to_input``), of the (C, H, W) ``shape`` the model takes; what is returned
for display is their mean over channels (the one channel of a grey model).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fer_report.explain.layers import device_of, get_layer, inspecting

START_NOISE = 0.1  # standard deviation of the start image (model input units: ~0.1 of the data's std)
WEIGHT_DECAY = 1e-2  # L2 pull towards the mean grey (0 in input units)
JITTER = 2  # random shift of up to this many pixels before each forward pass
BLUR_EVERY = 4  # a gaussian blur of the image every this many steps keeps high-frequency noise down
BLUR_SIGMA = 0.5
MIN_GRAD_RMS = 1e-8  # below this a gradient is rounding noise, not a direction


class _Stop(Exception):
    """Raised by the capture hook: nothing after the layer needs computing."""


def _layer_output(model: nn.Module, layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The layer's output for input ``x``; the forward pass stops at the layer."""
    seen: list[torch.Tensor] = []

    def hook(_m, _i, out):
        seen.append(out)
        raise _Stop

    handle = layer.register_forward_hook(hook)
    try:
        model(x)
    except _Stop:
        pass
    finally:
        handle.remove()
    if not seen:
        raise RuntimeError("the layer was not reached by the forward pass")
    return seen[0]


def activations(model: nn.Module, layer_name: str, x) -> np.ndarray:
    """(C, h, w) output of ``layer_name`` for one model input ``x`` ((1, H, W) or (1, 1, H, W))."""
    layer = get_layer(model, layer_name)
    device = device_of(model)
    x = torch.as_tensor(x, dtype=torch.float32, device=device)
    while x.dim() < 4:
        x = x.unsqueeze(0)
    with inspecting(model), torch.no_grad():
        out = _layer_output(model, layer, x[:1])
    return out[0].float().cpu().numpy()


def start_images(channels: Sequence[int], shape: tuple[int, int, int], seed: int) -> torch.Tensor:
    """Small noise (F, C, H, W), one image per filter, each from its own generator: (seed, filter) -> same start."""
    out = torch.empty(len(channels), *shape)
    for i, c in enumerate(channels):
        gen = torch.Generator().manual_seed(seed * 1_000_003 + int(c))
        out[i] = torch.randn(*shape, generator=gen) * START_NOISE
    return out


def _blur_kernel(sigma: float) -> torch.Tensor:
    r = torch.arange(-1, 2, dtype=torch.float32)
    k = torch.exp(-(r ** 2) / (2 * sigma ** 2))
    k = k / k.sum()
    return (k[:, None] * k[None, :]).view(1, 1, 3, 3)


def ascend_filters(model: nn.Module, layer_name: str, *, shape: tuple[int, int, int], steps: int = 60,
                   lr: float = 0.1, seed: int = 0, channels: Sequence[int] | None = None,
                   bounds: tuple[float, float] | None = None) -> np.ndarray:
    """(F, H, W) input images (mean over channels), image ``f`` maximising the mean activation of filter
    ``channels[f]``.

    Normalised gradient steps (each image's step has RMS ``lr``) from small noise, with the
    regularisers that keep the image readable: L2 decay, a random shift (jitter, the same for every filter at a given step, drawn from ``seed``)
    and a periodic 3x3 gaussian blur; ``bounds`` (input units) clamps pixels to the valid range.
    The model's weights, mode and ``requires_grad`` flags are left as they were.
    """
    layer = get_layer(model, layer_name)
    if channels is None:
        channels = range(_channel_count(model, layer, shape))
    channels = [int(c) for c in channels]
    device = device_of(model)
    x = start_images(channels, shape, seed).to(device).requires_grad_(True)
    shifts = np.random.default_rng(seed).integers(-JITTER, JITTER + 1, size=(steps, 2))
    kernel = _blur_kernel(BLUR_SIGMA).to(device).repeat(shape[0], 1, 1, 1)  # one blur per input channel
    index = torch.arange(len(channels), device=device)
    target = torch.as_tensor(channels, device=device)
    with inspecting(model):
        for step in range(steps):
            dy, dx = (int(s) for s in shifts[step])
            act = _layer_output(model, layer, torch.roll(x, shifts=(dy, dx), dims=(2, 3)))
            objective = act[index, target].mean(dim=(-2, -1)).sum()
            (grad,) = torch.autograd.grad(objective, x)
            with torch.no_grad():
                # each image's step has the same RMS size, whatever the scale of its gradient; a filter that is
                # silent on its image (gradient ~0: rounding noise) takes no step rather than a full-size random one
                rms = grad.pow(2).mean(dim=(1, 2, 3), keepdim=True).sqrt()
                x += torch.where(rms > MIN_GRAD_RMS, lr / rms.clamp_min(MIN_GRAD_RMS), 0.0) * grad
                x *= 1.0 - WEIGHT_DECAY
                if BLUR_EVERY and (step + 1) % BLUR_EVERY == 0 and step + 1 < steps:
                    x.copy_(F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), kernel, groups=shape[0]))
                if bounds is not None:
                    x.clamp_(*bounds)
    return x.detach().mean(1).cpu().numpy()


def ascend_filters_loop(model: nn.Module, layer_name: str, *, shape: tuple[int, int, int], steps: int = 60,
                        lr: float = 0.1, seed: int = 0, channels: Sequence[int] | None = None,
                        bounds: tuple[float, float] | None = None) -> np.ndarray:
    """The same images as ``ascend_filters``, one filter at a time (for the benchmark and the tests)."""
    if channels is None:
        channels = range(_channel_count(model, get_layer(model, layer_name), shape))
    return np.concatenate([ascend_filters(model, layer_name, shape=shape, steps=steps, lr=lr, seed=seed,
                                          channels=[c], bounds=bounds) for c in channels])


def mean_activation(model: nn.Module, layer_name: str, images: np.ndarray, channels: Sequence[int],
                    in_channels: int = 1) -> np.ndarray:
    """(F,) mean activation of filter ``channels[f]`` on image ``f`` (images (F, H, W), input units, given to
    each of the model's ``in_channels``)."""
    layer = get_layer(model, layer_name)
    device = device_of(model)
    x = torch.as_tensor(images, dtype=torch.float32, device=device).unsqueeze(1).expand(-1, in_channels, -1, -1)
    with inspecting(model), torch.no_grad():
        act = _layer_output(model, layer, x)
    idx = torch.arange(len(channels), device=device)
    return act[idx, torch.as_tensor(list(channels), device=device)].mean(dim=(-2, -1)).cpu().numpy()


def high_frequency_share(images: np.ndarray, *, cutoff: float = 0.25) -> np.ndarray:
    """(F,) share of each image's spectral energy (mean removed) above ``cutoff`` cycles per pixel."""
    x = images - images.mean(axis=(-2, -1), keepdims=True)
    power = np.abs(np.fft.fft2(x)) ** 2
    fy = np.fft.fftfreq(x.shape[-2])[:, None]
    fx = np.fft.fftfreq(x.shape[-1])[None, :]
    high = np.hypot(fy, fx) > cutoff
    total = power.sum(axis=(-2, -1))
    return np.divide((power * high).sum(axis=(-2, -1)), total, out=np.zeros_like(total), where=total > 0)


def mean_frequency(images: np.ndarray) -> np.ndarray:
    """(F,) power-weighted mean radial frequency (cycles per pixel, 0..0.71) of each image, mean removed."""
    x = images - images.mean(axis=(-2, -1), keepdims=True)
    power = np.abs(np.fft.fft2(x)) ** 2
    radius = np.hypot(np.fft.fftfreq(x.shape[-2])[:, None], np.fft.fftfreq(x.shape[-1])[None, :])
    total = power.sum(axis=(-2, -1))
    return np.divide((power * radius).sum(axis=(-2, -1)), total, out=np.zeros_like(total), where=total > 0)


def filter_count(model: nn.Module, layer_name: str, shape: tuple[int, int, int]) -> int:
    """How many filters (output channels) ``layer_name`` has, for a model taking (C, H, W) ``shape``."""
    return _channel_count(model, get_layer(model, layer_name), shape)


def _channel_count(model: nn.Module, layer: nn.Module, shape: tuple[int, int, int]) -> int:
    if isinstance(layer, nn.Conv2d):
        return layer.out_channels
    device = device_of(model)
    with inspecting(model), torch.no_grad():
        return int(_layer_output(model, layer, torch.zeros(1, *shape, device=device)).shape[1])
