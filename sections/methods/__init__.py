"""Question: which explanation to trust. Every method on the same images, ranked by the same tests.

Nine methods (``fer_report.explain.methods``) explain the same correctly classified test images;
``ranking.score_methods`` puts each to the pointing game and the cue mass against chance (where the
data has cue regions), deletion and insertion against a random order, and ``sanity.cascade`` re-explains
a few of the images while the model's weights are re-initialised from the output down (Adebayo et al.
2018). The text names the method to trust from these numbers and every method that explains the
image rather than the model. A method that cannot run on the model is left out with the reason.
"""

from __future__ import annotations

import functools
import textwrap
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from fer_report.explain import lime_maps, methods
from fer_report.explain.budget import Knob, budget_text
from fer_report.explain.examples import correct_sample, one_per_class, titles
from fer_report.explain.faithfulness import FLAT_RESPONSE, MIN_EFFECT
from fer_report.explain.layers import cam_layers, choose_layer, rectified
from fer_report.explain.methods import METHODS, MethodUnavailable, run_method
from fer_report.explain.ranking import STEPS, rank, score_methods, verdict
from fer_report.explain.sanity import cascade
from fer_report.model.inference import to_input
from fer_report.draw.plots import Layer, image_rows
from fer_report.report.section import Result, Section
from fer_report.sections.methods.strings import QUESTION, STRINGS

# Image counts, measured on the default build's model (cnn4, 10 epochs on the embedded faces, test accuracy 82 %),
# timed in turn with bench/explain.py's section rehearsal (5 images, 2 checked in 3 steps: 7.44 s on a quiet
# 2-core box) on the same model, 1 torch thread, a shared 2-core box at load ~5: this section took 1.09x the
# rehearsal with 5 images (~8.1 s quiet) and 1.01x with 4 (~7.5 s; 3 runs each, +-0.4 s). The rehearsal's split: all nine
# methods and their curves ~0.58 s per image (LIME 0.31 s, Occlusion 0.14 s of it), the randomisation check
# ~2 s per image (every method again on the trained copy and at each step); the figure adds ~0.6 s. The
# default build may add 8 s (172 s without this section, goal 180 s): 4 images, 2 of them checked in 3 steps.
N_IMAGES = 4  # correctly classified test images every method explains and is ranked on
N_SANITY = 2  # of them, explained again at every step of the randomisation cascade
CASCADE_STEPS = 3  # re-initialisation steps on cnn4: the classifier, then conv4 and conv3, then conv2 and conv1
# The least --budget may take them down to: two images still rank, one is still checked in two steps (the
# decision layers, then the rest), LIME keeps ~2 samples per superpixel as in its own section.
MINIMA = {"images": 2, "sanity": 1, "steps": 2, "lime": 100}
CAPTUM_RELU_WARNING = "Setting backward hooks on ReLU activations"  # guided backprop, once per call


