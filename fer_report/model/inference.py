"""How images become model input and model output becomes class scores: the one place that knows.

Every section and explanation turns dataset images (uint8 (N, H, W), 0..255) into model input with
``to_input(x, spec, device)`` and never assumes 1x48x48: the run's ``InputSpec`` says how many
channels the model takes (grey is replicated), the side it expects (images are resized), and the
per-channel normalisation it was trained with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fer_report.errors import ConfigError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class InputSpec:
    """What the model takes: ``channels`` x ``size`` x ``size``, each channel ``(x/255 - mean) / std``."""

    channels: int = 1
    size: int = 48
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)
    normalize: str = "mean-std"  # how mean/std were chosen: mean-std (fitted), 0-1, imagenet, or "MEAN,STD"
    meta: dict = field(default_factory=dict, compare=False)  # facts for the report header (e.g. output kind)

    def __post_init__(self) -> None:
        if len(self.mean) != len(self.std) or len(self.mean) not in (1, self.channels):
            raise ConfigError(f"normalisation has {len(self.mean)} means and {len(self.std)} standard deviations "
                              f"for a {self.channels}-channel input; expected 1 or {self.channels} of each")

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, self.size, self.size)

    @property
    def model_side(self) -> int:
        """The side the model itself runs at: ``size`` is the side our code hands it (the data's), and a model
        behind a resize (``network.Resized``) takes another, e.g. 40 after ``--input-size 40``."""
        return int(self.meta.get("model_size", self.size))

    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value a pixel can take in model input (over all channels)."""
        lo = [(0.0 - m) / s for m, s in zip(self.mean, self.std)]
        hi = [(1.0 - m) / s for m, s in zip(self.mean, self.std)]
        return min(lo), max(hi)

    def describe(self) -> str:
        """One line for the report header, e.g. '1x48x48, mean-std (0.507 / 0.255)'."""
        stats = "/".join(f"{m:.3f}" for m in self.mean) + " / " + "/".join(f"{s:.3f}" for s in self.std)
        side = self.model_side
        resized = f" (the {self.size}x{self.size} images resized)" if side != self.size else ""
        return f"{self.channels}x{side}x{side}{resized}, {self.normalize} ({stats})"

    def to_json(self) -> dict:
        return {"channels": self.channels, "size": self.size, "mean": list(self.mean), "std": list(self.std),
                "normalize": self.normalize, **self.meta}


def fitted_spec(train_x: np.ndarray, *, channels: int = 1, size: int | None = None) -> InputSpec:
    """The built-ins' normalisation: the training split's mean and standard deviation (one value, grey)."""
    mean = float(train_x.mean() / 255.0)
    std = float(train_x.std() / 255.0) or 1.0
    return InputSpec(channels=channels, size=int(size or train_x.shape[-1]), mean=(mean,), std=(std,))


def to_input(x: np.ndarray | torch.Tensor, spec: InputSpec, device: torch.device | str) -> torch.Tensor:
    """uint8 (N, H, W) -> float (N, C, size, size): resized, grey replicated to C channels, normalised."""
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).to(device)
    return unit_to_input(t.float().div(255.0), spec)


def unit_to_input(x: torch.Tensor, spec: InputSpec) -> torch.Tensor:
    """float grey (N, H, W) in 0..1 -> model input, as ``to_input`` (LIME's perturbed images arrive so)."""
    t = x.unsqueeze(1)
    if t.shape[-1] != spec.size or t.shape[-2] != spec.size:
        t = F.interpolate(t, size=(spec.size, spec.size), mode="bilinear", align_corners=False, antialias=True)
    mean = torch.tensor(spec.mean, device=t.device).view(1, -1, 1, 1)
    std = torch.tensor(spec.std, device=t.device).view(1, -1, 1, 1)
    return (t.expand(-1, spec.channels, -1, -1) - mean) / std


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda: no CUDA device is visible to torch; use --device cpu or auto")
    return torch.device(name)


def fast(device: torch.device) -> bool:
    """bf16 autocast: on CUDA only (on the CPU it would slow training and change results)."""
    return device.type == "cuda"


def autocast(device: torch.device):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=fast(device))


def train_bf16(device: torch.device) -> bool:
    """bf16 autocast for training steps: on CUDA, and on a CPU with native bf16 (AVX512-BF16/AMX), where a
    channels_last cnn4 step of 64 images measured 59 ms against 108 ms in fp32 on 2 cores. Predictions,
    validation and every explanation stay fp32 (``autocast``): gradient maps are checked to 1e-5."""
    if device.type == "cuda":
        return True
    return device.type == "cpu" and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def train_autocast(device: torch.device):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=train_bf16(device))


def logits(model: nn.Module, x: torch.Tensor, *, ten_crop: bool = False, tta: str = "none") -> torch.Tensor:
    """float32 class scores; test-time averaging of the logits: with ``ten_crop`` the mean over the ten
    crops of each image, with ``tta="flip"`` the mean of the image and its horizontal mirror (the ten
    crops hold their own mirrors, so flip adds nothing to them)."""
    from fer_report.data.augment import CROPS, warp, with_ten_crops

    with autocast(x.device):
        if ten_crop:
            n = x.shape[0]
            crops = warp(x.repeat_interleave(CROPS, 0), with_ten_crops(None, n, x.device))
            return model(crops).float().view(n, CROPS, -1).mean(1)
        if tta == "flip":
            n = x.shape[0]
            return model(torch.cat([x, x.flip(-1)])).float().view(2, n, -1).mean(0)
        return model(x).float()


@torch.no_grad()
def predict_probs(model: nn.Module, images: np.ndarray, spec: InputSpec, device: torch.device, *,
                  ten_crop: bool = False, tta: str = "none", batch: int = 512) -> np.ndarray:
    """(N, classes) softmax of the model for uint8 images, in eval mode, as validation accuracy was measured
    (pass the run's ``ten_crop`` and ``tta``, as ``Trained`` holds them)."""
    out = []
    was_training = model.training
    model.eval()
    try:
        for i in range(0, len(images), batch):
            out.append(torch.softmax(logits(model, to_input(images[i:i + batch], spec, device), ten_crop=ten_crop, tta=tta),
                                     1).cpu().numpy())
    finally:
        model.train(was_training)
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)
