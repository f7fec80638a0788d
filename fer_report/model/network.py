"""The model a run reports on, whatever the user brought: a built-in name, their own class in a
``.py`` file (``--model model.py:Net``), a whole saved model (TorchScript, ONNX, a trusted pickle), or
a Keras model (``.h5``, ``.keras``, or ``to_json`` + ``--weights``: converted by ``model.keras``).

Whatever it is, the run gets the same thing: a module returning (N, classes) class scores in
FER2013's class order (``model.output.ClassScores``, plus a reordering for ``--classes``), the
``InputSpec`` it takes (channels found by running it, ``--input-size``, ``--normalize``), and
whether it comes trained (``--weights`` or a whole-model file: nothing is trained) or is trained
here with our recipe.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from fer_report.errors import ConfigError, UserError
from fer_report.model.class_names import class_order, read_classes  # noqa: F401 (class_order: config checks it)
from fer_report.model.inference import IMAGENET_MEAN, IMAGENET_STD, InputSpec, Resized  # noqa: F401 (Resized: here before)
from fer_report.model.output import Wrapper

log = logging.getLogger(__name__)
MODEL_FILES = (".pt", ".pth", ".ts", ".onnx", ".pkl")
KERAS_FILES = (".h5", ".hdf5", ".keras", ".json")  # the json: model.to_json(), its weights from --weights
NORMALIZE = ("0-1", "mean-std", "imagenet", "none")  # or "MEAN,STD"; none: raw 0..255 pixel values
PROBE_SIZES = (48, 64, 44, 40, 42, 96, 112, 128, 224)  # sides tried when a model does not run on the data's


def kind_of(model: str) -> str:
    """"builtin" (cnn4 ...), "python" (model.py:Net), "keras" (model.h5), "file" (a whole saved model) or
    "object" (an nn.Module handed over in Python: ``model.objects``)."""
    if model.startswith("object:"):
        return "object"
    path = Path(model)
    if path.suffix.lower() in KERAS_FILES or path.name == "saved_model.pb" or (path / "saved_model.pb").is_file():
        return "keras"  # a TensorFlow SavedModel too: the Keras reader says how to save it as one Keras file
    if ":" in model or model.endswith(".py"):
        return "python"
    if Path(model).suffix.lower() in MODEL_FILES:
        return "file"
    return "builtin"


@dataclass
class Network:
    model: nn.Module  # returns (N, classes) class scores, FER2013's class order
    spec: InputSpec
    kind: str  # builtin, python, torchscript, onnx, pickle, keras
    given: bool  # comes trained: evaluated as it is
    output: str = "logits"  # what the model itself returns (logits, probabilities, log-probabilities)
    tuple_output: bool = False
    pretrained: list[dict[str, str]] = field(default_factory=list)  # downloads its file asked for (model/downloads.py)
    keras: Any = None  # model.keras.KerasModel: Keras's own account (summary, config) of a converted model


class Reordered(Wrapper):
    """The model's class scores in FER2013's order, for a model trained with another order (``--classes``)."""

    def __init__(self, model: nn.Module, order: list[int]) -> None:
        super().__init__(model)
        self.order = order  # order[k] = the model's output index of FER2013 class k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x)[:, self.order]


def normalisation(settings, kind: str, train_x, channels: int, *,
                  scales_itself: bool = False) -> tuple[str, tuple[float, ...], tuple[float, ...]]:
    """(name, mean, std) on the 0..1 scale: the built-ins fit mean-std on the training split; a user's model
    defaults to 0-1 (x/255, torchvision's ToTensor), or to none when it scales its input itself (a Keras
    Rescaling layer)."""
    how = settings.normalize or ("mean-std" if kind == "builtin" else "none" if scales_itself else "0-1")
    if how == "0-1":
        return how, (0.0,), (1.0,)
    if how == "none":  # no normalisation at all: the model sees 0..255 (the ablation of the course's question)
        return how, (0.0,), (1 / 255,)
    if how == "mean-std":
        return how, (float(train_x.mean() / 255.0),), (float(train_x.std() / 255.0) or 1.0,)
    if how == "imagenet":
        if channels == 3:
            return how, IMAGENET_MEAN, IMAGENET_STD
        return how, (sum(IMAGENET_MEAN) / 3,), (sum(IMAGENET_STD) / 3,)
    mean, std = parse_mean_std(how)
    return how, (mean,), (std,)


def parse_mean_std(text: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        mean, std = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(f"--normalize: '{text}' is not one of {', '.join(NORMALIZE)} or MEAN,STD "
                          "(e.g. 0.5,0.5 for transforms.Normalize((0.5,), (0.5,)))") from None
    if not std > 0:
        raise ConfigError(f"--normalize: standard deviation {std} in '{text}' must be positive")
    return mean, std


def build_network(settings, dataset, *, seed: int | None = None) -> Network:
    """A fresh (or loaded) model for the run, wrapped to give class scores in FER2013's order, with its spec.

    Weights (``--weights``) are not loaded here: ``load_given`` does that, so that the untrained
    network (architecture, requirements) never reads a checkpoint.
    """
    from fer_report.model.output import batch_error, check_classes, ClassScores, detect_output, find_input

    kind = kind_of(settings.model)
    size = settings.input_size or dataset.image_size
    torch.manual_seed(settings.seed if seed is None else seed)
    if kind == "builtin":
        from fer_report.model.builtin import build_model

        model = build_model(settings.model, num_classes=len(dataset.classes), image_size=size, match=settings.match,
                            weights=settings.pretrained)
        name, mean, std = normalisation(settings, kind, dataset.train.x, 1)
        model, spec = _at_data_size(model, InputSpec(channels=1, size=size, mean=mean, std=std, normalize=name),
                                    dataset.image_size)
        return Network(model=model, spec=spec, kind=kind, given=settings.weights is not None)
    downloads = keras = None
    if kind == "keras":  # the weights are read with the architecture: --weights is a save_weights file
        from fer_report.model.keras import load_keras

        keras = load_keras(settings.model, settings.weights)
        model, fmt = keras.module, "keras"
    elif kind == "python":
        from fer_report.model.downloads import announce, pretrained_downloads
        from fer_report.model.user_model import load_user_model

        with pretrained_downloads(skip=settings.weights is not None, local=settings.pretrained) as downloads:
            model, fmt = load_user_model(settings.model, args=settings.model_args), "python"
        if settings.weights is None:  # with --weights: said once they have loaded (load_given)
            announce(downloads.facts(), settings.model, weights=None, local=settings.pretrained)
    elif kind == "object":
        from fer_report.model.objects import lookup

        model, fmt = lookup(settings.model).fresh(), "object"
    else:
        from fer_report.model.weights import load_model_file

        model, fmt = load_model_file(settings.model, trust_pickle=settings.trust_pickle)
    where = settings.model
    sizes = (size,) if settings.input_size else tuple(dict.fromkeys((size, *PROBE_SIZES)))
    channels, size = find_input(model, sizes=sizes, where=where)
    if batch_error(model, channels, size) is not None:  # runs on one image only
        model = _with_batch(model, fmt, where, channels, size)
    if size != dataset.image_size and not settings.input_size:
        log.warning("warning: %s does not run on the data's %dx%d images but does on %dx%d: images are resized "
                    "to %dx%d (set --input-size to choose)", where, dataset.image_size, dataset.image_size, size, size,
                    size, size)
    probe = torch.zeros(2, channels, size, size)
    output = detect_output(model, probe, where=where)
    check_classes(output, len(dataset.classes), where)
    scores: nn.Module = ClassScores(model, output)
    names = read_classes(settings.classes)
    if names is not None and names.order != tuple(range(len(names.order))):
        scores = Reordered(scores, list(names.order))
    if names is not None:
        _note_synonyms(tuple(names.synonyms()))
    switch_off_inplace(model)
    name, mean, std = normalisation(settings, kind, dataset.train.x, channels,
                                    scales_itself=keras is not None and keras.scales_input)
    scores, spec = _at_data_size(scores, InputSpec(channels=channels, size=size, mean=mean, std=std, normalize=name,
                                                   meta={"output": output.kind, "tuple_output": output.tuple_output,
                                                         **({"classes": names.to_json()} if names else {})}),
                                 dataset.image_size)
    trains = fmt == "python" or (fmt == "object" and settings.model.endswith(":train"))
    given = not trains or settings.weights is not None
    return Network(model=scores, spec=spec, kind=fmt, given=given, output=output.kind,
                   tuple_output=output.tuple_output, pretrained=downloads.facts() if downloads else [], keras=keras)


def _with_batch(model: nn.Module, fmt: str, where: str, channels: int, size: int) -> nn.Module:
    """A model that takes one image only: an ONNX file's graph gets its batch back (``onnx_file.with_batch``);
    a model's own code is the student's to fix, since sections feed batches and read layers through hooks."""
    from fer_report.model.output import batch_error

    if fmt == "onnx":
        from fer_report.model.onnx_file import with_batch

        return with_batch(model, Path(where), channels, size)
    raise UserError(f"{where} runs on one image at a time only (a batch of 2: {batch_error(model, channels, size)}); "
                      "expected a model that takes a batch of images: flatten with x.view(x.size(0), -1) or "
                      "torch.flatten(x, 1), not a fixed batch of 1")


@functools.lru_cache(maxsize=8)  # once per run, however often the network is built (training builds it again)
def _note_synonyms(pairs: tuple[tuple[str, str], ...]) -> None:
    if pairs:
        log.info("note: --classes read %s", ", ".join(f"'{given}' as {cls}" for given, cls in pairs))


def _at_data_size(model: nn.Module, spec: InputSpec, side: int) -> tuple[nn.Module, InputSpec]:
    """A model taking another side than the data's gets ``Resized`` in front; its spec then describes the
    input our code hands it (the data's side), the model's own side kept for the header."""
    if spec.size == side:
        return model, spec
    return Resized(model, spec.size), InputSpec(channels=spec.channels, size=side, mean=spec.mean, std=spec.std,
                                                normalize=spec.normalize, meta={**spec.meta, "model_size": spec.size})


def load_given(net: Network, settings) -> nn.Module:
    """The network with the user's ``--weights`` loaded (a whole-model file already holds its own)."""
    if settings.weights is not None and net.kind != "keras":  # a Keras model read its weights with its file
        from fer_report.model.weights import load_weights

        target = net.model
        while hasattr(target, "inner") and not isinstance(target, torch.jit.ScriptModule):
            target = target.inner  # the user's own module: its state dict has the user's key names
        from fer_report.model.downloads import announce, missing_hint

        load_weights(target, settings.weights, trust_pickle=settings.trust_pickle,
                     missing_hint=missing_hint(net.pretrained, settings.model))
        announce(net.pretrained, settings.model, weights=settings.weights, local=settings.pretrained)
    return net.model.eval()


def switch_off_inplace(model: nn.Module) -> None:
    """In-place activations overwrite the very tensors a hook keeps and gradients need; out-of-place
    ones compute the same numbers, so every explanation runs on a model with ``inplace=False``."""
    for m in model.modules():
        if getattr(m, "inplace", False) is True and isinstance(m, (nn.ReLU, nn.LeakyReLU, nn.RReLU, nn.ELU, nn.SELU,
                                                                     nn.CELU, nn.Hardtanh, nn.ReLU6, nn.SiLU,
                                                                     nn.Hardswish, nn.Hardsigmoid, nn.Mish,
                                                                     nn.Dropout, nn.Dropout2d, nn.Threshold)):
            m.inplace = False
