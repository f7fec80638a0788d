import numpy as np

from fer_report import CLASSES
from fer_report.data.synthetic import REGIONS, make_synthetic


def test_same_seed_same_faces_other_seed_other_faces():
    a, b, c = make_synthetic(seed=3, size="tiny"), make_synthetic(seed=3, size="tiny"), make_synthetic(seed=4, size="tiny")
    assert a.fingerprint() == b.fingerprint()
    assert np.array_equal(a.train.regions, b.train.regions)
    assert a.fingerprint() != c.fingerprint()


def test_shapes_types_and_fer_like_imbalance():
    ds = make_synthetic(seed=0, size="small")
    assert ds.classes == CLASSES
    for split in ds.splits().values():
        assert split.x.dtype == np.uint8 and split.x.shape[1:] == (48, 48)
        assert split.y.dtype == np.int64 and set(np.unique(split.y)) == set(range(7))
        assert split.regions.shape == split.x.shape
    counts = np.bincount(ds.train.y, minlength=7)
    assert counts.argmin() == CLASSES.index("Disgust")
    assert counts.argmax() == CLASSES.index("Happy")
    assert counts[CLASSES.index("Disgust")] < 0.05 * counts.sum()


def test_every_face_has_all_three_cue_regions_covering_a_plausible_area():
    ds = make_synthetic(seed=1, size="tiny")
    r = ds.train.regions
    for code in REGIONS:
        assert ((r == code).reshape(len(r), -1).sum(1) > 0).all(), REGIONS[code]
    area = (r > 0).reshape(len(r), -1).mean(1)
    assert 0.03 < area.min() and area.max() < 0.45


def test_faces_are_drawn_not_blank():
    ds = make_synthetic(seed=0, size="tiny")
    x = ds.train.x.astype(float)
    assert x.std(axis=(1, 2)).min() > 10  # face against background, features against face
    # cue pixels are darker than the face around them (features are drawn in ink)
    centre = np.zeros_like(ds.train.regions, dtype=bool)
    centre[:, 14:34, 14:34] = True
    cue = ds.train.regions > 0
    assert x[cue & centre].mean() < x[~cue & centre].mean() - 15


def test_64x64_variant():
    ds = make_synthetic(seed=0, size="tiny", image_size=64)
    assert ds.image_size == 64 and ds.train.regions.shape[1:] == (64, 64)
