"""Speed of the explanation sections' batched code against the loops a student would write, in one run.

Saliency, SmoothGrad and Grad-CAM over a batch of test faces against a per-image loop (captum on one
image at a time); filter ascent for all filters of a layer at once against one filter at a time;
LIME as the lime section runs it (SLIC, the device's batch size: 32 on a CPU) against lime's
defaults (quickshift, batch_size 10) on the same images and the same number of samples, and against
itself at batch 256; and a plain forward pass at several batch sizes (on a 2-core CPU, ~32 is
fastest). Each timing is the median of ``--repeats`` rounds after one warm-up, the contenders
taking turns within a round; each pair is checked to give the same maps. Writes bench/results/explain.json.

For the method ranking (``fer_report.explain.methods``): our Grad-CAM beside pytorch-grad-cam's on the
same ``--cam-images`` faces (its batched call and a per-image loop; are the maps equal after min-max scaling?);
every method against its library's default call (one image per call, default arguments; with the
rank correlation of the two maps, since the defaults are other settings); the explanation libraries'
import times; Integrated Gradients' completeness gap by number of steps; and, on a cnn4 trained for
a minute or two, the section rehearsed: all methods, the ranking and the randomisation check, timed,
then again at the number of images that fits ``--budget`` seconds.

    nice .venv/bin/python bench/explain.py [--repeats 5] [--images 64] [--lime-images 6] [--train-epochs 12]
                                            [--keep-trained FILE] [--sanity-images 2] [--budget 7]

The model is cnn4 with seeded random weights except in the rehearsal: the time of a forward and
backward pass does not depend on the weights' values, and no training is needed for timing.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import numpy as np
import torch

from fer_report.data.synthetic import make_synthetic
from fer_report.explain import lime_maps
from fer_report.explain.attribution import gradcam, saliency, smoothgrad
from fer_report.explain.examples import correct_sample
from fer_report.explain.filters import ascend_filters, ascend_filters_loop
from fer_report.explain.layers import batch_size, inspecting
from fer_report.explain.methods import METHODS, run_method
from fer_report.explain.ranking import rank, score_methods, verdict
from fer_report.explain.sanity import cascade, rank_correlation
from fer_report.model.inference import fitted_spec, to_input
from fer_report.model.builtin import build_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from reference import begin, end, save  # noqa: E402
from explain_baselines import (  # noqa: E402
    ASCENT_LAYER, ASCENT_STEPS, CAM_LAYER, DEFAULT_CALLS, SMOOTH_SAMPLES, ascent_agreement, batch_sweep, default_calls,
    gradcam_loop, gradcam_vs_library, ig_convergence, import_seconds, lime_defaults, pair, race, saliency_loop,
    smoothgrad_loop)


def methods_vs_defaults(model, x, labels, pixels, to_in, repeats: int, slow_images: int) -> dict:
    """Ours (batched, our settings) against the library's default call, per method, in turn within each round."""
    classify = lambda b: torch.softmax(model(to_in(b[..., 0] * 255.0)), 1).detach().numpy()  # noqa: E731
    defaults = default_calls(model, CAM_LAYER, classify)
    out = {}
    for name in METHODS:
        n = slow_images if name in ("occlusion", "lime") else len(x)
        xs, ts, ps = x[:n], labels[:n], pixels[:n]
        r = race({"ours": lambda: run_method(name, model, xs, ts, layer=CAM_LAYER, to_input=to_in)[0],
                  "default": lambda: defaults[name](xs, ts, ps)}, repeats)
        (t_ours, all_ours, a), (t_def, all_def, b) = r["ours"], r["default"]
        out[name] = {"images": n, "ours_s_per_image": round(t_ours / n, 5), "default_s_per_image": round(t_def / n, 5),
                     "speedup": round(t_def / t_ours, 2), "ours_all_s": all_ours, "default_all_s": all_def,
                     "spearman_ours_vs_default": round(float(rank_correlation(a, b).mean()), 4),
                     "default_call": DEFAULT_CALLS[name]}
        print(f"{name:<22} ours {1000 * t_ours / n:8.2f} ms/image   default {1000 * t_def / n:8.2f} ms/image   "
              f"x{out[name]['speedup']:.1f}   rank corr. {out[name]['spearman_ours_vs_default']:.3f}", flush=True)
    return out


