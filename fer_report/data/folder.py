"""Read an image folder with one sub-folder per class, flat or already split into train/[val/]test.

This is the layout of the Kaggle image-folder release of FER2013 (``train/angry/*.png``) and of
most course copies; folder names vary in case and spelling, so they are matched leniently but an
unknown name stops the load instead of silently dropping a class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from fer_report import CLASSES
from fer_report.data.dataset import Dataset, check_train_classes, make_dataset
from fer_report.data.splits import stratified_split
from fer_report.errors import DataError, aside

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
SPLIT_DIRS = {"train": "train", "training": "train", "val": "val", "valid": "val", "validation": "val", "test": "test", "testing": "test"}

# Lower-cased folder name -> label. Digits, FER2013's names, and the usual lowercase/adjective forms.
_CLASS_NAMES: dict[str, int] = {}
for _label, _name in enumerate(CLASSES):
    _CLASS_NAMES[_name.lower()] = _label
    _CLASS_NAMES[str(_label)] = _label
_CLASS_NAMES.update({"disgusted": 1, "fearful": 2, "surprised": 5, "anger": 0, "happiness": 3, "sadness": 4})
_EXPECTED_CLASSES = ", ".join(f"{c.lower()}" for c in CLASSES) + " (any case) or 0..6"


def load_folder(path: Path, *, seed: int) -> Dataset:
    """Load ``root/<class>/`` (seeded stratified 80/10/10) or ``root/{train,[val,]test}/<class>/``."""
    root = Path(path)
    subdirs = _subdirs(root)
    if not subdirs:
        raise DataError(f"{root}: no sub-folders; expected one folder per class ({_EXPECTED_CLASSES}) or train/ and test/")
    if all(d.name.lower() in SPLIT_DIRS for d in subdirs):
        return _load_split_layout(root, subdirs, seed)
    return _load_flat_layout(root, subdirs, seed)


def _subdirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _load_flat_layout(root: Path, subdirs: list[Path], seed: int) -> Dataset:
    """No split given: a seeded stratified 80/10/10 keeps every class in train, val and test."""
    images, y = _read_class_folders(root, subdirs, top=True)
    x = _to_common_size(images)
    check_train_classes(root, y, why=" (no class folder)")
    train, val, test = stratified_split(y, (0.8, 0.1, 0.1), seed)
    parts = {"train": train, "val": val, "test": test}
    source = (
        f"image folder {root.name}: {len(y):,} images ({len(train):,} train / {len(val):,} val / {len(test):,} test), "
        f"{x.shape[-1]}x{x.shape[-1]}; no split folders, so a stratified 80/10/10 split (seed {seed})"
    )
    split_names = {"train": "80% of folder", "val": "10% of folder", "test": "10% of folder"}
    return make_dataset(root, source, x, y, parts, split_names)


def _load_split_layout(root: Path, subdirs: list[Path], seed: int) -> Dataset:
    """Keep the release's own train/test; val is its own folder or 10% of train (stratified)."""
    by_split: dict[str, Path] = {}
    for d in subdirs:
        split = SPLIT_DIRS[d.name.lower()]
        if split in by_split:
            raise DataError(f"{root}: both {by_split[split].name}/ and {d.name}/ hold the {split} split; expected one")
        by_split[split] = d
    if "train" not in by_split or "test" not in by_split:
        found = ", ".join(d.name + "/" for d in subdirs)
        raise DataError(f"{root}: split folders {found}; expected train/ and test/ (val/ optional)")

    loaded = {split: _read_class_folders(d, _subdirs(d)) for split, d in by_split.items()}
    names = list(loaded)
    counts = [len(loaded[s][1]) for s in names]
    x_all = _to_common_size([img for s in names for img in loaded[s][0]])
    y_all = np.concatenate([loaded[s][1] for s in names])
    offsets = np.concatenate([[0], np.cumsum(counts)])
    parts = {s: np.arange(offsets[k], offsets[k + 1]) for k, s in enumerate(names)}
    check_train_classes(by_split["train"], y_all[parts["train"]], why=" (no class folder)")

    split_names = {s: f"{by_split[s].name}/" for s in names}
    note = ""
    if "val" not in parts:
        training = parts["train"]
        keep, val = stratified_split(y_all[training], (0.9, 0.1), seed)
        parts["train"], parts["val"] = training[keep], training[val]
        split_names["val"] = f"10% of {by_split['train'].name}/"
        note = f"; val = stratified 10% of {by_split['train'].name}/ (seed {seed})"
    side = x_all.shape[-1]
    n = {s: len(parts[s]) for s in ("train", "val", "test")}
    source = (
        f"image folder {root.name}: {len(y_all):,} images "
        f"({n['train']:,} train / {n['val']:,} val / {n['test']:,} test), {side}x{side}{note}"
    )
    return make_dataset(root, source, x_all, y_all, parts, split_names)


def _read_class_folders(folder: Path, subdirs: list[Path], top: bool = False) -> tuple[list[np.ndarray], np.ndarray]:
    """Grayscale images at their own size and their labels, in (label, file name) order."""
    labels: dict[int, Path] = {}
    unexpected = []
    for d in subdirs:
        label = _CLASS_NAMES.get(d.name.strip().lower())
        if label is None:
            unexpected.append(d.name)
        elif label in labels:
            raise DataError(
                f"{folder}: folders {labels[label].name}/ and {d.name}/ are both class {CLASSES[label]} ({label}); expected one"
            )
        else:
            labels[label] = d
    if unexpected:
        alternative = " or split folders train/, test/ (val/ optional)" if top else ""
        names = ", ".join(_with_hint(name) for name in unexpected)
        raise DataError(f"{folder}: unexpected folder names {names}; expected class folders {_EXPECTED_CLASSES}{alternative}")
    if not labels:
        raise DataError(f"{folder}: no class folders; expected {_EXPECTED_CLASSES}")
    images: list[np.ndarray] = []
    y: list[int] = []
    for label in sorted(labels):
        d = labels[label]
        files = sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise DataError(
                f"{d}: class {CLASSES[label]} ({label}) has no images, so the build stops; "
                f"expected {', '.join(IMAGE_SUFFIXES)} files"
            )
        images.extend(_read_image(f) for f in files)
        y.extend([label] * len(files))
    return images, np.asarray(y, dtype=np.int64)


def _with_hint(name: str) -> str:
    """'happpy' -> 'happpy (did you mean happy?)': a typo is the usual reason a class folder is not recognised."""
    return name + aside(name.strip().lower(), [n for n in _CLASS_NAMES if not n.isdigit()])


def _read_image(path: Path) -> np.ndarray:
    """Strict even after WeasyPrint is imported: it sets PIL's global LOAD_TRUNCATED_IMAGES = True, which
    would turn a half-copied file into a silently grey-padded training image."""
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("L"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise DataError(f"{path}: cannot read image ({e}); expected a PNG, JPEG or BMP file") from e
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _to_common_size(images: list[np.ndarray]) -> np.ndarray:
    """64x64 only when every image already is (no upscaling); otherwise everything becomes FER's 48x48."""
    side = 64 if all(img.shape == (64, 64) for img in images) else 48
    out = np.empty((len(images), side, side), dtype=np.uint8)
    for k, img in enumerate(images):
        if img.shape != (side, side):
            img = np.asarray(Image.fromarray(img).resize((side, side), Image.Resampling.BILINEAR), dtype=np.uint8)
        out[k] = img
    return out
