"""Keras's ``history.history`` saved with ``json.dump``: a dict of one number list per metric."""

from __future__ import annotations

import json
from pathlib import Path

from fer_report.errors import DataError
from fer_report.logs.log import METRICS, TrainingLog, make_log
from fer_report.logs.names import EXPECTED, choose, hint

_SHAPE = 'expected a dict of equal-length number lists like {"loss": [...], "val_loss": [...]} (Keras history.history)'


def read_json_log(path: Path, tags: dict[str, str] | None) -> TrainingLog:
    where = str(path)
    text = path.read_bytes()
    if not text.strip():
        raise DataError(f"{where}: file is empty; {_SHAPE}")
    try:
        history = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        place = f" line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        raise DataError(f"{where}{place}: not valid JSON ({getattr(e, 'msg', e)}); {_SHAPE}") from e
    if not isinstance(history, dict) or not history:
        found = "an empty dict" if history == {} else f"a {type(history).__name__}"
        raise DataError(f"{where}: the top level is {found}; {_SHAPE}")
    for key, values in history.items():
        if not isinstance(values, list):
            raise DataError(f"{where}: key '{key}' holds a {type(values).__name__}; {_SHAPE}")
        for k, v in enumerate(values):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise DataError(f"{where}: key '{key}' item {k} is {json.dumps(v)}, not a number; {_SHAPE}")
    lengths = {key: len(values) for key, values in history.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"'{key}' {n}" for key, n in lengths.items())
        raise DataError(f"{where}: lists of different lengths ({shown}); {_SHAPE}")
    n = next(iter(lengths.values()))
    if n == 0:
        raise DataError(f"{where}: every list is empty; {_SHAPE}")
    chosen = choose(where, list(history), tags, what="key")
    if not any(key in chosen for key in METRICS):
        shown = ", ".join(hint(k) for k in history)
        raise DataError(f"{where}: no loss or accuracy key among {shown}; {EXPECTED}")
    columns = {key: history[name] for key, name in chosen.items()}
    return make_log(where, "Keras history JSON", list(range(1, n + 1)), columns, [], sources=chosen)
