"""Training throughput (images/s) on FER2013-sized data (28,709 random 48x48 faces, 7 classes):
fer-report's loop (the data one tensor on the device, each batch augmented there in one call) against
a plain per-image torchvision-transform DataLoader loop, measured in the same run with interleaved
trials, for the default model (cnn4) and vgg. Both loops run the same training step (the same
precision and memory layout), so the ratio measures the data path. Also measured alone: the data
path without the model ("pipeline"). Writes bench/results/train.json (medians and ratios).

    .venv/bin/python bench/train.py [--device auto|cpu|cuda] [--models cnn4,vgg] [--repeats 5]
                                    [--batches N] [--workers N] [--compile]

--compile adds a third loop: fer-report's with torch.compile (meant for CUDA).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fer_report.model import inference
from fer_report.training import train as tr
from fer_report.data.augment import augment_batch  # noqa: E402
from fer_report.config import Settings  # noqa: E402
from fer_report.model.builtin import build_model  # noqa: E402
from reference import begin, end, save  # noqa: E402

FER2013_TRAIN = 28_709
BATCH = 64  # fer-report's default batch size
# Batches per timed trial; enough for a second or more of work per trial on each device.
BATCHES = {"cpu": {"cnn4": 20, "vgg": 3}, "cuda": {"cnn4": 300, "vgg": 150}}


class PerImage(torch.utils.data.Dataset):
    """The usual tutorial pipeline: a PIL image per face through torchvision transforms."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, mean: float, std: float) -> None:
        from torchvision import transforms as T

        self.images, self.labels = images, labels
        # the same augmentation as fer-report's light policy (flip, +-10 deg, +-10 % shift, 0.9-1.1 zoom)
        self.transform = T.Compose([T.RandomHorizontalFlip(), T.RandomAffine(10, translate=(0.1, 0.1),
                                    scale=(0.9, 1.1)), T.ToTensor(), T.Normalize((mean,), (std,))])

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int):
        from PIL import Image

        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def step(model, optimizer, xb, yb, device) -> None:
    """The training step both loops share (fer_report.training.train's: bf16 autocast and channels_last on CUDA)."""
    if inference.fast(device):
        xb = xb.contiguous(memory_format=torch.channels_last)
    with inference.autocast(device):
        loss = F.cross_entropy(model(xb), yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


def ours(model, optimizer, x, y, batches: int, device, seed: int) -> float:
    """fer_report.training.train._train_epoch itself, over ``batches`` batches of the device-resident tensor."""
    n = batches * BATCH
    start = (seed * n) % (len(y) - n)
    settings = Settings(batch_size=BATCH)
    gen = torch.Generator(device=device).manual_seed(seed)
    sync(device)
    t = time.perf_counter()
    tr._train_epoch(model, optimizer, x[start:start + n], y[start:start + n], settings, gen, False)
    sync(device)
    return n / (time.perf_counter() - t)


def plain(model, optimizer, loader, batches: int, device) -> float:
    sync(device)
    t = time.perf_counter()
    model.train()
    it = iter(loader)
    for _ in range(batches):
        xb, yb = next(it)
        step(model, optimizer, xb.to(device, non_blocking=True), yb.to(device, non_blocking=True), device)
    sync(device)
    return batches * BATCH / (time.perf_counter() - t)


def pipeline_ours(x, batches: int, device, seed: int) -> float:
    gen = torch.Generator(device=device).manual_seed(seed)
    sync(device)
    t = time.perf_counter()
    for b in range(batches):
        idx = torch.randint(len(x), (BATCH,), generator=gen, device=device)
        augment_batch(x[idx], gen)
    sync(device)
    return batches * BATCH / (time.perf_counter() - t)


def pipeline_plain(loader, batches: int, device) -> float:
    sync(device)
    t = time.perf_counter()
    it = iter(loader)
    for _ in range(batches):
        xb, _ = next(it)
        xb.to(device, non_blocking=True)
    sync(device)
    return batches * BATCH / (time.perf_counter() - t)


def summary(trials: dict[str, list[float]]) -> dict:
    med = {k: statistics.median(v) for k, v in trials.items()}
    out = {"images_per_s": {k: round(v, 1) for k, v in med.items()},
           "trials": {k: [round(t, 1) for t in v] for k, v in trials.items()}}
    out["ratio_ours_over_plain"] = round(med["ours"] / med["plain"], 2)
    if "ours_compiled" in med:
        out["ratio_compiled_over_ours"] = round(med["ours_compiled"] / med["ours"], 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--models", default="cnn4,vgg")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batches", type=int, help="batches per trial (default: by device and model)")
    ap.add_argument("--workers", type=int, help="DataLoader workers for the plain loop "
                    "(default 0 on 2 cores or fewer, else 4)")
    ap.add_argument("--compile", action="store_true", help="also time fer-report's loop under torch.compile")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "train.json"))
    args = ap.parse_args()

    device = inference.resolve_device(args.device)
    torch.set_num_threads(os.cpu_count() or 1)
    workers = args.workers if args.workers is not None else (0 if (os.cpu_count() or 1) <= 2 else 4)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (FER2013_TRAIN, 48, 48), dtype=np.uint8)
    labels = rng.integers(0, 7, FER2013_TRAIN).astype(np.int64)
    mean, std = float(images.mean() / 255), float(images.std() / 255)
    x = inference.to_input(images, inference.InputSpec(mean=(mean,), std=(std,)), device)
    y = torch.as_tensor(labels, device=device)
    loader = torch.utils.data.DataLoader(PerImage(images, labels, mean, std), batch_size=BATCH, shuffle=True,
                                         num_workers=workers, persistent_workers=workers > 0,
                                         pin_memory=device.type == "cuda", drop_last=True)

    result = begin("train") | {
        "data": f"{FER2013_TRAIN} random uint8 48x48 images (FER2013's training-split size), batch {BATCH}",
        "device": machine(device), "dataloader_workers": workers, "models": {}}
    for name in args.models.split(","):
        batches = args.batches or BATCHES[device.type][name]
        model = build_model(name).to(device)
        if inference.fast(device):
            model = model.to(memory_format=torch.channels_last)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        compiled = torch.compile(model) if args.compile else None
        trials: dict[str, list[float]] = {"ours": [], "plain": []}
        if compiled is not None:
            trials["ours_compiled"] = []
        for r in range(args.repeats + 1):  # round 0 warms up (cuDNN plans, workers, compilation)
            got = {"ours": ours(model, optimizer, x, y, batches, device, r),
                   "plain": plain(model, optimizer, loader, batches, device)}
            if compiled is not None:
                got["ours_compiled"] = ours(compiled, optimizer, x, y, batches, device, r)
            if r > 0:
                for k, v in got.items():
                    trials[k].append(v)
            print(name, r, {k: round(v, 1) for k, v in got.items()}, flush=True)
        pipe = {"ours": [], "plain": []}
        for r in range(args.repeats + 1):
            got = {"ours": pipeline_ours(x, batches * 4, device, r), "plain": pipeline_plain(loader, batches * 4, device)}
            if r > 0:
                for k, v in got.items():
                    pipe[k].append(v)
        result["models"][name] = {"batches_per_trial": batches, "training": summary(trials),
                                  "pipeline_only": summary(pipe)}
        del model, optimizer, compiled
    end(result)  # images/s x reference seconds: images per reference workload, comparable across machines
    save(result, Path(args.out))


def machine(device: torch.device) -> dict:
    info = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "torch": torch.__version__, "device": str(device), "threads": torch.get_num_threads()}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


if __name__ == "__main__":
    main()
