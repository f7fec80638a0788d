"""Bad-input cases for image folders (one sub-folder per class, or train/val/test)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from tests.e2e.cases import CLASS_DIRS, Case


# --- image folders ---------------------------------------------------------------------------------


def _png(path: Path, value: int = 100, side: int = 48) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((side, side), value, dtype=np.uint8)).save(path, format="PNG")


def _faces(root: Path, n: int, names=CLASS_DIRS) -> None:
    for k, name in enumerate(names):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            _png(root / name / f"{i:02d}.png", 20 + 30 * (k % 7))


def _flat(edit: Callable[[Path], None] = lambda root: None, names=CLASS_DIRS) -> Callable[[Path], list[str]]:
    """faces/<class>/*.png, ten per class (80/10/10 leaves each class in val and test), then ``edit``."""
    def make(folder: Path) -> list[str]:
        _faces(folder / "faces", 10, names)
        edit(folder / "faces")
        return ["--data", "faces"]
    return make


def _split(edit: Callable[[Path], None] = lambda root: None) -> Callable[[Path], list[str]]:
    """faces/{train,val,test}/<class>/*.png, one per class each, then ``edit``."""
    def make(folder: Path) -> list[str]:
        for split in ("train", "val", "test"):
            _faces(folder / "faces" / split, 1)
        edit(folder / "faces")
        return ["--data", "faces"]
    return make


def _rmtree(path: Path) -> None:
    for p in sorted(path.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    path.rmdir()


def _truncate(path: Path, keep: int) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def _jpeg_truncated(path: Path) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (48, 48), dtype=np.uint8)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])


FLAT, SPLIT = "image folder", "image folder (train/val/test)"
FOLDER_CASES = [
    Case("folder-empty", "empty file", FLAT, "an empty folder", lambda d: [(d / "faces").mkdir(), "--data", "faces"][1:],
         ("faces: no sub-folders; expected one folder per class",)),
    Case("folder-class-empty", "a class with no images", FLAT, "disgust/ holds no image",
         _flat(lambda r: [p.unlink() for p in (r / "disgust").iterdir()]),
         ("faces/disgust: class Disgust (1) has no images, so the build stops", "expected .png, .jpg")),
    Case("folder-class-missing", "a class with no images", FLAT, "no disgust/ folder",
         _flat(lambda r: _rmtree(r / "disgust")),
         ("faces: class Disgust (1) has no training images (no class folder), so the build stops",)),
    Case("folder-png-garbage", "corrupt PNG", FLAT, "happy/bad.png holds text",
         _flat(lambda r: (r / "happy" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nnot an image")),
         ("faces/happy/bad.png: cannot read image", "expected a PNG, JPEG or BMP file")),
    Case("folder-png-truncated", "corrupt PNG", FLAT, "happy/03.png cut to its first 60 bytes",
         _flat(lambda r: _truncate(r / "happy" / "03.png", 60)),
         ("faces/happy/03.png: cannot read image", "expected a PNG, JPEG or BMP file")),
    Case("folder-jpeg-truncated", "corrupt JPEG", FLAT, "sad/bad.jpg cut in half",
         _flat(lambda r: _jpeg_truncated(r / "sad" / "bad.jpg")),
         ("faces/sad/bad.jpg: cannot read image", "expected a PNG, JPEG or BMP file")),
    Case("folder-names", "class names that do not match", FLAT, "folders happpy/ and joy/ instead of happy/",
         _flat(names=("angry", "disgust", "fear", "happpy", "sad", "surprise", "neutral", "joy")),
         ("faces: unexpected folder names happpy (did you mean happy?), joy; expected class folders angry,",)),
    Case("folder-label-7", "label outside 0..6", FLAT, "folders 0/ .. 7/",
         _flat(names=tuple(str(k) for k in range(8))),
         ("faces: unexpected folder names 7; expected class folders", "or 0..6")),
    Case("folder-duplicate", "duplicate header", FLAT, "both angry/ and Anger/",
         _flat(names=CLASS_DIRS + ("Anger",)),
         ("faces: folders Anger/ and angry/ are both class Angry (0); expected one",)),
    Case("split-no-test", "missing columns", SPLIT, "train/ and val/ but no test/",
         _split(lambda r: _rmtree(r / "test")),
         ("faces: split folders train/, val/; expected train/ and test/ (val/ optional)",)),
    Case("split-train-class-missing", "a class with no images", SPLIT, "no train/disgust/",
         _split(lambda r: _rmtree(r / "train" / "disgust")),
         ("faces/train: class Disgust (1) has no training images (no class folder), so the build stops",)),
    Case("split-test-class-missing", "a class with no images (test only)", SPLIT, "no test/disgust/",
         _split(lambda r: _rmtree(r / "test" / "disgust")),
         ("warning: faces: class Disgust (1) has no test images (test/)", "the build goes on"), code=0),
    Case("split-png-garbage", "corrupt PNG", SPLIT, "test/happy/00.png holds text",
         _split(lambda r: (r / "test" / "happy" / "00.png").write_bytes(b"GIF89a nonsense")),
         ("faces/test/happy/00.png: cannot read image", "expected a PNG, JPEG or BMP file")),
    Case("split-names", "class names that do not match", SPLIT, "train/happiest/ instead of train/happy/",
         _split(lambda r: (r / "train" / "happy").rename(r / "train" / "happiest")),
         ("faces/train: unexpected folder names happiest (did you mean happiness?); expected class folders",)),
]
