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
from fer_report.model.output import Wrapper

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
        behind a resize (``Resized``) takes another, e.g. 40 after ``--input-size 40``."""
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


class Resized(Wrapper):
    """The model behind a resize to the side it takes, so that every explanation, map and deletion curve
    stays at the data's resolution (where the images and cue regions are) while the model sees its own."""

    def __init__(self, model: nn.Module, side: int) -> None:
        super().__init__(model)
        self.side = side

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(F.interpolate(x, size=(self.side, self.side), mode="bilinear", align_corners=False,
                                        antialias=x.shape[-1] > self.side))


@dataclass(frozen=True)
class Views:
    """What test-time averaging feeds the model for each image: ``count`` views whose logits are averaged.

    none: the image; flip: it and its mirror image; five-crop / ten-crop: torchvision's FiveCrop / TenCrop
    (four corners and the centre, and for ten their mirror images) of ``crop`` pixels. A model that takes
    a smaller side than the data's (``Resized``, e.g. 44 on 48x48 faces, as crop-trained repositories
    test) gets crops of its own side, cut from the image without resampling; a model taking the data's
    side gets crops of 40/48 of it, stretched back to that side, as ``--ten-crop`` training uses.
    """

    kind: str  # none, flip, five-crop, ten-crop
    count: int
    side: int  # the data's side: what our code hands the model
    fraction: float = 1.0  # a crop's side over the image's
    stretched: bool = False  # crops resized back to ``side`` (the model takes the whole image)
    trained: bool = False  # the model was trained on these ten crops (--ten-crop)

    @property
    def crop(self) -> int | None:
        """A crop's side in the data's pixels; None: no crops."""
        return round(self.side * self.fraction) if self.kind.endswith("crop") else None

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, side, side) -> the views, flip: all images then all mirrors; crops: image-major."""
        from fer_report.data.augment import crop_theta, warp

        if self.kind == "flip":
            return torch.cat([x, x.flip(-1)])
        if self.crop is None:
            return x
        theta = crop_theta(self.fraction, self.count, torch.device(x.device)).repeat(x.shape[0], 1, 1)
        return warp(x.repeat_interleave(self.count, 0), theta, size=None if self.stretched else self.crop)

    def mean(self, out: torch.Tensor, n: int) -> torch.Tensor:
        """(n * count, classes) logits of the views -> (n, classes), each image's mean."""
        if self.kind == "flip":
            return out.view(2, n, -1).mean(0)
        return out.view(n, self.count, -1).mean(1)

    def to_json(self) -> dict:
        return {"kind": self.kind, "views": self.count, "side": self.side, "crop": self.crop,
                "stretched": self.stretched, "trained": self.trained}


def views(model: nn.Module, side: int, *, tta: str = "none", ten_crop: bool = False) -> Views:
    """The views ``logits`` averages for ``model`` on images of ``side`` (the data's side)."""
    from fer_report.data.augment import CROPS, TEN_CROP_FRACTION

    if ten_crop:  # trained on ten stretched crops: tested on the same ten
        return Views("ten-crop", CROPS, side, TEN_CROP_FRACTION, stretched=True, trained=True)
    if tta in ("five-crop", "ten-crop"):
        count = 5 if tta == "five-crop" else CROPS
        own = model.side if isinstance(model, Resized) else side
        if own < side:
            return Views(tta, count, side, own / side)
        return Views(tta, count, side, TEN_CROP_FRACTION, stretched=True)
    if tta == "flip":
        return Views("flip", 2, side)
    if tta != "none":
        raise ConfigError(f"--tta {tta}: unknown; expected none, flip, five-crop or ten-crop")
    return Views("none", 1, side)


#: Crops per model call: ten crops of 512 images at once would hold 5120 feature maps of every layer.
MAX_VIEWS = 512


def logits(model: nn.Module, x: torch.Tensor, *, ten_crop: bool = False, tta: str = "none") -> torch.Tensor:
    """float32 class scores of model input ``x``, as ``views`` says: the mean of the logits over each image's
    views (the image alone, it and its mirror, or its five or ten crops). Training's validation, the
    test predictions and every accuracy go through here, so they average the same views."""
    v = views(model, x.shape[-1], tta=tta, ten_crop=ten_crop)
    with autocast(x.device):
        if v.count == 1:
            return model(x).float()
        if v.kind == "flip":
            return v.mean(model(v.apply(x)).float(), x.shape[0])
        per = max(1, MAX_VIEWS // v.count)
        return torch.cat([v.mean(model(v.apply(x[i:i + per])).float(), len(x[i:i + per]))
                          for i in range(0, x.shape[0], per)])


@torch.no_grad()
def predict_probs(model: nn.Module, images: np.ndarray, spec: InputSpec, device: torch.device, *,
                  ten_crop: bool = False, tta: str = "none", batch: int = 512) -> np.ndarray:
    """(N, classes) softmax of the model for uint8 images, in eval mode, as validation accuracy was measured
    (pass the run's ``ten_crop`` and ``tta``, as ``Trained`` holds them)."""
    out = []
    count = views(model, spec.size, tta=tta, ten_crop=ten_crop).count
    batch = max(1, batch // count) if count > 2 else batch  # crops: as many views per call as 512 images
    was_training = model.training
    model.eval()
    try:
        for i in range(0, len(images), batch):
            out.append(torch.softmax(logits(model, to_input(images[i:i + batch], spec, device), ten_crop=ten_crop, tta=tta),
                                     1).cpu().numpy())
    finally:
        model.train(was_training)
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)
