"""Speed of the explanation sections' batched code against the loops a student would write, in one run.

Saliency, SmoothGrad and Grad-CAM over a batch of test faces against a per-image loop (captum on one
image at a time); filter ascent for all filters of a layer at once against one filter at a time;
LIME as the lime section runs it (SLIC, the device's batch size: 32 on a CPU) against lime's
defaults (quickshift, batch_size 10) on the same images and the same number of samples, and against
itself at batch 256; and a plain forward pass at several batch sizes (on a 2-core CPU, ~32 is
fastest). Each timing is the median of ``--repeats`` rounds after one warm-up, the contenders
taking turns within a round; each pair is checked to give the same maps. Writes bench/results/explain.json.

    nice .venv/bin/python bench/explain.py [--repeats 5] [--images 64] [--lime-images 6]

The model is cnn4 with seeded random weights: the time of a forward and backward pass does not
depend on the weights' values, and no training is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from fer_report.data.synthetic import make_synthetic
from fer_report.explain import lime_maps
from fer_report.explain.attribution import gradcam, saliency, smoothgrad
from fer_report.explain.filters import ascend_filters, ascend_filters_loop, mean_activation
from fer_report.explain.layers import batch_size, get_layer, inspecting
from fer_report.models import build_model
from fer_report.train import to_input

ROOT = Path(__file__).resolve().parents[1]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--images", type=int, default=64, help="faces for saliency, SmoothGrad and Grad-CAM")
    ap.add_argument("--lime-images", type=int, default=6)
    args = ap.parse_args()

    torch.manual_seed(0)
    model = build_model("cnn4").eval()
    data = make_synthetic(seed=0, size="small")
    mean, std = float(data.train.x.mean() / 255.0), float(data.train.x.std() / 255.0)
    faces, labels = data.test.x[:args.images], data.test.y[:args.images]
    x = to_input(faces, mean, std, torch.device("cpu"))
    sigma = float(0.15 * (x.max() - x.min()))
    results: dict = {}

    results["saliency"] = pair("saliency", lambda: saliency(model, x, labels), lambda: saliency_loop(model, x, labels),
                               args.repeats, images=len(x))
    # SmoothGrad's noise differs between a batch and a loop (one generator, different order): compare times only
    results["smoothgrad"] = pair("smoothgrad", lambda: smoothgrad(model, x, labels, samples=SMOOTH_SAMPLES, stdev=0.15),
                                 lambda: smoothgrad_loop(model, x, labels, sigma), args.repeats, images=len(x),
                                 samples=SMOOTH_SAMPLES, note="noise draws differ: max_abs_diff is not a check")
    results["gradcam"] = pair("gradcam", lambda: gradcam(model, CAM_LAYER, x, labels),
                              lambda: gradcam_loop(model, x, labels), args.repeats, images=len(x), layer=CAM_LAYER)
    results["filter_ascent"] = pair(
        "ascent", lambda: ascend_filters(model, ASCENT_LAYER, size=48, steps=ASCENT_STEPS, seed=0),
        lambda: ascend_filters_loop(model, ASCENT_LAYER, size=48, steps=ASCENT_STEPS, seed=0), args.repeats,
        compare=lambda a, b: ascent_agreement(model, a, b), layer=ASCENT_LAYER, filters=32, steps=ASCENT_STEPS,
        note="rounding can flip a ReLU or max-pool choice after some steps, so a few filters' images part ways: "
             "compare the activations reached")

    classify = lime_maps.grayscale_classifier(model, mean, std, "cpu")
    imgs, targets = faces[:args.lime_images], labels[:args.lime_images]

    def ours():
        return lime_maps.explain_many(model, imgs, targets, mean=mean, std=std, device="cpu")

    def segments(exps) -> float:
        return float(np.mean([len(np.unique(e.segments)) for e in exps]))

    batch = batch_size("cpu")
    with inspecting(model):
        r = race({"ours": ours,
                  "batch_256": lambda: lime_maps.explain_many(model, imgs, targets, mean=mean, std=std, device="cpu",
                                                              batch_size=256),
                  "defaults": lambda: lime_defaults(classify, imgs, targets)}, args.repeats)
    (t_ours, all_ours, e_ours), (t_256, all_256, _), (t_def, all_def, e_def) = r["ours"], r["batch_256"], r["defaults"]
    results["lime"] = {
        "images": len(imgs), "num_samples": lime_maps.NUM_SAMPLES, "batch_size": batch,
        "ours_s": round(t_ours, 4), "ours_all_s": all_ours, "ours_segments": segments(e_ours),
        "ours_at_batch_256_s": round(t_256, 4), "ours_at_batch_256_all_s": all_256,
        "lime_defaults_s": round(t_def, 4), "lime_defaults_all_s": all_def,
        "lime_defaults_segments": float(np.mean([len(np.unique(e.segments)) for e in e_def])),
        "speedup_vs_defaults": round(t_def / t_ours, 2), "speedup_vs_batch_256": round(t_256 / t_ours, 2),
        "note": "same images, same number of samples; lime's defaults segment with quickshift (a few segments on "
                "a [0, 1] face: a cheap but uninformative explanation) and call the model 10 images at a time",
    }
    print(f"{'lime':<12} ours {t_ours:7.3f} s   ours at batch 256 {t_256:7.3f} s   lime defaults {t_def:7.3f} s   "
          f"x{results['lime']['speedup_vs_defaults']:.2f} vs defaults; segments {segments(e_ours):.0f} vs "
          f"{results['lime']['lime_defaults_segments']:.1f}", flush=True)
    results["forward_batch_sweep"] = batch_sweep(model, x, args.repeats)

    report = {
        "benchmark": "explain", "repeats": args.repeats, "statistic": "median seconds after one warm-up; contenders timed in turn within each round",
        "model": "cnn4 (seeded random weights)", "data": "embedded synthetic faces (small), test split",
        "machine": {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
                    "platform": platform.platform(), "python": platform.python_version(),
                    "load_average_at_end": [round(v, 2) for v in os.getloadavg()]},
        "results": results,
    }
    dest = ROOT / "bench" / "results" / "explain.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(report, indent=1))
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
