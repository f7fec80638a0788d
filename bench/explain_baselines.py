"""The baselines bench/explain.py races our batched explanations against: one image per call, and each
library's default call (captum, pytorch-grad-cam, lime), with the timing helpers they share."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import numpy as np
import torch

from fer_report.explain import lime_maps
from fer_report.explain.attribution import gradcam
from fer_report.explain.filters import mean_activation
from fer_report.explain.layers import get_layer, inspecting
from fer_report.explain.methods import OCCLUSION_WINDOW

SMOOTH_SAMPLES = 8  # as sections/saliency.py
CAM_LAYER = "features.relu3"  # what sections/gradcam.py uses on cnn4
ASCENT_LAYER, ASCENT_STEPS = "features.relu4", 40  # the deepest layer sections/filters.py optimises


def race(fns: dict, repeats: int) -> dict:
    """Median seconds of each function over ``repeats`` rounds after one warm-up call of each.

    The functions take turns within each round, so a change in the machine's load (2 cores shared
    with other work) hits all of them alike instead of biasing whichever ran last.
    """
    out = {name: fn() for name, fn in fns.items()}
    times: dict = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            out[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), [round(v, 4) for v in t], out[name]) for name, t in times.items()}


def pair(name: str, ours, loop, repeats: int, compare=None, **facts) -> dict:
    """Time both in turn; ``compare(a, b)`` adds facts about the two results (default: their largest difference)."""
    r = race({"ours": ours, "loop": loop}, repeats)
    (t_ours, all_ours, a), (t_loop, all_loop, b) = r["ours"], r["loop"]
    diff = float(np.abs(np.asarray(a) - np.asarray(b)).max())
    row = {"ours_s": round(t_ours, 4), "loop_s": round(t_loop, 4), "speedup": round(t_loop / t_ours, 2),
           "ours_all_s": all_ours, "loop_all_s": all_loop, "max_abs_diff": diff,
           **(compare(a, b) if compare else {}), **facts}
    print(f"{name:<12} ours {t_ours:7.3f} s   loop {t_loop:7.3f} s   x{row['speedup']:.1f}   diff {diff}", flush=True)
    return row


# --- the loops a student would write: captum on one image at a time ---------------------------------

def saliency_loop(model, x, targets) -> np.ndarray:
    from captum.attr import Saliency

    method = Saliency(model)
    with inspecting(model):
        return np.concatenate([method.attribute(x[i:i + 1].clone().requires_grad_(True), target=int(t), abs=True)
                               .amax(1).detach().numpy() for i, t in enumerate(targets)])


def smoothgrad_loop(model, x, targets, sigma: float) -> np.ndarray:
    from captum.attr import NoiseTunnel, Saliency

    method = NoiseTunnel(Saliency(model))
    with inspecting(model):
        return np.concatenate([method.attribute(x[i:i + 1].clone().requires_grad_(True), nt_type="smoothgrad",
                                                nt_samples=SMOOTH_SAMPLES, stdevs=sigma, target=int(t), abs=True)
                               .amax(1).detach().numpy() for i, t in enumerate(targets)])


def gradcam_loop(model, x, targets) -> np.ndarray:
    from captum.attr import LayerAttribution, LayerGradCam

    method = LayerGradCam(model, get_layer(model, CAM_LAYER))
    out = []
    with inspecting(model):
        for i, t in enumerate(targets):
            cam = method.attribute(x[i:i + 1], target=int(t), relu_attributions=True)
            out.append(LayerAttribution.interpolate(cam, (48, 48), interpolate_mode="bilinear")[:, 0].detach().numpy())
    return np.concatenate(out)


def ascent_agreement(model, a: np.ndarray, b: np.ndarray) -> dict:
    channels = range(len(a))
    act_a = mean_activation(model, ASCENT_LAYER, a, channels)
    act_b = mean_activation(model, ASCENT_LAYER, b, channels)
    same = np.abs(a - b).reshape(len(a), -1).max(1) < 1e-4
    return {"filters_identical": int(same.sum()), "mean_activation_ours": float(act_a.mean()),
            "mean_activation_loop": float(act_b.mean())}


# --- LIME variants ----------------------------------------------------------------------------------

def lime_defaults(classify, images, targets) -> list:
    """lime as its README shows it: LimeImageExplainer's defaults (quickshift, batch_size 10), same samples."""
    from lime.lime_image import LimeImageExplainer

    out = []
    with lime_maps._quiet_lime():
        for i, (img, t) in enumerate(zip(images, targets)):
            out.append(LimeImageExplainer(random_state=i).explain_instance(
                img / 255.0, classify, labels=(int(t),), top_labels=None, num_samples=lime_maps.NUM_SAMPLES,
                random_seed=i))
    return out


