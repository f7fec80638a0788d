"""TensorBoard event files, from PyTorch's ``SummaryWriter`` or Keras's ``TensorBoard`` callback.

Read with tensorboard's own ``EventAccumulator`` (no TensorFlow needed): it lists every kind of tag,
so a log without scalars can say what it does hold, and it reads both PyTorch's plain scalars and
the tensor-encoded scalars that TF2/Keras write. TensorBoard has steps, not epochs: the distinct
steps of the tags used are sorted and the k-th is epoch k. That is right for the usual
``add_scalar(tag, value, epoch)`` and for Keras's ``epoch_*`` tags; a loss logged every batch would
count each batch as an epoch (use a tag logged once an epoch, e.g. Lightning's ``*_epoch``).
"""

from __future__ import annotations

from pathlib import Path

from fer_report.errors import DataError
from fer_report.logs.log import METRICS, TrainingLog, make_log
from fer_report.logs.names import choose, hint, key_for, run_split

_EXPECTED = ("expected tags such as Loss/train, Accuracy/val, train_loss, val_acc, or Keras's train/ and "
             "validation/ runs with epoch_loss, epoch_accuracy (other names: --history-tags train_loss=TAG,...)")


def is_event_file(path: Path) -> bool:
    return "tfevents" in path.name and path.is_file()


def read_tensorboard(path: Path, tags: dict[str, str] | None) -> TrainingLog:
    where = str(path)
    runs = _runs(path)
    if not runs:
        raise DataError(f"{where}: no TensorBoard event files (events.out.tfevents.*) in it or its sub-folders; "
                        "expected a log folder written by SummaryWriter or Keras's TensorBoard callback")
    series: dict[str, dict[int, float]] = {}
    origin: dict[str, tuple[str, str | None]] = {}  # shown name -> (tag, split of its run folder)
    others: list[str] = []
    for run, source in runs.items():
        for tag, values, is_scalar in _tags(source):
            name = tag if run == "." else f"{run}/{tag}"
            if is_scalar:
                series[name], origin[name] = values, (tag, run_split(run))
            else:
                others.append(name)
    if not series:
        raise DataError(f"{where}: the event files hold no scalars (tags found: {', '.join(others) or 'none'}); "
                        "expected loss and accuracy written with add_scalar or Keras's TensorBoard callback")
    names = sorted(series)
    chosen = choose(where, names, tags, what="tag", key=lambda n: key_for(*origin[n]))
    if not any(key in chosen for key in METRICS):
        raise DataError(f"{where}: no loss or accuracy among the scalar tags {', '.join(hint(n) for n in names)}; "
                        f"{_EXPECTED}")
    steps = sorted(set().union(*(series[name] for name in chosen.values())))
    epochs = list(range(1, len(steps) + 1))
    notes = []
    if steps != epochs:
        shown = ", ".join(map(str, steps[:3])) + (f", ..., {steps[-1]}" if len(steps) > 3 else "")
        notes.append(f"TensorBoard steps {shown} read as epochs 1-{len(steps)} (the k-th distinct step is epoch k)")
    columns = {key: [series[name].get(s) for s in steps] for key, name in chosen.items()}
    return make_log(where, "TensorBoard event files", epochs, columns, notes, sources=chosen)


def _runs(path: Path) -> dict[str, str]:
    """Run name (folder relative to ``path``, '.' for itself) -> what to hand EventAccumulator."""
    if path.is_file():
        return {".": str(path)}
    folders = sorted({p.parent for p in path.rglob("*tfevents*") if is_event_file(p)
                      and not any(part.startswith(".") for part in p.relative_to(path).parts)})
    return {folder.relative_to(path).as_posix(): str(folder) for folder in folders}


def _tags(source: str) -> list[tuple[str, dict[int, float], bool]]:
    """(tag, step -> value, is it a scalar) for every tag; a step written twice keeps its last value."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    events = EventAccumulator(source, size_guidance={"scalars": 0, "tensors": 0})
    events.Reload()
    found = events.Tags()
    out = [(tag, {e.step: float(e.value) for e in events.Scalars(tag)}, True) for tag in found["scalars"]]
    for tag in found["tensors"]:
        if events.SummaryMetadata(tag).plugin_data.plugin_name == "scalars":
            values = {e.step: float(tensor_util.make_ndarray(e.tensor_proto).item()) for e in events.Tensors(tag)}
            out.append((tag, values, True))
        else:
            out.append((tag, {}, False))
    out += [(tag, {}, False) for kind in ("images", "audio", "histograms") for tag in found[kind]]
    return out
