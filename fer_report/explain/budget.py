"""Sample counts from a time budget: each sampling section (saliency, filters, LIME, Grad-CAM, methods) gets
``--budget`` seconds of model evaluations and turns them into its counts (images measured, LIME samples,
SmoothGrad copies, ascent steps, randomisation repeats) from what one evaluation of *this* model costs.

A section's time is (evaluations) x (cost of one). Its counts were chosen for the 0.3 M parameter cnn4,
where one forward pass of an image costs well under a millisecond on 2 cores; a CIFAR-style ResNet18 at
48x48 costs ~100 times more, and the same counts took half an hour. So the cost of one image is measured
once per build on the model itself (``measure_cost``: a forward pass alone, and a forward pass with the
backward to the input, on real test images in the batch size the explanations use), and each section
keeps its full counts when they fit the budget, else scales them down together by the largest step of
``FRACTIONS`` that fits, never below each count's stated minimum. The steps are coarse on purpose: the
same model on the same machine gets the same counts from one build to the next, although a cost is a
timing. ``Fit`` records what was chosen, the estimate, and whether the counts were reduced, for the report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from fer_report.explain.layers import inspecting

#: The scales tried, largest first; a section takes the first whose estimate fits its budget.
FRACTIONS = (1.0, 0.75, 0.5, 0.375, 0.25, 0.1875, 0.125, 0.0625, 0.0)
PROBE_BATCH = 16  # images per timed call (explanations call the model with 32: per image the cost is alike)
# Timed calls of each kind after one untimed one, the two kinds taking turns so that a change in the machine's
# load hits both alike; the fastest of each counts. On a shared 2-core box two rounds once timed a ResNet18's
# forward pass at 68 ms an image against 54 ms for a forward with its backward (quiet: 11.5 and 23 ms).
PROBE_REPEATS = 4


@dataclass(frozen=True)
class Cost:
    """Seconds per image of one model evaluation on this machine, measured on the model itself."""

    forward: float  # a forward pass alone (no gradient)
    gradient: float  # a forward pass and the backward to the input (saliency's unit of work)

    def seconds(self, forward: float = 0, gradient: float = 0) -> float:
        """Estimated seconds of ``forward`` forward-only image evaluations and ``gradient`` gradient ones."""
        return forward * self.forward + gradient * self.gradient

    def to_json(self) -> dict:
        return {"forward_ms": round(1000 * self.forward, 4), "gradient_ms": round(1000 * self.gradient, 4)}


@dataclass(frozen=True)
class Knob:
    """One count a section may scale down: its full value and the least it accepts."""

    full: int
    minimum: int

    def at(self, fraction: float) -> int:
        return max(min(self.minimum, self.full), min(self.full, int(round(self.full * fraction))))


@dataclass(frozen=True)
class Fit:
    """What a section chose: its counts, the estimated seconds of model evaluations, and why."""

    counts: dict[str, int]
    full: dict[str, int]
    estimate_s: float
    budget_s: float
    fraction: float  # 1.0: the full counts fitted
    cost: Cost = field(compare=False)
    full_estimate_s: float = 0.0  # what the full counts would take: the section's time before the budget

    @property
    def reduced(self) -> bool:
        return self.counts != self.full

    @property
    def over(self) -> bool:
        """Even the minimum counts are estimated over the budget."""
        return self.estimate_s > self.budget_s

    def __getitem__(self, name: str) -> int:
        return self.counts[name]

    def to_json(self) -> dict:
        return {"budget_s": self.budget_s, "estimate_s": round(self.estimate_s, 2), "counts": self.counts,
                "full_counts": self.full, "full_estimate_s": round(self.full_estimate_s, 2), "reduced": self.reduced, "over_budget": self.over,
                "fraction": self.fraction, "cost_per_image": self.cost.to_json()}


@dataclass(frozen=True)
class Budget:
    """``--budget`` seconds per sampling section and the model's measured ``Cost``."""

    seconds: float
    cost: Cost

    def fit(self, knobs: dict[str, Knob], estimate: Callable[[dict[str, int]], tuple[float, float]]) -> Fit:
        """The largest scale of ``knobs`` whose ``estimate(counts) -> (forward images, gradient images)`` fits.

        Every knob is scaled by the same fraction (rounded, clipped to its minimum), so the section's parts
        keep their proportions; at the smallest scale every count is at its minimum, whatever it costs.
        """
        full = {k: v.full for k, v in knobs.items()}
        whole = self.cost.seconds(*estimate(full))
        for fraction in FRACTIONS:
            counts = {k: v.at(fraction) for k, v in knobs.items()}
            seconds = self.cost.seconds(*estimate(counts))
            if seconds <= self.seconds or fraction == FRACTIONS[-1]:
                return Fit(counts=counts, full=full, estimate_s=seconds, budget_s=self.seconds, fraction=fraction,
                           cost=self.cost, full_estimate_s=whole)
        raise AssertionError("unreachable: the last fraction always returns")


