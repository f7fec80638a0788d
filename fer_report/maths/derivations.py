"""Closed forms from the report's derivations, and their numeric checks against PyTorch.

Each closed form is written out as plain tensor code (no autograd), exactly as the derivation
states it, and each check compares it with what PyTorch computes, on random cases drawn from a
seeded generator: a derivation typed by hand can be wrong, a derivation that matches autograd to
1e-15 on hundreds of random cases is not.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn

TOLERANCE = 1e-8  # float64 closed form vs autograd: rounding is ~1e-15, a wrong term is >1e-3
GRADCAM_RTOL = 1e-5  # the Grad-CAM code computes in float32 (rounding ~1e-7 of the map's peak)


@dataclass
class Check:
    """One compared quantity: the largest error over all cases, and the case where it occurred."""

    name: str  # e.g. "bn.dx"
    cases: int
    max_error: float
    tolerance: float
    worst_case: str
    detail: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return math.isfinite(self.max_error) and self.max_error <= self.tolerance

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


# --- 1. convolution output shape -----------------------------------------------------------------

def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """floor((size + 2 padding - kernel) / stride) + 1: the kernel's offsets 0, s, 2s, ... that fit."""
    return (size + 2 * padding - kernel) // stride + 1


def conv_shape(shape: tuple[int, int, int, int], c_out: int, kernel: tuple[int, int], stride: tuple[int, int],
               padding: tuple[int, int]) -> tuple[int, int, int, int]:
    """(B, W, H, C_in) -> (B, W', H', C_out), the course's channels-last notation."""
    b, w, h, _ = shape
    return (b, conv_output_size(w, kernel[0], stride[0], padding[0]),
            conv_output_size(h, kernel[1], stride[1], padding[1]), c_out)


