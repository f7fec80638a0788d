"""TensorFlow's padding rules, checked against direct computations (no Keras needed).

Keras 3 on torch is not a reference here: for an asymmetric "same" average pooling it pads by
replicating the edge and counts those pixels, while TensorFlow, which trained the students' models,
averages over the real pixels of each window only.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from fer_report.model.keras.convs import TFAvgPool2d, TFMaxPool2d, conv2d, same_padding


def _windows(n: int, k: int, s: int):
    """TensorFlow's "same" windows along one axis: (start, stop) clipped to the real pixels."""
    before, _ = same_padding(n, k, s)
    for i in range(math.ceil(n / s)):
        start = i * s - before
        yield max(start, 0), min(start + k, n)


@pytest.mark.parametrize("n,k,s", [(6, 3, 2), (7, 2, 2), (20, 3, 2), (5, 4, 1), (9, 3, 3)])
def test_same_pooling_counts_real_pixels_only(n, k, s):
    x = np.random.default_rng(n * k + s).normal(size=(2, 3, n, n)).astype("float32")
    rows = list(_windows(n, k, s))
    avg = np.array([[[[x[b, c, r0:r1, c0:c1].mean() for c0, c1 in rows] for r0, r1 in rows]
                     for c in range(3)] for b in range(2)])
    top = np.array([[[[x[b, c, r0:r1, c0:c1].max() for c0, c1 in rows] for r0, r1 in rows]
                     for c in range(3)] for b in range(2)])
    t = torch.from_numpy(x)
    assert np.abs(TFAvgPool2d((k, k), (s, s), True)(t).numpy() - avg).max() < 1e-6
    assert np.abs(TFMaxPool2d((k, k), (s, s), True)(t).numpy() - top).max() == 0


@pytest.mark.parametrize("n,k,s,d", [(7, 4, 2, 1), (8, 2, 1, 1), (9, 3, 2, 1), (10, 3, 1, 2), (6, 2, 2, 1)])
def test_same_conv_pads_the_larger_half_after(n, k, s, d):
    """TF pads total//2 before and the rest after; compared with an explicit pad then a valid conv."""
    torch.manual_seed(0)
    conv = conv2d(2, 3, (k, k), (s, s), (d, d), "same")
    x = torch.randn(1, 2, n, n)
    before, after = same_padding(n, k, s, d)
    want = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (before, after, before, after)),
                                      conv.weight, conv.bias, s, 0, d)
    got = conv(x)
    assert got.shape[-1] == math.ceil(n / s)
    assert torch.allclose(got, want, atol=1e-6)
