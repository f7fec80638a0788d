"""Data handed over as arrays (``fer_report.Report(data={"train": (x, y), "val": ..., "test": ...})``).

Students hold FER2013 in whatever shape their training code used: (N, 48, 48), Keras's (N, 48, 48, 1),
PyTorch's (N, 1, 48, 48) or the CSV's flat (N, 2304); uint8, or float scaled to 0..1 or left at 0..255;
numpy arrays or torch tensors; labels as class indices or Keras's one-hot rows. All become the uint8
(N, H, W) 0..255 ``Split`` every loader returns, and the scale found is stated in the dataset's source
line, since a wrong guess would change every number.

Settings hold strings, so the dataset is registered under ``arrays:HASH`` (HASH of every pixel and
label) and ``load_dataset`` takes it back by that name.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np

from fer_report import CLASSES
from fer_report.data.dataset import Dataset, Split, check_train_classes, warn_missing_classes
from fer_report.errors import DataError, did_you_mean

PREFIX = "arrays:"
SPLITS = ("train", "val", "test")
_SHAPES = "(N, 48, 48), (N, 48, 48, 1), (N, 1, 48, 48) or (N, 2304)"
_REGISTRY: dict[str, Dataset] = {}


def is_arrays(data: Any) -> bool:
    return isinstance(data, str) and data.startswith(PREFIX)


def register(splits: dict) -> str:
    """The name ``Settings.data`` takes for ``{"train": (x, y), "val": (x, y), "test": (x, y)}``."""
    if not isinstance(splits, dict):
        raise DataError(f"data: expected a path or a dict {{'train': (x, y), 'val': (x, y), 'test': (x, y)}}, "
                        f"got {type(splits).__name__}")
    for key in splits:
        if key not in SPLITS:
            raise DataError(f"data: unknown split '{key}', expected train, val or test{did_you_mean(str(key), SPLITS)}")
    missing = [s for s in SPLITS if s not in splits]
    if missing:
        raise DataError(f"data: no {', '.join(missing)} split; expected all of train, val, test as (x, y) pairs")
    read = {name: _split(name, splits[name]) for name in SPLITS}
    sides = {name: x.shape[1:] for name, (x, _, _) in read.items()}
    if len(set(sides.values())) > 1:
        raise DataError(f"data: the splits' images differ in size ({', '.join(f'{k} {v}' for k, v in sides.items())}); "
                        "expected one size")
    check_train_classes("data['train']", read["train"][1])
    scales = sorted({scale for _, _, scale in read.values()})
    counts = ", ".join(f"{name} {len(y):,}" for name, (_, y, _) in read.items())
    side = read["train"][0].shape[-1]
    dataset = Dataset(name="arrays", source=f"arrays given in Python ({counts} images, {side}x{side}, "
                      f"{'; '.join(scales)})", classes=CLASSES,
                      **{name: Split(x=x, y=y) for name, (x, y, _) in read.items()})
    # the pixels, and how they were given: the report states the scale, so floats and bytes are different inputs
    name = PREFIX + hashlib.sha256((dataset.fingerprint() + dataset.source).encode()).hexdigest()[:16]
    if name not in _REGISTRY:
        warn_missing_classes(dataset, "data")
        _REGISTRY[name] = dataset
    return name


def lookup(name: str) -> Dataset:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise DataError(f"data '{name}': no such arrays in this Python process; arrays are passed as "
                        "fer_report.Report(data={'train': (x, y), 'val': (x, y), 'test': (x, y)})") from None


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor, perhaps on the GPU
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _split(name: str, pair: Any) -> tuple[np.ndarray, np.ndarray, str]:
    """(uint8 (N, H, W), int64 (N,), how the pixels were scaled) for one split."""
    where = f"data['{name}']"
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise DataError(f"{where}: expected a pair (x, y) of images and class indices")
    x, y = _numpy(pair[0]), _numpy(pair[1])
    x = images(x, where)
    y, labels = _class_indices(y, len(x), where)
    if len(y) and (not np.issubdtype(y.dtype, np.integer) and not np.all(np.mod(y, 1) == 0)):
        raise DataError(f"{where}: y holds {y.dtype} values that are not whole numbers; expected class indices 0..6")
    if len(y) and (y.min() < 0 or y.max() >= len(CLASSES)):
        raise DataError(f"{where}: y holds {int(y.min())}..{int(y.max())}; expected class indices 0..6 "
                        f"({', '.join(CLASSES)})")
    pixels, scale = to_uint8(x, where)
    return pixels, y.astype(np.int64), scale + labels


def _class_indices(y: np.ndarray, n: int, where: str) -> tuple[np.ndarray, str]:
    """Class indices, from indices or from Keras's one-hot rows (``to_categorical``: exactly one 1 per row),
    and the phrase the source line adds for the latter."""
    if y.ndim == 2 and y.shape == (n, len(CLASSES)) and n and np.isin(y, (0, 1)).all() and (y.sum(1) == 1).all():
        return y.argmax(1), ", labels one-hot (read as class indices)"
    if y.ndim != 1 or len(y) != n:
        raise DataError(f"{where}: y has shape {y.shape}; expected ({n},), one class index per image, or "
                        f"({n}, {len(CLASSES)}) one-hot rows with a single 1")
    return y, ""


def images(x: np.ndarray, where: str) -> np.ndarray:
    """(N, H, W) from any of the accepted layouts."""
    if x.ndim == 2:
        side = math.isqrt(x.shape[1])
        if side * side != x.shape[1]:
            raise DataError(f"{where}: x has shape {x.shape}: {x.shape[1]} values per row is no square image; "
                            f"expected {_SHAPES}")
        return x.reshape(len(x), side, side)
    if x.ndim == 4 and x.shape[-1] == 1:
        return x[..., 0]
    if x.ndim == 4 and x.shape[1] == 1:
        return x[:, 0]
    if x.ndim == 3 and x.shape[1] == x.shape[2]:
        return x
    raise DataError(f"{where}: x has shape {x.shape}; expected grey square images: {_SHAPES}")


def to_uint8(x: np.ndarray, where: str) -> tuple[np.ndarray, str]:
    """0..255 uint8, and a phrase saying what was found: uint8, or floats in 0..1 (x255) or 0..255."""
    if x.dtype == np.uint8:
        return x, "uint8 0..255"
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number):
        raise DataError(f"{where}: x holds {x.dtype}; expected uint8 or float pixels")
    f = x.astype(np.float64)
    if not np.isfinite(f).all():
        raise DataError(f"{where}: x holds NaN or infinite values; expected pixels in 0..1 or 0..255")
    low, high = float(f.min()), float(f.max())
    if low < 0 or high > 255:
        raise DataError(f"{where}: x ranges {low:g}..{high:g}; expected pixels in 0..1 or 0..255 (undo a "
                        "normalisation such as (x - mean) / std first: the report applies its own)")
    if high <= 1.0:
        return np.rint(f * 255).astype(np.uint8), f"{x.dtype} in 0..1, multiplied by 255"
    return np.rint(f).astype(np.uint8), f"{x.dtype} in 0..255"
