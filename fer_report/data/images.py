"""The user's own photos (a folder of faces to explain), read as grey pixels at their own size.

Unlike a training folder these are phone or web pictures: any size, colour, often rotated by an
EXIF tag rather than in their pixels, so the orientation is applied here; making them 48x48 is a
separate step (``resize_to``) because the report also shows the photo as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError, features

from fer_report.errors import DataError

SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp") + ((".webp",) if features.check("webp") else ())
_GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}


@dataclass(frozen=True)
class UserImage:
    name: str  # file name, for captions
    pixels: np.ndarray  # uint8 (H, W) grey, upright
    original_size: tuple[int, int]  # (width, height) as stored in the file, before the EXIF rotation
    was_colour: bool  # so the report can say the colour was dropped


def load_images(folder: str | Path) -> list[UserImage]:
    """Every picture directly in ``folder``, in file-name order; hidden files and other suffixes are skipped."""
    root = Path(folder)
    if not root.exists():
        raise DataError(f"{root}: no such folder; expected a folder of face pictures ({', '.join(SUFFIXES)})")
    if not root.is_dir():
        raise DataError(f"{root}: not a folder; expected a folder of face pictures ({', '.join(SUFFIXES)}); "
                        "put a single picture in a folder of its own")
    entries = sorted(p for p in root.iterdir() if not p.name.startswith("."))
    pictures = [p for p in entries if p.is_file() and p.suffix.lower() in SUFFIXES]
    if not pictures:
        shown = [p.name + ("/" if p.is_dir() else "") for p in entries]
        found = ", ".join(shown[:8]) + (f" and {len(shown) - 8} more" if len(shown) > 8 else "") or "nothing"
        raise DataError(f"{root}: no pictures (found: {found}); expected {', '.join(SUFFIXES)} files")
    return [_read(p) for p in pictures]


def _read(path: Path) -> UserImage:
    """Strict even after WeasyPrint is imported: it sets PIL's global LOAD_TRUNCATED_IMAGES = True, which
    would show a half-copied photo, grey-padded, as if it were the user's face."""
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(path) as im:
            im.load()
            size = im.size
            upright = ImageOps.exif_transpose(im)
            return UserImage(name=path.name, pixels=_grey(upright), original_size=size,
                             was_colour=_has_colour(upright))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        reason = "not a picture Pillow recognises" if isinstance(e, UnidentifiedImageError) else str(e)
        kinds = "/".join(s[1:].upper() for s in SUFFIXES)
        raise DataError(f"{path}: cannot read picture ({reason}); expected a complete {kinds} file") from e
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _grey(im: Image.Image) -> np.ndarray:
    """PIL's "L" conversion, except where it would be wrong: 16-bit grey would clip to white, and
    transparent pixels would turn into whatever colour hides under them (usually black)."""
    if im.mode.startswith("I"):
        a = np.asarray(im, dtype=np.float64)
        if im.mode.startswith("I;16") or a.max() > 255:
            a = a / 257.0
        return np.clip(np.rint(a), 0, 255).astype(np.uint8)
    if "A" in im.getbands() or "transparency" in im.info:
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im.convert("RGBA"))
    return np.asarray(im.convert("L"), dtype=np.uint8)


def _has_colour(im: Image.Image) -> bool:
    """By the file's mode; a palette is checked by content, since a grey GIF-style palette is common."""
    if im.mode in _GREY_MODES:
        return False
    if im.mode in ("P", "PA"):
        r, g, b = (np.asarray(band) for band in im.convert("RGB").split())
        return not (np.array_equal(r, g) and np.array_equal(g, b))
    return True


def resize_to(pixels: np.ndarray, size: int) -> np.ndarray:
    """Centre square crop, then ``size`` x ``size`` with Lanczos.

    The crop keeps the face's proportions (stretching a portrait photo into a square would squash
    the very features the model reads). Lanczos because PIL widens the kernel by the reduction
    factor, so a 4000-pixel photo averages over all its pixels instead of aliasing, and it keeps
    eyes and mouth edges sharper than bilinear or box filtering at 48x48.
    """
    if pixels.ndim != 2 or pixels.dtype != np.uint8:
        raise ValueError(f"expected a 2-D uint8 grey image, got {pixels.dtype} of shape {pixels.shape}")
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    h, w = pixels.shape
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    # Crop first, then resize: ImageOps.fit passes the crop as resize's box, and the filter then reads
    # pixels outside the crop into its border rows.
    square = Image.fromarray(np.ascontiguousarray(pixels[top:top + side, left:left + side]))
    return np.asarray(square.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


def save_pictures(pictures, folder: Path) -> Path:
    """A list of PIL images or arrays ((H, W) grey or (H, W, 3) colour; uint8, or float in 0..1 or 0..255)
    written as PNGs into a sub-folder of ``folder`` named by their content, so that ``load_images`` reads
    them as it reads the user's own folder (``Report(images=[...])`` in a notebook)."""
    import hashlib

    from fer_report.data.arrays import to_uint8

    if isinstance(pictures, (Image.Image, np.ndarray)) or not isinstance(pictures, (list, tuple)) or not pictures:
        raise DataError("images: expected a folder, or a non-empty list of PIL images or arrays")
    shown = []
    for k, p in enumerate(pictures):
        if isinstance(p, Image.Image):
            shown.append(p.convert("RGB") if p.mode not in ("L", "RGB") else p)
            continue
        a = np.asarray(p.detach().cpu().numpy() if hasattr(p, "detach") else p)
        a = a[..., 0] if a.ndim == 3 and a.shape[-1] == 1 else a[0] if a.ndim == 3 and a.shape[0] == 1 else a
        if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] == 3)):
            raise DataError(f"images[{k}]: an array of shape {a.shape}; expected (H, W) grey or (H, W, 3) colour")
        shown.append(Image.fromarray(to_uint8(a, f"images[{k}]")[0]))
    digest = hashlib.sha256(b"".join(im.tobytes() + str(im.size).encode() for im in shown)).hexdigest()[:16]
    target = folder / f"images-{digest}"
    target.mkdir(parents=True, exist_ok=True)
    for k, im in enumerate(shown, start=1):
        im.save(target / f"image_{k:03d}.png")
    return target
