"""Builders of the spatial layers: convolutions, poolings, padding and cropping.

Kernels are stored HWIO by Keras (height, width, in, out) and become torch's OIHW; a depthwise kernel
(h, w, in, multiplier) becomes (in * multiplier, 1, h, w), whose output channel ``c * m + j`` is the
one TensorFlow computes for input channel ``c`` and multiplier ``j``.
"""

from __future__ import annotations

from .activations import activation, activation_name
from .config import Problem
from .convs import GlobalPool2d, SeparableConv2d, TFAvgPool2d, TFMaxPool2d, conv2d, out_size
from .layers import Built, Ctx, Role, builder, pair, tensor
from .ops import Cropping2d

from torch import nn


def _geometry(ctx: Ctx) -> tuple:
    c = ctx.cfg
    padding = str(c.get("padding", "valid")).lower()
    if padding not in ("valid", "same"):
        raise Problem(f"{ctx.where}: padding {padding!r} is not supported (valid or same)")
    return pair(c["kernel_size"]), pair(c.get("strides", 1)), pair(c.get("dilation_rate", 1)), padding


def _out(ctx: Ctx, channels: int, kernel, stride, dilation, padding) -> tuple:
    h, w, _ = ctx.shape
    return (out_size(h, kernel[0], stride[0], dilation[0], padding),
            out_size(w, kernel[1], stride[1], dilation[1], padding), channels)


def _finish(ctx: Ctx, module: nn.Module, shape: tuple, counts: tuple[int, int]) -> Built:
    act = activation(ctx.cfg.get("activation"), 4, where=ctx.where)
    return Built(module, shape, *counts, activation=act, activation_name=activation_name(ctx.cfg.get("activation")))


@builder("Conv2D")
def _conv(ctx: Ctx) -> Built:
    _, _, cin = ctx.image_shape()
    kernel, stride, dilation, padding = _geometry(ctx)
    filters, groups, bias = int(ctx.cfg["filters"]), int(ctx.cfg.get("groups", 1)), ctx.cfg.get("use_bias", True)
    if cin % groups:
        raise Problem(f"{ctx.where}: {cin} input channels do not split into {groups} groups")
    roles = [Role("kernel", (*kernel, cin // groups, filters))] + ([Role("bias", (filters,))] if bias else [])
    arrays, *counts = ctx.take(roles)
    module = conv2d(cin, filters, kernel, stride, dilation, padding, groups=groups, bias=bias)
    module.weight.data = tensor(arrays[0]).permute(3, 2, 0, 1).contiguous()
    if bias:
        module.bias.data = tensor(arrays[1])
    return _finish(ctx, module, _out(ctx, filters, kernel, stride, dilation, padding), counts)


def _depthwise(ctx: Ctx, kernel_array, cin: int, mult: int, kernel, stride, dilation, padding, bias) -> nn.Conv2d:
    module = conv2d(cin, cin * mult, kernel, stride, dilation, padding, groups=cin, bias=bias)
    k = tensor(kernel_array).reshape(kernel[0], kernel[1], cin * mult)
    module.weight.data = k.permute(2, 0, 1).unsqueeze(1).contiguous()
    return module


@builder("DepthwiseConv2D")
def _depthwise_conv(ctx: Ctx) -> Built:
    _, _, cin = ctx.image_shape()
    kernel, stride, dilation, padding = _geometry(ctx)
    mult, bias = int(ctx.cfg.get("depth_multiplier", 1)), ctx.cfg.get("use_bias", True)
    roles = [Role("depthwise_kernel", (*kernel, cin, mult), aliases=("kernel",))]
    roles += [Role("bias", (cin * mult,))] if bias else []
    arrays, *counts = ctx.take(roles)
    module = _depthwise(ctx, arrays[0], cin, mult, kernel, stride, dilation, padding, bias)
    if bias:
        module.bias.data = tensor(arrays[1])
    return _finish(ctx, module, _out(ctx, cin * mult, kernel, stride, dilation, padding), counts)


@builder("SeparableConv2D")
def _separable(ctx: Ctx) -> Built:
    _, _, cin = ctx.image_shape()
    kernel, stride, dilation, padding = _geometry(ctx)
    mult, bias, filters = int(ctx.cfg.get("depth_multiplier", 1)), ctx.cfg.get("use_bias", True), int(ctx.cfg["filters"])
    roles = [Role("depthwise_kernel", (*kernel, cin, mult)), Role("pointwise_kernel", (1, 1, cin * mult, filters))]
    roles += [Role("bias", (filters,))] if bias else []
    arrays, *counts = ctx.take(roles)
    depthwise = _depthwise(ctx, arrays[0], cin, mult, kernel, stride, dilation, padding, False)
    pointwise = nn.Conv2d(cin * mult, filters, 1, bias=bias)
    pointwise.weight.data = tensor(arrays[1]).permute(3, 2, 0, 1).contiguous()
    if bias:
        pointwise.bias.data = tensor(arrays[2])
    module = SeparableConv2d(depthwise, pointwise)
    return _finish(ctx, module, _out(ctx, filters, kernel, stride, dilation, padding), counts)


@builder("MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D")
def _pool(ctx: Ctx) -> Built:
    _, _, channels = ctx.image_shape()
    size = pair(ctx.cfg.get("pool_size", 2))
    stride = pair(ctx.cfg.get("strides") or size)
    padding = str(ctx.cfg.get("padding", "valid")).lower()
    kind = TFMaxPool2d if ctx.layer.class_name.startswith("Max") else TFAvgPool2d
    module = kind(size, stride, padding == "same")
    return Built(module, _out(ctx, channels, size, stride, (1, 1), padding))


@builder("GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPooling2D", "GlobalMaxPool2D")
def _global_pool(ctx: Ctx) -> Built:
    _, _, channels = ctx.image_shape()
    keep = bool(ctx.cfg.get("keepdims", False))
    mode = "max" if "Max" in ctx.layer.class_name else "avg"
    return Built(GlobalPool2d(mode, keep), (1, 1, channels) if keep else (channels,))


def _two_sided(value, where: str) -> tuple[int, int, int, int]:
    """Keras's padding/cropping argument as (top, bottom, left, right)."""
    if isinstance(value, int):
        return value, value, value, value
    if isinstance(value, (list, tuple)) and len(value) == 2:
        if all(isinstance(v, int) for v in value):
            return value[0], value[0], value[1], value[1]
        (t, b), (left, r) = value
        return int(t), int(b), int(left), int(r)
    raise Problem(f"{where}: cannot read the amounts {value!r}")


def _grow(dim, before: int, after: int):
    return None if dim is None else dim + before + after


@builder("ZeroPadding2D")
def _zero_pad(ctx: Ctx) -> Built:
    h, w, c = ctx.image_shape()
    t, b, left, r = _two_sided(ctx.cfg.get("padding", 1), ctx.where)
    return Built(nn.ZeroPad2d((left, r, t, b)), (_grow(h, t, b), _grow(w, left, r), c))


@builder("Cropping2D")
def _crop(ctx: Ctx) -> Built:
    h, w, c = ctx.image_shape()
    t, b, left, r = _two_sided(ctx.cfg.get("cropping", 0), ctx.where)
    return Built(Cropping2d(t, b, left, r), (_grow(h, -t, -b), _grow(w, -left, -r), c))
