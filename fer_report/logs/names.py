"""Which column, JSON key or TensorBoard tag holds which metric, under the spellings people use.

A name is read in pieces so that one table covers every layout: ``val_accuracy`` (Keras),
``Loss/train`` and ``train_loss`` (PyTorch SummaryWriter), ``train_loss_epoch`` (Lightning), and a
Keras TensorBoard run folder plus tag (``validation/epoch_loss``). ``test`` is never read as
validation: a test curve is a different thing, and mixing them up hides leakage.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fer_report.errors import ConfigError, DataError, aside
from fer_report.logs.log import KEYS

_SPLITS = {"train": "train", "training": "train", "val": "val", "valid": "val", "validation": "val"}
_WORDS = {"loss": "loss", "acc": "acc", "accuracy": "acc", "lr": "lr", "learning_rate": "lr",
          "time": "seconds", "seconds": "seconds", "epoch_time": "seconds"}
# Lightning: '_epoch' is the epoch mean, '_step' the per-step value; a plain name is whatever was logged.
LEVELS = {"_epoch": 0, "": 1, "_step": 2}  # lower is preferred
EXPECTED = ("expected loss, accuracy, val_loss, val_accuracy (Keras) or train_loss, train_acc, val_loss, "
            "val_acc (any case, 'training'/'valid'/'validation' also)")
_PAIRS = "expected pairs like train_loss=Loss/train,val_acc=Accuracy/val"
_KNOWN = ["loss", "accuracy", "acc", "val_loss", "val_accuracy", "val_acc", "train_loss", "train_acc",
          "train_accuracy", "training_loss", "training_accuracy", "valid_loss", "valid_acc",
          "validation_loss", "validation_accuracy", "lr", "learning_rate", "loss/train", "loss/val",
          "accuracy/train", "accuracy/val", "epoch_loss", "epoch_accuracy", "epoch", "time", "seconds"]


def normalise(name: str) -> str:
    """Case, spaces and dashes do not matter: 'Val-Accuracy' is 'val_accuracy'."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def run_split(run: str) -> str | None:
    """'logs/fit/validation' -> 'val': Keras's TensorBoard callback says train or val by the run folder."""
    splits = [_SPLITS[p] for p in normalise(run).split("/") if p in _SPLITS]
    return splits[-1] if splits else None


def key_for(name: str, split: str | None = None) -> tuple[str, int] | None:
    """('val_acc', level) for a name that holds a known metric, None otherwise; ``split`` if it names none."""
    parts = [p for p in normalise(name).split("/") if p]
    if not parts:
        return None
    level = LEVELS[""]
    for suffix in ("_epoch", "_step"):
        if parts[-1].endswith(suffix) and len(parts[-1]) > len(suffix):
            parts[-1], level = parts[-1][: -len(suffix)], LEVELS[suffix]
    default, split, metric = split, None, None
    for part in parts:
        if part.startswith("epoch_") and part[6:] in _WORDS and part != "epoch_time":
            part = part[6:]  # Keras's TensorBoard callback: epoch_loss, epoch_accuracy
        found = _split_and_word(part)
        if found is None:
            return None
        s, w = found
        if (s and split) or (w and metric):
            return None
        split, metric = split or s, metric or w
    if metric is None:
        return None
    if metric in ("lr", "seconds"):
        return metric, level
    return f"{split or default or 'train'}_{metric}", level  # Keras: a bare 'loss' is the training loss


def _split_and_word(part: str) -> tuple[str | None, str | None] | None:
    """(split, metric) of one piece: 'val' -> ('val', None), 'accuracy' -> (None, 'acc'), 'train_loss' -> both."""
    if part in _SPLITS:
        return _SPLITS[part], None
    if part in _WORDS:
        return None, _WORDS[part]
    if part.startswith("lr_"):
        return None, "lr"  # Lightning's LearningRateMonitor: 'lr-Adam', 'lr-SGD'
    for word, split in _SPLITS.items():
        if part.startswith(f"{word}_") and part[len(word) + 1:] in _WORDS:
            return split, _WORDS[part[len(word) + 1:]]
        if part.endswith(f"_{word}") and part[: -len(word) - 1] in _WORDS:
            return split, _WORDS[part[: -len(word) - 1]]
    return None


def hint(name: str) -> str:
    """'val_acuracy' -> "'val_acuracy' (did you mean val_accuracy?)"."""
    norm = normalise(name)
    if re.search(r"(^|[_/])test(ing)?([_/]|$)", norm):
        return f"'{name}' (test is not validation, so not read)"
    return f"'{name}'{aside(norm, _KNOWN, cutoff=0.7)}"


def choose(where: str, names: list[str], tags: dict[str, str] | None, what: str = "column",
           key: Callable[[str], tuple[str, int] | None] = key_for) -> dict[str, str]:
    """Key -> the one name that holds it; ``tags`` (key -> name) wins over the automatic choice."""
    by_key: dict[str, list[tuple[int, str]]] = {}
    for name in names:
        found = key(name)
        if found is not None:
            by_key.setdefault(found[0], []).append((found[1], name))
    given = {key: _find(where, wanted, key, names, what) for key, wanted in _checked(tags).items()}
    result: dict[str, str] = {}
    for metric, candidates in by_key.items():
        if metric in given:
            continue
        best = min(level for level, _ in candidates)
        top = [name for level, name in candidates if level == best and name not in given.values()]
        if len(top) > 1:
            runs = " or point at one run's folder" if what == "tag" else ""
            raise DataError(f"{where}: {what}s '{top[0]}' and '{top[1]}' both read as {metric}; "
                            f"expected one (choose with --history-tags {metric}=NAME{runs})")
        if top:
            result[metric] = top[0]
    return {**result, **given}


def _checked(tags: dict[str, str] | None) -> dict[str, str]:
    for key in tags or {}:
        _check_key(key)
    return dict(tags or {})


def _find(where: str, wanted: str, key: str, names: list[str], what: str) -> str:
    if wanted in names:
        return wanted
    same = [n for n in names if normalise(n) == normalise(wanted)]
    same = same or [n for n in names if normalise(n).endswith("/" + normalise(wanted))]
    if len(same) == 1:
        return same[0]
    raise DataError(f"{where}: {what} '{wanted}' (given for {key}) not found{aside(wanted, names, cutoff=0.5)}; "
                    f"{what}s found: {', '.join(names) or 'none'}")


def _check_key(key: str) -> None:
    if key not in KEYS:
        raise ConfigError(f"--history-tags: unknown key '{key}'{aside(key, KEYS)}; expected one of {', '.join(KEYS)}")


def parse_tags(text: str) -> dict[str, str]:
    """'train_loss=my/weird_loss,val_acc=eval/top1' -> {'train_loss': 'my/weird_loss', 'val_acc': 'eval/top1'}."""
    tags: dict[str, str] = {}
    for pair in (p.strip() for p in text.split(",")):
        if not pair:
            continue
        key, eq, tag = (s.strip() for s in pair.partition("="))
        if not eq or not key or not tag:
            raise ConfigError(f"--history-tags: '{pair}' is not KEY=TAG; {_PAIRS}")
        _check_key(key)
        if key in tags:
            raise ConfigError(f"--history-tags: {key} given twice ('{tags[key]}' and '{tag}'); expected each key once")
        tags[key] = tag
    if not tags:
        raise ConfigError(f"--history-tags: empty; {_PAIRS}")
    return tags