def run(dataset, trained, predictions, figures, text, settings, budget) -> Result:
    start = time.perf_counter()
    test, pred = dataset.test, predictions.test
    model, spec = trained.model, trained.spec
    full = {"images": N_IMAGES, "sanity": N_SANITY, "steps": CASCADE_STEPS, "lime": lime_maps.NUM_SAMPLES}
    fit = budget.fit({k: Knob(v, MINIMA[k]) for k, v in full.items()}, lambda c: cost(c, spec.size))
    steps, options = fit["steps"], {"lime": {"samples": fit["lime"]}}
    idx = choose_images(pred.y_true, pred.y_pred, pred.probs, fit["images"], settings.seed)
    if len(idx) == 0:
        return Result(numbers={"images": [], "ranking": [], "seconds": time.perf_counter() - start},
                      text=[text("faith.none")])
    x, targets = trained.inputs(test.x[idx]), pred.y_true[idx]
    hookable = _hookable(model)
    choice = _layer_choice(model, spec.shape, settings.layer, spec.model_side) if hookable else None
    layer = rectified(model, choice["layer"], spec.shape) if choice else None
    to_in = functools.partial(to_input, spec=spec, device=trained.device)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=CAPTUM_RELU_WARNING, category=UserWarning)
        maps, seconds, left_out = explain_all(model, x, targets, layer=layer, to_input=to_in, seed=settings.seed,
                                              hookable=hookable, options=options)
        t_sanity = time.perf_counter()
        signed = {name: functools.partial(METHODS[name].fn, layer=layer, signed=True, to_input=to_in,
                                          seed=settings.seed, **options.get(name, {})) for name in maps}
        curves = cascade(model, x[:fit["sanity"]], targets[:fit["sanity"]], signed, steps=steps, seed=settings.seed)
        t_sanity = time.perf_counter() - t_sanity
    regions, no_regions = _regions(dataset, idx, tuple(x.shape[-2:]), spec.size)
    scores = score_methods(maps, predict=lambda b: torch.softmax(model(b), 1), x=x, targets=targets,
                           regions=regions, seconds=seconds, sanity=curves, seed=settings.seed)
    ranked = rank(scores)
    facts = verdict(ranked)
    figs = [figures.save(plot_methods(test.x[idx], maps, ranked, titles(idx, pred, dataset.classes, text), text),
                         "methods", text("cap.methods", n=len(idx)))]

    ns, total = min(fit["sanity"], len(idx)), time.perf_counter() - start
    lines = [text("meth.intro", k=len(maps), n=len(idx), min=MIN_EFFECT),
             text("meth.why_few", n=len(idx), ns=ns, steps=steps, seconds=total),
             *budget_text(fit, {k: text(f"meth.budget.{k}") for k in full}, text)]
    if layer:
        lines.append(text("meth.layer", layer=layer, h=choice["size"][0], w=choice["size"][1]))
    for name, why in left_out.items():
        lines.append(text(f"meth.{why}", method=METHODS[name].display) if why in ("no_conv", "no_hooks")
                     else text("meth.unavailable", method=METHODS[name].display, reason=why))
    if no_regions:
        lines.append(text(no_regions[0], **no_regions[1]))
    lines += verdict_text(ranked, facts, text)
    lines.append(text("meth.sanity_how", steps=steps, ns=ns, thr=facts["sanity_threshold"]))
    return Result(
        numbers={"images": idx.tolist(), "sanity_images": idx[:ns].tolist(), "cascade_steps": steps,
                 "lime_samples": fit["lime"], "budget": fit.to_json(),
                 "cam_layer": choice["layer"] if choice else None, "hooked": layer,
                 "methods": list(maps), "left_out": left_out, "ranking": ranked, "verdict": facts,
                 "regions_reason": no_regions[0] if no_regions else None,
                 "method_seconds": seconds, "sanity_seconds": t_sanity, "seconds": total},
        text=lines, figures=figs, tables={"ranking": table_rows(ranked)})


def explain_all(model: nn.Module, x: torch.Tensor, targets: np.ndarray, *, layer: str | None, to_input, seed: int,
                hookable: bool, options: dict[str, dict] | None = None,
                ) -> tuple[dict[str, np.ndarray], dict[str, float], dict[str, str]]:
    """(maps, seconds, left out) of every method in METHODS (``options``: a method's own settings by name, e.g.
    {"lime": {"samples": 200}}); a method that cannot run on the model is left out with its reason: "no_conv",
    "no_hooks" (a string key of STRINGS) or the method's own words."""
    maps, seconds, left_out = {}, {}, {}
    for name, info in METHODS.items():
        if not hookable and (info.needs_layer or name == "guided_backprop"):
            left_out[name] = "no_hooks"  # captum could not guide TorchScript's ReLUs: it would give the plain gradient
            continue
        try:
            maps[name], seconds[name] = run_method(name, model, x, targets, layer=layer, to_input=to_input, seed=seed,
                                                   **(options or {}).get(name, {}))
        except MethodUnavailable as exc:
            left_out[name] = "no_conv" if info.needs_layer and layer is None else exc.reason
    return maps, seconds, left_out


