"""Training with a resumable, checksummed cache: same settings and data -> no second training.

Layout of one cache entry ``<cache>/train-<key>/``:
  state.pt      model + optimiser + schedule after the last finished epoch (resume point)
  best.pt       model weights of the best validation epoch
  history.json  one row per epoch, plus the normalisation constants and the checksum of best.pt
Every file is written to a temporary name and renamed, so a kill leaves the previous one intact.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fer_report.augment import augment_batch
from fer_report.checkpoints import load_tensors
from fer_report.config import Settings
from fer_report.data import Dataset
from fer_report.models import build_model

log = logging.getLogger(__name__)
TRAINING_CODE_VERSION = 1  # bump when a change here changes results


@dataclass
class Trained:
    model: nn.Module  # best-validation weights, eval mode, on ``device``
    history: list[dict[str, float]]
    mean: float  # input normalisation fitted on the training split
    std: float
    device: torch.device
    cache_dir: Path
    seconds: float  # training time spent in this call (0 = reused from the cache)
    recorded_seconds: float  # training time the cache entry cost when it was built, resumes included


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        from fer_report.errors import ConfigError

        raise ConfigError("--device cuda: no CUDA device is visible to torch; use --device cpu or auto")
    return torch.device(name)


def to_input(x: np.ndarray | torch.Tensor, mean: float, std: float, device: torch.device) -> torch.Tensor:
    """uint8 (N, H, W) -> normalised float (N, 1, H, W): the model's input convention."""
    t = torch.as_tensor(x).to(device)
    return ((t.float() / 255.0 - mean) / std).unsqueeze(1)


def cache_key(settings: Settings, dataset: Dataset, device: torch.device) -> str:
    parts: dict[str, Any] = {
        "code": TRAINING_CODE_VERSION,
        "data": dataset.fingerprint(),
        "model": settings.model,
        "match": settings.match if settings.model == "dnn" else None,
        "weights": _file_hash(settings.weights) if settings.weights else None,
        "epochs": settings.epochs,
        "batch_size": settings.batch_size,
        "lr": settings.lr,
        "optimizer": settings.optimizer,
        "augment": settings.augment,
        "seed": settings.seed,
        "device": device.type,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def train(settings: Settings, dataset: Dataset, *, progress: bool | None = None) -> Trained:
    """Train (or resume, or reuse) the model ``settings`` describe on ``dataset``."""
    device = resolve_device(settings.device)
    entry = settings.cache_dir / f"train-{cache_key(settings, dataset, device)}"
    entry.mkdir(parents=True, exist_ok=True)
    if progress is None:
        progress = sys.stderr.isatty()
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    model = _new_model(settings, dataset)
    done = _read_finished(entry)
    if done is not None:
        log.info("reusing trained model from %s", entry)
        model.load_state_dict(_load(entry / "best.pt"))
        return _finish(model, done, device, entry, seconds=0.0)

    mean = float(dataset.train.x.mean() / 255.0)
    std = float(dataset.train.x.std() / 255.0) or 1.0
    model.to(device)
    optimizer, scheduler = _optimiser(settings, model)
    history: list[dict[str, float]] = []
    best_acc, spent = -1.0, 0.0
    state_file = entry / "state.pt"
    if state_file.exists():
        try:
            state = _load(state_file)
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            history, best_acc, spent = state["history"], state["best_acc"], state["seconds"]
            log.info("resuming training after epoch %d of %d", len(history), settings.epochs)
        except Exception as exc:  # a truncated or foreign file: start over rather than trust it
            log.warning("cannot resume from %s (%s); training from scratch", state_file, exc)
            model = _new_model(settings, dataset).to(device)
            optimizer, scheduler = _optimiser(settings, model)

    x_train = to_input(dataset.train.x, mean, std, device)
    y_train = torch.as_tensor(dataset.train.y, device=device)
    x_val = to_input(dataset.val.x, mean, std, device)
    y_val = torch.as_tensor(dataset.val.y, device=device)

    from tqdm.auto import tqdm

    epochs = tqdm(range(len(history), settings.epochs), initial=len(history), total=settings.epochs,
                  desc="training", unit="epoch", disable=not progress, leave=False)
    for epoch in epochs:
        start = time.perf_counter()
        torch.manual_seed(settings.seed * 1000 + epoch)  # dropout: same draws after a resume
        gen = torch.Generator().manual_seed(settings.seed * 1000 + epoch)
        train_loss, train_acc = _train_epoch(model, optimizer, x_train, y_train, settings, gen, progress)
        scheduler.step()
        val_loss, val_acc = evaluate(model, x_val, y_val)
        spent += time.perf_counter() - start
        history.append({"epoch": epoch + 1, "train_loss": train_loss, "train_acc": train_acc,
                        "val_loss": val_loss, "val_acc": val_acc, "lr": optimizer.param_groups[0]["lr"]})
        epochs.set_postfix(val_acc=f"{val_acc:.3f}")
        log.info("epoch %d/%d  loss %.3f  acc %.3f  val_loss %.3f  val_acc %.3f",
                 epoch + 1, settings.epochs, train_loss, train_acc, val_loss, val_acc)
        if val_acc > best_acc:
            best_acc = val_acc
            _save(model.state_dict(), entry / "best.pt")
        _save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
               "scheduler": scheduler.state_dict(), "history": history, "best_acc": best_acc,
               "seconds": spent}, state_file)
    epochs.close()

    finished = {"history": history, "mean": mean, "std": std, "seconds": spent,
                "best_sha256": _file_hash(entry / "best.pt")}
    finished["record_sha256"] = _record_hash(finished)
    _atomic_write(entry / "history.json", json.dumps(finished, indent=1).encode())
    model.load_state_dict(_load(entry / "best.pt"))
    return _finish(model, finished, device, entry, seconds=spent)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 512) -> tuple[float, float]:
    """Mean cross-entropy and accuracy, in eval mode; restores the model's previous mode."""
    was_training = model.training
    model.eval()
    loss, correct = 0.0, 0
    for i in range(0, len(y), batch):
        logits = model(x[i:i + batch])
        loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
        correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    model.train(was_training)
    return loss / max(1, len(y)), correct / max(1, len(y))


