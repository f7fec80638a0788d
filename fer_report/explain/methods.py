"""Every attribution method the report compares, behind one signature, so that they can be ranked alike.

``maps = method(model, x, targets, *, layer=None, seed=0, signed=False, to_input=None)``: ``x`` is model
input (N, C, H, W) (``fer_report.model.inference.to_input``), ``targets`` the (N,) classes to explain; the
result is a float (N, H, W) array, larger = more important. The methods are the libraries' own
(captum, pytorch-grad-cam, lime); this module only chooses their settings for 48x48 faces, batches
them, and reduces a signed per-channel attribution to one non-negative map in the way the method's
sign means (``MethodInfo.reduction``):

- gradients (vanilla, SmoothGrad, Guided Backprop, Guided Grad-CAM): a gradient's sign says which way
  a pixel should move, not whether it is evidence, so |.|, maximum over channels;
- Integrated Gradients and Occlusion: the sign is evidence for (+) or against (-) the class, so the
  positive part of the channel sum (what the method says supports the target);
- Grad-CAM and Grad-CAM++: ReLU'd by definition (pytorch-grad-cam also scales each map to 0..1);
- LIME: its segments' positive weights (``lime_maps.pointing_maps``).

``signed=True`` instead returns the signed channel sum (the raw map, for the randomisation check's
correlation with and without absolute values; SmoothGrad then averages signed gradients). Every
method runs in eval mode with frozen weights (``layers.inspecting``) and leaves the model's modes,
weights, ``requires_grad`` and ``.grad`` as it found them; a method that cannot run on a model raises
``MethodUnavailable`` with the reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from fer_report.errors import ConfigError, did_you_mean
from fer_report.explain import lime_maps
from fer_report.explain.attribution import _as_tensor, _batched
from fer_report.explain.library_guards import keeping_grads as _keeping_grads
from fer_report.explain.library_guards import without_inplace_relu as _without_inplace_relu
from fer_report.explain.layers import batch_size, conv_layers, device_of, get_layer, inspecting, rectified

SMOOTH_SAMPLES = 8  # noisy copies per image, as the saliency section (8 already averages most of the noise out)
SMOOTH_STDEV = 0.15  # noise as a fraction of the input range (Smilkov et al. 2017)
# Integrated Gradients: captum's Gauss-Legendre rule is exact for polynomials of degree 2*steps - 1, so few
# points suffice. The completeness gap |sum of attributions - (f(x) - f(0))| / |f(x) - f(0)| on a quickly
# trained cnn4 (median of 16 test faces, bench/explain.py): 1.8 % at 8 steps, 1.1 % at 16, 0.5 % at captum's
# default 50; maps at 16 and 50 steps rank pixels alike (Spearman 0.98); 16 steps cost 16 ms an image on 2 cores.
IG_STEPS = 16
# Occlusion: the cues (brows, eyes, mouth) are 2-4 px tall and ~6 px apart on a 48x48 face, so a 6x6 grey
# patch covers about one cue; stride 3 (half the window) gives 15x15 = 225 forward passes per image.
OCCLUSION_WINDOW, OCCLUSION_STRIDE = 6, 3


class MethodUnavailable(Exception):
    """The method cannot explain this model (e.g. a CAM method and a model without conv layers)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MethodInfo:
    name: str
    display: str
    library: str
    needs_layer: bool
    reduction: str  # how the signed attribution becomes the non-negative map
    fn: Callable[..., np.ndarray]


# --- gradient methods (captum) ---------------------------------------------------------------------------

def vanilla_gradient(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0,
                     signed: bool = False, to_input=None) -> np.ndarray:
    """d score / d input (Simonyan et al. 2014)."""
    from captum.attr import Saliency

    method = Saliency(model)
    return _batched(model, x, targets, batch_size(device_of(model)),
                    lambda xb, tb: _reduce(method.attribute(xb, target=tb, abs=False), "abs", signed))


