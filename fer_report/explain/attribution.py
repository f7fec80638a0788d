"""Gradient explanations of a classifier: saliency, SmoothGrad and Grad-CAM, as (N, H, W) arrays.

Inputs ``x`` are model inputs (N, 1, H, W) (``fer_report.training.train.to_input``), as a tensor or array;
``targets`` are the (N,) classes to explain. Every function runs the model in eval mode on its own
device in batches, never changes a weight, and leaves the model's mode and each parameter's
``requires_grad`` as it found them. The methods are captum's; ``gradcam_by_formula`` recomputes
Grad-CAM from hooks so that the report can show the two agree.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fer_report.explain.layers import batch_size, device_of, get_layer, inspecting



def saliency(model: nn.Module, x, targets) -> np.ndarray:
    """|d score_target / d input|, maximum over input channels (Simonyan et al. 2014)."""
    from captum.attr import Saliency

    method = Saliency(model)
    return _batched(model, x, targets, batch_size(device_of(model)),
                    lambda xb, tb: method.attribute(xb, target=tb, abs=True).amax(1))


def smoothgrad(model: nn.Module, x, targets, *, samples: int = 16, stdev: float = 0.15,
               seed: int = 0) -> np.ndarray:
    """Saliency averaged over ``samples`` noisy copies of each image (Smilkov et al. 2017).

    ``stdev`` is the noise level as a fraction of the input's value range (max - min over ``x``), as
    in the SmoothGrad paper, so it means the same whatever the normalisation. The noise comes from
    a torch generator seeded with ``seed`` (the global RNG state is restored afterwards): the same
    seed gives the same maps.
    """
    from captum.attr import NoiseTunnel, Saliency

    x = _as_tensor(x, model)
    sigma = float(stdev * (x.max() - x.min())) if x.numel() else 0.0
    method = NoiseTunnel(Saliency(model))
    with torch.random.fork_rng(devices=[x.device] if x.device.type == "cuda" else []):
        torch.manual_seed(seed)
        # a call takes a plain batch of noisy copies (measured best on the CPU): images per call = batch / samples
        return _batched(model, x, targets, max(1, batch_size(x.device) // samples),
                        lambda xb, tb: method.attribute(xb, nt_type="smoothgrad", nt_samples=samples,
                                                        stdevs=sigma, target=tb, abs=True).amax(1))


def gradcam(model: nn.Module, layer_name: str, x, targets) -> np.ndarray:
    """captum's LayerGradCam on ``layer_name``, ReLU'd, upsampled bilinearly to the input size."""
    from captum.attr import LayerAttribution, LayerGradCam

    method = LayerGradCam(model, get_layer(model, layer_name))

    def one(xb: torch.Tensor, tb: torch.Tensor) -> torch.Tensor:
        cam = method.attribute(xb, target=tb, relu_attributions=True)
        return LayerAttribution.interpolate(cam, tuple(xb.shape[-2:]), interpolate_mode="bilinear")[:, 0]

    return _batched(model, x, targets, batch_size(device_of(model)), one, input_grad=False)


def gradcam_by_formula(model: nn.Module, layer_name: str, x, targets) -> np.ndarray:
    """Grad-CAM from its definition (Selvaraju et al. 2017), with hooks instead of captum.

    With A^k the layer's k-th feature map and y_c the target's logit:
    alpha_k = mean over positions of dy_c/dA^k, map = ReLU(sum_k alpha_k A^k), then the same
    bilinear upsampling as ``gradcam``.
    """
    layer = get_layer(model, layer_name)

    def one(xb: torch.Tensor, tb: torch.Tensor) -> torch.Tensor:
        acts, alpha = _cam_terms(model, layer, xb, tb)
        cam = F.relu((alpha * acts).sum(1, keepdim=True))
        return F.interpolate(cam, tuple(xb.shape[-2:]), mode="bilinear")[:, 0]

    return _batched(model, x, targets, batch_size(device_of(model)), one, input_grad=False)


#: A Grad-CAM map whose positive part (or whose spread) is below this share of its largest term
#: sum_k |alpha_k A^k| carries no information: float32 rounds a sum of K terms to about 1e-7 * sqrt(K) of
#: their size (K <= 2048 channels: < 5e-6), so what is left is rounding, not evidence.
EMPTY_SHARE = 1e-5
#: Why a map is empty, in the order they are tested (the first that holds is the reason).
EMPTY_REASONS = ("no_activation", "no_gradient", "negative", "flat")


def gradcam_emptiness(model: nn.Module, layer_name: str, x, targets) -> tuple[list[str | None], np.ndarray]:
    """Per image, why its Grad-CAM map carries no information (None: it does), and the share of negative
    weights alpha_k (N,).

    - "no_activation": every feature map A^k of the layer is zero (e.g. every unit after a ReLU is off);
    - "no_gradient": every alpha_k is zero (the class score does not depend on the layer through a gradient);
    - "negative": sum_k alpha_k A^k is nowhere above rounding, so the ReLU leaves nothing (e.g. every
      weight negative on maps that are positive);
    - "flat": the map is the same at every position (a 1x1 layer, or a constant), so it points nowhere.
    A map like that, stretched to full colour, would show rounding noise as if it were a map.
    """
    layer = get_layer(model, layer_name)

    def one(xb: torch.Tensor, tb: torch.Tensor) -> torch.Tensor:
        acts, alpha = _cam_terms(model, layer, xb, tb)
        terms = alpha * acts
        cam = F.relu(terms.sum(1))
        scale = terms.abs().sum(1).flatten(1).amax(1)
        peak, low = cam.flatten(1).amax(1), cam.flatten(1).amin(1)
        return torch.stack([(acts == 0).flatten(1).all(1).float(), (alpha == 0).flatten(1).all(1).float(),
                            (peak <= EMPTY_SHARE * scale).float(), (peak - low <= EMPTY_SHARE * scale).float(),
                            (alpha < 0).flatten(1).float().mean(1)], 1)

    facts = _batched(model, x, targets, batch_size(device_of(model)), one, input_grad=False)
    if facts.ndim != 2:
        return [], np.zeros(0)
    reasons = [next((r for r, hit in zip(EMPTY_REASONS, row[:4]) if hit), None) for row in facts]
    return reasons, facts[:, 4]


def _cam_terms(model: nn.Module, layer: nn.Module, xb: torch.Tensor, tb: torch.Tensor):
    """(A, alpha): the layer's (N, K, h, w) feature maps and the (N, K, 1, 1) spatial means of dy_c/dA^k."""
    seen: list[torch.Tensor] = []

    def keep(_m, _i, out: torch.Tensor) -> torch.Tensor:
        if not out.requires_grad:  # the weights are frozen and the input needs no gradient
            out = out.detach().requires_grad_(True)
        seen.append(out)
        return out.clone()  # the model goes on with a copy: an in-place op after the layer cannot touch A^k

    handle = layer.register_forward_hook(keep)
    try:
        logits = model(xb)
    finally:
        handle.remove()
    acts = seen[0]  # needs no gradient from the input: the backward stops at the layer
    # Each image's logit depends only on its own activations (eval mode), so one backward of the
    # sum gives every image's gradient.
    grads, = torch.autograd.grad(logits.gather(1, tb[:, None]).sum(), acts)
    return acts, grads.mean((2, 3), keepdim=True)