def measure_cost(model: nn.Module, x: torch.Tensor, *, repeats: int = PROBE_REPEATS) -> Cost:
    """Seconds per image of a forward pass (``inference_mode``) and of a forward + backward to the input, on
    model input ``x`` (a few real images, repeated to ``PROBE_BATCH``), in eval mode with frozen weights."""
    if len(x) == 0:
        raise ValueError("measuring the cost of an evaluation needs at least one image")
    x = x[torch.arange(PROBE_BATCH, device=x.device) % len(x)].detach()

    def forward() -> None:
        with torch.inference_mode():
            model(x)

    def gradient() -> None:
        xg = x.clone().requires_grad_(True)
        with torch.enable_grad():
            out = model(xg)
            torch.autograd.grad(out.max(1).values.sum(), xg)

    with inspecting(model):
        fwd, grad = _fastest((forward, gradient), repeats)
    # a forward pass is part of a forward with its backward: measured dearer, it met a busier moment of the machine
    return Cost(forward=min(fwd, grad) / len(x), gradient=grad / len(x))


def _fastest(fns: tuple[Callable[[], None], ...], repeats: int) -> list[float]:
    """The fastest of ``repeats`` timed calls of each function, the functions taking turns, after one untimed call
    of each (allocations, kernel choice)."""
    times: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(max(1, repeats)):
        for fn, own in zip(fns, times):
            start = time.perf_counter()
            fn()
            own.append(time.perf_counter() - start)
    return [float(np.min(t)) for t in times]


#: The sentences saying what a section used when its counts were reduced, in both languages; a section names
#: each count in its own words (``budget_text``'s ``names``).
STRINGS = {
    "en": {
        "budget.reduced": "To fit the budget of {budget:g} s of model evaluations per section (--budget; on this "
                          "model one image costs {fwd:.3g} ms forward and {grad:.3g} ms with its gradient, measured "
                          "in this build), this section uses {items}: an estimated {est:.0f} s.",
        "budget.over": "Even at its smallest counts this section needs an estimated {est:.0f} s of model "
                       "evaluations, over the budget of {budget:g} s (--budget; on this model one image costs "
                       "{fwd:.3g} ms forward and {grad:.3g} ms with its gradient, measured in this build): it uses "
                       "{items}.",
        "budget.item": "{n:,} {what} instead of {full:,}",
        "budget.sep": ", ",
    },
    "zh-TW": {
        "budget.reduced": "為了符合每節 {budget:g} 秒的模型運算預算（--budget；本次建置實測，這個模型一張圖片前向需 "
                          "{fwd:.3g} ms、含梯度需 {grad:.3g} ms），本節改用{items}，估計需 {est:.0f} 秒。",
        "budget.over": "即使用最少的數量，本節估計仍需 {est:.0f} 秒的模型運算，超過每節 {budget:g} 秒的預算"
                       "（--budget；本次建置實測，這個模型一張圖片前向需 {fwd:.3g} ms、含梯度需 {grad:.3g} ms）：本節使用"
                       "{items}。",
        "budget.item": "{what} {n:,}（原為 {full:,}）",
        "budget.sep": "、",
    },
}


def budget_text(fit: Fit, names: dict[str, str], text) -> list[str]:
    """One sentence when ``fit`` reduced a count (none when the full counts fitted): which counts, from what to
    what, the budget and the measured cost behind them. ``names`` words each knob ("images measured")."""
    if not fit.reduced:
        return []
    text = text.with_strings(STRINGS)
    items = text("budget.sep").join(text("budget.item", n=fit.counts[k], full=fit.full[k], what=names[k])
                                    for k in fit.counts if fit.counts[k] != fit.full[k])
    return [text("budget.over" if fit.over else "budget.reduced", budget=fit.budget_s, est=fit.estimate_s,
                 fwd=1000 * fit.cost.forward, grad=1000 * fit.cost.gradient, items=items)]