def smoothgrad(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0, signed: bool = False,
               to_input=None) -> np.ndarray:
    """Gradients averaged over SMOOTH_SAMPLES noisy copies (|gradient| averaged, or signed with ``signed``)."""
    from captum.attr import NoiseTunnel, Saliency

    x = _as_tensor(x, model)
    sigma = float(SMOOTH_STDEV * (x.max() - x.min())) if x.numel() else 0.0
    method = NoiseTunnel(Saliency(model))

    def one(xb: torch.Tensor, tb: torch.Tensor) -> torch.Tensor:
        a = method.attribute(xb, nt_type="smoothgrad", nt_samples=SMOOTH_SAMPLES, stdevs=sigma, target=tb,
                             abs=not signed)
        return _reduce(a, "abs", signed)

    with torch.random.fork_rng(devices=[x.device] if x.device.type == "cuda" else []):
        torch.manual_seed(seed)  # the caller's random stream is restored afterwards
        return _batched(model, x, targets, max(1, batch_size(x.device) // SMOOTH_SAMPLES), one)


def integrated_gradients(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0,
                         signed: bool = False, to_input=None) -> np.ndarray:
    """(x - 0) * mean gradient on the straight path from the blank input 0 (= the training mean grey)."""
    from captum.attr import IntegratedGradients

    method = IntegratedGradients(model)
    return _batched(model, x, targets, max(1, batch_size(device_of(model)) // IG_STEPS),
                    lambda xb, tb: _reduce(method.attribute(xb, baselines=0.0, target=tb, n_steps=IG_STEPS),
                                           "positive", signed))


def guided_backprop(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0,
                    signed: bool = False, to_input=None) -> np.ndarray:
    """Gradient with only positive signals passed back through each ReLU (Springenberg et al. 2015).

    captum rewrites the backward pass of ``nn.ReLU`` modules only: a ReLU called as ``F.relu`` in a
    ``forward`` is left plain, and a model without ReLUs gets exactly its gradient.
    """
    from captum.attr import GuidedBackprop

    with _without_inplace_relu(model) as m:
        method = GuidedBackprop(m)
        return _batched(m, x, targets, batch_size(device_of(m)),
                        lambda xb, tb: _reduce(method.attribute(xb, target=tb), "abs", signed))


def guided_gradcam(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0,
                   signed: bool = False, to_input=None) -> np.ndarray:
    """Guided Backprop times the Grad-CAM of ``layer`` upsampled bilinearly (Selvaraju et al. 2017)."""
    from captum.attr import GuidedGradCam

    with _without_inplace_relu(model) as m:
        method = GuidedGradCam(m, _cam_layer(m, layer, "Guided Grad-CAM"))
        return _batched(m, x, targets, batch_size(device_of(m)),
                        lambda xb, tb: _reduce(method.attribute(xb, target=tb, interpolate_mode="bilinear"),
                                               "abs", signed))


# --- CAM methods (pytorch-grad-cam) ------------------------------------------------------------------------

def gradcam(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0, signed: bool = False,
            to_input=None) -> np.ndarray:
    """pytorch-grad-cam's GradCAM: channel weights = mean gradient, ReLU, bilinear upsampling, 0..1."""
    from pytorch_grad_cam import GradCAM

    return _grad_cam_library(GradCAM, model, x, targets, layer, "Grad-CAM")


def gradcam_plusplus(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0,
                     signed: bool = False, to_input=None) -> np.ndarray:
    """pytorch-grad-cam's GradCAMPlusPlus: positive gradients weighted per position (Chattopadhay et al. 2018)."""
    from pytorch_grad_cam import GradCAMPlusPlus

    return _grad_cam_library(GradCAMPlusPlus, model, x, targets, layer, "Grad-CAM++")


def _grad_cam_library(cls, model: nn.Module, x, targets, layer: str | None, name: str) -> np.ndarray:
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    with _without_inplace_relu(model) as m, _keeping_grads(m), inspecting(m):
        cam = cls(model=m, target_layers=[_cam_layer(m, layer, name)])  # it calls m.eval(): inside inspecting
        try:
            return _batched(m, x, targets, batch_size(device_of(m)), lambda xb, tb: torch.from_numpy(
                cam(input_tensor=xb, targets=[ClassifierOutputTarget(int(t)) for t in tb])))
        finally:
            cam.activations_and_grads.release()  # not its __exit__, which swallows IndexError


# --- perturbation methods ----------------------------------------------------------------------------------

def occlusion(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0, signed: bool = False,
              to_input=None) -> np.ndarray:
    """Drop in the target's score when a grey (0) OCCLUSION_WINDOW square covers the pixel (Zeiler & Fergus 2014)."""
    from captum.attr import Occlusion

    method = Occlusion(model)
    batch = batch_size(device_of(model))
    w, s = OCCLUSION_WINDOW, OCCLUSION_STRIDE

    def one(xb: torch.Tensor, tb: torch.Tensor) -> torch.Tensor:
        c = xb.shape[1]
        with torch.no_grad():
            a = method.attribute(xb, sliding_window_shapes=(c, w, w), strides=(c, s, s), baselines=0.0, target=tb,
                                 perturbations_per_eval=max(1, batch // len(xb)))  # ~``batch`` images a forward
        return _reduce(a, "positive", signed)

    return _batched(model, x, targets, batch, one, input_grad=False)


def lime(model: nn.Module, x, targets, *, layer: str | None = None, seed: int = 0, signed: bool = False,
         to_input: Callable[[np.ndarray], torch.Tensor] | None = None, samples: int | None = None) -> np.ndarray:
    """LIME on SLIC superpixels (``lime_maps.explain``, ``samples`` perturbed copies: default its NUM_SAMPLES),
    image ``i`` seeded with ``seed + i``.

    ``to_input`` maps (N, H, W) pixel values 0..255 (uint8 or float) to model input, e.g.
    ``functools.partial(inference.to_input, spec=spec, device=device)``: lime perturbs pixels, not
    model input. The pixels are recovered from ``x`` through the same conversion, which is affine per
    pixel (x = (p / 255 - mean) / std), so two calls of it (all 0 and all 255) invert it.
    """
    if to_input is None:
        raise ValueError("LIME needs to_input: a function from (N, H, W) pixels 0..255 to model input")
    x = _as_tensor(x, model)
    t = np.asarray(targets).reshape(-1)
    if len(t) != len(x):
        raise ValueError(f"{len(x)} images but {len(t)} targets")
    pixels = _pixels(x, to_input)

    def classify(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            logits = model(to_input(np.asarray(batch, dtype=np.float32)[..., 0] * 255.0).to(x.device))
        return torch.softmax(logits.float(), 1).cpu().numpy()

    with inspecting(model):
        exps = [lime_maps.explain(classify, img, int(c), seed=seed + i, num_samples=samples)
                for i, (img, c) in enumerate(zip(pixels, t))]
    if not exps:
        return np.zeros((0, *x.shape[-2:]), np.float32)
    if signed:
        return np.stack([e.pixel_map(positive_only=False) for e in exps]).astype(np.float32)
    return lime_maps.pointing_maps(exps).astype(np.float32)


def _pixels(x: torch.Tensor, to_input: Callable[[np.ndarray], torch.Tensor]) -> np.ndarray:
    """(N, H, W) float 0..1 images behind model input ``x`` (first channel), by inverting ``to_input``."""
    side = x.shape[-2:]
    lo = to_input(np.zeros((1, *side), np.uint8)).to(x.device)[:, :1]
    hi = to_input(np.full((1, *side), 255, np.uint8)).to(x.device)[:, :1]
    if lo.shape[-2:] != side or not torch.all(hi != lo):
        raise ValueError(f"to_input must keep the {tuple(side)} size and map 0 and 255 to different values")
    return ((x[:, 0:1] - lo) / (hi - lo)).clamp(0, 1)[:, 0].cpu().numpy().astype(np.float64)


# --- the registry --------------------------------------------------------------------------------------------

_ABS, _POS = "|attribution|, maximum over channels", "positive part of the channel sum"
METHODS: dict[str, MethodInfo] = {m.name: m for m in (
    MethodInfo("gradient", "Gradient", "captum Saliency", False, _ABS, vanilla_gradient),
    MethodInfo("smoothgrad", "SmoothGrad", "captum NoiseTunnel(Saliency)", False,
               f"mean |gradient| over {SMOOTH_SAMPLES} noisy copies, maximum over channels", smoothgrad),
    MethodInfo("integrated_gradients", "Integrated Gradients", "captum IntegratedGradients", False, _POS,
               integrated_gradients),
    MethodInfo("guided_backprop", "Guided Backprop", "captum GuidedBackprop", False, _ABS, guided_backprop),
    MethodInfo("gradcam", "Grad-CAM", "pytorch-grad-cam GradCAM", True, "ReLU (by definition), scaled to 0..1",
               gradcam),
    MethodInfo("gradcam_plusplus", "Grad-CAM++", "pytorch-grad-cam GradCAMPlusPlus", True,
               "ReLU (by definition), scaled to 0..1", gradcam_plusplus),
    MethodInfo("guided_gradcam", "Guided Grad-CAM", "captum GuidedGradCam", True, _ABS, guided_gradcam),
    MethodInfo("occlusion", "Occlusion", "captum Occlusion", False, _POS, occlusion),
    MethodInfo("lime", "LIME", "lime LimeImageExplainer (SLIC)", False, "positive segment weights", lime),
)}


def run_method(name: str, model: nn.Module, x, targets, *, layer: str | None = None,
               to_input: Callable[[np.ndarray], torch.Tensor] | None = None, seed: int = 0,
               signed: bool = False, **options) -> tuple[np.ndarray, float]:
    """(maps, seconds) of the method called ``name`` (``options``: its own, e.g. LIME's ``samples``); an unknown
    name fails with a did-you-mean."""
    if name not in METHODS:
        raise ConfigError(f"unknown explanation method '{name}'{did_you_mean(name, METHODS)} "
                          f"(choices: {', '.join(METHODS)})")
    start = time.perf_counter()
    maps = METHODS[name].fn(model, x, targets, layer=layer, seed=seed, signed=signed, to_input=to_input, **options)
    return maps, time.perf_counter() - start


# --- plumbing ------------------------------------------------------------------------------------------------

def _reduce(attr: torch.Tensor, rule: str, signed: bool) -> torch.Tensor:
    if signed:
        return attr.sum(1)
    return attr.abs().amax(1) if rule == "abs" else attr.sum(1).clamp(min=0)


def _cam_layer(model: nn.Module, layer: str | None, method: str) -> nn.Module:
    """The layer the caller names, else the rectified output of the last conv layer."""
    if layer:
        return get_layer(model, layer)
    convs = conv_layers(model)
    if not convs:
        raise MethodUnavailable(f"{method} needs a conv layer and {type(model).__name__} has none")
    return get_layer(model, rectified(model, convs[-1]))