def _train_epoch(model, optimizer, x, y, settings: Settings, gen: torch.Generator, progress: bool):
    from tqdm.auto import tqdm

    model.train()
    order = torch.randperm(len(y), generator=gen).to(x.device)
    total_loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device, dtype=torch.long)
    n_batches = (len(y) + settings.batch_size - 1) // settings.batch_size
    for b in tqdm(range(n_batches), desc="batches", leave=False, disable=not progress):
        idx = order[b * settings.batch_size:(b + 1) * settings.batch_size]
        if len(idx) < 2:  # BatchNorm cannot train on a batch of one
            continue
        xb, yb = x[idx], y[idx]
        if settings.augment:
            xb = augment_batch(xb, gen)
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total_loss += loss.detach() * len(idx)
        correct += (logits.argmax(1) == yb).sum()
    return total_loss.item() / len(y), correct.item() / len(y)


def _new_model(settings: Settings, dataset: Dataset) -> nn.Module:
    torch.manual_seed(settings.seed)
    return build_model(settings.model, num_classes=len(dataset.classes), image_size=dataset.image_size,
                       match=settings.match, weights=settings.weights)


def _optimiser(settings: Settings, model: nn.Module):
    if settings.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=settings.lr, momentum=0.9, nesterov=True, weight_decay=1e-4)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=settings.lr)
    return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=settings.epochs)


def _read_finished(entry: Path) -> dict[str, Any] | None:
    """The finished entry's record, or None when absent or when its checksum does not match."""
    record_file, best = entry / "history.json", entry / "best.pt"
    if not record_file.exists() or not best.exists():
        return None
    try:
        record = json.loads(record_file.read_text())
        ok = (record["best_sha256"] == _file_hash(best) and record["record_sha256"] == _record_hash(record)
              and len(record["history"]) > 0)
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:  # never trust a half-checked entry: wipe it, resume point included
        log.warning("cache entry %s is corrupt (checksum mismatch); retraining", entry)
        for f in entry.iterdir():
            f.unlink()
        return None
    return record


def _finish(model: nn.Module, record: dict[str, Any], device, entry: Path, *, seconds: float) -> Trained:
    model.to(device).eval()
    return Trained(model=model, history=record["history"], mean=record["mean"], std=record["std"],
                   device=device, cache_dir=entry, seconds=seconds, recorded_seconds=record["seconds"])


def _load(path: Path) -> Any:
    """Tensors only (weights_only=True): a cache copied from elsewhere cannot run code; one-line refusal."""
    return load_tensors(path, "cache file")


def _save(obj: Any, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _record_hash(record: dict[str, Any]) -> str:
    """Checksum of the record itself, so an edited history is noticed like a damaged checkpoint."""
    body = {k: v for k, v in record.items() if k != "record_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _file_hash(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
