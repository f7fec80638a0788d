"""`fer-report build --all` on a model the user brings (their class and checkpoint, or their Keras file:
nothing trained), on the 6,000-row real FER2013 sample, cold (empty cache) and fully cached, for a
cnn4-sized model at 48x48, a torchvision ResNet18 at 64x64, and the same 4-block CNN saved by Keras as
a model.h5. Writes bench/results/own_model.json.

    .venv/bin/python bench/own_model.py [--data ../shared/data/fer2013-small.csv] [--repeats 1]

Goals on 2 cores: cold <= 60 s (cnn4-sized), <= 120 s (ResNet18 at 64x64); the Keras file's cold report
<= 1.5x the cnn4-sized class's, measured in the same run (the same architecture, 319,975 parameters).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import stages, timed  # noqa: E402  (the same timing as bench/build.py)
from reference import begin, end, in_reference_units, save  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

MODELS = {
    "cnn4-sized": ('''
from fer_report.model.builtin.cnn4 import CNN4


class FaceNet(CNN4):
    """The course's 4-block CNN (319,975 parameters), as a student's own class in their own file."""
''', "FaceNet", [], 60),
    "resnet18-64": ('''
import torch.nn as nn
import torchvision


class ResNetFER(nn.Module):
    """torchvision's ResNet18 with a 1-channel stem and a 7-class head, for 64x64 faces."""

    def __init__(self, num_classes=7):
        super().__init__()
        self.net = torchvision.models.resnet18(num_classes=num_classes)
        self.net.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)

    def forward(self, x):
        return self.net(x)
''', "ResNetFER", ["--input-size", "64"], 120),
}


def checkpoint(folder: Path, source: str, name: str) -> None:
    """model.py and best.pth as a student's script leaves them (the weights freshly initialised, seeded)."""
    import importlib.util

    import torch

    (folder / "model.py").write_text(source)
    spec = importlib.util.spec_from_file_location("bench_model", folder / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    torch.save({"epoch": 30, "model_state_dict": getattr(module, name)().state_dict()}, folder / "best.pth")


def keras_h5(folder: Path) -> list[str]:
    """The course's seed CNN (the cnn4 architecture) built and saved by Keras 3 as a model.h5, random weights."""
    import warnings

    sys.path.insert(0, str(ROOT))
    from tests.keras.kmodels import randomize, seed_cnn  # needs keras (a test dependency), not TensorFlow

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        randomize(seed_cnn()).save(folder / "model.h5")
    return ["--model", str(folder / "model.h5")]


def python_model(source: str, name: str):
    def make(folder: Path) -> list[str]:
        checkpoint(folder, source, name)
        return ["--model", str(folder / f"model.py:{name}"), "--weights", str(folder / "best.pth")]
    return make


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fer2013-small.csv"))
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    if not Path(args.data).exists():
        sys.exit(f"{args.data}: not found (the real FER2013 sample lives in ../shared/data)")
    exe = str(Path(sys.executable).with_name("fer-report"))
    result = begin("own_model") | {"data": args.data, "models": {}}
    runs = {key: (python_model(source, name), f"--model model.py:{name} --weights best.pth", extra, goal)
            for key, (source, name, extra, goal) in MODELS.items()}
    runs["keras-seed-h5"] = (keras_h5, "--model model.h5", [], None)
    for key, (make, shown, extra, goal) in runs.items():
        cold, cached = [], []
        for _ in range(args.repeats):
            folder = Path(tempfile.mkdtemp(prefix="fer-bench-own-"))
            try:
                cmd = [exe, "build", "--all", *make(folder), "--data", args.data, "--out", str(folder / "out"), "-q",
                       *extra]
                cold.append(timed(cmd) | {"stages_s": stages(folder / "out")})
                cached.append(timed(cmd) | {"stages_s": stages(folder / "out")})
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        result["models"][key] = {
            "command": f"fer-report build --all {shown} --data {args.data} " + " ".join(extra),
            "goal_cold_s": goal, "cold": cold, "cached": cached,
            "cold_median_s": statistics.median(r["seconds"] for r in cold),
            "cached_median_s": statistics.median(r["seconds"] for r in cached)}
    keras, torch_class = result["models"]["keras-seed-h5"], result["models"]["cnn4-sized"]
    keras["cold_vs_pytorch_class"] = round(keras["cold_median_s"] / torch_class["cold_median_s"], 3)
    keras["goal_cold_vs_pytorch_class"] = 1.5
    end(result)
    for row in result["models"].values():
        row["cold_in_reference_units"] = in_reference_units(row["cold_median_s"], result)
        row["cached_in_reference_units"] = in_reference_units(row["cached_median_s"], result)
    save(result, ROOT / "bench" / "results" / "own_model.json")
    shown = ("cold_median_s", "cached_median_s", "goal_cold_s", "cold_vs_pytorch_class")
    print(json.dumps({k: {m: v.get(m) for m in shown}
                      for k, v in result["models"].items()}, indent=1))


if __name__ == "__main__":
    main()
