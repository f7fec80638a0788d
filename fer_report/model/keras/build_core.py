"""Builders of the non-spatial layers: Dense, BatchNormalization, activations, merges, reshapes, scaling.

The defaults are Keras's (BatchNormalization epsilon 1e-3, LeakyReLU slope 0.3, Normalization's
floor on the standard deviation 1e-7), read from the config when it states them.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .activations import KerasReLU, Softmax, activation, activation_name
from .config import Problem, batch_shape
from .layers import Built, Ctx, Role, builder, tensor
from .ops import BatchNorm1d, BatchNorm2d, ChannelLinear, Flatten, Merge, Normalization, PReLU, Reshape, \
    Rescaling, to_nchw_constant

#: Keras's backend epsilon, the floor Normalization puts under a standard deviation.
KERAS_EPSILON = 1e-7


def _rank(shape) -> int:
    """Rank of the torch tensor, batch axis included."""
    return len(shape) + 1


def _channel_axis(ctx: Ctx, axis) -> None:
    """Refuse a per-axis layer whose axis is not the last (channel) one."""
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if [a % _rank(ctx.shape) if a is not None else None for a in axes] != [len(ctx.shape)]:
        raise Problem(f"{ctx.where}: axis {axis!r} is not supported (the channel axis, -1, only)")


@builder("InputLayer")
def _input(ctx: Ctx) -> Built:
    return Built(None, batch_shape(ctx.cfg) or ctx.shape)


@builder("Dense")
def _dense(ctx: Ctx) -> Built:
    units, bias, fan_in = int(ctx.cfg["units"]), ctx.cfg.get("use_bias", True), ctx.shape[-1]
    if fan_in is None or len(ctx.shape) not in (1, 3):
        raise Problem(f"{ctx.where}: needs a known (F,) or (H, W, C) input, the model gives it {ctx.shape}")
    roles = [Role("kernel", (fan_in, units))] + ([Role("bias", (units,))] if bias else [])
    arrays, *counts = ctx.take(roles)
    module = (nn.Linear if len(ctx.shape) == 1 else ChannelLinear)(fan_in, units, bias=bias)
    module.weight.data = tensor(arrays[0]).t().contiguous()
    if bias:
        module.bias.data = tensor(arrays[1])
    act = activation(ctx.cfg.get("activation"), _rank(ctx.shape), where=ctx.where)
    return Built(module, (*ctx.shape[:-1], units), *counts, activation=act,
                 activation_name=activation_name(ctx.cfg.get("activation")))


@builder("BatchNormalization")
def _batch_norm(ctx: Ctx) -> Built:
    _channel_axis(ctx, ctx.cfg.get("axis", -1))
    if len(ctx.shape) not in (1, 3):
        raise Problem(f"{ctx.where}: needs an (F,) or (H, W, C) input, the model gives it {ctx.shape}")
    c = ctx.shape[-1]
    center, scale = ctx.cfg.get("center", True), ctx.cfg.get("scale", True)
    roles = ([Role("gamma", (c,))] if scale else []) + ([Role("beta", (c,))] if center else [])
    roles += [Role("moving_mean", (c,), False), Role("moving_variance", (c,), False)]
    arrays, *counts = ctx.take(roles)
    kind = BatchNorm2d if len(ctx.shape) == 3 else BatchNorm1d
    module = kind(c, float(ctx.cfg.get("epsilon", 1e-3)), 1 - float(ctx.cfg.get("momentum", 0.99)), center, scale)
    named = dict(zip((r.name for r in roles), arrays))
    module.weight.data = tensor(named["gamma"]) if scale else module.weight.data
    module.bias.data = tensor(named["beta"]) if center else module.bias.data
    module.running_mean.data, module.running_var.data = tensor(named["moving_mean"]), tensor(named["moving_variance"])
    return Built(module, ctx.shape, *counts)


@builder("Activation")
def _activation(ctx: Ctx) -> Built:
    module = activation(ctx.cfg.get("activation"), _rank(ctx.shape), where=ctx.where)
    return Built(module or nn.Identity(), ctx.shape)


@builder("ReLU")
def _relu(ctx: Ctx) -> Built:
    top, slope = ctx.cfg.get("max_value"), float(ctx.cfg.get("negative_slope") or 0.0)
    threshold = float(ctx.cfg.get("threshold") or 0.0)
    if slope == 0 and threshold == 0:
        module = nn.ReLU() if top is None else nn.ReLU6() if float(top) == 6 else KerasReLU(float(top), 0.0, 0.0)
    else:
        module = KerasReLU(None if top is None else float(top), slope, threshold)
    return Built(module, ctx.shape)


@builder("LeakyReLU")
def _leaky(ctx: Ctx) -> Built:
    slope = ctx.cfg.get("negative_slope", ctx.cfg.get("alpha", 0.3))  # Keras 3 / Keras 2 name; Keras's default
    return Built(nn.LeakyReLU(float(slope)), ctx.shape)


@builder("ELU")
def _elu(ctx: Ctx) -> Built:
    return Built(nn.ELU(float(ctx.cfg.get("alpha", 1.0))), ctx.shape)


@builder("PReLU")
def _prelu(ctx: Ctx) -> Built:
    shared = ctx.cfg.get("shared_axes") or []
    shared = [shared] if isinstance(shared, int) else shared
    param = [1 if i + 1 in shared else d for i, d in enumerate(ctx.shape)]
    if None in param:
        raise Problem(f"{ctx.where}: an axis of unknown size has its own slopes (set shared_axes)")
    arrays, *counts = ctx.take([Role("alpha", tuple(param))])
    return Built(PReLU(to_nchw_constant(tensor(arrays[0]), _rank(ctx.shape))), ctx.shape, *counts)


@builder("Softmax")
def _softmax(ctx: Ctx) -> Built:
    axis = ctx.cfg.get("axis", -1)
    axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
    rank = _rank(ctx.shape)
    if not isinstance(axis, int):
        raise Problem(f"{ctx.where}: softmax over several axes {axis!r} is not supported")
    axis %= rank
    dim = {1: 2, 2: 3, 3: 1}[axis] if rank == 4 else axis  # NHWC axis -> NCHW dim
    return Built(Softmax(dim=dim), ctx.shape)


@builder("Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
         "ActivityRegularization", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
         "RandomContrast", "RandomBrightness")
def _inactive(ctx: Ctx) -> Built:
    """Layers that only act while training (Keras's predict runs them with training=False)."""
    rate = float(ctx.cfg.get("rate", 0.0) or 0.0)
    name = ctx.layer.class_name
    module = nn.Dropout(rate) if name == "Dropout" else nn.Dropout2d(rate) if name == "SpatialDropout2D" else nn.Identity()
    return Built(module, ctx.shape)


@builder("Flatten")
def _flatten(ctx: Ctx) -> Built:
    if ctx.cfg.get("data_format", "channels_last") not in (None, "channels_last"):
        raise Problem(f"{ctx.where}: data_format {ctx.cfg['data_format']!r} is not supported (channels_last)")
    size = None if None in ctx.shape else math.prod(ctx.shape)
    return Built(Flatten(), (size,))


@builder("Reshape")
def _reshape(ctx: Ctx) -> Built:
    target = [int(d) for d in ctx.cfg["target_shape"]]
    if -1 in target and None not in ctx.shape:
        known = math.prod(d for d in target if d != -1)
        target[target.index(-1)] = math.prod(ctx.shape) // known
    if -1 in target or len(target) not in (1, 3):
        raise Problem(f"{ctx.where}: target shape {ctx.cfg['target_shape']} is not supported ((F,) or (H, W, C))")
    return Built(Reshape(tuple(target)), tuple(target))


@builder("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")
def _merge(ctx: Ctx) -> Built:
    mode = ctx.layer.class_name.lower()
    if len(ctx.shapes) < 2:
        raise Problem(f"{ctx.where}: needs at least two inputs, the model gives it {len(ctx.shapes)}")
    first = ctx.shapes[0]
    if mode != "concatenate":
        if any(tuple(s) != tuple(first) for s in ctx.shapes[1:]):
            raise Problem(f"{ctx.where}: input shapes {ctx.shapes} differ")
        return Built(Merge(mode), first)
    axis = int(ctx.cfg.get("axis", -1)) % _rank(first)
    dim = {1: 2, 2: 3, 3: 1}[axis] if len(first) == 3 else axis
    sizes = [s[axis - 1] for s in ctx.shapes]
    out = list(first)
    out[axis - 1] = None if None in sizes else sum(sizes)
    return Built(Merge(mode, dim), tuple(out))


def _constant(value, channels: int, rank: int, where: str) -> torch.Tensor:
    array = np.asarray(value, dtype=np.float32).reshape(-1)
    if array.size not in (1, channels):
        raise Problem(f"{where}: {array.size} values for {channels} channels")
    return to_nchw_constant(tensor(array), rank) if array.size > 1 else tensor(array).reshape(())


@builder("Rescaling")
def _rescaling(ctx: Ctx) -> Built:
    c, rank = ctx.shape[-1] or 1, _rank(ctx.shape)
    scale = _constant(ctx.cfg.get("scale", 1.0), c, rank, ctx.where)
    offset = _constant(ctx.cfg.get("offset", 0.0), c, rank, ctx.where)
    return Built(Rescaling(scale, offset), ctx.shape)


@builder("Normalization")
def _normalization(ctx: Ctx) -> Built:
    _channel_axis(ctx, ctx.cfg.get("axis", -1))
    c, rank = ctx.shape[-1], _rank(ctx.shape)
    if ctx.cfg.get("mean") is not None:  # given in the config: no weights, no parameters
        mean, var, counts = ctx.cfg["mean"], ctx.cfg["variance"], (0, 0)
    else:
        roles = [Role("mean", (c,), False), Role("variance", (c,), False), Role("count", (), False)]
        arrays, *counts = ctx.take(roles)
        mean, var = arrays[0], arrays[1]
    module = Normalization(_constant(mean, c, rank, ctx.where), _constant(var, c, rank, ctx.where),
                           KERAS_EPSILON, bool(ctx.cfg.get("invert", False)))
    return Built(module, ctx.shape, *counts)
