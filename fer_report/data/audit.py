"""Faults of the data set itself, found without a model: the same face in the training and the test split,
blank images, how the classes are spread over the splits.

A face copied into both splits lets a model score on the test split by memory; FER2013 was scraped
from the web, so copies and near-copies (re-encoded, slightly shifted, brightened) exist. Candidates
come from a 64-bit perceptual hash (pHash: the signs of the 8x8 lowest frequencies of a 32x32 DCT
against their median), which re-encoding and brightness leave alone; a candidate is confirmed when
the two images' pixels correlate (after removing each one's brightness and contrast). Measured on the
whole FER2013 (bench/data_audit.py, pairs looked at by eye): within 6 bits pairs are the same photo
when they correlate >= 0.85 and mostly different faces below it; at 8 bits and >= 0.85 still mostly
the same photo; at 10 bits different faces with a similar layout take over. Drawn faces (the
embedded synthetic set) share one template, so both tests call most of them copies: the audit of
copies is for photographs only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HAMMING = 8  # candidate pairs: hashes at most this many of 64 bits apart
MIN_CORR = 0.85  # confirmed copies: pixel correlation of the standardised images at least this
BLANK_STD = 2.0  # pixel standard deviation (0-255) under which an image holds no face (all black, all grey)
CHUNK = 2048  # test hashes compared with all training hashes at once: 2048 x 28709 x 8 bytes = 470 MB at most


def phash(images: np.ndarray) -> np.ndarray:
    """64-bit perceptual hashes of uint8 (N, H, W) images, as uint64 (N,)."""
    import torch
    import torch.nn.functional as F
    from scipy.fft import dctn

    x = torch.as_tensor(images, dtype=torch.float32).unsqueeze(1)
    small = F.adaptive_avg_pool2d(x, (32, 32)).squeeze(1).numpy()
    low = dctn(small, axes=(1, 2), norm="ortho")[:, :8, :8].reshape(len(images), 64)
    bits = low > np.median(low[:, 1:], axis=1, keepdims=True)  # the DC term (brightness) left out of the median
    return np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)


def cross_pairs(a: np.ndarray, b: np.ndarray, max_bits: int = HAMMING) -> np.ndarray:
    """(i, j, bits) for every hash a[i] within ``max_bits`` of b[j], as an int64 (K, 3) array."""
    out = []
    for start in range(0, len(b), CHUNK):
        part = b[start:start + CHUNK]
        bits = np.bitwise_count(np.bitwise_xor(a[:, None], part[None, :]))
        i, j = np.nonzero(bits <= max_bits)
        out.append(np.stack([i, j + start, bits[i, j]], axis=1))
    return np.concatenate(out).astype(np.int64) if out else np.zeros((0, 3), np.int64)


def correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each image in ``a`` with the image at the same index in ``b`` (N, H, W)."""
    def standard(x: np.ndarray) -> np.ndarray:
        x = x.reshape(len(x), -1).astype(np.float32)
        return (x - x.mean(1, keepdims=True)) / (x.std(1, keepdims=True) + 1e-6)
    return (standard(a) * standard(b)).mean(1) if len(a) else np.zeros(0, np.float32)


def copies(a: np.ndarray, b: np.ndarray, hash_a: np.ndarray, hash_b: np.ndarray) -> np.ndarray:
    """(i, j, bits) for each a[i] that b[j] copies: hashes within ``HAMMING``, pixels correlating >= ``MIN_CORR``."""
    pairs = cross_pairs(hash_a, hash_b)
    return pairs[correlation(a[pairs[:, 0]], b[pairs[:, 1]]) >= MIN_CORR]


def blank(images: np.ndarray, max_std: float = BLANK_STD) -> np.ndarray:
    """Indices of images whose pixels barely vary: no face to learn from."""
    flat = images.reshape(len(images), -1).astype(np.float32)
    return np.nonzero(flat.std(1) < max_std)[0]


@dataclass
class Audit:
    hashes: dict[str, np.ndarray]  # split -> pHash per image
    duplicates: dict[str, np.ndarray]  # "train-test", "train-val", "val-test" -> (i, j, bits) confirmed copies
    blank: dict[str, np.ndarray]  # split -> indices of blank images
    counts: dict[str, np.ndarray]  # split -> images per class

    def tainted_test(self) -> np.ndarray:
        """Test images with a (near-)copy among the training images."""
        return np.unique(self.duplicates["train-test"][:, 1])


def audit(splits: dict, classes: int, *, find_copies: bool = True) -> Audit:
    """The audit of ``splits`` ({"train": Split, "val": ..., "test": ...}), all on uint8 (N, H, W) images.
    ``find_copies=False`` (drawn faces, where every face resembles every other) skips the copy search, which on
    them would compare tens of thousands of candidate pairs only to be left out of the report."""
    hashes = {name: phash(s.x) if len(s.x) and find_copies else np.zeros(0, np.uint64) for name, s in splits.items()}
    none = np.zeros((0, 3), np.int64)
    duplicates = {f"{a}-{b}": copies(splits[a].x, splits[b].x, hashes[a], hashes[b]) if find_copies else none
                  for a, b in (("train", "test"), ("train", "val"), ("val", "test"))}
    return Audit(hashes=hashes, duplicates=duplicates,
                 blank={name: blank(s.x) for name, s in splits.items()},
                 counts={name: np.bincount(s.y, minlength=classes) for name, s in splits.items()})


def label_issues(y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Indices of the images whose given label the model finds least believable, most suspect first.

    Confident learning (Northcutt et al. 2021) as cleanlab implements it: an image is an issue when the
    model is confidently sure of another class by that class's own threshold (its mean predicted
    probability on the images labelled with it); issues are ranked by the probability the model gives
    the given label (self-confidence), lowest first.
    """
    from cleanlab.filter import find_label_issues

    present = np.unique(y)
    if len(present) < 2:
        return np.zeros(0, np.int64)
    # cleanlab needs every label it sees to be a column and every column to have labels: keep the present ones
    column = {int(c): k for k, c in enumerate(present)}
    sub = probs[:, present].astype(np.float64)
    sub = sub / np.clip(sub.sum(1, keepdims=True), 1e-12, None)
    ranked = find_label_issues(np.array([column[int(v)] for v in y]), sub,
                               return_indices_ranked_by="self_confidence", n_jobs=1)
    return np.asarray(ranked, np.int64)
