"""Image-folder loader: flat and train/[val/]test layouts, lenient class names, strict errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fer_report import CLASSES
from fer_report.data import load_dataset
from fer_report.data.folder import load_folder
from fer_report.errors import DataError

# One spelling per class, mixing the accepted forms on purpose.
FOLDER_NAMES = ("Angry", "disgust", "2", "HAPPY", "sad", "Surprise", "neutral")


def make_images(folder: Path, n: int, side: int = 48, seed: int = 0, names=FOLDER_NAMES, suffix: str = ".png") -> None:
    rng = np.random.default_rng(seed)
    for label, name in enumerate(names):
        d = folder / name
        d.mkdir(parents=True)
        for k in range(n):
            pixels = np.full((side, side), 30 * label, dtype=np.uint8) + rng.integers(0, 5, (side, side), dtype=np.uint8)
            Image.fromarray(pixels).save(d / f"img{k:03d}{suffix}")


def folder_error(path: Path) -> str:
    with pytest.raises(DataError) as info:
        load_folder(path, seed=0)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_flat_folder_is_split_80_10_10_by_class_and_seed(tmp_path):
    root = tmp_path / "faces"
    make_images(root, 10)
    ds = load_dataset(root, seed=0)
    assert ds.name == "faces" and ds.classes == CLASSES
    assert (len(ds.train), len(ds.val), len(ds.test)) == (56, 7, 7)
    for split in ds.splits().values():
        assert split.x.dtype == np.uint8 and split.x.shape[1:] == (48, 48)
        assert split.y.dtype == np.int64 and np.array_equal(np.bincount(split.y, minlength=7), [len(split) // 7] * 7)
        assert np.array_equal(split.x.min(axis=(1, 2)) // 30, split.y)  # each image's label matches its folder
    assert ds.split_names == {"train": "80% of folder", "val": "10% of folder", "test": "10% of folder"}
    assert "70 images" in ds.source and "seed 0" in ds.source
    assert load_folder(root, seed=0).fingerprint() == ds.fingerprint()
    assert load_folder(root, seed=1).fingerprint() != ds.fingerprint()


def test_train_test_release_takes_val_from_train(tmp_path):
    names = tuple(c.lower() for c in CLASSES)
    make_images(tmp_path / "train", 10, names=names)
    make_images(tmp_path / "test", 2, names=names, seed=1)
    ds = load_folder(tmp_path, seed=0)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (63, 7, 14)
    assert ds.split_names == {"train": "train/", "val": "10% of train/", "test": "test/"}
    assert np.array_equal(ds.test.y, np.repeat(np.arange(7), 2))


def test_train_val_test_folders_are_kept_as_they_are(tmp_path):
    digits = tuple(str(k) for k in range(7))
    for split, n in (("train", 3), ("val", 1), ("test", 2)):
        make_images(tmp_path / split, n, names=digits)
    ds = load_folder(tmp_path, seed=0)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (21, 7, 14)
    assert ds.split_names == {"train": "train/", "val": "val/", "test": "test/"}


def test_all_64x64_stay_64(tmp_path):
    make_images(tmp_path, 2, side=64)
    assert load_folder(tmp_path, seed=0).image_size == 64


def test_mixed_sizes_colour_and_formats_become_48x48_grey(tmp_path):
    make_images(tmp_path, 2, side=64)
    Image.new("RGB", (100, 80), (255, 0, 0)).save(tmp_path / "sad" / "big.jpg")
    Image.new("RGB", (48, 48), (0, 0, 255)).save(tmp_path / "sad" / "blue.BMP")
    (tmp_path / "sad" / "notes.txt").write_text("ignored: not an image")
    ds = load_folder(tmp_path, seed=0)
    assert ds.image_size == 48
    assert len(ds.train) + len(ds.val) + len(ds.test) == 16


def test_unexpected_folder_names_are_listed_with_the_expected_ones(tmp_path):
    make_images(tmp_path, 1, names=("angry", "happy", "smiling", "contempt"))
    message = folder_error(tmp_path)
    assert str(tmp_path) in message and "unexpected folder names contempt, smiling" in message
    assert "angry, disgust, fear, happy, sad, surprise, neutral" in message and "0..6" in message


def test_empty_class_folder_names_the_class(tmp_path):
    make_images(tmp_path, 1)
    for f in (tmp_path / "disgust").iterdir():
        f.unlink()
    message = folder_error(tmp_path)
    assert "disgust" in message and "class Disgust (1) has no images" in message


def test_missing_class_folder(tmp_path):
    make_images(tmp_path, 1, names=FOLDER_NAMES[:1] + FOLDER_NAMES[2:])
    assert "class Disgust (1) has no training images" in folder_error(tmp_path)


def test_corrupt_image_names_its_path(tmp_path):
    make_images(tmp_path, 1)
    bad = tmp_path / "HAPPY" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    message = folder_error(tmp_path)
    assert str(bad) in message and "cannot read image" in message


def test_truncated_image_names_its_path(tmp_path):
    make_images(tmp_path, 1)
    good = tmp_path / "sad" / "img000.png"
    good.write_bytes(good.read_bytes()[:60])
    assert str(good) in folder_error(tmp_path)


def test_two_folders_for_one_class(tmp_path):
    make_images(tmp_path, 1, names=FOLDER_NAMES + ("1",))
    assert "folders 1/ and disgust/ are both class Disgust (1)" in folder_error(tmp_path)


def test_split_layout_without_test(tmp_path):
    make_images(tmp_path / "train", 1)
    message = folder_error(tmp_path)
    assert "expected train/ and test/" in message and "train/" in message


def test_unexpected_names_inside_a_split_folder(tmp_path):
    make_images(tmp_path / "train", 1)
    make_images(tmp_path / "test", 1, names=("angry", "happyish"))
    message = folder_error(tmp_path)
    assert str(tmp_path / "test") in message and "happyish" in message


def test_folder_without_subfolders(tmp_path):
    Image.new("L", (48, 48)).save(tmp_path / "lonely.png")
    assert "no sub-folders" in folder_error(tmp_path)


def test_truncated_image_is_refused_even_after_weasyprint_import(tmp_path, monkeypatch):
    """WeasyPrint sets PIL's LOAD_TRUNCATED_IMAGES = True on import; the loader must stay strict."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    make_images(tmp_path, 1)
    good = tmp_path / "sad" / "img000.png"
    good.write_bytes(good.read_bytes()[:60])
    assert str(good) in folder_error(tmp_path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the global is put back
