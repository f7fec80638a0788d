import numpy as np
import torch

from fer_report.explain.faithfulness import (chance_rate, curve_area, deletion_curve, mass_inside,
                                             pointing_game, random_maps, region_shares)


def test_pointing_game_and_mass_on_known_maps():
    masks = np.zeros((3, 4, 4), bool)
    masks[:, 0, :2] = True
    maps = np.zeros((3, 4, 4))
    maps[0, 0, 1] = 5  # peak inside
    maps[1, 3, 3] = 5  # peak outside
    maps[1, 0, 0] = 1
    assert pointing_game(maps, masks).tolist() == [True, False, False]  # flat map 2 is a miss
    assert mass_inside(maps, masks).tolist() == [1.0, 1 / 6, 0.0]
    assert chance_rate(masks) == 2 / 16
    shares = region_shares(maps, masks.astype(np.uint8) * 3, {3: "mouth"})
    assert shares["mouth"].tolist() == [1.0, 1 / 6, 0.0]


def test_deletion_curve_falls_faster_for_the_true_ranking():
    # A "model" whose class-1 probability is the mean of the top-left quadrant pixels.
    def predict(x):
        s = x[:, 0, :2, :2].mean((1, 2))
        return torch.stack([1 - s, s], 1)

    images = torch.ones(5, 1, 4, 4)
    targets = torch.ones(5, dtype=torch.long)
    truth = np.zeros((5, 4, 4))
    truth[:, :2, :2] = 1
    f, good = deletion_curve(predict, images, targets, truth, steps=4)
    _, rand = deletion_curve(predict, images, targets, random_maps((5, 4, 4), seed=0), steps=4)
    assert good[:, 0].tolist() == [1.0] * 5 and good[:, 1].tolist() == [0.0] * 5  # first 25 % = the quadrant
    assert curve_area(f, good) < curve_area(f, rand)
