"""What one Keras layer becomes: the registry of builders, the weight checks they share, the refusals.

A builder gets the layer's config, its input shapes (Keras's, without the batch axis: (H, W, C) or
(F,)) and the arrays the weights file holds for it; it returns the torch module, the output shape
as Keras computes it, and Keras's parameter counts. Shapes are computed here rather than found by
running the module, so a weights file that does not fit the architecture is named layer by layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from .config import LayerSpec, Problem
from .weights import Arrays

Shape = tuple  # Keras shape without the batch axis; None for a free axis


@dataclass(frozen=True)
class Role:
    """One array a layer needs: its Keras name(s), its shape, whether Keras counts it as trainable."""

    name: str
    shape: tuple
    trainable: bool = True
    aliases: tuple[str, ...] = ()


@dataclass
class Built:
    module: nn.Module | None  # None: nothing to compute (InputLayer)
    shape: Shape
    trainable: int = 0
    non_trainable: int = 0
    activation: nn.Module | None = None  # a fused activation=, a child of its own
    activation_name: str = ""
    inner_rows: list = field(default_factory=list)  # a nested model's own rows


@dataclass
class Ctx:
    """Everything a builder may look at, and the weight check that names the layer when it fails."""

    layer: LayerSpec
    shapes: list[Shape]
    arrays: Arrays
    label: str  # the weights file, for messages
    nested: Any = None  # LayerWeights of a nested model

    @property
    def cfg(self) -> dict[str, Any]:
        return self.layer.config

    @property
    def where(self) -> str:
        return f"layer '{self.layer.name}' ({self.layer.class_name})"

    @property
    def shape(self) -> Shape:
        return self.shapes[0]

    def image_shape(self) -> tuple:
        """The (H, W, C) input of a 2-D image layer, refusing anything else with the layer's name."""
        if len(self.shape) != 3:
            raise Problem(f"{self.where}: needs an (H, W, C) input, the model gives it {_text(self.shape)}")
        if self.shape[-1] is None:
            raise Problem(f"{self.where}: its number of input channels is not known from the architecture")
        if self.cfg.get("data_format", "channels_last") not in (None, "channels_last"):
            raise Problem(f"{self.where}: data_format {self.cfg['data_format']!r} is not supported "
                          "(channels_last only, Keras's default)")
        return self.shape

    def take(self, roles: list[Role]) -> tuple[list[np.ndarray], int, int]:
        """The layer's arrays in ``roles`` order, checked; and Keras's (trainable, non-trainable) counts."""
        got = self.arrays
        if len(got) != len(roles):
            have = ", ".join(_text(a.shape) for _, a in got) or "none"
            need = ", ".join(f"{r.name} {_text(r.shape)}" for r in roles) or "none"
            raise Problem(f"{self.where}: {self.label} holds {len(got)} weight arrays for it ({have}); "
                          f"the architecture needs {len(roles)} ({need})")
        named = {n: a for n, a in got if n}
        if len(named) == len(roles) and all(_find(named, r) is not None for r in roles):
            arrays = [_find(named, r) for r in roles]
        else:  # positional: the order Keras created them in, which every writer keeps
            arrays = [a for _, a in got]
        for role, array in zip(roles, arrays):
            if tuple(array.shape) != tuple(role.shape):
                raise Problem(f"{self.where}: {self.label} holds {role.name} of shape {_text(array.shape)}; "
                              f"the architecture needs {_text(role.shape)}")
        frozen = self.cfg.get("trainable", True) is False
        trainable = sum(a.size for r, a in zip(roles, arrays) if r.trainable and not frozen)
        return arrays, trainable, sum(a.size for a in arrays) - trainable


def _find(named: dict[str, np.ndarray], role: Role) -> np.ndarray | None:
    for name in (role.name, *role.aliases):
        if name in named:
            return named[name]
    return None


def _text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def tensor(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


def pair(value: Any) -> tuple[int, int]:
    """Keras's int-or-pair arguments (kernel_size=3, strides=(2, 2))."""
    if isinstance(value, (list, tuple)):
        return (int(value[0]), int(value[-1]))
    return (int(value), int(value))


BUILDERS: dict[str, Callable[[Ctx], Built]] = {}
#: Other spellings of a supported class, and model classes: left out of the "supported" list.
_NOT_LISTED = ("MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "GlobalMaxPool2D", "Sequential", "Functional", "Model")


def builder(*class_names: str) -> Callable:
    """Register a builder under each Keras class name (aliases included, e.g. MaxPool2D)."""
    def register(fn: Callable[[Ctx], Built]) -> Callable[[Ctx], Built]:
        for name in class_names:
            BUILDERS[name] = fn
        return fn
    return register


_CODE = ("Lambda", "TFOpLambda", "SlicingOpLambda")


def build(ctx: Ctx) -> Built:
    """The layer as a torch module, or a Problem naming it and what is supported."""
    from . import build_conv, build_core  # noqa: F401  (they fill BUILDERS)

    cls = ctx.layer.class_name
    if cls in _CODE:
        what = "runs Python code saved in the file" if cls == "Lambda" else "is a TensorFlow operation recorded in the graph"
        raise Problem(f"{ctx.where} {what}; fer-report does not run code from a model file: "
                      "rewrite it as a supported layer, or export to ONNX")
    if cls not in BUILDERS:
        raise Problem(f"{ctx.where} is not supported (a custom or unlisted layer); fer-report reads "
                      f"{supported_text()}; rewrite it as one of these, or export to ONNX")
    return BUILDERS[cls](ctx)


def supported_text() -> str:
    from . import build_conv, build_core  # noqa: F401

    return ", ".join(sorted(n for n in BUILDERS if n not in _NOT_LISTED)) + ", and models used as layers"
