"""What a section may require of the run, checked before it runs.

A requirement that is not met skips the section: report.json gets ``"status": "skipped"`` and the
reason, the report shows that one sentence in its place, and the build goes on. A check looks only
at cheap artefacts (the untrained network, the dataset, the settings), never trains.

A section package can declare its own: ``Requirement("name", check)``, where ``check(artefacts)``
returns None when met, else ``(string key, values)`` for the reason (a key of the section's own
strings or of fer_report.report.i18n).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

Reason = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Requirement:
    name: str
    check: Callable[[Any], Reason | None]

    def __repr__(self) -> str:
        return f"Requirement({self.name!r})"


def unmet(requirements, artefacts) -> Reason | None:
    """The first requirement not met, as the reason to print; None when all are met."""
    for r in requirements:
        reason = r.check(artefacts)
        if reason is not None:
            return reason
    return None


def _conv_layers(a) -> Reason | None:
    from fer_report.explain.layers import conv_layers

    return None if conv_layers(a.get("network"), a.get("spec").shape) else (
        "req.conv_layers", {"model": a.get("settings").model})


def _trained_here(a) -> Reason | None:
    return ("req.trained_here", {}) if a.get("net").given else None


def _trained_here_or_logs(a) -> Reason | None:
    return None if getattr(a.get("settings"), "compare", None) else _trained_here(a)


def _history(a) -> Reason | None:
    if not a.get("net").given or getattr(a.get("settings"), "history", None):
        return None
    return ("req.history", {})


FORMATS = {"torchscript": "TorchScript", "onnx": "ONNX"}


def retrainable(section: str, prefix: str, *, logs: bool = False) -> Requirement:
    """The model is trained by this run, or is the student's class (``model.py:NAME``) that came trained and
    that ``section`` may train again here (fer_report.training.own_class); with ``logs``, the student's own runs
    (--compare) answer too. Training a student's class again (perhaps a ResNet, several times) is done only when
    a course preset or --sections asks for ``section``: ``build --all`` never starts it unasked.
    The reasons are the section's own strings: ``PREFIX.req_exported`` {kind}, ``PREFIX.req_ask`` {model, section}.
    """
    def check(a) -> Reason | None:
        settings, net = a.get("settings"), a.get("net")
        if not net.given or (logs and getattr(settings, "compare", None)):
            return None
        if net.kind != "python":
            return f"{prefix}.req_exported", {"kind": FORMATS.get(net.kind, net.kind.capitalize())}
        if settings.preset or section in (settings.sections or ()):
            return None
        return f"{prefix}.req_ask", {"model": settings.model, "section": section}

    return Requirement(f"trained here or a class to train again ({section})", check)


def _layer_hooks(a) -> Reason | None:
    kind = a.get("net").kind
    return ("req.layer_hooks", {"kind": FORMATS[kind]}) if kind == "torchscript" else None


def _source(a) -> Reason | None:
    kind = a.get("net").kind  # a pickled model's class is importable (unpickling needed it): its source is at hand
    return ("req.source", {"kind": FORMATS[kind]}) if kind in FORMATS else None


def _cue_maps(a) -> Reason | None:
    return None if a.get("dataset").test.regions is not None else ("req.cue_maps", {"data": a.get("dataset").name})


#: The model has at least one convolution with a 2-D feature map (filters, Grad-CAM).
CONV_LAYERS = Requirement("conv layers", _conv_layers)
#: The data carry ground-truth cue regions (the embedded synthetic faces).
CUE_MAPS = Requirement("cue maps", _cue_maps)
#: The model is trained by this run (not given with --weights), so it can be trained again differently.
TRAINED_HERE = Requirement("trained here", _trained_here)
#: Trained here, or the user's own runs to compare (--compare LABEL=FILE).
TRAINED_HERE_OR_LOGS = Requirement("trained here or logs to compare", _trained_here_or_logs)
#: A training history: this run's training, or the user's own log (--history).
HISTORY = Requirement("training history", _history)
#: Forward hooks on the model's layers work (TorchScript refuses them).
LAYER_HOOKS = Requirement("layer hooks", _layer_hooks)
#: The model's Python source is at hand (not an exported TorchScript or ONNX file).
SOURCE = Requirement("source code", _source)
