"""`fer-report build --all` on a model the user brings (their class and checkpoint, or their Keras file:
nothing trained), on the 6,000-row real FER2013 sample, cold (empty cache) and fully cached, for a
cnn4-sized model at 48x48, a torchvision ResNet18 at 64x64, the same 4-block CNN saved by Keras as
a model.h5, and three models the size students hand in (issue 22), written as their repositories write
them: a CIFAR-style ResNet18 at 48x48 (tests/explain/student_models.py's kuangliu-style one, its source
copied into the student's model.py), a VGG19 at 44x44 with 3 input channels, a ~7 M parameter 6-block CNN.
Per section: seconds, model evaluations (forward and backward images, report.json's ``evaluations``) and
their floor, the evaluations times the cost of one measured in the build (``--budget``'s probe).
Writes bench/results/own_model.json.

    .venv/bin/python bench/own_model.py [--data ../shared/data/fer2013-small.csv] [--repeats 1]
                                        [--models resnet18-48,vgg19-44] [--no-cached] [--budget SECONDS]

Goals on 2 cores: cold <= 60 s (cnn4-sized), <= 120 s (ResNet18 at 64x64), <= 300 s (each student-sized
model, within 2x of its floor); the Keras file's cold report <= 1.5x the cnn4-sized class's, measured in the
same run (the same architecture, 319,975 parameters).
"""

from __future__ import annotations

import argparse
import inspect
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


def _student_resnet() -> str:
    """tests/explain/student_models.py as a student's model.py (the kuangliu-style blocks), plus the class to load."""
    sys.path.insert(0, str(ROOT))
    from tests.explain import student_models

    return inspect.getsource(student_models) + '''

class ResNet18(ResNet):
    """kuangliu's ResNet18 as the FER2013 copies run it: 1 channel, 48x48, no stem downsampling (~11 M parameters)."""

    def __init__(self, num_classes=7):
        super().__init__(BasicBlock, (2, 2, 2, 2), num_classes=num_classes)
'''


STUDENT_MODELS = {
    "resnet18-48": (_student_resnet, "ResNet18", []),
    "vgg19-44": (lambda: '''
import torch.nn as nn
import torch.nn.functional as F

cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]


class VGG(nn.Module):
    """VGG19 as the most-copied FER2013 repository writes it: 3-channel 44x44 crops, BatchNorm, one linear layer."""

    def __init__(self, num_classes=7):
        super().__init__()
        layers, in_channels = [], 3
        for x in cfg:
            if x == "M":
                layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
            else:
                layers += [nn.Conv2d(in_channels, x, kernel_size=3, padding=1), nn.BatchNorm2d(x), nn.ReLU(inplace=True)]
                in_channels = x
        layers += [nn.AvgPool2d(kernel_size=1, stride=1)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(512, num_classes)

    def forward(self, x):
        out = self.features(x)
        out = out.view(out.size(0), -1)
        out = F.dropout(out, p=0.5, training=self.training)
        return self.classifier(out)
''', "VGG", ["--input-size", "44"]),
    "cnn6-7m": (lambda: '''
import torch.nn as nn


def block(cin, cout, pool):
    layers = [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2)]
    if pool:
        layers += [nn.MaxPool2d(2), nn.Dropout2d(0.25)]
    return nn.Sequential(*layers)


class FaceCNN(nn.Module):
    """Six conv blocks, Dropout2d after each pooling, a BatchNorm1d head: ~7 M parameters, as in 2019 HW3 repos."""

    def __init__(self, num_classes=7):
        super().__init__()
        self.cnn = nn.Sequential(block(1, 64, False), block(64, 128, True), block(128, 256, True),
                                 block(256, 256, True), block(256, 512, False), block(512, 512, True))
        self.fc = nn.Sequential(nn.Linear(512 * 3 * 3, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.5),
                                nn.Linear(512, num_classes))

    def forward(self, x):
        return self.fc(self.cnn(x).flatten(1))
''', "FaceCNN", []),
}
STUDENT_GOAL_S = 300


