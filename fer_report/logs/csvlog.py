"""Training logs as CSV: Keras's ``CSVLogger``, PyTorch Lightning's ``metrics.csv``, or any table of epochs.

Read with the ``csv`` module rather than pandas because every complaint has to name its line, and a
cut-off last line (a log copied while training still ran) must be told from a value left empty.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fer_report.errors import DataError
from fer_report.logs.log import METRICS, TrainingLog, make_log
from fer_report.logs.names import EXPECTED, choose, hint, key_for, normalise

_MISSING = {"", "na", "n/a", "nan", "none", "null"}  # Keras writes NA for a metric an epoch lacks
_KERAS = {"loss", "acc", "accuracy", "val_loss", "val_acc", "val_accuracy", "lr", "learning_rate"}
_EPOCH = ("epoch", "epochs")
_FROM_0 = "epochs counted from 0 in the file, shown from 1"

Row = tuple[int, list[str]]  # (line number, cells)


def read_csv_log(path: Path, tags: dict[str, str] | None) -> TrainingLog:
    where = str(path)
    header_line, header, rows = _table(path)
    names = [normalise(h) for h in header]
    chosen = choose(where, header, tags)
    if not any(key in chosen for key in METRICS):
        shown = ", ".join(hint(h) for h, n in zip(header, names) if n and n not in (*_EPOCH, "step")) or "none"
        raise DataError(f"{where} line {header_line}: no loss or accuracy column among {shown}; {EXPECTED}")
    notes = [f"column {hint(h)} not read" for h, n in zip(header, names) if n not in (*_EPOCH, "step")
             and "did you mean" in hint(h) and h not in chosen.values() and key_for(h) is None]
    column = {key: header.index(name) for key, name in chosen.items()}
    if "step" in names and "epoch" in names:
        return _lightning(where, header, rows, names.index("epoch"), column, notes)
    return _per_epoch(where, header, rows, names, column, notes)


def _table(path: Path) -> tuple[int, list[str], list[Row]]:
    """Header and rows with their line numbers; blank lines skipped, every row as long as the header."""
    where = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise DataError(f"{where}: file is empty; expected a header such as epoch,loss,accuracy,val_loss,val_accuracy "
                        "and one row per epoch")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: not UTF-8 text (byte {e.start}); expected a CSV text file") from e
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = next((d for d in ",\t;" if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[Row] = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as e:
        raise DataError(f"{where} line {reader.line_num}: not valid CSV ({e}); expected comma-separated values") from e
    (header_line, header), body = rows[0], rows[1:]
    if not body:
        raise DataError(f"{where}: header only (line {header_line}: {delimiter.join(header)}), no epochs; "
                        "expected one row per epoch")
    ends_cleanly = text.endswith(("\n", "\r"))
    for k, (line, cells) in enumerate(body):
        last = k == len(body) - 1 and not ends_cleanly
        if len(cells) < len(header) and last:
            raise DataError(f"{where} line {line}: the file ends in the middle of this line ({len(cells)} of "
                            f"{len(header)} fields); expected complete lines (was it copied while training ran?)")
        if len(cells) != len(header):
            why = "a truncated line or a missing value" if len(cells) < len(header) else f"a stray '{delimiter}'"
            raise DataError(f"{where} line {line}: {len(cells)} fields, the header has {len(header)}; "
                            f"expected {len(header)} ({why}?)")
        if last and cells[-1] == "":
            raise DataError(f"{where} line {line}: the file ends in the middle of this line (its last value, "
                            f"{header[-1]}, is empty); expected complete lines (was it copied while training ran?)")
    return header_line, header, body


def _number(where: str, line: int, name: str, cell: str) -> float | None:
    if cell.lower() in _MISSING:
        return None
    try:
        return float(cell)
    except ValueError:
        tip = " (log loss.item(), not the tensor)" if cell.startswith("tensor(") else ""
        raise DataError(f"{where} line {line}: {name} '{cell}' is not a number{tip}; "
                        "expected a number (or empty / NA for a missing value)") from None


def _epoch(where: str, line: int, name: str, cell: str, *, empty_ok: bool = False) -> int | None:
    value = _number(where, line, name, cell)
    if value is None and empty_ok:
        return None
    if value is None or value != int(value):
        raise DataError(f"{where} line {line}: {name} '{cell}' is not a whole number; expected the epoch number")
    return int(value)


def _per_epoch(where: str, header: list[str], rows: list[Row], names: list[str], column: dict[str, int],
               notes: list[str]) -> TrainingLog:
    """One row per epoch (Keras CSVLogger or a hand-made table): epochs must rise, each once."""
    values = {key: [_number(where, line, header[i], cells[i]) for line, cells in rows] for key, i in column.items()}
    at = next((names.index(e) for e in _EPOCH if e in names), None)
    if at is None:
        return make_log(where, "CSV", list(range(1, len(rows) + 1)), values,
                        [*notes, "no epoch column; rows numbered from 1"], sources=_sources(header, column))
    epochs = [_epoch(where, line, header[at], cells[at]) for line, cells in rows]
    for k in range(1, len(rows)):
        if epochs[k] <= epochs[k - 1]:
            line, before = rows[k][0], rows[k - 1][0]
            what = (f"repeated (line {before})" if epochs[k] == epochs[k - 1]
                    else f"after epoch {epochs[k - 1]} (line {before})")
            raise DataError(f"{where} line {line}: epoch {epochs[k]} {what}; expected increasing epochs, each once "
                            "(two runs appended to one file?)")
    keras = (at == 0 and epochs[0] == 0 and names[column.get("train_loss", at)] == "loss"
             and all(names[i] in _KERAS for i in column.values()))
    if epochs[0] == 0:
        epochs = [e + 1 for e in epochs]
        notes = [*notes, _FROM_0]
    fmt = "Keras CSVLogger CSV" if keras else "CSV"
    return make_log(where, fmt, epochs, values, notes, sources=_sources(header, column))


def _lightning(where: str, header: list[str], rows: list[Row], at: int, column: dict[str, int],
               notes: list[str]) -> TrainingLog:
    """Lightning writes each metric on the row of the step it was logged at: merge them per epoch."""
    epochs = [_epoch(where, line, header[at], cells[at], empty_ok=True) for line, cells in rows]
    # Rows logged outside a step (LearningRateMonitor) have no epoch: they belong to the next epoch row.
    for k in range(len(epochs) - 2, -1, -1):
        epochs[k] = epochs[k + 1] if epochs[k] is None else epochs[k]
    for k in range(1, len(epochs)):
        epochs[k] = epochs[k - 1] if epochs[k] is None else epochs[k]
    if epochs[0] is None:
        raise DataError(f"{where}: column {header[at]} is empty on every line; expected Lightning's epoch numbers")
    for k in range(1, len(rows)):
        if epochs[k] < epochs[k - 1]:
            raise DataError(f"{where} line {rows[k][0]}: epoch {epochs[k]} after epoch {epochs[k - 1]} "
                            f"(line {rows[k - 1][0]}); expected epochs that never go back")
    order = sorted(set(epochs))
    merged: dict[str, list[float | None]] = {}
    for key, i in column.items():
        last: dict[int, float] = {}
        counts: dict[int, int] = {}
        for (line, cells), e in zip(rows, epochs):
            v = _number(where, line, header[i], cells[i])
            if v is not None:
                last[e], counts[e] = v, counts.get(e, 0) + 1
        merged[key] = [last.get(e) for e in order]
        if counts and max(counts.values()) > 1:
            notes = [*notes, f"{key}: {header[i]} has up to {max(counts.values())} values an epoch (logged per step); "
                     "the last of each epoch is used"]
    keep = [k for k, _ in enumerate(order) if any(merged[m][k] is not None for m in METRICS if m in merged)]
    merged = {key: [vals[k] for k in keep] for key, vals in merged.items()}
    shown = [order[k] + 1 for k in keep]
    return make_log(where, "PyTorch Lightning metrics.csv", shown, merged, [*notes, _FROM_0],
                    sources=_sources(header, column))


def _sources(header: list[str], column: dict[str, int]) -> dict[str, str]:
    return {key: header[i] for key, i in column.items()}
