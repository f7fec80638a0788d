"""What the explanation libraries need from a student's model and must not change in it: no in-place ReLU
under their hooks, and the caller's ``.grad`` left as it was."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator

from torch import nn

from fer_report.explain.layers import inspecting


@contextlib.contextmanager
def without_inplace_relu(model: nn.Module) -> Iterator[nn.Module]:
    """The model itself, or a copy with ``inplace=False`` ReLUs: an in-place ReLU overwrites the tensor a
    backward hook (guided backprop) or a stored activation (pytorch-grad-cam) refers to."""
    if not any(isinstance(m, nn.ReLU) and m.inplace for m in model.modules()):
        yield model
        return
    with inspecting(model):  # the copy starts frozen, in eval mode
        twin = copy.deepcopy(model)
    for m in twin.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    yield twin


@contextlib.contextmanager
def keeping_grads(model: nn.Module) -> Iterator[None]:
    """pytorch-grad-cam calls ``model.zero_grad()``: put back whatever ``.grad`` the caller had."""
    grads = [(p, p.grad) for p in model.parameters()]
    try:
        yield
    finally:
        for p, g in grads:
            p.grad = g
