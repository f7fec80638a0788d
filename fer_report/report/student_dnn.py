"""The DNN the dnn section compares with the student's CNN: their own (``--dnn-model``, with ``--dnn-weights`` and
``--dnn-history``), or fer-report's fully connected net sized to their model's parameter count (within 1 %).

The checks live here, not in fer_report/config.py, so that the settings file stays a list of declarations; the
section (sections/dnn.py) asks here for the DNN's settings and loads the student's one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fer_report.errors import ConfigError


def check_options(s, source) -> None:
    """--dnn-weights and --dnn-history need --dnn-model; the model must be a file of the user's, and exist."""
    from fer_report.model.network import kind_of

    for name in ("dnn_weights", "dnn_history"):
        if getattr(s, name) is not None and s.dnn_model is None:
            raise ConfigError(f"{source(name)}: describes your own DNN; give its model too with --dnn-model "
                              "FILE.py:NAME (or a TorchScript, ONNX or Keras file)")
    if s.dnn_model is None:
        return
    kind = kind_of(s.dnn_model)
    if kind == "builtin":
        raise ConfigError(f"{source('dnn_model')}: '{s.dnn_model}' is not a model file; expected your own DNN "
                          "(FILE.py:NAME, or a TorchScript, ONNX or Keras file); without --dnn-model the dnn section "
                          "sizes fer-report's fully connected net to your model")
    if kind == "python":
        from fer_report.model.user_model import parse_ref

        path, _ = parse_ref(s.dnn_model)
    else:
        path = Path(s.dnn_model)
    if not path.exists():
        raise ConfigError(f"{source('dnn_model')}: model file {path}: no such file; expected your DNN's file")
    if s.dnn_history is not None and not Path(s.dnn_history).exists():
        raise ConfigError(f"{source('dnn_history')}: {s.dnn_history}: no such file or folder; expected a training log")
    if s.dnn_history is not None and kind == "python" and s.dnn_weights is None:
        raise ConfigError(f"{source('dnn_history')}: a training log describes a DNN trained elsewhere; give its "
                          "weights too (--dnn-weights FILE), or drop --dnn-history to have the class trained here")


def matched_settings(settings, count: int):
    """fer-report's dnn sized to ``count`` parameters, trained with the run's recipe on the run's data: none of
    the student model's own input options (their side, normalisation, class order, weights) apply to it."""
    return replace(settings, model="dnn", match=str(count), weights=None, model_args={}, input_size=None,
                   normalize=None, classes=None, pretrained=None, history=None, tta="none" if settings.tta in (
                       "five-crop", "ten-crop") else settings.tta)


def own_settings(settings):
    """The student's DNN as the run's model: their preprocessing options, the DNN's file, weights and log."""
    return replace(settings, model=settings.dnn_model, weights=settings.dnn_weights, history=settings.dnn_history,
                   model_args={}, pretrained=None)


def given_dnn(settings, dataset):
    """The student's DNN as a ``Trained`` evaluated as given (weights, or an exported file), with their log's
    history; None for a class without weights, which the section trains (``own_settings``) with the run's recipe.
    (Training is not imported here: fer_report.config imports this module for ``check_options``.)"""
    from fer_report.model.inference import resolve_device
    from fer_report.model.network import build_network, load_given
    from fer_report.training.trained import Trained

    s = own_settings(settings)
    net = build_network(s, dataset)
    if not net.given:
        return None
    history = None
    if s.history:
        from fer_report.logs import parse_tags, read_history

        history = read_history(s.history, tags=parse_tags(s.history_tags) if s.history_tags else None).rows
    return replace(Trained.given(load_given(net, s), net.spec, resolve_device(s.device), history=history),
                   tta=s.tta)