def batch_sweep(model, x: torch.Tensor, repeats: int) -> dict:
    """Milliseconds per image of a plain forward pass at several batch sizes: why the CPU batch is 32."""
    x = x.repeat(max(1, 256 // len(x)), 1, 1, 1)[:256]

    def forward(b: int):
        def run():
            with torch.no_grad():
                for i in range(0, len(x), b):
                    model(x[i:i + b])
        return run

    r = race({b: forward(b) for b in (1, 8, 32, 64, 256)}, repeats)
    sweep = {f"batch_{b}_ms_per_image": round(1000 * t / len(x), 3) for b, (t, _, _) in r.items()}
    print("forward ms/image by batch:", sweep, flush=True)
    return sweep


# --- every method of the ranking, against its library's default call -----------------------------------

def default_calls(model, layer: str, classify) -> dict:
    """Per method, the loop a user writes from the library's README: one image per call, default arguments
    (captum: NoiseTunnel 5 samples at stdev 1.0, IntegratedGradients 50 steps, Occlusion stride 1;
    lime: 1000 samples, quickshift, batch 10). The same reduction to one map as ours, so maps compare."""
    from captum.attr import (GuidedBackprop, GuidedGradCam, IntegratedGradients, NoiseTunnel, Occlusion,
                             Saliency)
    from lime.lime_image import LimeImageExplainer
    from pytorch_grad_cam import GradCAM, GradCAMPlusPlus
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    cam_layer = get_layer(model, layer)
    absmax = lambda a: a.abs().amax(1)  # noqa: E731
    positive = lambda a: a.sum(1).clamp(min=0)  # noqa: E731
    captum_calls = {
        "gradient": lambda x1, t: absmax(Saliency(model).attribute(x1, target=t)),
        "smoothgrad": lambda x1, t: absmax(NoiseTunnel(Saliency(model)).attribute(x1, nt_type="smoothgrad", target=t)),
        "integrated_gradients": lambda x1, t: positive(IntegratedGradients(model).attribute(x1, target=t)),
        "guided_backprop": lambda x1, t: absmax(GuidedBackprop(model).attribute(x1, target=t)),
        "guided_gradcam": lambda x1, t: absmax(GuidedGradCam(model, cam_layer).attribute(x1, target=t)),
        "occlusion": lambda x1, t: positive(Occlusion(model).attribute(
            x1, sliding_window_shapes=(1, OCCLUSION_WINDOW, OCCLUSION_WINDOW), target=t)),
    }

    def captum_loop(call):
        def run(x, targets, pixels):
            with inspecting(model):
                return np.concatenate([call(x[i:i + 1].clone(), int(t)).detach().numpy()
                                       for i, t in enumerate(targets)])
        return run

    def cam_loop(cls):
        def run(x, targets, pixels):
            cam = cls(model=model, target_layers=[cam_layer])
            try:
                return np.concatenate([cam(input_tensor=x[i:i + 1], targets=[ClassifierOutputTarget(int(t))])
                                       for i, t in enumerate(targets)])
            finally:
                cam.activations_and_grads.release()
        return run

    def lime_loop(x, targets, pixels):
        out = []
        with lime_maps._quiet_lime(), inspecting(model):
            for i, (img, t) in enumerate(zip(pixels, targets)):
                e = LimeImageExplainer(random_state=i).explain_instance(img / 255.0, classify, labels=(int(t),),
                                                                      top_labels=None, random_seed=i)
                w = dict(e.local_exp[int(t)])
                out.append(np.array([max(w.get(s, 0.0), 0.0) for s in range(e.segments.max() + 1)])[e.segments])
        return np.stack(out)

    return {**{n: captum_loop(c) for n, c in captum_calls.items()},
            "gradcam": cam_loop(GradCAM), "gradcam_plusplus": cam_loop(GradCAMPlusPlus), "lime": lime_loop}


DEFAULT_CALLS = {  # what the "default" contender of each method runs, one image per call
    "gradient": "Saliency(model).attribute(x1, target=t)",
    "smoothgrad": "NoiseTunnel(Saliency(model)).attribute(x1, nt_type='smoothgrad', target=t): 5 samples, stdev 1.0 "
                  "(ours: 8 samples at 0.15 of the input range)",
    "integrated_gradients": "IntegratedGradients(model).attribute(x1, target=t): 50 steps (ours: 16)",
    "guided_backprop": "GuidedBackprop(model).attribute(x1, target=t)",
    "gradcam": "GradCAM(model, [layer])(x1, [ClassifierOutputTarget(t)])",
    "gradcam_plusplus": "GradCAMPlusPlus(model, [layer])(x1, [ClassifierOutputTarget(t)])",
    "guided_gradcam": "GuidedGradCam(model, layer).attribute(x1, target=t): nearest upsampling (ours: bilinear)",
    "occlusion": "Occlusion(model).attribute(x1, (1, 6, 6), target=t): stride 1, 1849 windows (ours: stride 3, 225)",
    "lime": "LimeImageExplainer().explain_instance(img, classify, labels=(t,), top_labels=None): 1000 samples, "
            "quickshift, batch 10 (ours: 400 samples, SLIC, batch 32)",
}


def gradcam_vs_library(model, x, labels, repeats: int) -> dict:
    """Our Grad-CAM (captum) against pytorch-grad-cam's, batched and one image per call, same layer, same images."""
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    layer = get_layer(model, CAM_LAYER)

    def theirs(per_image: bool):
        def run():
            cam = GradCAM(model=model, target_layers=[layer])
            try:
                if per_image:
                    return np.concatenate([cam(input_tensor=x[i:i + 1], targets=[ClassifierOutputTarget(int(t))])
                                           for i, t in enumerate(labels)])
                return cam(input_tensor=x, targets=[ClassifierOutputTarget(int(t)) for t in labels])
            finally:
                cam.activations_and_grads.release()
        return run

    r = race({"ours": lambda: gradcam(model, CAM_LAYER, x, labels), "theirs_batched": theirs(False),
              "theirs_per_image": theirs(True)}, repeats)
    ours = minmax(r["ours"][2])
    row = {"images": len(x), "layer": CAM_LAYER}
    for name, (t, all_t, maps) in r.items():
        row[f"{name}_s"], row[f"{name}_all_s"] = round(t, 4), all_t
        if name != "ours":
            diff = np.abs(ours - maps)
            row[f"{name}_max_abs_diff"] = float(diff.max())
            row[f"{name}_equal_1e-5"] = bool(diff.max() <= 1e-5)
            row[f"{name}_over_ours"] = round(t / r["ours"][0], 2)
    print(f"{'grad-cam lib':<22} ours {row['ours_s']:.3f} s   theirs batched {row['theirs_batched_s']:.3f} s "
          f"(x{row['theirs_batched_over_ours']})   per image {row['theirs_per_image_s']:.3f} s "
          f"(x{row['theirs_per_image_over_ours']})   max diff {row['theirs_batched_max_abs_diff']:.2g}", flush=True)
    return row


def minmax(maps: np.ndarray) -> np.ndarray:
    """Each map scaled to 0..1, as pytorch-grad-cam returns them. Not its ``1e-7 +`` in the divisor: it
    scales the small map before upsampling, where that is negligible; our maps of an untrained cnn4 peak
    at ~1e-4, where it would not be."""
    span = maps - maps.min(axis=(1, 2), keepdims=True)
    top = span.max(axis=(1, 2), keepdims=True)
    return np.divide(span, top, out=np.zeros_like(span), where=top > 0)


def ig_convergence(model, x, labels) -> dict:
    """Integrated Gradients' completeness gap |sum of attributions - (f(x) - f(0))| / |f(x) - f(0)| by steps."""
    from captum.attr import IntegratedGradients

    ig = IntegratedGradients(model)
    with torch.no_grad():
        t = torch.as_tensor(labels)
        change = (model(x) - model(torch.zeros_like(x)))[torch.arange(len(x)), t].abs()
    out = {}
    with inspecting(model):
        for steps in (4, 8, 16, 32, 50):
            _, delta = ig.attribute(x, target=t, n_steps=steps, return_convergence_delta=True)
            out[f"steps_{steps}_median_relative_gap"] = round(float((delta.abs() / change).median()), 5)
    print("integrated gradients, completeness gap by steps:", out, flush=True)
    return out


def import_seconds() -> dict:
    """Seconds to import each explanation library in a fresh process after torch (the first section pays)."""
    code = ("import time, torch\nfor m in ('captum.attr', 'lime.lime_image', 'pytorch_grad_cam'):\n"
            "    t = time.perf_counter(); __import__(m); print(m, time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    return {line.split()[0]: round(float(line.split()[1]), 3) for line in out if line.strip()}


# --- a quickly trained cnn4: the section's whole ranking, timed ------------------------------------------