def train_quickly(data, spec, epochs: int, seed: int = 0, keep: Path | None = None):
    """A plain Adam loop with flips (not the report's recipe): only so that the ranking explains a model that
    learned the cues. Returns the model in eval mode, its test predictions and accuracy."""
    torch.manual_seed(seed)
    model = build_model("cnn4")
    if keep is not None and keep.exists():
        model.load_state_dict(torch.load(keep, weights_only=True))
    else:
        x, y = to_input(data.train.x, spec, "cpu"), torch.as_tensor(data.train.y)
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        g = torch.Generator().manual_seed(seed)
        model.train()
        for _ in range(epochs):
            for idx in torch.randperm(len(x), generator=g).split(64):
                flip = (torch.rand(len(idx), generator=g) < 0.5)[:, None, None, None]
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(torch.where(flip, x[idx].flip(-1), x[idx])), y[idx]).backward()
                opt.step()
        if keep is not None:
            torch.save(model.state_dict(), keep)
    model.eval()
    with torch.no_grad():
        pred = model(to_input(data.test.x, spec, "cpu")).argmax(1).numpy()
    return model, pred, float((pred == data.test.y).mean())


def rehearsal(model, data, spec, pred, *, images: int, sanity_images: int, steps: int) -> dict:
    """What the report section would do: every method on ``images`` correctly classified test faces, the
    ranking, and the cascade on the first ``sanity_images`` of them; seconds of each part."""
    idx = correct_sample(data.test.y, pred, n=images, seed=0)
    x, targets = to_input(data.test.x[idx], spec, "cpu"), data.test.y[idx]
    to_in = functools.partial(to_input, spec=spec, device="cpu")
    start = time.perf_counter()
    maps, seconds = {}, {}
    for name in METHODS:
        maps[name], seconds[name] = run_method(name, model, x, targets, layer=CAM_LAYER, to_input=to_in)
    t_methods = time.perf_counter() - start
    signed = {n: functools.partial(m.fn, layer=CAM_LAYER, signed=True, to_input=to_in) for n, m in METHODS.items()}
    curves = cascade(model, x[:sanity_images], targets[:sanity_images], signed, steps=steps)
    t_sanity = time.perf_counter() - start - t_methods
    scores = score_methods(maps, predict=lambda b: torch.softmax(model(b), 1), x=x, targets=targets,
                           regions=data.test.regions[idx], seconds=seconds, sanity=curves)
    ranked = rank(scores)
    total = time.perf_counter() - start
    return {"images": len(idx), "sanity_images": sanity_images, "cascade_steps": steps,
            "methods_s": round(t_methods, 3), "sanity_s": round(t_sanity, 3),
            "scoring_s": round(total - t_methods - t_sanity, 3), "total_s": round(total, 3),
            "method_s_per_image": {n: round(s / len(idx), 5) for n, s in seconds.items()},
            "ranking": [{k: r[k] for k in ("rank", "method", "tests", "passed", "gap", "pointing_game", "mass_inside",
                                           "chance", "deletion_auc", "deletion_random_auc", "insertion_auc",
                                           "insertion_random_auc", "sanity_similarity", "seconds_per_image")}
                        for r in ranked],
            "sanity": curves, "verdict": verdict(ranked)}


