"""Load torch files that may come from anyone (downloaded weights, a copied cache): tensors only, never code.

``torch.load(..., weights_only=True)`` unpickles only tensors and plain containers; a file that names
any other Python global (a class instance, ``os.system`` in a ``__reduce__``) is refused before anything
is called. torch says so in a dozen lines that advise turning the protection off; the user needs one
line naming the file and what it held.
"""

from __future__ import annotations

import pickle
import re
import warnings
from pathlib import Path
from typing import Any

from fer_report.errors import UserError


class UnsafeCheckpoint(UserError):
    """A checkpoint that holds pickled Python objects besides tensors: refused, nothing in it ran."""


def load_tensors(path: str | Path, what: str = "checkpoint") -> Any:
    """The file's tensors and containers; ``what`` names the file's role in the message ("weights file")."""
    import torch

    try:
        with warnings.catch_warnings():  # e.g. "Detected pickle protocol 4": noise next to a one-line error
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise UserError(f"{what} {path}: no such file; expected a torch state dict (.pt)") from None
    except pickle.UnpicklingError as exc:
        found = re.search(r"GLOBAL (\S+?)[\s,]", str(exc), flags=re.IGNORECASE)
        if found is None:  # e.g. "Unsupported operand 80": not a pickle torch can read without running it
            raise UserError(f"{what} {path}: not a readable torch checkpoint ({_what_it_is(path, exc)}); "
                            "expected a state dict saved by torch.save") from None
        raise UnsafeCheckpoint(f"{what} {path}: refused: it holds a pickled Python object ({found.group(1)}), "
                               "and loading that could run code; expected only tensors (torch.load weights_only=True)"
                               ) from None
    except Exception as exc:  # truncated, not a torch file at all, wrong zip layout
        raise UserError(f"{what} {path}: not a readable torch checkpoint ({_what_it_is(path, exc)}); "
                        "expected a state dict saved by torch.save") from None


def _what_it_is(path: str | Path, exc: BaseException) -> str:
    """torch.save writes a zip (PK..) or, in its legacy format, a pickle (0x80 ..); name anything else."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return _first_line(exc)
    if head[:2] == b"PK" or head[:1] == b"\x80":
        opcode = re.search(r"Unsupported operand (\d+)", str(exc))
        return f"pickle opcode {opcode.group(1)} cannot be loaded safely" if opcode else _first_line(exc)
    return f"it starts with {head!r}, not a zip or pickle"


def _first_line(exc: BaseException) -> str:
    """The first sentence of the first line: torch's messages go on for paragraphs."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0].split('. ')[0][:160]}" if text else type(exc).__name__


OPTIMIZER_KEYS = ("optimizer", "optimizer_state_dict", "optimizer_state", "optim", "opt")


def training_record(obj: Any) -> dict:
    """What a checkpoint says about the training that made it, beside the weights (2017 Spring Q1 asks for the
    training process): the epoch it was saved at and, from an optimiser's state dict, which optimiser and the
    learning rate it held. A state dict does not name its optimiser's class, so it is read from the keys each
    class puts in its parameter groups; only what is there is returned (an empty dict for a bare state dict)."""
    if not isinstance(obj, dict):
        return {}
    out: dict[str, Any] = {}
    epoch = obj.get("epoch")
    if isinstance(epoch, (int, float)) and not isinstance(epoch, bool):
        out["epoch"] = int(epoch)
    opt = next((obj[k] for k in OPTIMIZER_KEYS if isinstance(obj.get(k), dict)), None)
    groups = opt.get("param_groups") if opt else None
    if groups and isinstance(groups[0], dict):
        g = groups[0]
        out["optimizer"] = optimizer_name(g)
        if isinstance(g.get("lr"), (int, float)):
            out["lr"] = float(g["lr"])
    return out


def optimizer_name(group: dict) -> str:
    """The torch.optim class whose parameter groups carry these keys."""
    if "betas" in group:
        if "decoupled_weight_decay" in group:  # torch >= 2.6 writes it for Adam (False) and AdamW (True)
            return "AdamW" if group["decoupled_weight_decay"] else "Adam"
        return "Adam or AdamW"
    if "nesterov" in group:
        return "SGD with Nesterov momentum" if group.get("nesterov") else (
            f"SGD with momentum {group['momentum']:g}" if group.get("momentum") else "SGD")
    if "centered" in group:
        return "RMSprop"
    if "lr_decay" in group:
        return "Adagrad"
    if "rho" in group:
        return "Adadelta"
    return "an optimiser"
