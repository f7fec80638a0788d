"""Artefacts sections ask for by name, each computed at most once per build and only when asked for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from fer_report.config import Settings
from fer_report.figures import Figures
from fer_report.i18n import Text


@dataclass
class SplitPredictions:
    y_true: np.ndarray  # (N,) int
    y_pred: np.ndarray  # (N,) int
    probs: np.ndarray  # (N, classes) softmax

    @property
    def accuracy(self) -> float:
        return float((self.y_true == self.y_pred).mean()) if len(self.y_true) else float("nan")


@dataclass
class Predictions:
    test: SplitPredictions
    val: SplitPredictions


class Artefacts:
    """``get("predictions")`` trains (or reuses) the model, then predicts; nothing runs that no section needs."""

    def __init__(self, settings: Settings, build_dir: Path, *, progress: bool | None = None) -> None:
        self._settings = settings
        self._build_dir = build_dir
        self._progress = progress

    def get(self, name: str) -> Any:
        return getattr(self, name)

    @cached_property
    def settings(self) -> Settings:
        return self._settings

    @cached_property
    def text(self) -> Text:
        return Text(self._settings.lang)

    @cached_property
    def figures(self) -> Figures:
        return Figures(self._build_dir, lang=self._settings.lang)

    @cached_property
    def dataset(self):
        from fer_report.data import load_dataset

        return load_dataset(self._settings.data, seed=self._settings.seed,
                            synthetic_size=self._settings.synthetic_size)

    @cached_property
    def network(self):
        import torch

        from fer_report.models import build_model

        torch.manual_seed(self._settings.seed)
        return build_model(self._settings.model, num_classes=len(self.dataset.classes),
                           image_size=self.dataset.image_size, match=self._settings.match,
                           weights=self._settings.weights)

    @cached_property
    def trained(self):
        from fer_report.train import train

        return train(self._settings, self.dataset, progress=self._progress)

    @cached_property
    def predictions(self) -> Predictions:
        import torch

        from fer_report.train import to_input

        t = self.trained
        out = {}
        for split_name in ("test", "val"):
            split = self.dataset.splits()[split_name]
            probs = []
            with torch.no_grad():
                for i in range(0, len(split), 512):
                    x = to_input(split.x[i:i + 512], t.mean, t.std, t.device)
                    probs.append(torch.softmax(t.predict(x), 1).float().cpu().numpy())  # ten-crop mean if trained so
            p = np.concatenate(probs) if probs else np.zeros((0, len(self.dataset.classes)))
            out[split_name] = SplitPredictions(y_true=split.y, y_pred=p.argmax(1), probs=p)
        return Predictions(**out)
