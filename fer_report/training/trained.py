"""A trained model as every section receives it: the weights, how it was trained (history, input spec,
ten crops, flip TTA) and whether it was trained here or came trained."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from fer_report.model.inference import InputSpec, logits, to_input


@dataclass
class Trained:
    model: nn.Module  # best-validation weights, eval mode, on ``device``
    history: list[dict[str, float]] | None  # None: trained elsewhere, no log given
    spec: InputSpec  # what the model takes: channels, size, normalisation (fitted on the training split)
    device: torch.device
    cache_dir: Path | None
    seconds: float  # training time spent in this call (0 = reused from the cache)
    recorded_seconds: float  # training time the cache entry cost when it was built, resumes included
    ten_crop: bool = False  # trained on ten crops: predictions average the ten crops of each image
    tta: str = "none"  # "flip": predictions average each image and its mirror (validation did too)
    trained_here: bool = True  # False: the model came trained (the user's checkpoint, a test's hand-built net)

    @classmethod
    def given(cls, model: nn.Module, spec: InputSpec, device: torch.device | str = "cpu",
              history: list[dict] | None = None) -> "Trained":
        """A model trained elsewhere: evaluated as it is, nothing cached; ``history`` from the user's log, if any."""
        device = torch.device(device)
        return cls(model=model.to(device).eval(), history=history, spec=spec, device=device, cache_dir=None,
                   seconds=0.0, recorded_seconds=0.0, trained_here=False)

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for model input ``x`` (``to_input``), as the validation accuracy was measured."""
        return logits(self.model, x, ten_crop=self.ten_crop, tta=self.tta)

    def inputs(self, images) -> torch.Tensor:
        """Model input for uint8 images (N, H, W), on the model's device."""
        return to_input(images, self.spec, self.device)
