"""What a student's model takes and returns, found by running it, because their code says neither.

Student models end in logits, ``nn.Softmax`` or ``F.log_softmax``, some return ``(logits, features)``,
and their first layer may take 1 or 3 channels (or repeat a grey image to 3 before a pretrained
stem). Sections need one thing: (N, classes) scores that softmax and cross-entropy treat as logits,
from an input of the right shape. ``ClassScores`` provides that without renaming the user's layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from fer_report.errors import UserError

KINDS = ("logits", "probabilities", "log-probabilities")


@dataclass(frozen=True)
class OutputKind:
    kind: str  # one of KINDS
    tuple_output: bool  # a tuple/list whose first element holds the class scores
    classes: int


def find_input(model: nn.Module, *, sizes: tuple[int, ...] = (48,), default: int = 1,
               where: str = "the model") -> tuple[int, int]:
    """(channels, size) of the first probe input the model runs on; ``sizes`` in order of preference.

    Channel candidates: the first Conv2d's ``in_channels`` in definition order, then ``default``, the
    other convs' and 1 and 3. Each is verified by a forward pass of 2 images, because definition order
    need not be execution order and a model may repeat a grey image to 3 channels before its first conv.
    When no batch of 2 runs, a single image is tried: an ONNX file exported without ``dynamic_axes``
    takes a batch of 1 only, and its input is found so (``batch_error`` then says the batch is fixed).
    """
    convs = [m.in_channels for m in model.modules() if isinstance(m, nn.Conv2d) and m.in_channels > 0]
    candidates = list(dict.fromkeys(convs[:1] + [default] + convs[1:] + [1, 3]))
    first_error: str | None = None
    for batch in (2, 1):
        for size in sizes:
            for channels in candidates:
                error = batch_error(model, channels, size, batch=batch)
                if error is None:
                    return channels, size
                first_error = first_error or f"{candidates[0]}x{size}x{size} input: {error}"
    raise UserError(f"{where} does not run on a {first_error}; expected a model that takes "
                    f"{' or '.join(f'{s}x{s}' for s in sizes)} images")


def input_channels(model: nn.Module, default: int = 1, *, size: int = 48, where: str = "the model") -> int:
    """Channels the model takes at ``size`` x ``size`` (a DNN whose first layer is Linear: ``default``)."""
    return find_input(model, sizes=(size,), default=default, where=where)[0]


def batch_error(model: nn.Module, channels: int, size: int, *, batch: int = 2) -> str | None:
    """None if a forward pass of ``batch`` images gives ``batch`` rows, else why not (the error's first line)."""
    x = torch.randn(batch, channels, size, size, generator=torch.Generator().manual_seed(0), device="cpu")
    try:
        out = _forward(model, x)
    except Exception as exc:  # any failure means "not this shape"; the message shows the first one
        lines = str(exc).strip().splitlines()
        return f"{type(exc).__name__}: {lines[0][:200] if lines else ''}"
    first = out[0] if isinstance(out, (tuple, list)) and len(out) else out
    if isinstance(first, torch.Tensor) and (first.dim() == 0 or first.shape[0] != batch):
        return f"{batch} images gave output of shape {tuple(first.shape)}"  # x.view(-1, C*H*W) at the wrong size
    return None


@torch.no_grad()
def _forward(model: nn.Module, x: torch.Tensor) -> Any:
    """One eval-mode pass on the model's device, leaving its train/eval mode as it was."""
    param = next(model.parameters(), None)
    x = x.to(param.device) if param is not None else x
    was_training = model.training
    model.eval()
    try:
        return model(x)
    finally:
        model.train(was_training)


def detect_output(model: nn.Module, x: torch.Tensor, *, where: str = "the model") -> OutputKind:
    """Logits, probabilities (non-negative rows summing to 1) or log-probabilities (rows whose exp sums to 1)."""
    out = _forward(model, x)
    tuple_output = isinstance(out, (tuple, list))
    scores = _scores(out[0] if tuple_output and len(out) else out, len(x), where)
    if (scores >= 0).all() and torch.allclose(scores.sum(1), torch.ones(len(scores)), atol=1e-3):
        kind = "probabilities"
    elif (scores <= 0).all() and torch.allclose(scores.exp().sum(1), torch.ones(len(scores)), atol=1e-3):
        kind = "log-probabilities"
    else:
        kind = "logits"
    return OutputKind(kind=kind, tuple_output=tuple_output, classes=scores.shape[1])


def _scores(out: Any, batch: int, where: str) -> torch.Tensor:
    """(N, C) float scores; a fully convolutional (N, C, 1, 1) output is flattened."""
    if not isinstance(out, torch.Tensor):
        raise UserError(f"{where} returns {type(out).__name__}; expected a tensor of class scores "
                        "(or a tuple whose first element is one)")
    if out.dim() > 2 and all(s == 1 for s in out.shape[2:]):
        out = out.flatten(1)
    if out.dim() != 2 or out.shape[0] != batch:
        raise UserError(f"{where} returns shape {tuple(out.shape)} for {batch} images; "
                        f"expected ({batch}, classes) class scores")
    if not out.is_floating_point():
        raise UserError(f"{where} returns {out.dtype} values (class indices?); expected float class scores")
    return out.float().cpu()


def check_classes(kind: OutputKind, expected: int, where: str) -> None:
    if kind.classes != expected:
        raise UserError(f"{where}: the model returns {kind.classes} class scores per image; the data has "
                        f"{expected} classes; expected {expected} (build it with num_classes={expected})")


class Wrapper(nn.Module):
    """A module around the user's model that shares its submodule, parameter and buffer dicts instead of
    holding it as a child, so ``named_modules()``, ``get_submodule()`` and ``state_dict()`` use the
    user's own names (``features.conv1``, not ``inner.features.conv1``) and hooks on those layers fire.
    The model stays reachable as ``.inner``; attributes the wrapper lacks are read from it (e.g.
    ``last_conv_name``). A TorchScript module cannot share its dicts: it is held as the child
    ``inner`` (names gain an ``inner.`` prefix; TorchScript refuses hooks anyway).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        if isinstance(model, torch.jit.ScriptModule):
            self.inner = model
            return
        object.__setattr__(self, "inner", model)  # not a child: its children are ours
        self._modules = model._modules
        self._parameters = model._parameters
        self._buffers = model._buffers
        self._non_persistent_buffers_set = model._non_persistent_buffers_set

    def train(self, mode: bool = True) -> "Wrapper":
        self.inner.train(mode)  # the user's forward may read self.training (F.dropout(training=...))
        self.training = mode
        return self

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            inner = self.__dict__.get("inner")  # a TorchScript model is the child "inner" instead
            inner = self.__dict__.get("_modules", {}).get("inner") if inner is None else inner
            if inner is None or name.startswith("__"):
                raise
            return getattr(inner, name)


class ClassScores(Wrapper):
    """(N, classes) scores usable as logits: ``softmax(ClassScores(m)(x))`` is the model's probabilities.

    Probabilities become log-probabilities (softmax(log p) = p); log-probabilities and logits pass as
    they are; a tuple gives its first element.
    """

    def __init__(self, model: nn.Module, output: OutputKind) -> None:
        super().__init__(model)
        self.output = output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.inner(x)  # called, not .forward: the user's own hooks on the model still fire
        if self.output.tuple_output:
            out = out[0]
        if out.dim() > 2:
            out = out.flatten(1)
        if self.output.kind == "probabilities":
            out = out.clamp_min(1e-12).log()
        return out

    def extra_repr(self) -> str:
        return f"output={self.output.kind}{', tuple' if self.output.tuple_output else ''}"


def class_scores(model: nn.Module, x: torch.Tensor, *, where: str = "the model") -> ClassScores:
    """``ClassScores`` of the model, its output kind detected on the batch ``x``."""
    return ClassScores(model, detect_output(model, x, where=where))
