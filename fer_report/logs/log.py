"""The one shape every training log is turned into, and the checks that are the same for every format.

Each reader only finds the columns (or tags) and the epoch numbers; this module makes the rows,
converts percent accuracies, says what is missing, and refuses a log with no metric at all, so the
history and augmentation sections see one shape whatever the student trained with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from fer_report.errors import DataError

METRICS = ("train_loss", "train_acc", "val_loss", "val_acc")
KEYS = (*METRICS, "lr", "seconds")
ACCURACIES = ("train_acc", "val_acc")


@dataclass
class TrainingLog:
    """One row per epoch (keys ``epoch`` and ``KEYS``, ``None`` where the log has no value)."""

    rows: list[dict]
    format: str
    path: str
    missing: list[str] = field(default_factory=list)  # of METRICS: absent from the whole log
    notes: list[str] = field(default_factory=list)  # what was changed or guessed, for the report


def make_log(
    where: str,
    fmt: str,
    epochs: list[int],
    columns: dict[str, list[float | None]],
    notes: list[str],
    *,
    sources: dict[str, str] | None = None,
) -> TrainingLog:
    """Rows from per-key value lists aligned with ``epochs``; ``sources`` names each key's column for messages."""
    sources = sources or {}
    columns = {key: [_finite(v) for v in values] for key, values in columns.items()}
    present = [key for key in METRICS if any(v is not None for v in columns.get(key, []))]
    if not present:
        found = ", ".join(sources.get(k, k) for k in columns) or "none"
        raise DataError(f"{where}: no loss or accuracy values (read: {found}; all empty, NA or nan); "
                        "expected numbers for at least one of train loss, train accuracy, val loss, val accuracy")
    notes = list(notes)
    for key in ACCURACIES:
        if key in present:
            columns[key] = _fractions(where, key, sources.get(key, key), epochs, columns[key], notes)
    for key in KEYS:
        values = columns.get(key)
        if values and any(v is not None for v in values):
            gaps = [e for e, v in zip(epochs, values) if v is None]
            if gaps:
                notes.append(f"{key}: no value for epoch{'s' if len(gaps) > 1 else ''} {_ranges(gaps)}")
    rows = [{"epoch": e, **{key: (columns[key][i] if key in columns else None) for key in KEYS}}
            for i, e in enumerate(epochs)]
    missing = [key for key in METRICS if key not in present]
    return TrainingLog(rows=rows, format=fmt, path=where, missing=missing, notes=notes)


def _finite(value: float | None) -> float | None:
    """NaN (a diverged run, or pandas' empty cell) is a missing value, not a number to plot or rank."""
    if value is None or math.isnan(value):
        return None
    return float(value)


def _fractions(where: str, key: str, name: str, epochs: list[int], values: list[float | None],
               notes: list[str]) -> list[float | None]:
    """Accuracy above 1 anywhere means the whole column is in percent (a mix cannot be told apart)."""
    for e, v in zip(epochs, values):
        if v is not None and not 0.0 <= v <= 100.0:
            raise DataError(f"{where}: {name} {v:g} at epoch {e} is not an accuracy; "
                            "expected a fraction 0..1 or a percentage 0..100")
    if any(v is not None and v > 1.0 for v in values):
        notes.append(f"{key}: accuracy given in percent, divided by 100")
        return [None if v is None else v / 100.0 for v in values]
    return values


def _ranges(numbers: list[int]) -> str:
    """[2, 3, 4, 7] -> '2-4, 7': a long list of gaps stays one readable line."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def best_epoch(rows: list[dict]) -> int | None:
    """Epoch (from 1) of the highest val_acc, else of the lowest val_loss; the first one on a tie."""
    for key, better in (("val_acc", max), ("val_loss", min)):
        scored = [(row[key], row["epoch"]) for row in rows if row.get(key) is not None]
        if scored:
            target = better(v for v, _ in scored)
            return next(e for v, e in scored if v == target)
    return None
