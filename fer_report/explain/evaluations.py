"""How many model evaluations a piece of work costs: images through the model's forward pass, and images
whose gradient flows back into it.

A section's time is (evaluations) x (cost of one), and only the first factor is the section's own choice:
LIME's samples, SmoothGrad's copies, Integrated Gradients' steps, occlusion's windows, filter ascent's
steps, the randomisation check's repeats. Counting them by hand in every section would drift from what
the code does; two hooks on the model count what really ran instead, whatever library ran it (captum,
pytorch-grad-cam, lime, our own loops), including on the deep copies the explanations make (the hooks
are plain functions, so ``copy.deepcopy`` keeps them pointing at the same counter).

- forward: a forward pre-hook adds the batch's images at every call, a forward that stops early included
  (filter ascent stops at its layer), since it was started on them;
- backward: a gradient hook on the output adds the batch's images each time a gradient reaches it (a
  backward that stops at a layer, as Grad-CAM's, included); a forward that never returned (stopped at a
  layer) has its hook on the input instead. Forward passes under ``no_grad`` / ``inference_mode`` cannot
  have a backward and add nothing there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # torch is imported when a model is attached: a build that explains nothing never loads it
    from torch import nn


@dataclass(frozen=True)
class Count:
    forward: int = 0  # images through a forward pass
    backward: int = 0  # images whose gradient came back into the model

    @property
    def total(self) -> int:
        return self.forward + self.backward

    def __sub__(self, other: "Count") -> "Count":
        return Count(self.forward - other.forward, self.backward - other.backward)

    def to_json(self) -> dict[str, int]:
        return {"forward": self.forward, "backward": self.backward, "total": self.total}

    def describe(self) -> str:
        """For the progress line: '12,400 model evaluations (10,800 forward + 1,600 backward)'."""
        return f"{self.total:,} model evaluations ({self.forward:,} forward + {self.backward:,} backward)"


class Evaluations:
    """A counter the build installs on the model every section explains; ``snapshot()`` before and after a
    piece of work gives its ``Count``."""

    def __init__(self) -> None:
        self._forward = 0
        self._backward = 0
        self._models: set[int] = set()

    def snapshot(self) -> Count:
        return Count(self._forward, self._backward)

    def attach(self, model: "nn.Module") -> "nn.Module":
        """Install the two hooks on ``model`` (once; again on the same model is a no-op); returns the model."""
        import torch

        if id(model) in self._models:
            return model
        self._models.add(id(model))
        add = self._add  # the hooks close over the counter, never over the model
        open_calls: list[dict] = []  # forwards started and not yet returned (one, unless the model recurses)

        def before(_module, args: tuple) -> None:
            x = _first_tensor(args)
            if x is None:
                return
            n = _images(x)
            add(forward=n)
            call = {"returned": False}
            if x.requires_grad and torch.is_grad_enabled():  # counts only if this forward never returns
                x.register_hook(_counter(add, n, unless_returned=call))
            open_calls.append(call)

        def after(_module, args: tuple, out: Any) -> None:
            x = _first_tensor(args)
            if x is None:
                return
            if open_calls:
                open_calls.pop()["returned"] = True
            y = _first_tensor(out)
            if y is not None and y.requires_grad:
                y.register_hook(_counter(add, _images(x)))
            open_calls.clear()  # what is left raised before returning: its input hook stays armed

        model.register_forward_pre_hook(before)
        model.register_forward_hook(after)
        return model

    def _add(self, *, forward: int = 0, backward: int = 0) -> None:
        self._forward += forward
        self._backward += backward


def _counter(add, n: int, unless_returned: dict | None = None):
    def hook(_grad) -> None:
        if unless_returned is None or not unless_returned["returned"]:
            add(backward=n)
    return hook


def _first_tensor(value: Any):
    import torch

    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        return next((v for v in value if isinstance(v, torch.Tensor)), None)
    return None


def _images(x) -> int:
    """Images in a model input or output: the batch dimension (a single unbatched image counts one)."""
    return int(x.shape[0]) if x.dim() >= 2 else 1
