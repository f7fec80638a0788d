"""Training with a resumable, checksummed cache (``fer_report.training.cache``): same settings and data ->
no second training.

Speed: the data stay one tensor on the training device and each batch is augmented there in one
call (fer_report.data.augment), never image by image. The model and batches are channels_last (on 2 CPU
cores a cnn4 step measured ~1.2x faster so; on CUDA it is what the tensor cores want). The steps run
under bf16 autocast on CUDA and on a CPU with native bf16 (``inference.train_bf16``: the default's 10
epochs take 49 s instead of 62 s on 2 cores); evaluation stays fp32. Loss and accuracy are summed on the
device and read once per epoch, so the host never waits for the GPU inside an epoch. Under torchrun each
process trains one shard of every global batch (fer_report.training.distributed); the cache entry is the one a
single process with the same global batch would use, so `fer-report build` afterwards reuses a model
trained on N GPUs.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from fer_report.training import distributed
from fer_report.training import losses
from fer_report.training import optim
from fer_report.training import sampling
from fer_report.training import cache as train_cache
from fer_report.data.augment import CROPS, draw_erasing, draw_mix, draw_theta, erase, mix, warp, with_ten_crops
from fer_report.config import Settings
from fer_report.data import Dataset
from fer_report.training.distributed import World
from fer_report.model.inference import InputSpec, fitted_spec, logits, resolve_device, to_input, train_autocast
from fer_report.training.cache import cache_key
from fer_report.training.trained import Trained

log = logging.getLogger(__name__)


def train(settings: Settings, dataset: Dataset, *, progress: bool | None = None) -> Trained:
    """Train (or resume, or reuse) the model ``settings`` describe on ``dataset``."""
    device = resolve_device(settings.device)
    entry = settings.cache_dir / f"train-{cache_key(settings, dataset, device)}"
    world, device = distributed.join(device)
    say = log.info if world.is_main else (lambda *args: None)
    if progress is None:
        progress = sys.stderr.isatty()
    progress = progress and world.is_main
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world.local_size))

    # Rank 0 alone looks at the cache (and wipes a corrupt entry); every rank acts on what it found.
    if world.is_main:
        entry.mkdir(parents=True, exist_ok=True)
    done = world.broadcast(train_cache.read_finished(entry) if world.is_main else None)
    if done is not None:
        say("reusing trained model from %s", entry)
        best = world.broadcast(train_cache.load(entry / "best.pt") if world.is_main else None)
        return _finish(settings, dataset, best, done, device, entry, seconds=0.0)

    spec = _network(settings, dataset).spec
    state_file = entry / "state.pt"
    model, optimizer, scheduler = _prepare(settings, dataset, device, world)
    history: list[dict[str, float]] = []
    best_acc, spent = -1.0, 0.0
    state = world.broadcast(train_cache.read_state(state_file) if world.is_main else None)
    if state is not None:
        try:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            history, best_acc, spent = state["history"], state["best_acc"], state["seconds"]
            say("resuming training after epoch %d of %d", len(history), settings.epochs)
        except Exception as exc:  # a foreign file: start over rather than trust it
            log.warning("cannot resume from %s (%s); training from scratch", state_file, exc)
            model, optimizer, scheduler = _prepare(settings, dataset, device, world)
            history, best_acc, spent = [], -1.0, 0.0
    step_model = _parallel(model, device, world)
    if settings.compile:
        step_model = torch.compile(step_model)

    x_train = to_input(dataset.train.x, spec, device)
    y_train = torch.as_tensor(dataset.train.y, device=device)
    x_val = to_input(dataset.val.x, spec, device)
    y_val = torch.as_tensor(dataset.val.y, device=device)

    from tqdm.auto import tqdm

    epochs = tqdm(range(len(history), settings.epochs), initial=len(history), total=settings.epochs,
                  desc="training", unit="epoch", disable=not progress, leave=False)
    for epoch in epochs:
        start = time.perf_counter()
        torch.manual_seed(settings.seed * 1000 + epoch + 7919 * world.rank)  # dropout: same draws after a resume
        gen = torch.Generator(device=device).manual_seed(settings.seed * 1000 + epoch)  # same on every rank
        train_loss, train_acc = _train_epoch(step_model, optimizer, x_train, y_train, settings, gen, progress, world)
        # the checkpoint and the plateau schedule look at the validation split only, never at the test split
        val_loss, val_acc = evaluate(model, x_val, y_val, ten_crop=settings.ten_crop, tta=settings.tta, world=world)
        if epoch + 1 <= settings.warmup_epochs:
            optim.warm_up(optimizer, settings, epoch + 1)
        elif settings.schedule == "plateau":
            scheduler.step(val_acc)
        else:
            scheduler.step()
        spent += time.perf_counter() - start
        history.append({"epoch": epoch + 1, "train_loss": train_loss, "train_acc": train_acc,
                        "val_loss": val_loss, "val_acc": val_acc, "lr": optimizer.param_groups[0]["lr"]})
        epochs.set_postfix(val_acc=f"{val_acc:.3f}")
        say("epoch %d/%d  loss %.3f  acc %.3f  val_loss %.3f  val_acc %.3f",
            epoch + 1, settings.epochs, train_loss, train_acc, val_loss, val_acc)
        if val_acc > best_acc:
            best_acc = val_acc
            if world.is_main:
                train_cache.save(model.state_dict(), entry / "best.pt")
        if world.is_main:
            train_cache.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                   "scheduler": scheduler.state_dict(), "history": history, "best_acc": best_acc,
                   "seconds": spent}, state_file)
    epochs.close()

    finished = None
    if world.is_main:
        record = {"history": history, "mean": spec.mean[0], "std": spec.std[0], "seconds": spent}
        if spec != fitted_spec(dataset.train.x):  # a user's model: its channels, size and normalisation
            record["spec"] = spec.to_json()
        finished = train_cache.write_finished(entry, record)
    finished = world.broadcast(finished)
    best = world.broadcast(train_cache.load(entry / "best.pt") if world.is_main else None)
    return _finish(settings, dataset, best, finished, device, entry, seconds=spent)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 512, *, ten_crop: bool = False,
             tta: str = "none", world: World = World()) -> tuple[float, float]:
    """Mean cross-entropy and accuracy, in eval mode; restores the model's previous mode.

    Under torchrun each rank scores its shard and the sums are added, so every rank gets the same
    figures (the plateau schedule and the choice of the best epoch depend on them).
    """
    was_training = model.training
    model.eval()
    if ten_crop:
        batch = max(1, batch // CROPS)
    start, end = world.shard(len(y))
    loss = torch.zeros((), dtype=torch.float64, device=x.device)
    correct = torch.zeros((), dtype=torch.long, device=x.device)
    for i in range(start, end, batch):
        j = min(i + batch, end)
        out = logits(model, x[i:j], ten_crop=ten_crop, tta=tta)
        loss += F.cross_entropy(out, y[i:j], reduction="sum")
        correct += (out.argmax(1) == y[i:j]).sum()
    model.train(was_training)
    total_loss, total_correct = world.sum(torch.stack([loss, correct.double()])).tolist()
    return total_loss / max(1, len(y)), total_correct / max(1, len(y))


def _train_epoch(model, optimizer, x, y, settings: Settings, gen: torch.Generator, progress: bool,
                 world: World = World()):
    """One pass over the data in global batches of ``settings.batch_size``; this rank trains its shard.

    The augmentation and mixing parameters are drawn for the whole global batch and sliced, and each
    shard's summed loss is divided by the whole batch's total weight (``fer_report.training.losses``), so that
    the gradient DistributedDataParallel averages equals that of one process on the whole batch.
    """
    from tqdm.auto import tqdm

    model.train()
    crops = CROPS if settings.ten_crop else 1
    size = (x.shape[-2], x.shape[-1])
    order = sampling.epoch_order(y, gen, balance=settings.balance)
    weight = None
    total_loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device)
    seen = 0
    n_batches = (len(y) + settings.batch_size - 1) // settings.batch_size
    for b in tqdm(range(n_batches), desc="batches", leave=False, disable=not progress):
        idx = order[b * settings.batch_size:(b + 1) * settings.batch_size]
        n = len(idx)
        if n // world.size < 2:  # BatchNorm cannot train on a batch of one
            continue
        lo, hi = world.shard(n)
        theta = draw_theta(settings.augment_policy, n, gen) if settings.augment else None
        boxes = (draw_erasing(n * crops, gen, size).view(n, crops, 4)
                 if settings.augment and settings.augment_policy == "strong" else None)
        m = draw_mix(n, gen, size, mixup=settings.mixup, cutmix=settings.cutmix)

        def view(rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            """The augmented images (each one's ten crops, if so) and labels of these rows of the batch."""
            xb, yb = x[idx[rows]], y[idx[rows]]
            th = theta[rows.to(theta.device)] if theta is not None else None
            if settings.ten_crop:
                th = with_ten_crops(th, len(rows), x.device)
                xb, yb = xb.repeat_interleave(crops, 0), yb.repeat_interleave(crops, 0)
            if th is not None:
                xb = warp(xb, th)
            if boxes is not None:
                xb = erase(xb, boxes[rows.to(boxes.device)].view(-1, 4))
            return xb, yb

        rows = torch.arange(lo, hi, device=idx.device)
        xb, yb = view(rows)
        partner_y = lam = None
        if m is not None:
            partner_x, partner_y = view(m.partner[lo:hi].to(idx.device))
            xb, lam = mix(xb, partner_x, m), m.lam.to(x.device)
        xb = xb.contiguous(memory_format=_memory_format(x.device))
        with train_autocast(x.device):
            out = model(xb)
        out = out.float()
        if settings.balance == "weights" and weight is None:
            weight = sampling.class_weights(y, out.shape[1]).to(x.device)
        loss_sum = losses.loss_sum(out, yb, partner_y, lam, weight=weight, label_smoothing=settings.label_smoothing)
        # the whole global batch's weight (all ranks' images): the shard's share of the mean loss
        all_y = y[idx].repeat_interleave(crops, 0)
        all_partner = y[idx[m.partner.to(idx.device)]].repeat_interleave(crops, 0) if m is not None else None
        total_weight = losses.image_weights(all_y, all_partner, lam, weight).sum()
        optimizer.zero_grad(set_to_none=True)
        (loss_sum / total_weight * world.size).backward()
        optimizer.step()
        shard_weight = losses.image_weights(yb, partner_y, lam, weight).sum()
        total_loss += (loss_sum / shard_weight).detach() * len(yb)
        hit = (out.argmax(1) == yb).float()
        correct += (hit if m is None else lam * hit + (1 - lam) * (out.argmax(1) == partner_y).float()).sum()
        seen += len(yb)
    sums = world.sum(torch.stack([total_loss.double(), correct.double(),
                                  torch.tensor(float(seen), dtype=torch.float64, device=x.device)]))
    loss_sum, correct_sum, count = sums.tolist()
    return loss_sum / max(1.0, count), correct_sum / max(1.0, count)


def _memory_format(device: torch.device) -> torch.memory_format:
    """channels_last everywhere: on 2 CPU cores a cnn4 step of 64 images measured ~1.2x faster with it."""
    return torch.channels_last


def _network(settings: Settings, dataset: Dataset):
    from fer_report.model.network import build_network

    return build_network(settings, dataset, seed=settings.seed)


def _new_model(settings: Settings, dataset: Dataset) -> nn.Module:
    """A fresh model, seeded: the built-in, or the user's class (wrapped to give class scores)."""
    return _network(settings, dataset).model


def _prepare(settings: Settings, dataset: Dataset, device: torch.device, world: World):
    """A fresh model on ``device`` in the layout it trains in, with its optimiser and schedule.

    Several CUDA processes share BatchNorm statistics (SyncBatchNorm), so each normalises with the
    global batch's statistics, as one process would. gloo has no SyncBatchNorm (CPU processes are
    for testing the plumbing): there each process normalises with its own shard's statistics.
    """
    model = _new_model(settings, dataset).to(device, memory_format=_memory_format(device))
    if world.size > 1 and device.type == "cuda":
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    optimizer, scheduler = optim.optimiser(settings, model)
    return model, optimizer, scheduler


def _parallel(model: nn.Module, device: torch.device, world: World) -> nn.Module:
    """The module the training steps call: DistributedDataParallel over the ranks, or the model itself."""
    if world.size == 1:
        return model
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def _finish(settings: Settings, dataset: Dataset, best: dict[str, torch.Tensor], record: dict[str, Any],
            device: torch.device, entry: Path, *, seconds: float) -> Trained:
    """A plain model (no DDP, SyncBatchNorm or compile wrapper) holding the best weights, in eval mode."""
    model = _new_model(settings, dataset)
    model.load_state_dict(best)
    model.to(device).eval()
    if "spec" in record:
        s = record["spec"]
        spec = InputSpec(channels=s["channels"], size=s["size"], mean=tuple(s["mean"]), std=tuple(s["std"]),
                         normalize=s["normalize"], meta={k: v for k, v in s.items() if k not in (
                             "channels", "size", "mean", "std", "normalize")})
    else:
        spec = fitted_spec(dataset.train.x)
        spec = InputSpec(channels=1, size=spec.size, mean=(record["mean"],), std=(record["std"],))
    return Trained(model=model, history=record["history"], spec=spec, device=device, cache_dir=entry, seconds=seconds, recorded_seconds=record["seconds"],
                   ten_crop=settings.ten_crop, tta=settings.tta)
