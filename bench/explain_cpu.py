"""What makes one model evaluation cheaper on a 2-core CPU, for the explanation sections (issue 22).

On a cnn4 and on a CIFAR-style ResNet18 at 48x48 (the kuangliu-style one students copy; seeded random
weights: a pass costs the same whatever the weights' values), per image, the contenders taking turns within
each round (``race``: a change in the machine's load hits all alike), median of ``--repeats`` rounds:

- a forward pass under ``torch.no_grad`` against ``torch.inference_mode``;
- 1 against 2 torch threads, forward and forward + backward to the input;
- images per call for a forward pass (16, 32, 64, 128);
- bf16 autocast against fp32 (forward, and forward + backward), with what it changes: the share of equal
  predicted classes, the rank correlation of saliency maps and of deletion curves' per-image areas, and of
  LIME's segment weights on a few images. The sections use bf16 only where predictions are identical and
  every rank correlation is at least 0.99 (issue 22's rule).

    nice .venv/bin/python bench/explain_cpu.py [--repeats 3] [--images 64] [--lime-images 2]

Writes bench/results/explain_cpu.json, with bench/reference.py's workload before and after; every figure here
is also a ratio of timings taken in turn in the same process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
from explain_baselines import race  # noqa: E402
from reference import begin, end, save  # noqa: E402

from fer_report.data.synthetic import make_synthetic  # noqa: E402
from fer_report.explain import lime_maps  # noqa: E402
from fer_report.explain.faithfulness import deletion_curve  # noqa: E402
from fer_report.explain.layers import inspecting  # noqa: E402
from fer_report.explain.sanity import rank_correlation  # noqa: E402
from fer_report.model.builtin.cnn4 import CNN4  # noqa: E402
from fer_report.model.inference import fitted_spec, to_input  # noqa: E402
from tests.explain.student_models import resnet18  # noqa: E402


def bf16():
    return torch.autocast("cpu", dtype=torch.bfloat16)


def per_image(r: dict, n: int) -> dict:
    return {k: round(1000 * v[0] / n, 4) for k, v in r.items()}


def gradient_maps(model, x, t, *, half: bool) -> np.ndarray:
    xg = x.clone().requires_grad_(True)
    with torch.enable_grad(), (bf16() if half else torch.autocast("cpu", enabled=False)):
        out = model(xg).float()
    g, = torch.autograd.grad(out.gather(1, t[:, None]).sum(), xg)
    return g.abs().amax(1).numpy()


def one_model(name: str, model, x, t, pixels, spec, repeats: int, lime_images: int) -> dict:
    row: dict = {"model": name, "parameters": sum(p.numel() for p in model.parameters())}
    b = x[:32]

    def fwd(ctx):
        def f():
            with ctx():
                return model(b)
        return f

    def grad(threads=None, half=False):
        def f():
            if threads:
                torch.set_num_threads(threads)
            return gradient_maps(model, b, t[:32], half=half)
        return f

    with inspecting(model):
        row["no_grad_vs_inference_mode_ms"] = per_image(race({"no_grad": fwd(torch.no_grad),
                                                              "inference_mode": fwd(torch.inference_mode)},
                                                             repeats), 32)

        def threads(n, kind):
            def f():
                torch.set_num_threads(n)
                with torch.inference_mode():
                    return model(b) if kind == "forward" else None
            return f if kind == "forward" else grad(n)
        row["threads_ms"] = per_image(race({f"{kind} {n}": threads(n, kind) for kind in ("forward", "gradient")
                                            for n in (1, 2)}, repeats), 32)
        torch.set_num_threads(2)

        def batch(k):
            xb = x[:k] if len(x) >= k else x[torch.arange(k) % len(x)]

            def f():
                with torch.inference_mode():
                    return model(xb)
            return f, k
        calls = {k: batch(k) for k in (16, 32, 64, 128)}
        sweep = race({str(k): f for k, (f, _) in calls.items()}, repeats)
        row["forward_ms_by_batch"] = {k: round(1000 * v[0] / int(k), 4) for k, v in sweep.items()}

        def half_fwd():
            with torch.inference_mode(), bf16():
                return model(b)
        row["bf16_ms"] = per_image(race({"forward fp32": fwd(torch.inference_mode), "forward bf16": half_fwd,
                                         "gradient fp32": grad(), "gradient bf16": grad(half=True)}, repeats), 32)

        # what bf16 changes
        with torch.inference_mode():
            p32 = model(x).float().argmax(1)
            with bf16():
                p16 = model(x).float().argmax(1)
        s32, s16 = gradient_maps(model, x, t, half=False), gradient_maps(model, x, t, half=True)
        predict32 = lambda z: torch.softmax(model(z).float(), 1)  # noqa: E731

        def predict16(z):
            with bf16():
                return torch.softmax(model(z).float(), 1)
        _, d32 = deletion_curve(predict32, x, t, s32)
        _, d16 = deletion_curve(predict16, x, t, s32)
        a32, a16 = d32.mean(1), d16.mean(1)
        lime_corr = []
        for i in range(lime_images):
            e32 = lime_maps.explain(lime_maps.grayscale_classifier(model, spec, "cpu"), pixels[i], int(t[i]), seed=i)
            cls16 = lime_maps.grayscale_classifier(model, spec, "cpu")

            def c16(batch, f=cls16):
                with bf16():
                    return f(batch)
            e16 = lime_maps.explain(c16, pixels[i], int(t[i]), seed=i)
            lime_corr.append(float(rank_correlation(e32.weights[None], e16.weights[None])[0]))
        row["bf16_agreement"] = {
            "same_prediction": float((p32 == p16).float().mean()),
            "saliency_spearman_mean": float(rank_correlation(s32, s16).mean()),
            "saliency_spearman_min": float(rank_correlation(s32, s16).min()),
            "deletion_auc_spearman": float(rank_correlation(a32[None], a16[None])[0]),
            "deletion_auc_max_abs_diff": float(np.abs(a32 - a16).max()),
            "lime_weights_spearman": lime_corr}
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--images", type=int, default=64)
    ap.add_argument("--lime-images", type=int, default=2)
    args = ap.parse_args()
    torch.manual_seed(0)
    ds = make_synthetic(size="small")
    spec = fitted_spec(ds.train.x)
    pixels = ds.test.x[:args.images]
    x = to_input(pixels, spec, "cpu")
    t = torch.as_tensor(ds.test.y[:args.images], dtype=torch.long)
    result = begin("explain_cpu") | {"models": []}
    start = time.perf_counter()
    for name, model in (("cnn4", CNN4()), ("resnet18-48 (kuangliu)", resnet18())):
        result["models"].append(one_model(name, model.eval(), x, t, pixels, spec, args.repeats, args.lime_images))
    result["seconds"] = round(time.perf_counter() - start, 1)
    save(end(result), ROOT / "bench" / "results" / "explain_cpu.json")


if __name__ == "__main__":
    main()
