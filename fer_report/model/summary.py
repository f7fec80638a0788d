"""A Keras-style layer table, because the course reports parameters the way `model.summary()` does.

Keras counts BatchNorm's moving mean and variance as "non-trainable params"; PyTorch keeps them as
buffers and its own counts leave them out. Here `buffers` holds exactly those (plus any frozen
parameter, which Keras would also call non-trainable), so `total` matches Keras's "Total params".
`num_batches_tracked` has no Keras counterpart and is never counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

_STAT_BUFFERS = ("running_mean", "running_var")


@dataclass
class LayerRow:
    name: str  # dotted module name, as model.get_submodule() takes it
    kind: str  # class name, e.g. "Conv2d"
    output_shape: tuple[int, ...]  # without the batch dimension, channels first
    trainable: int
    buffers: int  # BN running mean + var (and frozen parameters)


@dataclass
class Summary:
    rows: list[LayerRow]
    input_shape: tuple[int, ...]
    trainable: int
    buffers: int
    total: int  # trainable + buffers


def _own_counts(module: nn.Module, seen: set[int]) -> tuple[int, int]:
    """Counts of the tensors a module holds itself; `seen` makes a shared tensor count once."""
    trainable = buffers = 0
    for p in module.parameters(recurse=False):
        if id(p) in seen:
            continue
        seen.add(id(p))
        if p.requires_grad:
            trainable += p.numel()
        else:
            buffers += p.numel()
    for name, b in module.named_buffers(recurse=False):
        if name.rsplit(".", 1)[-1] in _STAT_BUFFERS and b is not None and id(b) not in seen:
            seen.add(id(b))
            buffers += b.numel()
    return trainable, buffers


def count_params(model: nn.Module) -> tuple[int, int]:
    """(trainable, buffers) in Keras's count; works on meta-device models, so sizing needs no memory."""
    seen: set[int] = set()
    trainable = buffers = 0
    for module in model.modules():
        t, b = _own_counts(module, seen)
        trainable += t
        buffers += b
    return trainable, buffers


def _shape_of(output) -> tuple[int, ...]:
    if isinstance(output, (tuple, list)) and output:
        output = output[0]
    return tuple(output.shape[1:]) if isinstance(output, torch.Tensor) else ()


def summarize(model: nn.Module, input_shape: tuple[int, ...] = (1, 48, 48)) -> Summary:
    """One row per leaf module in call order, from a single forward pass on zeros.

    The forward runs in eval mode (BatchNorm1d refuses a batch of one in training mode, and eval keeps
    the running statistics untouched); the model's own mode is restored afterwards. A module that the
    forward never reaches but that holds parameters gets a row at the end with shape (), so the totals
    always equal the model's own sums.
    """
    names = {}
    for name, module in model.named_modules():
        names.setdefault(module, name)
    # Leaves, plus any container that holds tensors itself (else those tensors would go uncounted).
    watched = [m for m in names if not any(True for _ in m.children())
               or any(True for _ in m.parameters(recurse=False))]
    rows: list[LayerRow] = []
    seen: set[int] = set()

    def hook(module, _inputs, output):
        trainable, buffers = _own_counts(module, seen)
        rows.append(LayerRow(names[module], type(module).__name__, _shape_of(output), trainable, buffers))

    try:
        handles = [m.register_forward_hook(hook) for m in watched]
    except RuntimeError:  # TorchScript refuses hooks: parameters per module still count, shapes stay unknown
        handles, watched_forward = [], False
    else:
        watched_forward = True
    was_training = model.training
    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    dtype = first.dtype if first is not None and first.is_floating_point() else torch.float32
    try:
        model.eval()
        if watched_forward:
            with torch.no_grad():
                model(torch.zeros((2, *input_shape), device=device, dtype=dtype))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    for module in watched:
        trainable, buffers = _own_counts(module, seen)
        if trainable or buffers:
            rows.append(LayerRow(names[module], type(module).__name__, (), trainable, buffers))
    trainable = sum(r.trainable for r in rows)
    buffers = sum(r.buffers for r in rows)
    return Summary(rows, tuple(input_shape), trainable, buffers, trainable + buffers)
