import math

import pytest
import torch
import torch.nn.functional as F

from fer_report.data import augment as A


def _smooth(n: int = 3, size: int = 48) -> torch.Tensor:
    """Images whose bilinear resampling is nearly exact, so warps can be compared with crops."""
    u = torch.linspace(0, 1, size)
    base = torch.sin(2 * math.pi * u)[:, None] * torch.cos(math.pi * u)[None, :]
    return torch.stack([base * (i + 1) + u[None, :] for i in range(n)])[:, None]


def test_light_policy_is_the_batch_function_and_deterministic():
    x = torch.randn(8, 1, 48, 48)
    a = A.augment_batch(x, torch.Generator().manual_seed(1))
    b = A.warp(x, A.draw_theta("light", 8, torch.Generator().manual_seed(1)))
    assert torch.equal(a, b)
    assert not torch.equal(a, A.augment_batch(x, torch.Generator().manual_seed(2)))


def test_ten_crops_are_the_corner_and_centre_crops_and_their_mirrors_resized():
    x = torch.randn(2, 1, 48, 48)
    crops = A.warp(x.repeat_interleave(A.CROPS, 0), A.with_ten_crops(None, 2, torch.device("cpu")))
    crops = crops.view(2, A.CROPS, 1, 48, 48)
    windows = {0: (0, 0), 1: (0, 8), 2: (8, 0), 3: (8, 8), 4: (4, 4)}  # (top, left) of the 40x40 crop
    for i, (top, left) in windows.items():
        ref = F.interpolate(x[:, :, top:top + 40, left:left + 40], size=(48, 48), mode="bilinear",
                            align_corners=False)
        # interpolate clamps at the crop's own border, the warp reads the real neighbours: compare inside
        torch.testing.assert_close(crops[:, i, :, 2:-2, 2:-2], ref[:, :, 2:-2, 2:-2], rtol=1e-4, atol=1e-4)
        torch.testing.assert_close(crops[:, i + 5, :, 2:-2, 2:-2], ref.flip(-1)[:, :, 2:-2, 2:-2],
                                   rtol=1e-4, atol=1e-4)


def test_one_composed_warp_equals_augmenting_then_cropping():
    x = _smooth()
    theta = A.strong_theta(3, torch.Generator().manual_seed(0))
    direct = A.warp(x.repeat_interleave(A.CROPS, 0), A.with_ten_crops(theta, 3, torch.device("cpu")))
    two_steps = A.warp(A.warp(x, theta).repeat_interleave(A.CROPS, 0),
                       A.with_ten_crops(None, 3, torch.device("cpu")))
    inner = (slice(None), slice(None), slice(6, -6), slice(6, -6))  # away from the padded border
    assert (direct[inner] - two_steps[inner]).abs().mean() < 0.02 * x.abs().mean()


def test_strong_policy_stays_within_its_ranges():
    theta = A.strong_theta(4000, torch.Generator().manual_seed(0))
    linear = theta[:, :, :2]
    scale_x = linear[:, 0].norm(dim=1)  # |row| = crop side fraction (rotation and flip keep it)
    assert scale_x.min() > math.sqrt(0.8 * 3 / 4) - 1e-6 and scale_x.max() <= 1 + 1e-6
    flipped = linear.det() < 0
    assert 0.45 < flipped.float().mean() < 0.55
    angle = torch.atan2(linear[:, 1, 0], linear[:, 1, 1]).abs()
    assert angle.max() <= math.radians(10) + 1e-6
    assert 0.45 < (angle < 1e-7).float().mean() < 0.55  # rotation with p 0.5


def test_random_erasing_blanks_boxes_of_the_right_size_on_half_the_images():
    boxes = A.draw_erasing(2000, torch.Generator().manual_seed(0), (48, 48))
    x = A.erase(torch.ones(2000, 1, 48, 48), boxes)
    erased = 1 - x.mean((1, 2, 3))
    assert 0.45 < (erased > 0).float().mean() < 0.55
    assert erased.max() <= 0.34  # area 0.02-0.33 of the image
    hit = erased > 0
    torch.testing.assert_close((1 - x[hit]).sum((1, 2, 3)), (boxes[hit, 2] * boxes[hit, 3]).float())
    assert torch.equal(A.erase(x, torch.zeros(2000, 4, dtype=torch.long)), x)


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="light, strong"):
        A.draw_theta("heavy", 2, torch.Generator())
