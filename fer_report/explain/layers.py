"""Finding a model's layers by name and looking inside it without changing it.

Shared by every explanation method: a ``--layer`` name that is wrong fails with the list of conv
layers, and ``inspecting`` gives eval mode with frozen weights, then puts back each module's mode
and each parameter's ``requires_grad`` exactly as they were (a half-frozen model stays half-frozen).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn

from fer_report.errors import ConfigError
from fer_report.explain.dataflow import Call, activation_after, residual_blocks


@dataclass(frozen=True)
class Recorded:
    name: str
    module: nn.Module
    shape: tuple[int, ...]  # output without the batch dimension, (C, H, W)
    calls: int  # how often one forward pass calls it (a module reused at several places: more than once)


def trace(model: nn.Module, input_shape: tuple[int, int, int]) -> list[Call]:
    """Every call of every named sub-module in one forward pass on zeros, in order (a hook fires when its
    module returns: inner modules first), with its first input and its output.

    The input requires grad (the weights stay frozen), so each output carries the autograd graph that
    made it: ``dataflow`` reads residual additions from it. The tensors are kept, so no two are the same
    object by accident.
    """
    names = {m: n for n, m in model.named_modules() if n}
    calls: list[Call] = []

    def hook(module, inputs, out) -> None:
        calls.append(Call(names[module], module, inputs[0] if inputs else None, out))

    handles = [m.register_forward_hook(hook) for m in names]
    try:
        with inspecting(model), torch.enable_grad():
            model(torch.zeros(1, *input_shape, device=device_of(model)).requires_grad_(True))
    finally:
        for h in handles:
            h.remove()
    return calls


def record_layers(model: nn.Module, input_shape: tuple[int, int, int],
                  calls: list[Call] | None = None) -> list[Recorded]:
    """Every sub-module whose output is a 4-D tensor, in the order one forward pass (on zeros) first calls it.

    Execution order, not definition order: students define layers in any order, call functional
    ops between them and reuse one module at several places; only the pass itself tells.
    """
    seen: dict[nn.Module, list] = {}
    for c in trace(model, input_shape) if calls is None else calls:
        if isinstance(c.output, torch.Tensor) and c.output.dim() == 4:
            seen.setdefault(c.module, [c.name, tuple(c.output.shape[1:]), 0])[2] += 1
    return [Recorded(name, m, shape, n) for m, (name, shape, n) in seen.items()]


def conv_layers(model: nn.Module, input_shape: tuple[int, int, int] | None = None) -> list[str]:
    """Dotted names of the model's Conv2d layers, shallow to deep: in execution order and called once when
    ``input_shape`` is given (a reused conv has no single output to look at), else in definition order."""
    if input_shape is None:
        return [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]
    return [r.name for r in record_layers(model, input_shape) if isinstance(r.module, nn.Conv2d) and r.calls == 1]


def cam_layers(model: nn.Module, input_shape: tuple[int, int, int]) -> dict[str, tuple[int, int]]:
    """Layers Grad-CAM may use, shallow to deep, with their (h, w): conv layers, and on residual networks
    the blocks' outputs instead of the convs inside them (a raw conv before the residual add is not what
    the next block sees, and its maps can be all zero; pytorch-grad-cam recommends the block, e.g.
    torchvision's ``layer4[-1]``). A block is recognised by what it does (``dataflow.residual_blocks``),
    so a student's own ``BasicBlock`` counts as torchvision's does."""
    calls = trace(model, input_shape)
    blocks = residual_blocks(calls)
    out = {}
    for r in record_layers(model, input_shape, calls):
        if r.calls != 1:
            continue
        inside = any(r.name.startswith(b + ".") for b in blocks)
        if r.name in blocks or (isinstance(r.module, nn.Conv2d) and not inside):
            out[r.name] = tuple(r.shape[-2:])
    return out


def get_layer(model: nn.Module, name: str) -> nn.Module:
    """The sub-module called ``name`` (dotted, e.g. "features.conv4"); a wrong name lists the conv layers."""
    modules = dict(model.named_modules())
    if name and name in modules:
        return modules[name]
    raise ConfigError(f"layer '{name}' is not in {type(model).__name__}; "
                      f"its conv layers are: {', '.join(conv_layers(model)) or '(none)'}")


def rectified(model: nn.Module, conv_name: str, input_shape: tuple[int, int, int] | None = None) -> str:
    """The rectifier the conv's output goes through next (conv -> [norm] -> ReLU), else ``conv_name``.

    A conv's raw output is signed and, before BatchNorm, arbitrarily offset; its rectified output is
    what the next layer sees, so it is what Grad-CAM's feature maps A^k and a filter's "activation"
    mean. Found from the recorded forward pass (``dataflow.activation_after``): the module that received
    the conv's output tensor, through one BatchNorm / GroupNorm / InstanceNorm at most, whatever holds
    the layers (a ``Sequential``, a custom ``forward``, a converted Keras graph, fer-report's wrappers).
    ``nn.LeakyReLU``, ``nn.PReLU``, ``nn.RReLU``, ``nn.ELU``, ``nn.SELU``, ``nn.CELU`` and ``nn.ReLU6``
    count as the ReLU (``dataflow.RECTIFIERS``: linear on positive inputs); a functional ``F.relu``, a
    rectifier module run twice (torchvision's blocks) or any other next layer keeps the conv itself.
    ``input_shape`` (C, H, W) defaults to the first input the model runs on (``find_input``).
    """
    if not isinstance(dict(model.named_modules()).get(conv_name), nn.Conv2d):
        return conv_name
    if input_shape is None:
        from fer_report.model.output import find_input

        channels, side = find_input(model)
        input_shape = (channels, side, side)
    return activation_after(trace(model, input_shape), conv_name) or conv_name


#: Images per model call. On the 2-core CPU the default report is built on, cnn4 runs fastest in
#: batches of ~32: larger ones spill the caches (measured, interleaved: saliency of 64 images 0.09 s
#: at 32 against 0.16 s at 128; LIME 0.86 s against 1.43 s at 256; SmoothGrad of 64 images 0.47 s at
#: 32 noisy copies a call, 0.56 s at 64, 1.10 s at 512). A GPU wants large batches.
CPU_BATCH, GPU_BATCH = 32, 256


def batch_size(device: torch.device | str, *, scale: int = 1) -> int:
    """Images per model call on ``device`` (``scale`` times more for cheap forward-only calls)."""
    return scale * (GPU_BATCH if torch.device(device).type == "cuda" else CPU_BATCH)


def device_of(model: nn.Module) -> torch.device:
    p = next(iter(model.parameters()), None)
    return p.device if p is not None else torch.device("cpu")


@contextlib.contextmanager
def inspecting(model: nn.Module) -> Iterator[None]:
    """Eval mode (dropout off, BatchNorm statistics fixed) and no weight gradients for the duration.

    Only inputs and activations need gradients for an explanation; freezing the weights saves their
    gradient buffers and guarantees no ``.grad`` is left behind.
    """
    modes = {m: m.training for m in model.modules()}
    flags = [(p, p.requires_grad) for p in model.parameters()]
    model.eval()
    for p, _ in flags:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)
        for m, training in modes.items():
            m.train(training)


def feature_sizes(model: nn.Module, input_shape: tuple[int, int, int],
                  names: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """(height, width) of each named layer's output (default: every conv layer) for one (C, H, W) input."""
    names = conv_layers(model) if names is None else names
    sizes: dict[str, tuple[int, int]] = {}

    def record(name: str):
        def hook(_m, _i, out) -> None:
            sizes.setdefault(name, tuple(out.shape[-2:]))
        return hook

    hooks = [get_layer(model, n).register_forward_hook(record(n)) for n in names]
    try:
        with inspecting(model), torch.no_grad():
            model(torch.zeros(1, *input_shape, device=device_of(model)))
    finally:
        for h in hooks:
            h.remove()
    return {n: sizes[n] for n in names if n in sizes}


# --- the layer Grad-CAM-like methods explain -------------------------------------------------------

# On 48x48 faces the cues (brows, eyes, mouth) are 2-4 px tall and ~6 px apart: a 6x6 map (8 px cells) cannot
# tell brows from eyes. On the default cnn4, Grad-CAM on the 6x6 conv4 points into the cues in 18 % of images
# (chance 11 %), on the 12x12 conv3 in 52 %.
MIN_SHARE = 1 / 4  # a feature map smaller than this share of the input's side gives a blob, not a map


def min_side(input_size: int) -> int:
    """12 at 48x48 input (the measured case above), 16 at 64x64."""
    return max(2, round(MIN_SHARE * input_size))


def choose_layer(model: nn.Module, shape: tuple[int, int, int], requested: str | None, *,
                 side: int | None = None) -> dict:
    """The layer Grad-CAM uses: ``requested`` as given, else the deepest candidate (``layers.cam_layers``: a
    conv, or a residual block's output) unless it is coarser than ``min_side`` of the input. ``side`` is the
    side the model itself runs at when it differs from the input's (a model behind a resize to 44 or 40:
    its feature maps are that side's fractions); default the input's.

    Returns {"layer", "size", "requested", "requested_size", "replaced"}; a coarse default is replaced
    by the deepest candidate whose map is at least that fine (kept if there is none). A layer the user
    names is used even when coarse: the text then says so.
    """
    sizes = cam_layers(model, shape)
    candidates = list(sizes)
    wanted = requested or (candidates[-1] if candidates else "")
    get_layer(model, wanted)  # a wrong name fails here, listing the conv layers
    if wanted not in sizes:
        sizes.update(feature_sizes(model, shape, [wanted]))
    size = sizes[wanted]
    smallest = min_side(side or shape[-1])
    out = {"layer": wanted, "size": list(size), "requested": wanted, "requested_size": list(size), "replaced": False}
    if min(size) < smallest and not requested:
        fine = [n for n in candidates if min(sizes[n]) >= smallest]
        if fine:
            out.update(layer=fine[-1], size=list(sizes[fine[-1]]), replaced=True)
    return out
