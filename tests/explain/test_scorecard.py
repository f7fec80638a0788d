import numpy as np
import pytest
import torch

from fer_report.explain.scorecard import DELETION_STEPS, faithfulness_text, score_maps, table_rows
from fer_report.report.i18n import Text

NAMES = {1: "brows", 2: "eyes", 3: "mouth"}


def predict(x):
    """Class 1's probability is the mean of the 'mouth' rows (bottom two), clipped to 0..1."""
    s = x[:, 0, 2:, :].mean((1, 2)).clamp(0, 1)
    return torch.stack([1 - s, s], 1)


def setup(n=6):
    x = torch.ones(n, 1, 4, 4)
    regions = np.zeros((n, 4, 4), np.uint8)
    regions[:, 0, :] = 1
    regions[:, 2:, :] = 3
    truth = np.zeros((n, 4, 4))
    truth[:, 2:, :] = 1 + np.arange(8).reshape(2, 4)  # distinct values: a strict ranking inside the mouth
    return x, regions, truth


def test_a_map_on_the_mouth_scores_full_marks_and_beats_random():
    x, regions, truth = setup()
    s = score_maps(truth, predict=predict, x=x, targets=np.ones(6, int), classes=("A", "B"), regions=regions,
                   region_names=NAMES)
    assert s["pointing_game"] == 1.0 and s["mass_inside"] == 1.0 and s["chance"] == 12 / 16
    assert s["per_class"] == [{"class": "B", "n": 6, "shares": {"brows": 0.0, "eyes": 0.0, "mouth": 1.0},
                               "dominant": "mouth", "area": 0.5}]
    assert len(s["curve"]) == DELETION_STEPS + 1 and s["curve"][0] == 1.0 and s["curve"][-1] == 0.0
    assert s["deletion_auc"] < s["random_auc"] and s["deletion_verdict"] == "faster"
    assert s["auc_diff"] == pytest.approx(s["deletion_auc"] - s["random_auc"])
    rows = table_rows({"m": s}, {"m": "Map"})
    assert rows[0]["method"] == "Map" and rows[0]["pointing_game"] == 1.0
    lines = faithfulness_text({"m": s}, {"m": "Map"}, Text("en"))
    assert any("B 100% on the mouth (50% of the image)" in line for line in lines)
    assert any(line.startswith("Deletion test:") and "faster than a random order" in line for line in lines)


def test_the_deletion_order_can_differ_from_the_pointing_map_and_real_data_has_no_regions():
    x, _, truth = setup()
    upside_down = truth[:, ::-1, :].copy()  # deletes the brow rows first: the score stays up longer
    plain = score_maps(truth, predict=predict, x=x, targets=np.ones(6, int), classes=("A", "B"), regions=None,
                       region_names=NAMES)
    reordered = score_maps(truth, predict=predict, x=x, targets=np.ones(6, int), classes=("A", "B"), regions=None,
                           region_names=NAMES, order=upside_down)
    assert plain["pointing_game"] is None and plain["per_class"] == []
    assert reordered["deletion_auc"] > plain["deletion_auc"]
    assert reordered["random_auc"] == pytest.approx(plain["random_auc"])  # same seed, same baseline
    lines = faithfulness_text({"m": plain}, {"m": "Map"}, Text("zh-TW"))
    assert "真實照片" in lines[0]


def test_a_random_map_is_within_noise_of_the_random_order():
    from fer_report.explain.faithfulness import random_maps

    n = 40
    x = torch.rand(n, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    s = score_maps(random_maps((n, 4, 4), seed=9), predict=predict, x=x, targets=np.ones(n, int), classes=("A", "B"),
                   regions=None, region_names=NAMES, seed=0)
    assert s["deletion_verdict"] == "same" and abs(s["auc_diff"]) < 2 * s["auc_diff_se"]
    assert any("within noise" in line for line in faithfulness_text({"m": s}, {"m": "Map"}, Text("en")))


def test_a_difference_under_the_minimum_effect_is_no_measurable_difference():
    """Issue 28: a near-constant model (class 1 at 0.197 +- 1e-5) read as "faster" because the tiny difference
    was consistent; under MIN_EFFECT it is no difference, and the text says why every map ties."""
    from fer_report.explain.faithfulness import MIN_EFFECT
    from fer_report.explain.scorecard import STRINGS
    from fer_report.report.section import string_problems

    x, regions, truth = setup(n=12)

    def flat_predict(b):
        s = 0.197 + 1e-5 * predict(b)[:, 1]
        return torch.stack([1 - s, s], 1)

    s = score_maps(truth, predict=flat_predict, x=x, targets=np.ones(12, int), classes=("A", "B"), regions=regions,
                   region_names=NAMES)
    assert s["auc_diff"] < 0 and abs(s["auc_diff"]) > 2 * s["auc_diff_se"]  # consistent, and far too small
    assert abs(s["auc_diff"]) < MIN_EFFECT and s["deletion_verdict"] == "negligible" and s["response"] < 1e-4
    lines = faithfulness_text({"m": s}, {"m": "Map"}, Text("en"))
    assert any("makes no measurable difference against a random order" in line and "under the 0.01" in line
               for line in lines)
    assert lines[-1].startswith("No map's order can differ measurably from a random one here, because the model's "
                                "output barely changes") and "untrained or collapsed weights" in lines[-1]
    zh = faithfulness_text({"m": s}, {"m": "Map"}, Text("zh-TW"))
    assert any("沒有可測量的差異" in line for line in zh) and "權重未經訓練" in zh[-1]
    assert string_problems(STRINGS, ("en", "zh-TW")) == []


def test_an_all_zero_map_cannot_beat_the_random_order_by_raster_order():
    """Ties are broken at random: an empty map deleted row by row from the top would remove the cue on the top
    rows first and read as "faster" than random."""
    n = 30
    x = torch.ones(n, 1, 4, 4)

    def top_rows(b):
        s = b[:, 0, :1, :].mean((1, 2)).clamp(0, 1)
        return torch.stack([1 - s, s], 1)

    s = score_maps(np.zeros((n, 4, 4)), predict=top_rows, x=x, targets=np.ones(n, int), classes=("A", "B"),
                   regions=None, region_names=NAMES)
    assert s["deletion_verdict"] != "faster" and s["deletion_auc"] > 0.3
