"""What a residual network's blocks are, for the architecture text: each block's input and output shape,
its shortcut (identity, or the layers that project it) and how many convolutions its branch holds.

Read from a recorded forward pass (``explain.layers.trace``: each named module's call with its input and
output tensors, which carry the autograd graph that made them) and the blocks found in it
(``explain.dataflow.residual_blocks``): the two operands of the block's addition are followed back to
the block's input, and the one through fewer convolutions is the shortcut. Class names are not read,
so a student's own ``BasicBlock`` is described as torchvision's is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn


@dataclass(frozen=True)
class Block:
    name: str  # dotted module name, e.g. "layer2.0"
    kind: str  # its class name
    input_shape: tuple[int, ...]  # (C, H, W)
    output_shape: tuple[int, ...]
    branch_convs: int  # convolutions between the input and the addition on the longer path
    shortcut: str | None  # the module on the shorter path ("layer2.0.shortcut"); None: identity or no module
    shortcut_convs: tuple[str, ...]  # its convolutions, e.g. ("1x1 conv, stride 2",)
    identity: bool  # the input itself is added

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "input": list(self.input_shape), "output": list(self.output_shape),
                "branch_convs": self.branch_convs, "shortcut": self.shortcut, "shortcut_convs": list(self.shortcut_convs),
                "identity": self.identity}


def describe_blocks(calls: list[Any], blocks: list[str]) -> list[Block]:
    """One ``Block`` per name in ``blocks`` (in the order given), from ``calls`` (objects with ``name``,
    ``module``, ``input`` and ``output``, in call order); a block whose addition cannot be followed back
    is left out."""
    by_name = {c.name: c for c in calls}
    out = []
    for name in blocks:
        call = by_name.get(name)
        operands = _add_operands(call.output.grad_fn) if call is not None else []
        if len(operands) != 2:
            continue
        convs = [convs_between(node, call.input) for node in operands]
        if None in convs:
            continue
        short = int(convs[1] < convs[0])
        node = operands[short]
        identity = node is call.input.grad_fn
        inside = [c for c in calls if c.name.startswith(name + ".") and isinstance(c.output, torch.Tensor)
                  and c.output.grad_fn is node]
        holder = min(inside, key=lambda c: c.name.count(".")) if inside and not identity else None
        shortcut_convs = tuple(_conv_text(m) for m in holder.module.modules() if isinstance(m, nn.Conv2d)) \
            if holder is not None else ()
        out.append(Block(name=name, kind=type(call.module).__name__, input_shape=tuple(call.input.shape[1:]),
                         output_shape=tuple(call.output.shape[1:]), branch_convs=convs[1 - short],
                         shortcut=holder.name if holder is not None else None, shortcut_convs=shortcut_convs,
                         identity=identity))
    return out


def _add_operands(node) -> list:
    """The two inputs of the addition that made a block's output, through the one-input nodes after it (its
    activation); [] when the output is not an addition."""
    for _ in range(4):
        if node is None:
            return []
        if type(node).__name__.startswith("AddBackward"):
            return [n for n, _ in node.next_functions if n is not None]
        inputs = [n for n, _ in node.next_functions if n is not None]
        if len(inputs) != 1:
            return []
        node = inputs[0]
    return []


def convs_between(node, source: torch.Tensor) -> int | None:
    """Convolutions on the autograd graph from ``node`` down to ``source`` (a block's input: its grad_fn, or
    itself when it is a leaf that requires grad, such as the model's input), or None when that graph does not
    reach it."""
    target = source.grad_fn
    stack, seen, convs, reached = [node], set(), 0, False
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        if n is target or (target is None and getattr(n, "variable", None) is source):
            reached = True
            continue
        convs += type(n).__name__.startswith("ConvolutionBackward")
        stack.extend(f for f, _ in n.next_functions)
    return convs if reached else None


def _conv_text(conv: nn.Conv2d) -> str:
    k, s = conv.kernel_size, conv.stride
    size = f"{k[0]}x{k[1]}"
    stride = f", stride {s[0]}" if s[0] == s[1] and s[0] != 1 else f", stride {s[0]}x{s[1]}" if s != (1, 1) else ""
    return f"{size} conv{stride}"
