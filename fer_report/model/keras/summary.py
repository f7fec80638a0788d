"""Keras's own account of the model: one row per Keras layer, and `model.summary()`'s text.

The course's reports paste Keras 2's `model.summary()`, so the text is in that plain-ASCII layout
(underscores and `=` rules, no box-drawing characters, which not every PDF font has); the columns
widen to fit instead of cutting names as Keras 2 did. Counts are Keras's: BatchNorm's moving mean and
variance, Normalization's statistics and every weight of a layer with ``trainable: false`` are
non-trainable; torch's own count would leave the buffers out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def shape_text(shape: tuple) -> str:
    """A Keras shape with its batch axis, as Keras prints it: (None, 48, 48, 32)."""
    dims = ["None", *("None" if d is None else str(d) for d in shape)]
    return "(" + ", ".join(dims) + ")"


@dataclass(frozen=True)
class LayerRow:
    """One Keras layer. ``module`` / ``activation`` are the child names in the nn.Module (None: none)."""

    name: str
    class_name: str
    output_shape: tuple  # Keras's, without the batch axis
    trainable: int
    non_trainable: int
    connected_to: tuple[str, ...] = ()  # "conv2d_1[0][0]" for each input (Functional models)
    module: str | None = None
    activation: str | None = None
    config: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def shape_text(self) -> str:
        return shape_text(self.output_shape)


def totals(rows: list[LayerRow]) -> tuple[int, int, int]:
    """(total, trainable, non-trainable) parameters, as Keras's summary footer gives them."""
    trainable = sum(r.trainable for r in rows)
    frozen = sum(r.non_trainable for r in rows)
    return trainable + frozen, trainable, frozen


def summary_text(name: str, rows: list[LayerRow], *, functional: bool) -> str:
    """`model.summary()` of Keras 2, with a "Connected to" column for a Functional model."""
    head = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if functional else [])
    cells = [[f"{r.name} ({r.class_name})", r.shape_text, f"{r.params:,}"]
             + ([", ".join(r.connected_to)] if functional else []) for r in rows]
    widths = [max(len(head[i]), *(len(c[i]) for c in cells)) + 3 for i in range(len(head))]
    width = sum(widths)

    def line(values: list[str]) -> str:
        return "".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    total, trainable, frozen = totals(rows)
    out = [f'Model: "{name}"', "_" * width, line(head), "=" * width]
    for i, c in enumerate(cells):
        out.append(line(c))
        out.append("_" * width if i < len(cells) - 1 else "=" * width)
    out += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
            f"Non-trainable params: {frozen:,}", "_" * width]
    return "\n".join(out)


_LEFT_OUT = ("_initializer", "_regularizer", "_constraint")  # how training started or was penalised, not the model


def _value(v: Any) -> str:
    if isinstance(v, dict) and "class_name" in v:  # a nested object, e.g. {"class_name": "DTypePolicy", ...}
        return str(v["class_name"])
    return f'"{v}"' if isinstance(v, str) else repr(v)


def config_lines(rows: list[LayerRow]) -> str:
    """One line per layer, as its constructor call would read: ``conv2d = Conv2D(filters=32, ...)``.

    The file's config, minus what does not change what the trained model computes (initialisers,
    regularisers, constraints, the dtype policy); a nested model shows its class and layer count.
    """
    out = []
    for r in rows:
        config = r.config or {}
        if isinstance(config.get("layers"), list):
            out.append(f"{r.name} = {r.class_name}(<{len(config['layers'])} layers>)")
            continue
        args = [f"{k}={_value(v)}" for k, v in config.items()
                if k not in ("name", "dtype") and not k.endswith(_LEFT_OUT)
                and not (k == "trainable" and v is True) and v is not None]
        out.append(f"{r.name} = {r.class_name}({', '.join(args)})")
    return "\n".join(out)
