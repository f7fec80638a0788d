"""What a CNN costs per layer (parameters, multiply-adds) and the course's time-complexity question.

The multiply-adds come from PyTorch's own `FlopCounterMode`, attributed to modules, and every conv and
linear layer is also computed by the hand formula the report states; the two must agree exactly, so a
number in the report is both what the formula says and what PyTorch actually executes.

Counting convention: one MAC is one multiplication and one addition. `FlopCounterMode` reports FLOPs
= 2 x MACs for convolutions and matrix products and leaves the bias out; the bias adds are given
separately. A dot product of K terms takes K multiplications and K - 1 additions; adding the bias
makes the additions K, so multiplications = additions = MACs for a layer with a bias. Activations,
pooling and BatchNorm cost no MACs here (the counter has no formula for them either).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from fer_report.maths.derivations import Check

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)


@dataclass
class LayerCost:
    name: str  # dotted module name ("features.conv1")
    kind: str  # class name ("Conv2d")
    output_shape: tuple[int, ...]  # one sample, channels first
    params: int  # the module's own parameters (BatchNorm running statistics are buffers, not counted)
    macs: int  # multiply-adds for one sample, from FlopCounterMode (its FLOPs / 2)
    hand_macs: int | None  # the formula's multiply-adds, for conv and linear layers; None for the rest
    bias_adds: int  # one addition per output value of a conv/linear layer with a bias; 0 otherwise


@dataclass
class Totals:
    params: int
    macs: int
    bias_adds: int


def _hand(module: nn.Module, out: torch.Tensor) -> tuple[int | None, int]:
    """Conv: k1 k2 C_in/groups per output value, C_out H_out W_out values. Linear: in per output value."""
    per_sample = out[0].numel()
    if isinstance(module, _CONV):
        k = math.prod(module.kernel_size) * (module.in_channels // module.groups)
        return k * per_sample, per_sample if module.bias is not None else 0
    if isinstance(module, nn.Linear):
        return module.in_features * per_sample, per_sample if module.bias is not None else 0
    return None, 0


def layer_costs(model: nn.Module, input_shape: tuple[int, ...]) -> list[LayerCost]:
    """One row per leaf module in call order, from one forward pass of a single sample of zeros.

    Eval mode (BatchNorm1d refuses a batch of one in training); the model's mode is restored afterwards.
    A leaf called several times gets one row with the sum of its calls.
    """
    names = {m: n for n, m in reversed(list(model.named_modules()))}  # the first name of a shared module
    leaves = [m for m in names if not any(True for _ in m.children())]
    rows: dict[nn.Module, LayerCost] = {}

    def hook(module, _inputs, output):
        out = output[0] if isinstance(output, (tuple, list)) else output
        hand, bias = _hand(module, out)
        row = rows.get(module)
        if row is None:
            rows[module] = LayerCost(names[module], type(module).__name__, tuple(out.shape[1:]),
                                     sum(p.numel() for p in module.parameters(recurse=False)), 0, hand, bias)
        else:
            row.hand_macs = None if hand is None else (row.hand_macs or 0) + hand
            row.bias_adds += bias

    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    dtype = first.dtype if first is not None and first.is_floating_point() else torch.float32
    handles = [m.register_forward_hook(hook) for m in leaves]
    was_training = model.training
    counter = FlopCounterMode(display=False)
    try:
        model.eval()
        with torch.no_grad(), counter:
            model(torch.zeros((1, *input_shape), device=device, dtype=dtype))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    flops = _flops_by_name(counter, type(model).__name__)
    for row in rows.values():
        row.macs = flops.get(row.name, 0) // 2
    return list(rows.values())


def _flops_by_name(counter: FlopCounterMode, root: str) -> dict[str, int]:
    """The counter keys modules as "<root class>.<dotted name>"; map them back to `named_modules` names."""
    out = {}
    for key, ops in counter.get_flop_counts().items():
        if key == "Global":
            continue
        name = key.split(".", 1)[1] if "." in key else ("" if key == root else key)
        out[name] = int(sum(ops.values()))
    return out


def totals(costs: list[LayerCost]) -> Totals:
    return Totals(sum(c.params for c in costs), sum(c.macs for c in costs), sum(c.bias_adds for c in costs))


def check(costs: list[LayerCost]) -> Check:
    """Hand formula vs FlopCounterMode for every conv and linear layer: they must agree exactly."""
    compared = [c for c in costs if c.hand_macs is not None]
    worst, case = 0, "no conv or linear layer" if not compared else ""
    for c in compared:
        err = abs(c.hand_macs - c.macs)
        if err > worst or not case:
            worst, case = err, f"{c.name} ({c.kind}, output {c.output_shape}): formula {c.hand_macs:,}, counter {c.macs:,}"
    return Check("complexity.macs", len(compared), float(worst), 0.0, case, {"layers": [c.name for c in compared]})


# --- the 2018 Fall question 4 --------------------------------------------------------------------

@dataclass
class CourseLayer:
    name: str  # "A" or "B", as the figure names them
    input_shape: tuple[int, int, int]  # Keras (H, W, C)
    output_shape: tuple[int, int, int]  # Keras (H, W, C)
    weights: int  # k1 k2 C_in C_out
    biases: int  # C_out
    params: int
    multiplications: int  # k1 k2 C_in per output value
    additions: int  # (k1 k2 C_in - 1) to sum the products, + 1 for the bias, per output value
    counter_macs: int  # what FlopCounterMode measures on the same layer built in torch


@dataclass
class CourseExample:
    layers: list[CourseLayer]
    check: Check


def course_layers() -> nn.Sequential:
    """The figure's Keras layers in torch: Conv2D(6, (2,2), strides 3, valid) and Conv2D(4, (2,2), strides 2, valid),
    both ReLU, on an 8x8x5 input (torch takes it channels first: (5, 8, 8))."""
    return nn.Sequential(OrderedDict(A=nn.Conv2d(5, 6, (2, 2), stride=(3, 3), padding=0), relu_A=nn.ReLU(),
                                     B=nn.Conv2d(6, 4, (2, 2), stride=(2, 2), padding=0), relu_B=nn.ReLU()))


def course_example() -> CourseExample:
    """Parameters and multiplications/additions per layer of the 2018 Fall Q4 figure, checked by the counter."""
    model = course_layers()
    costs = {c.name: c for c in layer_costs(model, (5, 8, 8))}
    layers, shape = [], (8, 8, 5)
    for name in ("A", "B"):
        conv, c = model.get_submodule(name), costs[name]
        out = (c.output_shape[1], c.output_shape[2], c.output_shape[0])
        weights = conv.weight.numel()
        outputs = math.prod(out)
        layers.append(CourseLayer(name, shape, out, weights, conv.bias.numel(), weights + conv.bias.numel(),
                                  c.hand_macs, c.hand_macs - outputs + c.bias_adds, c.macs))
        shape = out
    return CourseExample(layers, check([costs["A"], costs["B"]]))


def cost_formulas_latex() -> list[str]:
    """Per conv layer l (kernel k_l x k_l, output n_l x n_l): parameters, multiplications, additions."""
    return [
        r"\text{params}_l = (k_l^2\, C_{l-1} + 1)\, C_l",
        r"\text{mult}_l = n_l^2\, C_l \cdot k_l^2\, C_{l-1}, \qquad "
        r"\text{add}_l = n_l^2\, C_l \cdot \big((k_l^2\, C_{l-1} - 1) + 1\big) = n_l^2\, k_l^2\, C_{l-1}\, C_l",
        r"n_l = \left\lfloor \frac{n_{l-1} + 2p - k_l}{s} \right\rfloor + 1",
    ]


def time_complexity_latex() -> str:
    """The big-O of a forward pass in the course's symbols.

    Layer l has n_l^2 C_l output values (n_l its output side), each a dot product of k_l^2 C_{l-1}
    terms; summing over the layers gives the bound. With every layer alike (kernel k, c channels, input
    n, padding p, stride s, as question 4c sets it) it is l times one layer's cost.
    """
    return (r"\begin{aligned} T &= O\Big(\sum_{l=1}^{L} n_l^2\, k_l^2\, C_{l-1}\, C_l\Big), \qquad "
            r"n_l = \left\lfloor \frac{n_{l-1} + 2p - k_l}{s} \right\rfloor + 1 \\ "
            r"&= O\big(L\, n'^2\, k^2\, c^2\big), \qquad n' = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 "
            r"\quad (k_l = k,\ C_l = c\ \ \forall l) \end{aligned}")
