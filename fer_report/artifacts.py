"""Artefacts sections ask for by name, each computed at most once per build and only when asked for.

Each artefact is registered with ``@artefact(name, doc)``: a function of the ``Artefacts`` of the
run that computes it. A section package registers its own the same way (at import, before its
section is checked), so its sections can ask for them by parameter name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Artefact:
    name: str
    doc: str
    compute: Callable[["Artefacts"], Any]


#: name -> Artefact, in registration order.
ARTEFACTS: dict[str, Artefact] = {}


def artefact(name: str, doc: str) -> Callable:
    """Register ``fn(artefacts) -> value`` as the artefact ``name`` (a section's parameter name)."""
    def register(fn: Callable[["Artefacts"], Any]) -> Callable[["Artefacts"], Any]:
        ARTEFACTS[name] = Artefact(name, doc, fn)
        return fn
    return register


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

    def __init__(self, settings, build_dir: Path, *, progress: bool | None = None) -> None:
        self.settings = settings
        self.build_dir = build_dir
        self.progress = progress
        self._values: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._values:
            self._values[name] = ARTEFACTS[name].compute(self)
        return self._values[name]

    def computed(self, name: str) -> bool:
        """Whether ``name`` was already computed (the header shows only what some section needed)."""
        return name in self._values

    def __getattr__(self, name: str) -> Any:  # a.trained reads like a.get("trained")
        if name.startswith("_") or name not in ARTEFACTS:
            raise AttributeError(name)
        return self.get(name)


@artefact("settings", "the run's Settings")
def _settings(a: Artefacts):
    return a.settings


@artefact("text", "the report's language: text(key, **values) and text.cls(name)")
def _text(a: Artefacts):
    from fer_report.i18n import Text

    return Text(a.settings.lang)


@artefact("figures", "a Figures helper that saves matplotlib figures as PNG into the build")
def _figures(a: Artefacts):
    from fer_report.figures import Figures

    return Figures(a.build_dir, lang=a.settings.lang)


@artefact("dataset", "the loaded Dataset (train/val/test splits)")
def _dataset(a: Artefacts):
    from fer_report.data import load_dataset

    s = a.settings
    return load_dataset(s.data, seed=s.seed, synthetic_size=s.synthetic_size)


@artefact("network", "an untrained instance of the chosen model (no training needed)")
def _network(a: Artefacts):
    import torch

    from fer_report.models import build_model

    s, ds = a.settings, a.get("dataset")
    torch.manual_seed(s.seed)
    return build_model(s.model, num_classes=len(ds.classes), image_size=ds.image_size, match=s.match,
                       weights=s.weights)


@artefact("spec", "what the model takes: channels, size and normalisation (known without training)")
def _spec(a: Artefacts):
    from fer_report.inference import fitted_spec

    return fitted_spec(a.get("dataset").train.x)


@artefact("trained", "the trained model with its history, input spec and device (trains or reuses the cache)")
def _trained(a: Artefacts):
    from fer_report.train import train

    return train(a.settings, a.get("dataset"), progress=a.progress)


@artefact("predictions", "test and validation predictions of the trained model")
def _predictions(a: Artefacts) -> Predictions:
    from fer_report.inference import predict_probs

    t, ds = a.get("trained"), a.get("dataset")
    out = {}
    for name in ("test", "val"):
        split = ds.splits()[name]
        p = predict_probs(t.model, split.x, t.spec, t.device, ten_crop=t.ten_crop)  # ten-crop mean if trained so
        p = p if len(p) else np.zeros((0, len(ds.classes)), np.float32)
        out[name] = SplitPredictions(y_true=split.y, y_pred=p.argmax(1), probs=p)
    return Predictions(**out)