def evaluations(out: Path) -> dict:
    """Per section: model evaluations (report.json's) and their floor, each evaluation at the cost the build
    measured (forward-only images at the forward cost, the others at the gradient cost)."""
    report = json.loads((out / "report.json").read_text())
    cost = next((s["numbers"]["budget"]["cost_per_image"] for s in report["sections"]
                 if isinstance(s.get("numbers"), dict) and "budget" in s["numbers"]), None)
    rows = {}
    for s in report["sections"]:
        e = s.get("evaluations") or {"forward": 0, "backward": 0, "total": 0}
        floor = None if cost is None else (
            (e["forward"] - e["backward"]) * cost["forward_ms"] + e["backward"] * cost["gradient_ms"]) / 1000
        rows[s["name"]] = {"seconds": s["seconds"], **e, "floor_s": None if floor is None else round(floor, 2)}
        if isinstance(s.get("numbers"), dict) and "budget" in s["numbers"]:
            b = s["numbers"]["budget"]
            rows[s["name"]].update(counts=b["counts"], full_counts=b["full_counts"], estimate_s=b["estimate_s"],
                                   full_estimate_s=b.get("full_estimate_s"))
    floors = [r["floor_s"] for r in rows.values() if r["floor_s"] is not None]
    return {"cost_per_image": cost, "sections": rows, "evaluations_total": report.get("evaluations"),
            "floor_s": round(sum(floors), 1) if floors else None}


def keep_earlier(result: dict, dest: Path) -> None:
    """Rows of models this run did not measure (``--models``) stay, each marked with the run that measured them:
    timings compare only within a run, or in reference units."""
    if not dest.exists():
        return
    earlier = json.loads(dest.read_text())
    run = {k: earlier.get(k) for k in ("loadavg_at_start", "loadavg_at_end", "reference", "machine")}
    for key, row in earlier.get("models", {}).items():
        if key not in result["models"]:
            result["models"][key] = {**row, "earlier_run": row.get("earlier_run", run)}


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
    ap.add_argument("--models", default="", help="comma-separated keys to run (default: all)")
    ap.add_argument("--no-cached", action="store_true", help="cold builds only (no second, cached build)")
    ap.add_argument("--budget", default=None, help="--budget for every build (default: the build's own)")
    args = ap.parse_args()
    if not Path(args.data).exists():
        sys.exit(f"{args.data}: not found (the real FER2013 sample lives in ../shared/data)")
    exe = str(Path(sys.executable).with_name("fer-report"))
    result = begin("own_model") | {"data": args.data, "models": {}}
    runs = {key: (python_model(source, name), f"--model model.py:{name} --weights best.pth", extra, goal)
            for key, (source, name, extra, goal) in MODELS.items()}
    runs["keras-seed-h5"] = (keras_h5, "--model model.h5", [], None)
    for key, (source, name, extra) in STUDENT_MODELS.items():
        runs[key] = (python_model(source(), name), f"--model model.py:{name} --weights best.pth", extra, STUDENT_GOAL_S)
    chosen = [k for k in args.models.split(",") if k] or list(runs)
    budget = ["--budget", str(args.budget)] if args.budget else []
    for key in chosen:
        make, shown, extra, goal = runs[key]
        cold, cached = [], []
        for _ in range(args.repeats):
            folder = Path(tempfile.mkdtemp(prefix="fer-bench-own-"))
            try:
                cmd = [exe, "build", "--all", *make(folder), "--data", args.data, "--out", str(folder / "out"), "-q",
                       *extra, *budget]
                cold.append(timed(cmd) | {"stages_s": stages(folder / "out"), **evaluations(folder / "out")})
                print(key, "cold", cold[-1]["seconds"], "s", flush=True)
                if not args.no_cached:
                    cached.append(timed(cmd) | {"stages_s": stages(folder / "out")})
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        result["models"][key] = {
            "command": f"fer-report build --all {shown} --data {args.data} " + " ".join([*extra, *budget]),
            "goal_cold_s": goal, "cold": cold, "cached": cached,
            "cold_median_s": statistics.median(r["seconds"] for r in cold),
            "cached_median_s": statistics.median(r["seconds"] for r in cached) if cached else None}
    keras, torch_class = result["models"].get("keras-seed-h5"), result["models"].get("cnn4-sized")
    if keras and torch_class:
        keras["cold_vs_pytorch_class"] = round(keras["cold_median_s"] / torch_class["cold_median_s"], 3)
        keras["goal_cold_vs_pytorch_class"] = 1.5
    end(result)
    for row in result["models"].values():
        row["cold_in_reference_units"] = in_reference_units(row["cold_median_s"], result)
        if row["cached_median_s"] is not None:
            row["cached_in_reference_units"] = in_reference_units(row["cached_median_s"], result)
    dest = ROOT / "bench" / "results" / "own_model.json"
    keep_earlier(result, dest)
    save(result, dest)
    shown = ("cold_median_s", "cached_median_s", "goal_cold_s", "cold_vs_pytorch_class")
    print(json.dumps({k: {m: v.get(m) for m in shown}
                      for k, v in result["models"].items()}, indent=1))


if __name__ == "__main__":
    main()