def _median_run(runs: list[dict]) -> dict:
    """The run whose total is the median (the ranking is the same in every run; only the seconds vary)."""
    return sorted(runs, key=lambda r: r["total_s"])[(len(runs) - 1) // 2]


def recommend(r: dict, budget_s: float, sanity_images: int) -> dict:
    """Images for the section from a rehearsal's costs: n * (methods + scoring per image) + sanity <= budget,
    for a few sizes of the randomisation check (its cost grows with its images)."""
    per_image = (r["methods_s"] + r["scoring_s"]) / r["images"]
    sanity_per_image = r["sanity_s"] / r["sanity_images"]
    images = {k: max(0, int((budget_s - k * sanity_per_image) // per_image)) for k in (1, 2, 4)}
    return {"budget_s": budget_s, "per_image_s": round(per_image, 4), "sanity_per_image_s": round(sanity_per_image, 4),
            "cascade_steps": r["cascade_steps"], "images_by_sanity_images": images, "sanity_images": sanity_images,
            "images": images.get(sanity_images, images[1])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--images", type=int, default=64, help="faces for saliency, SmoothGrad and Grad-CAM")
    ap.add_argument("--lime-images", type=int, default=6)
    ap.add_argument("--cam-images", type=int, default=200, help="faces for our Grad-CAM against pytorch-grad-cam's")
    ap.add_argument("--method-images", type=int, default=16, help="faces per method against its library's defaults")
    ap.add_argument("--slow-images", type=int, default=4, help="the same for occlusion and LIME")
    ap.add_argument("--method-repeats", type=int, default=3, help="rounds of the one-image-per-call comparisons")
    ap.add_argument("--train-epochs", type=int, default=12, help="quick training of the cnn4 the ranking explains")
    ap.add_argument("--keep-trained", type=Path, help="state dict of the quick training: loaded if it exists, "
                    "else written there (a re-run then skips the training)")
    ap.add_argument("--section-images", type=int, default=8, help="faces of the first section rehearsal")
    ap.add_argument("--sanity-images", type=int, default=2, choices=(1, 2, 4))
    ap.add_argument("--cascade-steps", type=int, default=3)
    ap.add_argument("--budget", type=float, default=7.0, help="seconds the section may take (methods + sanity)")
    args = ap.parse_args()
    report = begin("explain")

    torch.manual_seed(0)
    model = build_model("cnn4").eval()
    data = make_synthetic(seed=0, size="small")
    spec = fitted_spec(data.train.x)
    faces, labels = data.test.x[:args.images], data.test.y[:args.images]
    x = to_input(faces, spec, "cpu")
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
        "ascent", lambda: ascend_filters(model, ASCENT_LAYER, shape=(1, 48, 48), steps=ASCENT_STEPS, seed=0),
        lambda: ascend_filters_loop(model, ASCENT_LAYER, shape=(1, 48, 48), steps=ASCENT_STEPS, seed=0), args.repeats,
        compare=lambda a, b: ascent_agreement(model, a, b), layer=ASCENT_LAYER, filters=32, steps=ASCENT_STEPS,
        note="rounding can flip a ReLU or max-pool choice after some steps, so a few filters' images part ways: "
             "compare the activations reached")

    classify = lime_maps.grayscale_classifier(model, spec, "cpu")
    imgs, targets = faces[:args.lime_images], labels[:args.lime_images]

    def ours():
        return lime_maps.explain_many(model, imgs, targets, spec=spec, device="cpu")

    def segments(exps) -> float:
        return float(np.mean([len(np.unique(e.segments)) for e in exps]))

    batch = batch_size("cpu")
    with inspecting(model):
        r = race({"ours": ours,
                  "batch_256": lambda: lime_maps.explain_many(model, imgs, targets, spec=spec, device="cpu",
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

    to_in = functools.partial(to_input, spec=spec, device="cpu")
    results["gradcam_vs_pytorch_grad_cam"] = gradcam_vs_library(
        model, to_input(data.test.x[:args.cam_images], spec, "cpu"), data.test.y[:args.cam_images], args.method_repeats)
    m = args.method_images
    results["methods_vs_library_defaults"] = methods_vs_defaults(model, x[:m], labels[:m], faces[:m], to_in,
                                                                 args.method_repeats, args.slow_images)
    results["import_s"] = import_seconds()
    print("imports:", results["import_s"], flush=True)

    reused = args.keep_trained is not None and args.keep_trained.exists()
    start = time.perf_counter()
    trained, pred, accuracy = train_quickly(data, spec, args.train_epochs, keep=args.keep_trained)
    train_s = None if reused else round(time.perf_counter() - start, 1)
    print(f"cnn4, {args.train_epochs} epochs ({'reused' if reused else f'trained in {train_s} s'}): "
          f"test accuracy {accuracy:.3f}", flush=True)
    results["integrated_gradients_convergence"] = ig_convergence(trained, x[:16], labels[:16])
    kw = dict(sanity_images=args.sanity_images, steps=args.cascade_steps)
    first = [rehearsal(trained, data, spec, pred, images=args.section_images, **kw) for _ in range(args.method_repeats)]
    advice = recommend(_median_run(first), args.budget, args.sanity_images)
    at = [rehearsal(trained, data, spec, pred, images=max(1, advice["images"]), **kw)
          for _ in range(args.method_repeats)]
    for r in first[:1] + at[:1]:
        print(f"rehearsal: {r['images']} images, sanity on {r['sanity_images']}: methods {r['methods_s']} s, sanity "
              f"{r['sanity_s']} s, scoring {r['scoring_s']} s, total {r['total_s']} s; trust "
              f"{r['verdict']['trust']}, fail sanity {r['verdict']['fails_sanity']}", flush=True)
    results["section_rehearsal"] = {
        "model": f"cnn4, {args.train_epochs} epochs of Adam on the small synthetic training split (bench only)",
        "train_s": train_s, "reused_from": str(args.keep_trained) if reused else None,
        "test_accuracy": round(accuracy, 4), "layer": CAM_LAYER,
        "totals_s": {"first": [r["total_s"] for r in first], "at_recommendation": [r["total_s"] for r in at]},
        "first": _median_run(first),
        "recommendation": advice, "at_recommendation": _median_run(at)}

    report.update({
        "repeats": args.repeats, "statistic": "median seconds after one warm-up; contenders timed in turn within each round",
        "model": "cnn4 (seeded random weights; the section rehearsal: a quickly trained one)",
        "data": "embedded synthetic faces (small), test split",
        "results": results,
    })
    end(report)
    save(report, ROOT / "bench" / "results" / "explain.json")


if __name__ == "__main__":
    main()