def check_conv_shapes(*, cases: int = 200, seed: int = 0) -> Check:
    """The formula against ``nn.Conv2d`` on random sizes, kernels, strides and paddings (per axis)."""
    rng = torch.Generator().manual_seed(seed)

    def draw(lo: int, hi: int) -> int:
        return int(torch.randint(lo, hi + 1, (1,), generator=rng))

    worst, worst_case, floored = 0, "", 0
    for i in range(cases):
        k = (draw(1, 7), draw(1, 7))
        s = (draw(1, 4), draw(1, 4))
        p = (draw(0, k[0] // 2), draw(0, k[1] // 2))
        w, h = draw(max(1, k[0] - 2 * p[0]), 31), draw(max(1, k[1] - 2 * p[1]), 31)
        b, c_in, c_out = draw(1, 2), draw(1, 3), draw(1, 4)
        floored += any((n + 2 * pad - kk) % ss for n, kk, ss, pad in zip((w, h), k, s, p))
        conv = nn.Conv2d(c_in, c_out, k, stride=s, padding=p)
        with torch.no_grad():
            out = conv(torch.zeros(b, c_in, w, h))  # torch is channels-first: (B, C, W, H)
        got = (out.shape[0], out.shape[2], out.shape[3], out.shape[1])
        want = conv_shape((b, w, h, c_in), c_out, k, s, p)
        err = max(abs(g - x) for g, x in zip(got, want))
        if err > worst or not worst_case:
            worst = err
            worst_case = (f"case {i}: (B, W, H, C_in)=({b}, {w}, {h}, {c_in}), kernel {k}, stride {s}, "
                          f"padding {p}, C_out {c_out}: formula {want}, nn.Conv2d {got}")
    return Check("conv.shape", cases, float(worst), 0.0, worst_case, {"floored": floored})


# --- 2. batch normalisation ----------------------------------------------------------------------

def bn_forward(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float) -> dict[str, torch.Tensor]:
    """Over the batch axis 0 of (m, d): mu_B, sigma_B^2 (biased), x_hat and y = gamma x_hat + beta."""
    m = x.shape[0]
    mu = x.sum(0) / m
    var = ((x - mu) ** 2).sum(0) / m
    x_hat = (x - mu) / torch.sqrt(var + eps)
    return {"mu": mu, "var": var, "x_hat": x_hat, "y": gamma * x_hat + beta}


def bn_backward(x: torch.Tensor, gamma: torch.Tensor, eps: float, dy: torch.Tensor) -> dict[str, torch.Tensor]:
    """The six derivatives of the loss, given dl/dy, in the order the derivation obtains them."""
    m = x.shape[0]
    f = bn_forward(x, gamma, torch.zeros_like(gamma), eps)
    mu, var, x_hat = f["mu"], f["var"], f["x_hat"]
    inv_std = 1.0 / torch.sqrt(var + eps)
    d_xhat = dy * gamma
    d_var = (d_xhat * (x - mu)).sum(0) * -0.5 * inv_std ** 3
    # The second term of dl/dmu, d_var * sum(-2 (x_i - mu)) / m, is zero: sum(x_i - mu) = 0.
    d_mu = -(d_xhat * inv_std).sum(0)
    d_x = d_xhat * inv_std + d_var * 2 * (x - mu) / m + d_mu / m
    return {"x_hat": d_xhat, "var": d_var, "mu": d_mu, "x": d_x, "gamma": (dy * x_hat).sum(0), "beta": dy.sum(0)}


BN_QUANTITIES = ("y", "x_hat", "var", "mu", "x", "gamma", "beta", "centred")


def check_batchnorm(*, trials: int = 40, seed: int = 0) -> list[Check]:
    """Closed forms vs autograd in float64, on random batches and a random nonlinear upstream loss.

    The forward pass is also compared with ``F.batch_norm`` (training mode), and dl/dx, dl/dgamma,
    dl/dbeta with autograd through it; every fourth trial is a BatchNorm2d batch (N, C, H, W),
    whose statistics run over m = N*H*W positions per channel.
    """
    rng = torch.Generator().manual_seed(seed)
    worst = {q: (-1.0, "") for q in BN_QUANTITIES}
    for i in range(trials):
        d = int(torch.randint(1, 6, (1,), generator=rng))
        eps = 10.0 ** -int(torch.randint(3, 7, (1,), generator=rng))
        if i % 4 == 3:
            n, h, w = (int(v) for v in torch.randint(2, 5, (3,), generator=rng))
            x4 = torch.randn(n, d, h, w, generator=rng, dtype=torch.float64) * 3 + 1
            x = x4.permute(0, 2, 3, 1).reshape(-1, d)
            case = f"trial {i}: BatchNorm2d input (N, C, H, W)=({n}, {d}, {h}, {w}), eps {eps:g}"
        else:
            m = int(torch.randint(2, 33, (1,), generator=rng))
            x = torch.randn(m, d, generator=rng, dtype=torch.float64) * 3 + 1
            case = f"trial {i}: batch m={m}, {d} features, eps {eps:g}"
        gamma = torch.randn(d, generator=rng, dtype=torch.float64)
        beta = torch.randn(d, generator=rng, dtype=torch.float64)
        weights = torch.randn(x.shape, generator=rng, dtype=torch.float64)

        def loss(y: torch.Tensor) -> torch.Tensor:  # random and nonlinear, so dl/dy differs per element
            return (weights * torch.tanh(y)).sum()

        auto = _bn_autograd(x, gamma, beta, eps, loss)
        y_closed = bn_forward(x, gamma, beta, eps)["y"]
        closed = {"y": y_closed, **bn_backward(x, gamma, eps, auto["dy"])}
        # why the second term of dl/dmu vanishes: sum_i (x_i - mu_B) = 0, up to rounding
        closed["centred"], auto["centred"] = (x - bn_forward(x, gamma, beta, eps)["mu"]).sum(0), torch.zeros(x.shape[1])
        for q in BN_QUANTITIES:
            err = float((closed[q] - auto[q]).abs().max())
            if err > worst[q][0]:
                worst[q] = (err, case)
    return [Check(f"bn.{q}", trials, err, TOLERANCE, case) for q, (err, case) in worst.items()]


def _bn_autograd(x, gamma, beta, eps, loss) -> dict[str, torch.Tensor]:
    """What autograd says, on the same graph as the derivation and through ``F.batch_norm``."""
    xa, g, b = (t.clone().requires_grad_(True) for t in (x, gamma, beta))
    m = xa.shape[0]
    mu = xa.sum(0) / m
    var = ((xa - mu) ** 2).sum(0) / m
    x_hat = (xa - mu) / torch.sqrt(var + eps)
    y = g * x_hat + b
    for t in (mu, var, x_hat, y):
        t.retain_grad()
    loss(y).backward()
    out = {"dy": y.grad.detach(), "x_hat": x_hat.grad, "var": var.grad, "mu": mu.grad}

    xb, gb, bb = (t.clone().requires_grad_(True) for t in (x, gamma, beta))
    yb = F.batch_norm(xb, None, None, gb, bb, training=True, eps=eps)
    loss(yb).backward()
    return {**out, "y": yb.detach(), "x": xb.grad, "gamma": gb.grad, "beta": bb.grad}


# --- 3. softmax and cross-entropy ----------------------------------------------------------------

def softmax_ce_grad(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """dL/dz_t = y_hat_t * sum_k y_k - y_t for L = -sum_k y_k log softmax(z)_k, row by row."""
    e = torch.exp(z - z.max(1, keepdim=True).values)
    y_hat = e / e.sum(1, keepdim=True)
    return y_hat * y.sum(1, keepdim=True) - y


def check_softmax_ce(*, trials: int = 40, seed: int = 0) -> list[Check]:
    """One-hot targets vs ``F.cross_entropy``; probability targets; any non-negative y vs autograd."""
    rng = torch.Generator().manual_seed(seed)
    worst = {k: (-1.0, "") for k in ("onehot", "soft", "general")}
    for i in range(trials):
        n, c = int(torch.randint(1, 9, (1,), generator=rng)), int(torch.randint(2, 11, (1,), generator=rng))
        z = torch.randn(n, c, generator=rng, dtype=torch.float64) * 4
        labels = torch.randint(0, c, (n,), generator=rng)
        soft = torch.softmax(torch.randn(n, c, generator=rng, dtype=torch.float64) * 2, 1)
        general = torch.rand(n, c, generator=rng, dtype=torch.float64) * 3
        targets = {"onehot": F.one_hot(labels, c).double(), "soft": soft, "general": general}
        for kind, y in targets.items():
            za = z.clone().requires_grad_(True)
            if kind == "onehot":
                F.cross_entropy(za, labels, reduction="sum").backward()
            elif kind == "soft":
                F.cross_entropy(za, y, reduction="sum").backward()
            else:
                (-(y * torch.log_softmax(za, 1)).sum()).backward()
            err = float((softmax_ce_grad(z, y) - za.grad).abs().max())
            if err > worst[kind][0]:
                worst[kind] = (err, f"trial {i}: {n} samples, {c} classes, {kind} targets")
    return [Check(f"ce.{k}", trials, err, TOLERANCE, case) for k, (err, case) in worst.items()]


# --- 4. Grad-CAM weights (checked against the explanation code the report runs) -------------------

def gradcam_closed_form(acts: torch.Tensor, fc_weight: torch.Tensor, targets: torch.Tensor,
                        size: tuple[int, int]) -> torch.Tensor:
    """For A -> global average pool -> linear: dy_c/dA^k_ij = w_ck / Z, so alpha_k = w_ck / Z and
    Grad-CAM = ReLU(sum_k w_ck A^k) / Z (CAM divided by Z), upsampled bilinearly like the code does."""
    z = acts.shape[2] * acts.shape[3]
    alpha = fc_weight[targets] / z  # (N, K)
    cam = F.relu((alpha[:, :, None, None] * acts).sum(1, keepdim=True))
    return F.interpolate(cam, size, mode="bilinear")[:, 0]


def check_gradcam(gradcam_by_formula: Callable, *, trials: int = 8, seed: int = 0) -> Check:
    """``gradcam_by_formula(net, layer, x, targets)`` (the report's Grad-CAM, ``explain.attribution``) vs the
    closed form on random GAP-headed nets. It is passed in: the mathematics does not depend on the explanations.

    The attribution code runs in float32, so the error is measured relative to each map's peak.
    """
    worst, worst_case = -1.0, ""
    with torch.random.fork_rng():  # the weight initialisation below leaves the global RNG as it was
        for i in range(trials):
            torch.manual_seed(seed * 100 + i)
            k = 3 + i % 4
            net = _gap_net(k, classes=5)
            x = torch.randn(6, 1, 16, 16)
            targets = torch.randint(0, 5, (6,))
            got = torch.as_tensor(gradcam_by_formula(net, "relu2", x, targets), dtype=torch.float64)
            with torch.no_grad():
                acts = net[:5](x).double()
                want = gradcam_closed_form(acts, net.fc.weight.double(), targets, (16, 16))
            peak = float(want.abs().max()) or 1.0
            err = float((got - want).abs().max()) / peak
            if err > worst:
                worst = err
                worst_case = f"trial {i}: {k} feature maps of 8x8 (A = relu2), 6 images of 16x16, map peak {peak:.3g}"
    return Check("gradcam.alpha", trials, worst, GRADCAM_RTOL, worst_case, {"relative": True})


def _gap_net(k: int, *, classes: int) -> nn.Sequential:
    """conv-relu-pool-conv-relu, then global average pooling and one linear layer: the CAM shape."""
    net = nn.Sequential()
    for name, module in (("conv1", nn.Conv2d(1, 4, 3, padding=1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
                         ("conv2", nn.Conv2d(4, k, 3, padding=1)), ("relu2", nn.ReLU()),
                         ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(k, classes))):
        net.add_module(name, module)
    return net.eval()


def run_all(*, seed: int = 0, gradcam_by_formula: Callable | None = None) -> list[Check]:
    """Every check, in the order the report derives them (Grad-CAM's when its implementation is given)."""
    checks = [check_conv_shapes(seed=seed), *check_batchnorm(seed=seed), *check_softmax_ce(seed=seed)]
    if gradcam_by_formula is not None:
        checks.append(check_gradcam(gradcam_by_formula, seed=seed))
    return checks
