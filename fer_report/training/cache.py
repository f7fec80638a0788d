"""The training cache: one folder per trained model, keyed by a hash of the data and every setting
that changes the model, written so that a kill never leaves a half-written file behind.

Layout of one entry ``<cache>/train-<key>/``:
  state.pt      model + optimiser + schedule after the last finished epoch (resume point)
  best.pt       model weights of the best validation epoch
  history.json  one row per epoch, the input normalisation, and the checksums of best.pt and of itself
Every file is written to a temporary name and renamed. Files load tensors only (weights_only=True):
a cache copied from elsewhere cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import torch

from fer_report import options
from fer_report.model.checkpoints import load_tensors
from fer_report.hashing import file_sha256

log = logging.getLogger(__name__)
TRAINING_CODE_VERSION = 2  # bump when a change to training changes results (2: channels_last on the CPU too)


def cache_key(settings, dataset, device: torch.device) -> str:
    """Hash of the code version, the data's pixels and the training settings (``affects="training"``).

    The number of processes is not part of it (same global batch); bf16 autocast of the steps is.
    """
    from fer_report.model.inference import train_bf16

    parts: dict[str, Any] = {"code": TRAINING_CODE_VERSION, "data": dataset.fingerprint(),
                             **options.training_key_parts(settings), "device": device.type}
    if train_bf16(device):
        parts["precision"] = "bf16-autocast"
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def read_state(path: Path) -> dict[str, Any] | None:
    """The resume point, or None when there is none or it cannot be read (a truncated file)."""
    if not path.exists():
        return None
    try:
        return load(path)
    except Exception as exc:
        log.warning("cannot resume from %s (%s); training from scratch", path, exc)
        return None


def read_finished(entry: Path) -> dict[str, Any] | None:
    """The finished entry's record, or None when absent or when its checksum does not match."""
    record_file, best = entry / "history.json", entry / "best.pt"
    if not record_file.exists() or not best.exists():
        return None
    try:
        record = json.loads(record_file.read_text())
        ok = (record["best_sha256"] == file_sha256(best) and record["record_sha256"] == record_hash(record)
              and len(record["history"]) > 0)
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:  # never trust a half-checked entry: wipe it, resume point included
        log.warning("cache entry %s is corrupt (checksum mismatch); retraining", entry)
        for f in entry.iterdir():
            f.unlink()
        return None
    return record


def write_finished(entry: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Seal the entry: the record gets the checksums of best.pt and of itself."""
    record = {**record, "best_sha256": file_sha256(entry / "best.pt")}
    record["record_sha256"] = record_hash(record)
    atomic_write(entry / "history.json", json.dumps(record, indent=1).encode())
    return record


def load(path: Path) -> Any:
    """Tensors only (weights_only=True): a cache copied from elsewhere cannot run code; one-line refusal."""
    return load_tensors(path, "cache file")


def save(obj: Any, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def record_hash(record: dict[str, Any]) -> str:
    """Checksum of the record itself, so an edited history is noticed like a damaged checkpoint."""
    body = {k: v for k, v in record.items() if k != "record_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
