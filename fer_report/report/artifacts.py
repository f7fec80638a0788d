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
    single: SplitPredictions | None = None  # the test split on single images, when test and val average views


class Artefacts:
    """``get("predictions")`` trains (or reuses) the model, then predicts; nothing runs that no section needs."""

    def __init__(self, settings, build_dir: Path, *, progress: bool | None = None) -> None:
        from fer_report.explain.evaluations import Evaluations

        self.settings = settings
        self.build_dir = build_dir
        self.progress = progress
        self._values: dict[str, Any] = {}
        self.evaluations = Evaluations()  # counts what the sections ask of the trained model (build.py reads it)

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
    from fer_report.report.i18n import Text

    return Text(a.settings.lang)


@artefact("figures", "a Figures helper that saves matplotlib figures as PNG into the build")
def _figures(a: Artefacts):
    from fer_report.draw.figures import Figures

    return Figures(a.build_dir, lang=a.settings.lang)


@artefact("dataset", "the loaded Dataset (train/val/test splits)")
def _dataset(a: Artefacts):
    from fer_report.data import load_dataset

    s = a.settings
    return load_dataset(s.data, seed=s.seed, synthetic_size=s.synthetic_size)


@artefact("net", "the model the run reports on (untrained or as given), its input spec and where it came from")
def _net(a: Artefacts):
    from fer_report.model.network import build_network

    return build_network(a.settings, a.get("dataset"))


@artefact("network", "an untrained instance of the chosen model (no training needed)")
def _network(a: Artefacts):
    return a.get("net").model


@artefact("spec", "what the model takes: channels, size and normalisation (known without training)")
def _spec(a: Artefacts):
    return a.get("net").spec


@artefact("trained", "the trained model with its history, input spec and device (trains, reuses the cache, "
          "or takes the user's weights as given)")
def _trained(a: Artefacts):
    trained = _trained_model(a)
    a.evaluations.attach(trained.model)  # from here on, every image through it is counted (training is not)
    return trained


def _trained_model(a: Artefacts):
    net = a.get("net")
    if net.given:
        from dataclasses import replace

        from fer_report.model.inference import resolve_device
        from fer_report.model.network import load_given
        from fer_report.training.train import Trained

        log = a.get("history_log")
        return replace(Trained.given(load_given(net, a.settings), net.spec, resolve_device(a.settings.device),
                                     history=log.rows if log else None), tta=a.settings.tta)
    from fer_report.training.train import train

    return train(a.settings, a.get("dataset"), progress=a.progress)


@artefact("budget", "--budget: seconds of model evaluations per sampling section, and the measured cost of one "
          "evaluation of the trained model (explain.budget)")
def _budget(a: Artefacts):
    from fer_report.explain.budget import PROBE_BATCH, Budget, measure_cost

    t, ds = a.get("trained"), a.get("dataset")
    images = next((s.x[:PROBE_BATCH] for s in (ds.test, ds.val, ds.train) if len(s.x)), None)
    if images is None:
        raise ValueError("the data set has no images to measure the model's cost on")
    return Budget(float(a.settings.budget), measure_cost(t.model, t.inputs(images)))


@artefact("history_log", "the user's own training log (--history), read; None without one")
def _history_log(a: Artefacts):
    from fer_report.logs import parse_tags, read_history

    s = a.settings
    if not s.history:
        return None
    return read_history(s.history, tags=parse_tags(s.history_tags) if s.history_tags else None)


@artefact("compare_logs", "the user's runs to compare (--compare LABEL=FILE), read, in the order given")
def _compare_logs(a: Artefacts):
    from fer_report.logs import parse_tags, read_history

    tags = parse_tags(a.settings.history_tags) if a.settings.history_tags else None
    return {label: read_history(path, tags=tags) for label, path in a.settings.compare.items()}


@artefact("user_images", "the user's own pictures (--images), grey, resized to the data's side; [] without")
def _user_images(a: Artefacts):
    from dataclasses import replace

    from fer_report.data.images import load_images, resize_to

    if not a.settings.images:
        return []
    side = a.get("dataset").image_size
    return [replace(im, pixels=resize_to(im.pixels, side)) for im in load_images(a.settings.images)]


@artefact("user_predictions", "the model's top-3 classes for each of the user's pictures (--images)")
def _user_predictions(a: Artefacts) -> list[dict]:
    from fer_report.model.inference import predict_probs

    images = a.get("user_images")
    if not images:
        return []
    t, classes = a.get("trained"), a.get("dataset").classes
    probs = predict_probs(t.model, np.stack([im.pixels for im in images]), t.spec, t.device, ten_crop=t.ten_crop,
                          tta=t.tta)
    out = []
    for im, p in zip(images, probs):
        top = np.argsort(-p, kind="stable")[:3]
        out.append({"name": im.name, "pred": int(top[0]), "top3": [{"class": classes[k], "p": float(p[k])} for k in top],
                    "was_colour": im.was_colour, "original_size": list(im.original_size)})
    return out


@artefact("predictions", "test and validation predictions of the trained model")
def _predictions(a: Artefacts) -> Predictions:
    from fer_report.model.inference import predict_probs, views

    t, ds = a.get("trained"), a.get("dataset")

    def predict(split, **averaging) -> SplitPredictions:
        p = predict_probs(t.model, split.x, t.spec, t.device, **averaging)
        p = p if len(p) else np.zeros((0, len(ds.classes)), np.float32)
        return SplitPredictions(y_true=split.y, y_pred=p.argmax(1), probs=p)

    # as validation was measured: the mean of each image's views (flip, five or ten crops) when the run averages them
    out = {name: predict(ds.splits()[name], ten_crop=t.ten_crop, tta=t.tta) for name in ("test", "val")}
    if views(t.model, t.spec.size, tta=t.tta, ten_crop=t.ten_crop).count > 1:
        out["single"] = predict(ds.test)  # one view of each image: what the averaging adds
    if not t.trained_here:
        warn_if_near_chance(out["val"], a.settings, t.spec, len(ds.classes))
    return Predictions(**out)


def warn_if_near_chance(val: SplitPredictions, settings, spec, classes: int) -> None:
    """Given weights that score near chance almost always mean the input differs from training's: say how."""
    import logging

    majority = float(np.bincount(val.y_true, minlength=classes).max() / max(1, len(val.y_true)))
    if len(val.y_true) and val.accuracy < max(1.5 / classes, majority + 0.02):
        logging.getLogger(__name__).warning(
            "warning: the given model scores %.1f%% on the validation split, near chance (%.1f%% for one class "
            "always): its input probably differs from how it was trained. Check the normalisation (now %s; "
            "--normalize 0-1, mean-std, imagenet or MEAN,STD), the class order (--classes), and the input size "
            "(now %dx%d%s, %d channel(s); --input-size)", 100 * val.accuracy, 100 * majority, spec.normalize,
            spec.model_side, spec.model_side, _fitted(spec, settings), spec.channels)


def _fitted(spec, settings) -> str:
    """How the data's images meet a model of another side: resized, or cropped by a crop TTA."""
    if spec.model_side == spec.size:
        return ""
    if spec.model_side < spec.size and settings.tta in ("five-crop", "ten-crop"):
        return f", crops of the {spec.size}x{spec.size} images (--tta {settings.tta})"
    return f", the {spec.size}x{spec.size} images resized"
