"""Training histories as students have them: Keras CSVLogger / history JSON, Lightning metrics.csv,
TensorBoard event folders, or any CSV of epochs, all read into one ``TrainingLog``.

The report's history and augmentation sections can then draw a student's own curves (and compare
runs with ``--compare LABEL=FILE``) instead of only the run this package trained itself.
"""

from __future__ import annotations

from pathlib import Path

from fer_report.errors import ConfigError, DataError
from fer_report.logs.log import KEYS, METRICS, TrainingLog, best_epoch
from fer_report.logs.names import parse_tags

__all__ = ["KEYS", "METRICS", "TrainingLog", "best_epoch", "parse_compare", "parse_tags", "read_history"]

READ = ("a .csv (Keras CSVLogger, PyTorch Lightning metrics.csv, or columns such as epoch,loss,acc,val_loss,val_acc), "
        "a .json (Keras history.history), or TensorBoard event files (events.out.tfevents.*) or their folder")


def read_history(path: str | Path, *, tags: dict[str, str] | None = None) -> TrainingLog:
    """Read any supported log; ``tags`` (metric key -> column, JSON key or tag) names what is not recognised."""
    from fer_report.logs.tensorboard import is_event_file, read_tensorboard

    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file or folder; expected {READ}")
    if p.is_dir():
        lightning = p / "metrics.csv"
        if lightning.is_file() and not any(p.rglob("*tfevents*")):
            return read_history(lightning, tags=tags)  # a Lightning version_N/ folder
        return read_tensorboard(p, tags)
    if is_event_file(p):
        return read_tensorboard(p, tags)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv"):
        from fer_report.logs.csvlog import read_csv_log

        return read_csv_log(p, tags)
    if suffix == ".json":
        from fer_report.logs.jsonlog import read_json_log

        return read_json_log(p, tags)
    raise DataError(f"{p}: unknown log type '{p.suffix or p.name}'; expected {READ}")


def parse_compare(items: list[str]) -> dict[str, str]:
    """``--compare LABEL=FILE`` (repeatable) -> {label: file}, in the order given.

    The split is at the first '=' whose right side exists, so a run folder named ``lr=0.01`` still works.
    """
    runs: dict[str, str] = {}
    example = "expected LABEL=FILE, e.g. 'with augmentation=logs/aug.csv'"
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--compare '{item}': no '='; {example}")
        cuts = [k for k, c in enumerate(item) if c == "="]
        k = next((k for k in cuts if Path(item[k + 1:].strip()).exists()), cuts[0])
        label, file = item[:k].strip(), item[k + 1:].strip()
        if not label:
            raise ConfigError(f"--compare '{item}': empty label; {example}")
        if not file:
            raise ConfigError(f"--compare '{item}': empty file name; {example}")
        if label in runs:
            raise ConfigError(f"--compare: label '{label}' given twice ({runs[label]} and {file}); "
                              "expected each label once")
        if not Path(file).exists():
            raise ConfigError(f"--compare '{item}': {file}: no such file or folder; expected a training log")
        runs[label] = file
    return runs
