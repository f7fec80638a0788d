"""What a model's recorded forward pass says about its layers: which module's output feeds which, and
which modules are residual blocks, whatever the classes are called and however the model is wrapped.

Students write their own blocks (a kuangliu-style ``BasicBlock`` is not torchvision's), their own
``forward`` and plain ``nn.Sequential`` models, and fer-report wraps every model (``ClassScores``,
``Reordered``, ``Resized``); Keras models arrive as modules named after Keras layers. Class names and
parents say little across all of these; the tensors of one forward pass say the same thing for each.
``torch.fx`` is not used: symbolic tracing fails on many student models (shape-dependent Python,
``x.view(x.size(0), -1)``), while a hook and a tensor's ``grad_fn`` see whatever ran.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from fer_report.model.blocks import convs_between

#: What counts as "the ReLU" after a conv: activations that are linear on positive inputs (ReLU6 up to 6) and
#: shrink or clip negative ones. Their output is the conv's response as the next layer sees it, with the
#: positive evidence unchanged, so Grad-CAM's A^k and a filter's activation mean the same as behind a ReLU.
#: Smooth gates (GELU, SiLU) and squashing functions (sigmoid, tanh) rescale positive responses: the conv
#: itself is used behind those.
RECTIFIERS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.RReLU, nn.ELU, nn.SELU, nn.CELU)
NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.modules.instancenorm._InstanceNorm)
#: autograd nodes of those activations (and their in-place forms): skipped when looking for the residual add
_ACTIVATION_NODES = ("Relu", "Threshold", "LeakyRelu", "Elu", "Hardtanh", "Prelu", "Rrelu", "Celu", "Selu")


@dataclass(frozen=True)
class Call:
    """One call of a named sub-module in the recorded pass: its first input and its output, kept alive."""

    name: str
    module: nn.Module
    input: Any
    output: Any


def activation_after(calls: list[Call], conv: str) -> str | None:
    """The rectifier (``RECTIFIERS``) whose input is ``conv``'s output, through one normalisation at most.

    Data flow, not position: the consumer is the leaf module that received the very tensor the conv
    returned (in an ``nn.Sequential``, a custom ``forward`` or a converted Keras graph alike). None when
    the conv's output goes anywhere else first (a residual add, a functional ``F.relu``), when it feeds
    several modules, or when the rectifier module runs more than once (torchvision's blocks call one
    ``relu`` twice: a hook on it would see two tensors).
    """
    leaves = [c for c in calls if next(c.module.children(), None) is None]
    runs = Counter(c.name for c in calls)
    own = [c for c in leaves if c.name == conv]
    if len(own) != 1:
        return None
    tensor = own[0].output
    for _ in range(2):
        users = [c for c in leaves if c.input is tensor]
        if not users:
            return None
        first = users[0]
        in_place = isinstance(first.module, RECTIFIERS) and first.output is tensor  # ran before any other reader
        if (len(users) != 1 and not in_place) or runs[first.name] != 1:
            return None
        if isinstance(first.module, RECTIFIERS):
            return first.name
        if not isinstance(first.module, NORMS):
            return None
        tensor = first.output
    return None


def residual_blocks(calls: list[Call]) -> list[str]:
    """Names of the residual blocks: modules run once that contain a conv and whose 4-D output is an
    addition (then at most an activation) of two tensors both computed from the module's own input.

    That is what a residual block does (``out = relu(branch(x) + shortcut(x))``, the shortcut an
    identity or a 1x1 conv), whatever its class. When several modules return the same tensor (a stage
    ``layer1`` returns its last block's output), the innermost is the block: hooks fire inner first.
    """
    runs = Counter(c.name for c in calls)
    taken: set[int] = set()
    blocks = []
    for c in calls:
        out = c.output
        if (runs[c.name] != 1 or not isinstance(out, torch.Tensor) or out.dim() != 4 or id(out) in taken
                or not isinstance(c.input, torch.Tensor)
                or not any(isinstance(m, nn.Conv2d) for m in c.module.modules())):
            continue
        add = _addition(out.grad_fn)
        operands = [n for n, _ in add.next_functions if n is not None] if add is not None else []
        if len(operands) == 2 and all(convs_between(n, c.input) is not None for n in operands):
            blocks.append(c.name)
            taken.add(id(out))
    return blocks


def _addition(node) -> Any:
    """The autograd node of an addition producing this output, looking through element-wise activations."""
    while node is not None and type(node).__name__.startswith(_ACTIVATION_NODES):
        node = node.next_functions[0][0] if node.next_functions else None
    return node if node is not None and type(node).__name__.startswith("AddBackward") else None
