"""A Keras model file as a plain PyTorch module, without TensorFlow and without Keras at run time.

Students of the Keras years hold a ``model.h5`` (Keras 2.0 / tf.keras 2.x, or Keras 3's legacy writer),
a ``.keras`` zip, or a ``model.to_json()`` file and a ``save_weights`` file. ``load_keras`` reads the
architecture as JSON and the weights as arrays (h5py), and builds an ``nn.Module`` whose children are
the Keras layers under their Keras names, so forward hooks, autograd and layer searches work as on
any torch model. (Keras 3 on the torch backend also loads these files, but its layers are not in
``named_modules()``, its hooks see NHWC tensors, and a backward pass crashed the process on a
separable-conv model: see bench/keras_routes.py.)

Layout: the module takes **NCHW** float input, ``(N, C, H, W)``, and computes in NCHW; Keras's input
shape ``(H, W, C)`` is ``KerasModel.input_shape``. It permutes to NHWC only where element order
matters: Flatten (so the next Dense's kernel fits), Reshape, a Dense on a 4-D tensor. It returns what
the Keras model returns (softmax probabilities for a ``Dense(7, activation="softmax")`` head).

A fused ``activation=`` is its own child right after its layer, named ``<layer>_<activation>``:
``conv2d_1`` is the raw conv, ``conv2d_1_relu`` its ReLU.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torch import nn

from fer_report.errors import UserError

from .config import Problem
from .files import read_source
from .graph import assemble
from .summary import LayerRow, summary_text, totals

__all__ = ["KerasModel", "LayerRow", "load_keras"]


@dataclass
class KerasModel:
    """The converted model and Keras's own account of it (the report's architecture and source sections)."""

    module: nn.Module  # takes (N, C, H, W); in eval mode
    input_shape: tuple[int, int, int]  # (H, W, C), as Keras has it
    rows: list[LayerRow]  # one per Keras layer, in Keras's order
    name: str  # the Keras model's name
    kind: str  # "Sequential" or "Functional"
    file_kind: str  # e.g. "Keras 2.0.5 full-model .h5"
    keras_version: str | None
    config: dict[str, Any]  # the serialized architecture as the file holds it
    files: tuple[Path, ...]  # the model file and the weights file, for the cache key
    output_shape: tuple = ()
    rectifiers: dict[str, str] = field(default_factory=dict)  # conv child -> the ReLU child rectifying it

    @property
    def total_params(self) -> int:
        return totals(self.rows)[0]

    @property
    def trainable_params(self) -> int:
        return totals(self.rows)[1]

    @property
    def non_trainable_params(self) -> int:
        return totals(self.rows)[2]

    @property
    def scales_input(self) -> bool:
        """A Rescaling or Normalization layer before the first conv or Dense: the model takes raw 0..255 pixels."""
        for r in self.rows:
            if r.class_name in ("Rescaling", "Normalization"):
                return True
            if r.class_name in ("Conv2D", "SeparableConv2D", "DepthwiseConv2D", "Dense"):
                return False
        return False

    def summary_text(self) -> str:
        """The model as Keras 2's ``model.summary()`` prints it."""
        return summary_text(self.name, self.rows, functional=self.kind == "Functional")

    def config_text(self) -> str:
        """The layer config as saved in the file (indented JSON), for the model-source section."""
        return json.dumps(self.config, indent=2, sort_keys=False)


def load_keras(path: str | Path, weights: str | Path | None = None) -> KerasModel:
    """Read a Keras ``.h5`` / ``.keras`` / ``to_json`` file (``weights``: its ``save_weights`` file).

    Raises ``UserError`` with one line naming the file for anything that cannot be read or converted.
    """
    path = Path(path)
    weights_path = Path(weights) if weights is not None else None
    try:
        source = read_source(path, weights_path)
        spec = source.spec
        shape = spec.input_shape
        if shape is None:
            raise Problem("the architecture does not state its input shape (no InputLayer or batch_input_shape)")
        if len(shape) != 3 or shape[-1] is None:
            raise Problem(f"input shape {shape} is not an image (H, W, C) with a known channel count")
        built = assemble(spec, source.weights, shape)
    except Problem as e:
        raise UserError(f"{path}: {e}") from None
    if len(built.output_shape) != 1:
        raise UserError(f"{path}: the model's output has shape {built.output_shape} per image; fer-report needs "
                        "one score per class, (N, 7)")
    built.module.eval()
    files = (path,) + ((weights_path,) if weights_path else ())
    return KerasModel(built.module, tuple(shape), built.rows, spec.name, spec.kind, source.kind,
                      source.keras_version, source.config, files, tuple(built.output_shape), built.rectifiers)
