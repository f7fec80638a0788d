"""A hand-built model whose scores depend only on a known "mouth" window, and artefacts around it.

``MouthNet``'s logit for class c is the contrast energy sum(x^2) (x = pixel / 255 - 0.5) inside
strip c of the mouth window (7 strips side by side), so the only pixels that can matter are in the
mouth window, and for each class only its own strip. A faithful explanation must point into the mouth; a test that runs a
section on ``mouth_artefacts`` knows the answer in advance.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from fer_report.report.artifacts import Predictions, SplitPredictions
from fer_report.data.dataset import Dataset, Split
from fer_report.model.inference import InputSpec
from fer_report.training.train import Trained

SIZE = 48
CLASSES = 7
MOUTH = (slice(32, 40), slice(10, 38))  # 8 x 28 pixels: 7 strips of 4 columns, on the 2x2 grid of conv2
BROWS = (slice(10, 14), slice(8, 40))
EYES = (slice(16, 22), slice(10, 38))
MEAN = 0.5  # the model sees pixels / 255 - 0.5: contrast around mid-grey, which deletion (0) removes
GAIN = 400.0  # logit per unit of mean strip energy: the class with the most energy wins clearly


def strip_masks() -> torch.Tensor:
    masks = torch.zeros(CLASSES, SIZE, SIZE)
    rows, cols = MOUTH
    for c in range(CLASSES):
        masks[c, rows, cols.start + 4 * c:cols.start + 4 * (c + 1)] = 1
    return masks


class MouthNet(nn.Module):
    """The squared image masked to each class's strip (7 channels), ``conv`` (2x2, stride 2, each channel
    on its own) averages it into a 24x24 layer for Grad-CAM, and the head sums each channel."""

    last_conv_name = "conv"

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("masks", strip_masks())
        self.conv = nn.Conv2d(CLASSES, CLASSES, 2, stride=2)  # diagonal: a plain conv is faster than groups=7
        with torch.no_grad():
            self.conv.weight.zero_()
            for c in range(CLASSES):
                self.conv.weight[c, c] = GAIN / (4 * 32)  # a strip has 32 pixels: logit = GAIN * mean energy
            self.conv.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x.square() * self.masks).sum((2, 3))


def regions() -> np.ndarray:
    """(H, W) cue codes: 1 brows, 2 eyes, 3 mouth (the synthetic faces' convention)."""
    r = np.zeros((SIZE, SIZE), np.uint8)
    r[BROWS], r[EYES], r[MOUTH] = 1, 2, 3
    return r


def mouth_artefacts(dataset: Dataset) -> dict:
    """``dataset``, ``trained`` and ``predictions`` for MouthNet on ``dataset``'s test images.

    The labels are MouthNet's own answers (so every image is correctly classified) and every
    image's cue regions are the fixed windows above: the right explanation is known in advance.
    """
    torch.manual_seed(0)
    model = MouthNet().eval()
    x = dataset.test.x
    with torch.no_grad():
        probs = torch.softmax(model(torch.as_tensor(x, dtype=torch.float32)[:, None] / 255.0 - MEAN), 1).numpy()
    y = probs.argmax(1)
    test = Split(x=x, y=y, regions=np.broadcast_to(regions(), x.shape).copy())
    data = Dataset(name="mouth", source="synthetic faces labelled by MouthNet", classes=dataset.classes,
                   train=test, val=test, test=test, region_names=dataset.region_names)
    split = SplitPredictions(y_true=y, y_pred=y, probs=probs)
    trained = Trained.given(model, InputSpec(mean=(MEAN,), std=(1.0,)))
    return {"dataset": data, "trained": trained, "predictions": Predictions(test=split, val=split)}