def gradcam_check(model: nn.Module, layer_name: str, x, targets) -> float:
    """Largest absolute difference between captum's Grad-CAM and ``gradcam_by_formula`` (~1e-7)."""
    a = gradcam(model, layer_name, x, targets)
    b = gradcam_by_formula(model, layer_name, x, targets)
    return float(np.abs(a - b).max()) if a.size else 0.0


# --- plumbing -------------------------------------------------------------------------------------------

def _batched(model: nn.Module, x, targets, batch: int, fn, *, input_grad: bool = True) -> np.ndarray:
    x = _as_tensor(x, model)
    t = torch.as_tensor(np.asarray(targets), dtype=torch.long, device=x.device).reshape(-1)
    if len(t) != len(x):
        raise ValueError(f"{len(x)} images but {len(t)} targets")
    out = []
    with inspecting(model), torch.enable_grad():
        for i in range(0, len(x), batch):
            xb = x[i:i + batch].detach().clone().requires_grad_(input_grad)
            out.append(fn(xb, t[i:i + batch]).detach().float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, *x.shape[-2:]), np.float32)


def _as_tensor(x, model: nn.Module) -> torch.Tensor:
    x = torch.as_tensor(x, dtype=torch.float32, device=device_of(model))
    if x.ndim != 4:
        raise ValueError(f"expected model inputs (N, C, H, W), got shape {tuple(x.shape)}")
    return x
