"""The data audit (fer_report/data/audit.py) on planted faults: copies across splits, blank images, labels a
model is sure are wrong; the hash distances against a plain bit count."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from fer_report.data import audit as A


def _faces(n: int, seed: int = 0) -> np.ndarray:
    """Smooth random blobs, different enough from each other to be told apart like photographs."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:48, 0:48] / 48.0
    out = np.zeros((n, 48, 48))
    for k in range(6):
        cx, cy, w, a = rng.random((4, n, 1, 1))
        out += 120 * (a - 0.5) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (0.01 + 0.08 * w))
    return np.clip(out + 128 + rng.normal(0, 3, out.shape), 0, 255).astype(np.uint8)


def _reencoded(img: np.ndarray, brighten: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(np.clip(img.astype(int) + brighten, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=70)
    return np.asarray(Image.open(buf))


def test_a_reencoded_brightened_copy_is_found_and_other_faces_are_not():
    train, test = _faces(200, seed=1), _faces(40, seed=2)
    train[17] = _reencoded(test[5], 25)
    train[90] = test[30]
    pairs = A.copies(train, test, A.phash(train), A.phash(test))
    assert sorted(map(tuple, pairs[:, :2].tolist())) == [(17, 5), (90, 30)]
    assert pairs[pairs[:, 0] == 90, 2].tolist() == [0]


def test_hamming_distances_equal_a_plain_bit_count():
    a = np.random.default_rng(3).integers(0, 2 ** 63, 50, dtype=np.uint64)
    b = np.concatenate([a[:5] ^ np.uint64(0b1011), np.random.default_rng(4).integers(0, 2 ** 63, 30, dtype=np.uint64)])
    found = {(i, j): bits for i, j, bits in A.cross_pairs(a, b, max_bits=20).tolist()}
    brute = {(i, j): bin(int(x) ^ int(y)).count("1") for i, x in enumerate(a) for j, y in enumerate(b)
             if bin(int(x) ^ int(y)).count("1") <= 20}
    assert found == brute and found[(0, 0)] == 3


def test_blank_images_are_found():
    images = _faces(10)
    images[3] = 0
    images[7] = 128 + (np.arange(48 * 48).reshape(48, 48) % 2)  # grey with one level of noise: still blank
    assert A.blank(images).tolist() == [3, 7]


def test_confident_learning_flags_the_planted_labels_first():
    rng = np.random.default_rng(5)
    y = np.repeat(np.arange(4), 50)
    probs = np.full((200, 4), 0.05)
    probs[np.arange(200), y] = 0.85  # the model agrees with every label ...
    wrong = np.array([3, 60, 120, 180])
    probs[wrong] = 0.02
    probs[wrong, (y[wrong] + 1) % 4] = 0.94  # ... except these four, where it is sure of another class
    probs += rng.uniform(0, 0.01, probs.shape)
    probs /= probs.sum(1, keepdims=True)
    assert sorted(A.label_issues(y, probs).tolist()) == wrong.tolist()


def test_labels_of_a_class_missing_from_the_split_are_handled():
    y = np.array([0, 0, 2, 2, 2, 0])
    probs = np.tile([0.5, 0.0, 0.5], (6, 1)).astype(float)
    probs[:, 0] += np.where(y == 0, 0.3, -0.3)
    probs[:, 2] += np.where(y == 2, 0.3, -0.3)
    probs[5] = [0.05, 0.0, 0.95]  # labelled 0, the model is sure of 2
    assert A.label_issues(y, probs).tolist() == [5]


def test_audit_counts_per_split():
    from fer_report.data.dataset import Split

    rng = np.random.default_rng(6)
    splits = {name: Split(x=_faces(n, seed=i), y=rng.integers(0, 7, n)) for i, (name, n) in
              enumerate((("train", 60), ("val", 20), ("test", 20)))}
    a = A.audit(splits, 7)
    for name, split in splits.items():
        assert a.counts[name].tolist() == np.bincount(split.y, minlength=7).tolist()
    assert a.tainted_test().tolist() == [] and set(a.duplicates) == {"train-test", "train-val", "val-test"}


@pytest.mark.parametrize("shift", [0, 1])
def test_a_copy_shifted_by_a_pixel_is_still_a_copy(shift):
    face = _faces(1, seed=7)[0]
    moved = np.roll(face, shift, axis=1)
    pairs = A.copies(face[None], moved[None], A.phash(face[None]), A.phash(moved[None]))
    assert len(pairs) == 1


def test_the_copy_search_can_be_left_out():
    from fer_report.data.dataset import Split

    faces = _faces(20)
    splits = {name: Split(x=faces, y=np.zeros(20, int)) for name in ("train", "val", "test")}
    assert len(A.audit(splits, 7).duplicates["train-test"]) == 20  # every face is its own copy
    assert all(len(v) == 0 for v in A.audit(splits, 7, find_copies=False).duplicates.values())