def cost(counts: dict[str, int], side: int) -> tuple[int, int]:
    """(forward-only, gradient) image evaluations for ``counts``, every method counted as if it ran: per image,
    the gradient methods' passes (Gradient 1, SmoothGrad its copies, Integrated Gradients its steps, Guided
    Backprop 1, Guided Grad-CAM 2, Grad-CAM and Grad-CAM++ 1 each), occlusion's windows and the unoccluded image,
    LIME's samples; the deletion and insertion curves of every method and the random order; and the same passes
    again for the randomisation check's images, on the trained copy and at each of its steps."""
    gradient = 1 + methods.SMOOTH_SAMPLES + methods.IG_STEPS + 1 + 2 + 1 + 1
    windows = (-(-(side - methods.OCCLUSION_WINDOW) // methods.OCCLUSION_STRIDE) + 1) ** 2  # captum rounds up
    forward = windows + 1 + counts["lime"]
    curves = (len(METHODS) + 1) * 2 * (STEPS + 1)
    repeats = counts["sanity"] * (counts["steps"] + 1)
    return counts["images"] * (forward + curves) + repeats * forward, (counts["images"] + repeats) * gradient


def choose_images(y_true: np.ndarray, y_pred: np.ndarray, probs: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Up to ``n`` correctly classified test indices, as many classes as possible: ``n`` of the classes'
    confident picks (``one_per_class``) drawn with ``seed``, topped up from ``correct_sample`` when fewer
    classes have a correct image."""
    picks = np.array([i for i in one_per_class(y_true, y_pred, probs, seed) if y_true[i] == y_pred[i]], dtype=np.int64)
    if len(picks) > n:
        picks = np.sort(np.random.default_rng(seed).choice(picks, size=n, replace=False))
    chosen = set(picks.tolist())
    extra = [i for i in correct_sample(y_true, y_pred, n=n + len(picks), seed=seed) if i not in chosen]
    return np.concatenate([picks, np.array(extra[:n - len(picks)], dtype=np.int64)])


def verdict_text(ranked: list[dict], facts: dict, text) -> list[str]:
    """Which method to trust and why, which explain the image and not the model, which beat nothing."""
    by_name = {r["method"]: r for r in ranked}
    sep = text("meth.sep")

    def tests(names: list[str]) -> str:
        return sep.join(text(f"meth.test.{t}") for t in names)

    def display(names: list[str]) -> str:
        return sep.join(METHODS[n].display for n in names)

    lines = []
    if facts["all_tie"]:
        lines.append(text("meth.all_tie_flat" if facts["unresponsive"] else "meth.all_tie",
                          min=facts["min_effect"], move=facts["response"], flat=FLAT_RESPONSE))
    if facts["trust"] is None:
        if not facts["unresponsive"]:  # when it is, the sentence above says why no method is named
            lines.append(text("meth.trust_none"))
    else:
        top = by_name[facts["trust"]]
        lines.append(text("meth.trust", method=display([top["method"]]), passed=top["passed"], run=top["run"],
                          tests=tests(facts["trust_passed"])))
        if facts["trust_failed"]:
            lines.append(text("meth.trust_failed", tests=tests(facts["trust_failed"])))
        if top["chance"] is not None:
            lines.append(text("meth.trust_cues", pg=top["pointing_game"], mass=top["mass_inside"],
                              chance=top["chance"]))
        lines.append(text("meth.trust_curves", del_auc=top["deletion_auc"], del_rand=top["deletion_random_auc"],
                          ins_auc=top["insertion_auc"], ins_rand=top["insertion_random_auc"]))
        if top["sanity_similarity"] is not None and top["tests"]["sanity"]:
            lines.append(text("meth.trust_sanity", sim=top["sanity_similarity"], sec=top["seconds_per_image"]))
    for name in facts["fails_sanity"]:
        r = by_name[name]
        worst = max(r["sanity"], key=lambda s: s["spearman"])
        lines.append(text("meth.sanity_fail", method=display([name]), sim=r["sanity_similarity"],
                          deepest=worst["deepest"], thr=facts["sanity_threshold"]))
    checked = [r for r in ranked if r["sanity_similarity"] is not None]
    if checked and not facts["fails_sanity"]:
        most = max(checked, key=lambda r: r["sanity_similarity"])
        lines.append(text("meth.sanity_ok", sim=most["sanity_similarity"], method=display([most["method"]]),
                          thr=facts["sanity_threshold"]))
    if facts["no_better_than_random"]:
        lines.append(text("meth.no_better", methods=display(facts["no_better_than_random"])))
    return lines


def table_rows(ranked: list[dict]) -> list[dict]:
    """One row per method, best first: each measure with its baseline and whether its test passed."""
    return [{"rank": r["rank"], "method": METHODS[r["method"]].display,
             "pointing_game": r["pointing_game"], "mass_inside": r["mass_inside"], "chance": r["chance"],
             "deletion_auc": r["deletion_auc"], "deletion_random_auc": r["deletion_random_auc"],
             "insertion_auc": r["insertion_auc"], "insertion_random_auc": r["insertion_random_auc"],
             "seconds_per_image": r["seconds_per_image"], "sanity": r["sanity_similarity"],
             "tests": r["tests"], "passed": r["passed"], "run": r["run"]} for r in ranked]


def plot_methods(images: np.ndarray, maps: dict[str, np.ndarray], ranked: list[dict],
                 heads: list[tuple[str, bool]], text) -> plt.Figure:
    """The inputs (top row), then one row per method in ranked order, each map scaled to its maximum."""
    rows = [(text("ex.row_input"), [[Layer(img)] for img in images])]
    for r in ranked:
        label = textwrap.fill(f"{r['rank']}. {METHODS[r['method']].display}", 14)  # two lines for long names
        rows.append((label, [[Layer(_scaled(m), cmap="inferno", vmin=0, vmax=1)] for m in maps[r["method"]]]))
    return image_rows(rows, heads)


def _scaled(m: np.ndarray) -> np.ndarray:
    top = float(m.max()) if m.size else 0.0
    return m / top if top > 0 else np.zeros_like(m)


def _regions(dataset, idx: np.ndarray, side: tuple[int, int], size: int) -> tuple[np.ndarray | None, tuple | None]:
    """The cue regions of the images, or None with the sentence (key, values) that says why not."""
    regions = dataset.test.regions
    if regions is None:
        return None, ("meth.no_regions", {"data": dataset.name})
    if tuple(regions.shape[-2:]) != tuple(side):
        return None, ("meth.regions_size", {"size": size, "rh": regions.shape[-2], "rw": regions.shape[-1]})
    return regions[idx], None


def _layer_choice(model: nn.Module, shape: tuple[int, int, int], requested: str | None, side: int) -> dict | None:
    """The Grad-CAM section's layer (``layers.choose_layer``, at the side the model runs at); None when the model
    has no candidate at all."""
    if not requested and not cam_layers(model, shape):
        return None
    return choose_layer(model, shape, requested, side=side)


def _hookable(model: nn.Module) -> bool:
    """Layer hooks work: no TorchScript inside (its modules refuse them and are no ``nn.ReLU`` to guide)."""
    return not any(isinstance(m, torch.jit.ScriptModule) for m in model.modules())


section = Section(name="methods", order=75, run=run, question=QUESTION, strings=STRINGS,
                  summary="nine explanation methods on the same images, ranked: pointing game and cue mass vs "
                          "chance, deletion and insertion vs random, seconds per image, randomisation check")
