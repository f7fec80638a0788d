"""Checks across settings, made once they are all read (``config.load_settings``): model names and files,
weights, the question set, the student's logs and code. Before any data is read, so a typo costs
milliseconds, not a dataset load; each fault is one line naming the flag or the config file's line."""

from __future__ import annotations

from pathlib import Path

from fer_report.errors import ConfigError


def check_models(s, source) -> None:  # s: config.Settings (an import here would be a loop)
    """Model names and weights, checked before any data is read, so a typo costs milliseconds, not a dataset load."""
    from fer_report.model.builtin import MODELS, check_name
    from fer_report.model.network import NORMALIZE, class_order, kind_of, parse_mean_std

    for name, choices in (("model", list(MODELS)), ("match", [m for m in MODELS if m != "dnn"])):
        if name == "model" and kind_of(s.model) != "builtin":
            continue
        try:
            check_name(getattr(s, name), option=name, choices=choices)
        except ConfigError as exc:
            raise ConfigError(f"{source(name)}: {exc}") from None
    kind = kind_of(s.model)
    if kind == "python":
        from fer_report.model.user_model import parse_ref

        path, _ = parse_ref(s.model)
        if not path.is_file():
            raise ConfigError(f"{source('model')}: model file {path}: no such file; expected a Python file "
                              "defining the model")
    elif kind == "keras" and not Path(s.model).exists():
        raise ConfigError(f"{source('model')}: Keras model file {s.model}: no such file; expected a model.save() "
                          "file (.h5 or .keras) or a model.to_json() file with --weights")
    elif kind == "keras" and Path(s.model).suffix.lower() == ".json" and s.weights is None:
        raise ConfigError(f"{source('model')}: {s.model} holds a Keras architecture (model.to_json()) without "
                          "weights; pass its model.save_weights() file with --weights (e.g. --weights model.weights.h5)")
    elif kind == "object":
        from fer_report.model.objects import lookup

        lookup(s.model)
    elif kind == "file" and not Path(s.model).is_file():
        raise ConfigError(f"{source('model')}: model file {s.model}: no such file; expected a TorchScript (.pt), "
                          "ONNX (.onnx) or Python (.py:ClassName) model")
    if s.pretrained is not None and s.model != "resnet18" and kind != "python":
        raise ConfigError(f"{source('pretrained')}: pretrained weights apply only to --model resnet18, "
                          f"not '{s.model}' (or to a model file whose constructor downloads pretrained weights)")
    if s.normalize is not None and s.normalize not in NORMALIZE:
        parse_mean_std(s.normalize)
    class_order(s.classes)
    if s.ten_crop and s.tta in ("five-crop", "ten-crop"):  # flip: the ten crops hold their mirrors already
        raise ConfigError(f"{source('tta')}: --tta {s.tta} with --ten-crop: a model trained on ten crops is tested "
                          "on the same ten crops; expected one of them (drop --tta, or --ten-crop)")
    if s.preset is not None:
        from fer_report.report import presets

        try:
            presets.check_name(s.preset)
        except ConfigError as exc:
            raise ConfigError(f"{source('preset')}: {exc}") from None
    if s.answers is not None and s.preset is None:
        raise ConfigError(f"{source('answers')}: answers are files named by question number (3.md, 6-2.md): "
                          "choose the question set too, e.g. --questions ntu-ml-2019fall-hw3 (fer-report list)")
    given = s.weights is not None or kind in ("file", "keras") or (kind == "object" and not s.model.endswith(":train"))
    if s.history is not None and not given:
        raise ConfigError(f"{source('history')}: a training log describes a model trained elsewhere; give its "
                          "weights too (--weights FILE), or drop --history to report on this run's own training")
    if s.history is not None and not Path(s.history).exists():
        raise ConfigError(f"{source('history')}: {s.history}: no such file or folder; expected a training log")
    if s.code:
        from fer_report.report.student_code import check

        check(s.code, source("code"))
    from fer_report.report.student_dnn import check_options

    check_options(s, source)
    for label, path in s.compare.items():
        if not Path(path).exists():
            raise ConfigError(f"{source('compare')}: run '{label}': {path}: no such file or folder; expected a "
                              "training log")
