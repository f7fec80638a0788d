"""Model-randomisation sanity check (Adebayo et al. 2018, "Sanity checks for saliency maps"), cascading.

An explanation of a model must change when the model is destroyed. On a deep copy of the model, the
parameterised layers are re-initialised from the output down, one cascade step at a time (layers
grouped into a few steps, so that it stays cheap), and at each step every method explains the same
images again. The Spearman rank correlation over pixels between these maps and the trained model's
(per image, then averaged) says how much of the map survived; the paper reports it with and
without absolute values, and so do we (the test reads the signed one: see SANITY_THRESHOLD). A
method whose maps stay alike while the weights are random explains the image (its edges), not the
model: ``fails_sanity``.
"""

from __future__ import annotations

import copy
from typing import Callable

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import nn

from fer_report.explain.layers import inspecting

#: A method fails when, at some step of the cascade, the rank correlation of its signed maps with the trained
#: model's is at least this: more than half of its pixel ranking survives re-initialised weights. In practice
#: the step is the first, when only the output layers (the decision) are random. The paper gives no number;
#: measured on quickly trained cnn4s (bench/explain.py; 2-4 images), guided backprop, guided Grad-CAM and
#: Grad-CAM++ keep 0.64-0.98 there, every other method at most 0.40, an edge detector 1.
#: The signed maps, not their absolute values: |Integrated Gradients|, |occlusion| and |LIME| carry the
#: input's own contrast, which no re-initialisation removes, and sit at 0.47-0.58 for that reason alone.
SANITY_THRESHOLD = 0.5
CASCADE_STEPS = 4  # re-initialisations per check: top (output) layers first, the first conv last

Method = Callable[[nn.Module, torch.Tensor, np.ndarray], np.ndarray]  # (model, x, targets) -> signed (N, H, W)


def weight_layers(model: nn.Module) -> list[list[str]]:
    """Dotted names of the parameterised layers, output first: each conv/linear with the norm layers after it.

    Definition order is taken as depth order (true of every model the report builds); a norm
    layer is re-initialised together with the layer it normalises, as one unit.
    """
    units: list[list[str]] = []
    for name, m in model.named_modules():
        if not any(True for _ in m.parameters(recurse=False)):
            continue
        is_norm = isinstance(m, (nn.modules.batchnorm._NormBase, nn.GroupNorm, nn.LayerNorm))
        if is_norm and units:
            units[-1].append(name)
        else:
            units.append([name])
    return units[::-1]


def cascade_steps(model: nn.Module, steps: int = CASCADE_STEPS) -> list[list[str]]:
    """The layers re-initialised at each step (output first): ``weight_layers`` grouped into at most ``steps``."""
    units = weight_layers(model)
    groups = np.array_split(np.arange(len(units)), min(steps, len(units))) if units else []
    return [[name for i in g for name in units[i]] for g in groups]


def cascade(model: nn.Module, x: torch.Tensor, targets, methods: dict[str, Method], *,
            steps: int = CASCADE_STEPS, seed: int = 0) -> dict[str, list[dict]]:
    """Per method, one entry per cascade step: {"layers": re-initialised at this step, "deepest": the last
    of them, "spearman": mean rank correlation of the signed maps, "spearman_abs": of their absolute values}.

    Each step adds to the previous ones (after the last, every weight is random). The original
    model is never touched: the work is done on a deep copy, re-initialised by each layer's own
    ``reset_parameters`` (a layer without one gets its values shuffled) under ``seed``.
    """
    targets = np.asarray(targets).reshape(-1)
    if len(x) == 0:
        raise ValueError("the randomisation check needs at least one image")
    with inspecting(model):
        twin = copy.deepcopy(model)  # frozen, eval mode
    trained = {name: np.asarray(fn(twin, x, targets), dtype=np.float64) for name, fn in methods.items()}
    modules = dict(twin.named_modules())
    curves: dict[str, list[dict]] = {name: [] for name in methods}
    with torch.random.fork_rng(devices=[x.device] if x.device.type == "cuda" else []):
        torch.manual_seed(seed)
        for group in cascade_steps(twin, steps):
            for layer in group:
                _reinitialise(modules[layer])
            for name, fn in methods.items():
                maps = np.asarray(fn(twin, x, targets), dtype=np.float64)
                curves[name].append({
                    "layers": group, "deepest": group[-1],
                    "spearman": float(rank_correlation(trained[name], maps).mean()),
                    "spearman_abs": float(rank_correlation(np.abs(trained[name]), np.abs(maps)).mean())})
    return curves


def rank_correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N,) Spearman correlation over the pixels of each pair of maps; 0 where either map is flat (it ranks nothing)."""
    out = np.zeros(len(a))
    for i, (p, q) in enumerate(zip(a.reshape(len(a), -1), b.reshape(len(b), -1))):
        if np.ptp(p) > 0 and np.ptp(q) > 0:
            out[i] = spearmanr(p, q).statistic
    return out


def similarity(curve: list[dict]) -> float:
    """The one number the test reads: the largest signed rank correlation over the cascade."""
    return float(max(s["spearman"] for s in curve)) if curve else float("nan")


def fails_sanity(curve: list[dict], threshold: float = SANITY_THRESHOLD) -> bool:
    """The maps barely change as the model is destroyed: they explain the image, not the model."""
    return bool(curve) and similarity(curve) >= threshold


def _reinitialise(module: nn.Module) -> None:
    with torch.no_grad():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()  # BatchNorm: weight 1, bias 0 and its running statistics too
            return
        for p in module.parameters(recurse=False):
            p.copy_(p.flatten()[torch.randperm(p.numel(), device=p.device)].view_as(p))
