"""A training history handed over in Python: a Keras ``History`` object, its ``.history`` dict, a pandas
DataFrame (one row per epoch), or a list of per-epoch dicts (``[{"loss": ..., "val_acc": ...}, ...]``).

Each is turned into Keras's ``history.history`` shape (a dict of one list per metric) and written as
JSON, so it is read by the same reader, under the same column spellings and checks, as
``--history history.json``; the file is named by its content, which is how the cache keys take a log.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from fer_report.errors import DataError

FORMS = ("a Keras History object, its .history dict, a pandas DataFrame with one row per epoch, or a list of "
         "per-epoch dicts like [{'loss': 1.2, 'val_acc': 0.4}, ...]")


def history_columns(history: Any) -> dict[str, list]:
    """{metric: one value per epoch} from any of ``FORMS``."""
    if hasattr(history, "history") and isinstance(history.history, dict):  # keras.callbacks.History
        history = history.history
    if hasattr(history, "to_dict") and hasattr(history, "columns"):  # pandas.DataFrame
        history = {str(c): list(history[c]) for c in history.columns}
    if isinstance(history, (list, tuple)):
        if not history or not all(isinstance(row, dict) for row in history):
            raise DataError(f"history: a list of {len(history)} items, not all dicts; expected {FORMS}")
        keys = list(dict.fromkeys(k for row in history for k in row))
        history = {k: [row.get(k) for row in history] for k in keys}
    if not isinstance(history, dict):
        raise DataError(f"history: got {type(history).__name__}; expected a path or {FORMS}")
    history = {str(k): v for k, v in history.items() if str(k).lower() != "epoch"}  # epochs are the rows' order
    return {k: [_number(k, i, v) for i, v in enumerate(values)] for k, values in history.items()}


def _number(key: str, i: int, value: Any) -> float | None:
    if hasattr(value, "item"):  # numpy or torch scalars
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataError(f"history: '{key}' at epoch {i + 1} is {value!r}, not a number; expected {FORMS}")
    return float(value)


def write_history(history: Any, folder: Path) -> Path:
    """The history as a Keras history JSON in ``folder``, named by its content."""
    text = json.dumps(history_columns(history), indent=1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"history-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    path.write_text(text, encoding="utf-8")
    return path
