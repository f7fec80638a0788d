"""Issue 21's two routes for a Keras file, measured on the same files in one process (CPU):

  route 1: Keras 3 itself on the torch backend, ``keras.saving.load_model(path, compile=False)``;
  route 2: fer_report.model.keras.load_keras(path), a plain nn.Module named after the Keras layers.

For each file: load time, forward time per batch at batch 1/32/256 (medians), the largest difference
between the two routes' outputs, how many conv layers ``named_modules()`` exposes (what fer-report's
hooks, Grad-CAM and filter sections search), and whether a backward pass with trainable weights runs.
Each backward runs in a child process, so a crash (the issue saw SIGSEGV on route 1) is recorded as
its exit status instead of ending the benchmark. bench/reference.py's fixed workload is timed in the
same process before and after, with the thread count and the load average, so figures from a busy or
different machine can be scaled. Writes bench/results/keras_routes.json.

    .venv/bin/python bench/keras_routes.py [--repeats 5] [--out bench/results/keras_routes.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from reference import begin, end, save  # noqa: E402  (bench/ is on sys.path: run as a script)

BATCHES = (1, 32, 256)
#: (test model, the format it is saved in): the seed CNN as a legacy .h5 (the Keras-2 years), the
#: mini-Xception family (separable convs, residual Add) as .keras.
CASES = (("seed_cnn", "h5"), ("mini_xception", "keras"), ("seed_cnn", "json"))


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load(route: int, path: str, weights: str | None):
    """The model by ``route``: (callable on NCHW tensors, the object whose modules are searched)."""
    if route == 1:
        import keras

        if weights:  # to_json + weights: keras needs the config without `module` keys (see NOTES.md)
            config = json.loads(Path(path).read_text())
            model = keras.Model.from_config(config["config"]) if config["class_name"] != "Sequential" \
                else keras.Sequential.from_config(config["config"])
            model.load_weights(weights)
        else:
            model = keras.saving.load_model(path, compile=False)
        return (lambda x: model(x.permute(0, 2, 3, 1), training=False)), model
    from fer_report.model.keras import load_keras

    converted = load_keras(path, weights)
    return converted.module, converted.module


def conv_count(obj) -> int:
    return sum(isinstance(m, torch.nn.Conv2d) for _, m in obj.named_modules())


def backward_child(route: int, path: str, weights: str | None, shape: tuple) -> None:
    """Run in a child process: one backward pass with trainable weights; exit 0 when it ran."""
    forward, obj = load(route, path, weights)
    if route == 2:
        obj.train()
    x = torch.rand(8, shape[2], shape[0], shape[1], requires_grad=True)
    out = forward(x)
    out = out if isinstance(out, torch.Tensor) else torch.as_tensor(out)
    out[:, 3].sum().backward()
    grads = [p for p in obj.parameters() if p.grad is not None]
    print(json.dumps({"input_grad": bool(x.grad is not None), "params_with_grad": len(grads)}))


def backward_check(route: int, path: str, weights: str | None, shape: tuple) -> dict:
    cmd = [sys.executable, __file__, "--backward", str(route), path, weights or "", ",".join(map(str, shape))]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    result = {"returncode": done.returncode, "ran": done.returncode == 0}
    if done.returncode == 0 and done.stdout.strip():
        result.update(json.loads(done.stdout.strip().splitlines()[-1]))
    elif done.returncode:
        result["stderr_tail"] = done.stderr.strip()[-300:]
    return result


def measure(route: int, path: str, weights: str | None, shape: tuple, repeats: int) -> dict:
    load_s = _median_time(lambda: load(route, path, weights), max(3, repeats // 2))
    forward, obj = load(route, path, weights)
    out = {"load_s": round(load_s, 4), "forward_s": {}, "convs_in_named_modules": conv_count(obj)}
    if route == 2:
        from fer_report.explain.layers import conv_layers

        out["fer_report_conv_layers"] = len(conv_layers(obj, (shape[2], shape[0], shape[1])))
    with torch.no_grad():
        for batch in BATCHES:
            x = torch.rand(batch, shape[2], shape[0], shape[1])
            forward(x)  # warm-up
            out["forward_s"][str(batch)] = round(_median_time(lambda: forward(x), repeats), 5)
    out["hooks_fire"] = _hooks_fire(obj, forward, shape)
    out["backward"] = backward_check(route, path, weights, shape)
    return out


def _hooks_fire(obj, forward, shape: tuple) -> int:
    """How many forward hooks on named conv modules fire in one pass (0 when none are exposed)."""
    fired = []
    handles = [m.register_forward_hook(lambda *a, n=n: fired.append(n))
               for n, m in obj.named_modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        forward(torch.rand(1, shape[2], shape[0], shape[1]))
    for h in handles:
        h.remove()
    return len(set(fired))


def agreement(path: str, weights: str | None, shape: tuple) -> float:
    x = torch.rand(64, shape[2], shape[0], shape[1])
    with torch.no_grad():
        a = np.asarray(load(1, path, weights)[0](x).detach().cpu())
        b = load(2, path, weights)[0](x).numpy()
    return float(np.abs(a - b).max())


def _files(folder: Path) -> dict:
    import importlib.util

    spec = importlib.util.spec_from_file_location("kmodels", ROOT / "tests" / "keras" / "kmodels.py")
    kmodels = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kmodels)
    out = {}
    for i, name in enumerate(sorted({n for n, _ in CASES})):
        model = kmodels.randomize(kmodels.BUILDERS[name](), seed=i)
        out[name] = (kmodels.save_all(model, folder), tuple(model.inputs[0].shape[1:]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "keras_routes.json"))
    args = ap.parse_args()
    import keras

    result = begin("keras_routes") | {"keras": keras.__version__, "cases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        files = _files(Path(tmp))
        for name, fmt in CASES:
            (path, weights), shape = files[name][0][fmt], files[name][1]
            path, weights = str(path), str(weights) if weights else None
            case = {"file": f"{name}.{fmt}" + (" + .weights.h5" if weights else ""), "input_shape": shape,
                    "max_abs_difference": agreement(path, weights, shape)}
            for route in (1, 2):
                case[f"route{route}"] = measure(route, path, weights, shape, args.repeats)
            r1, r2 = case["route1"]["forward_s"], case["route2"]["forward_s"]
            case["speedup_route2"] = {b: round(r1[b] / r2[b], 2) for b in r1}
            result["cases"][f"{name}.{fmt}"] = case
            print(json.dumps({k: case[k] for k in ("file", "max_abs_difference", "speedup_route2")}), flush=True)
    end(result)
    save(result, Path(args.out))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--backward":
        _, _, route, path, weights, shape = sys.argv
        backward_child(int(route), path, weights or None, tuple(int(v) for v in shape.split(",")))
    else:
        main()
