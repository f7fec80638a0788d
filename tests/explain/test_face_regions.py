"""Face regions (fer_report/data/regions.py, fer_report/explain/face_regions.py) on a planted dependency."""

from __future__ import annotations

import numpy as np
import pytest

from fer_report.data.regions import BOXES_48, fixed_masks, masks_for, moved, occluded
from fer_report.explain import face_regions as fr


def test_fixed_boxes_scale_with_the_side():
    m48, m64 = fixed_masks(48), fixed_masks(64)
    left, top, right, bottom = BOXES_48["mouth"]
    assert m48["mouth"].sum() == (right - left) * (bottom - top)
    assert m64["mouth"].sum() == pytest.approx(m48["mouth"].sum() * (64 / 48) ** 2, rel=0.1)
    assert not (m48["eyes_brows"] & m48["mouth"]).any()


def test_drawn_regions_win_over_the_boxes():
    images = np.zeros((2, 48, 48), np.uint8)
    regions = np.zeros((2, 48, 48), np.uint8)
    regions[0, 5:7, 5:9] = 3
    masks = masks_for(images, regions, {1: "brows", 3: "mouth"})
    assert set(masks) == {"brows", "mouth"} and masks["mouth"][0].sum() == 8 and masks["mouth"][1].sum() == 0


def test_moved_keeps_shape_and_area():
    masks = np.stack([fixed_masks(48)["mouth"]] * 20)
    shifted = moved(masks, np.random.default_rng(0))
    assert (shifted.reshape(20, -1).sum(1) == masks[0].sum()).all()
    assert (shifted != masks).any(axis=(1, 2)).sum() >= 19


def _mouth_reader(images: np.ndarray) -> np.ndarray:
    """A 'model' that reads the class from the mouth box's brightness alone: 0 dark, 1 bright."""
    left, top, right, bottom = BOXES_48["mouth"]
    return (images[:, top:bottom, left:right].mean((1, 2)) > 128).astype(int)


def test_covering_the_part_the_model_reads_costs_accuracy_and_the_control_does_not():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 120)
    images = np.full((120, 48, 48), 128, np.uint8)
    left, top, right, bottom = BOXES_48["mouth"]
    images[:, top:bottom, left:right] = np.where(y == 1, 220, 30)[:, None, None]
    masks = fixed_masks(48)
    out = fr.occlusion_effects(_mouth_reader, images, y, masks, grey=100.0, classes=2, seed=0)
    assert out["base"].all()
    mouth, eyes = out["regions"]["mouth"], out["regions"]["eyes_brows"]
    # grey 100 reads as class 0: every class-1 image is lost when the mouth is covered
    assert mouth["drop"] == pytest.approx((y == 1).mean()) and mouth["excess_low"] > 0.2
    assert mouth["per_class"][1]["drop"] == 1.0 and mouth["per_class"][0]["drop"] == 0.0
    assert eyes["drop"] == 0.0 and eyes["excess_high"] <= 0.1
    assert mouth["excess"] == pytest.approx(np.mean(mouth["control"].astype(float) - mouth["covered"]))


def test_mass_shares_equal_the_hand_computation():
    maps = np.zeros((2, 48, 48))
    maps[0] = 1.0
    left, top, right, bottom = BOXES_48["mouth"]
    maps[1, top:bottom, left:right] = 2.0
    shares = fr.mass_shares(maps, fixed_masks(48))
    area = (right - left) * (bottom - top) / 48 ** 2
    assert shares["mouth"].tolist() == pytest.approx([area, 1.0])
    assert fr.area_shares(fixed_masks(48))["mouth"] == pytest.approx(area)


def test_occluded_paints_only_the_mask():
    images = np.zeros((1, 48, 48), np.uint8)
    mask = fixed_masks(48)["nose"]
    out = occluded(images, mask[None], 99.6)
    assert (out[0][mask] == 100).all() and (out[0][~mask] == 0).all()
