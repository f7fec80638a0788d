"""The user's own photos: formats, colour, EXIF rotation, odd modes, resizing, and every unreadable case."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from fer_report.data.images import SUFFIXES, load_images, resize_to
from fer_report.errors import DataError

EXPECTED_SUFFIXES = ", ".join(SUFFIXES)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def error(folder) -> str:
    with pytest.raises(DataError) as info:
        load_images(folder)
    assert "\n" not in str(info.value)
    return str(info.value)


def gradient(h: int, w: int) -> np.ndarray:
    return (np.add.outer(np.arange(h), np.arange(w)) * 255 // (h + w - 2)).astype(np.uint8)


def test_png_and_jpeg_grey_and_colour_in_name_order():
    Path("me").mkdir()
    Image.fromarray(gradient(30, 50)).save("me/b_grey.png")
    rgb = np.zeros((20, 10, 3), dtype=np.uint8)
    rgb[..., 0] = 200  # pure red
    Image.fromarray(rgb).save("me/a_red.jpg", quality=95)
    Image.fromarray(rgb).save("me/c.JPEG", quality=95)
    Path("me/.hidden.png").write_bytes(b"not looked at")
    Path("me/notes.txt").write_text("ignored")
    Path("me/sub").mkdir()
    Image.fromarray(gradient(8, 8)).save("me/sub/deeper.png")  # only the folder itself is read
    images = load_images("me")
    assert [im.name for im in images] == ["a_red.jpg", "b_grey.png", "c.JPEG"]
    red, grey, _ = images
    assert grey.pixels.dtype == np.uint8 and grey.pixels.shape == (30, 50) and grey.original_size == (50, 30)
    assert np.array_equal(grey.pixels, gradient(30, 50)) and not grey.was_colour
    assert red.was_colour and red.pixels.shape == (20, 10)
    assert abs(int(red.pixels.mean()) - round(200 * 0.299)) <= 2  # PIL's "L": 0.299 R + 0.587 G + 0.114 B


def test_exif_orientation_is_applied():
    Path("me").mkdir()
    stored = np.zeros((20, 40), dtype=np.uint8)  # 40 wide, 20 high as stored
    stored[:5, :5] = 255  # a white mark in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    Image.fromarray(stored).convert("RGB").save("me/phone.jpg", exif=exif, quality=95)
    (im,) = load_images("me")
    assert im.original_size == (40, 20) and im.pixels.shape == (40, 20)  # now portrait: 40 high, 20 wide
    assert im.pixels[:5, -5:].mean() > 200 and im.pixels[:5, :5].mean() < 50  # top-left went to top-right


def test_bmp_webp_sixteen_bit_transparent_and_palette():
    Path("me").mkdir()
    Image.fromarray(gradient(12, 12)).save("me/a.bmp")
    Image.fromarray((gradient(6, 6).astype(np.uint16) * 257)).save("me/b16.png")
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)  # fully transparent black
    Image.fromarray(rgba, "RGBA").save("me/c_clear.png")
    Image.fromarray(gradient(5, 5)).convert("P").save("me/d_palette.png")
    if ".webp" in SUFFIXES:
        Image.fromarray(gradient(9, 9)).save("me/e.webp", lossless=True)
    images = {im.name: im for im in load_images("me")}
    assert np.array_equal(images["a.bmp"].pixels, gradient(12, 12))
    assert images["b16.png"].pixels.dtype == np.uint8
    assert np.array_equal(images["b16.png"].pixels, gradient(6, 6))  # scaled from 16 bits, not clipped to white
    assert np.all(images["c_clear.png"].pixels == 255)  # transparent shows as white, as a viewer shows it
    assert not images["d_palette.png"].was_colour
    if ".webp" in SUFFIXES:
        assert np.array_equal(images["e.webp"].pixels, gradient(9, 9))


def test_resize_to_crops_the_centre_square():
    portrait = np.zeros((90, 30), dtype=np.uint8)
    portrait[30:60] = 255  # the centre square is white, the top and bottom black
    out = resize_to(portrait, 48)
    assert out.shape == (48, 48) and out.dtype == np.uint8 and out.min() >= 250
    landscape = np.tile(np.arange(200, dtype=np.uint8), (100, 1))
    small = resize_to(landscape, 10)
    assert small.shape == (10, 10) and 45 <= small.min() and small.max() <= 155  # columns 50..149 kept
    assert np.array_equal(resize_to(gradient(48, 48), 48), gradient(48, 48))
    with pytest.raises(ValueError):
        resize_to(np.zeros((4, 4, 3), dtype=np.uint8), 48)


def test_missing_and_not_a_folder():
    assert error("nope") == f"nope: no such folder; expected a folder of face pictures ({EXPECTED_SUFFIXES})"
    Image.fromarray(gradient(4, 4)).save("face.png")
    assert error("face.png") == (f"face.png: not a folder; expected a folder of face pictures ({EXPECTED_SUFFIXES}); "
                                 "put a single picture in a folder of its own")


def test_no_pictures():
    Path("empty").mkdir()
    assert error("empty") == f"empty: no pictures (found: nothing); expected {EXPECTED_SUFFIXES} files"
    Path("other").mkdir()
    Path("other/notes.txt").write_text("x")
    Path("other/face.gif").write_bytes(b"GIF89a")
    Path("other/sub").mkdir()
    assert error("other") == f"other: no pictures (found: face.gif, notes.txt, sub/); expected {EXPECTED_SUFFIXES} files"


def test_corrupt_picture():
    Path("me").mkdir()
    Image.fromarray(gradient(4, 4)).save("me/a.png")
    Path("me/b.jpg").write_bytes(b"this is not a jpeg")
    assert error("me") == ("me/b.jpg: cannot read picture (not a picture Pillow recognises); "
                           "expected a complete PNG/JPG/JPEG/BMP/WEBP file")


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_picture_even_when_pil_is_lenient(suffix, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what importing WeasyPrint does
    Path("me").mkdir()
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    Image.fromarray(noise).save(f"me/cut{suffix}")
    data = Path(f"me/cut{suffix}").read_bytes()
    Path(f"me/cut{suffix}").write_bytes(data[: len(data) // 2])
    message = error("me")
    assert message.startswith(f"me/cut{suffix}: cannot read picture (") and "expected a complete" in message
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back as it was
