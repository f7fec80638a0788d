"""Each small Keras model, saved by Keras 3 in the three ways, converts to a module that equals Keras.

Outputs are compared with Keras's own (``model(x, training=False)``) to 1e-4; Keras's output shapes
and parameter counts with the rows; a backward pass runs on every model; hooks on the named children
fire with NCHW tensors whose shapes are Keras's, permuted.
"""

from __future__ import annotations

import os

import pytest

os.environ["KERAS_BACKEND"] = "torch"
pytest.importorskip("keras")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from fer_report.model.keras import load_keras  # noqa: E402

from . import kmodels  # noqa: E402

FORMATS = ("keras", "h5", "json")
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """name -> (keras model, {format: (model file, weights file)}), built and saved once."""
    root = tmp_path_factory.mktemp("keras_models")
    out = {}
    for i, (name, build) in enumerate(kmodels.BUILDERS.items()):
        model = kmodels.randomize(build(), seed=i)
        out[name] = (model, kmodels.save_all(model, root))
    return out


def _scale(name: str) -> float:
    return 255.0 if name == "preprocessing" else 1.0


def _nchw(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(kmodels.BUILDERS))
def test_output_equals_keras(saved, name, fmt):
    model, files = saved[name]
    converted = load_keras(*files[fmt])
    x = kmodels.images(model, scale=_scale(name))
    with torch.no_grad():
        ours = converted.module(_nchw(x)).numpy()
    theirs = kmodels.keras_output(model, x)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= TOLERANCE
    assert converted.input_shape == tuple(model.inputs[0].shape[1:])


@pytest.mark.parametrize("name", list(kmodels.BUILDERS))
def test_rows_match_keras(saved, name):
    model, files = saved[name]
    converted = load_keras(files["keras"][0])
    rows = {r.name: r for r in converted.rows}
    for layer in model.layers:
        if layer.__class__.__name__ == "InputLayer":
            continue
        row = rows[layer.name]
        assert row.class_name == layer.__class__.__name__
        assert (None, *row.output_shape) == tuple(layer.output.shape), layer.name
        assert row.params == layer.count_params(), layer.name
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert (converted.total_params, converted.trainable_params) == (model.count_params(), trainable)


@pytest.mark.parametrize("name", list(kmodels.BUILDERS))
def test_backward_and_hooks(saved, name):
    """Every section needs autograd (saliency, captum) and hooks (Grad-CAM, filters) on named layers."""
    model, files = saved[name]
    converted = load_keras(files["h5"][0])
    module, seen = converted.module, {}

    def hook(name):
        def record(_module, _inputs, output):
            seen.setdefault(name, tuple(output.shape))
        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in module.named_children()]
    x = _nchw(kmodels.images(model, n=2, scale=_scale(name))).requires_grad_(True)
    module(x)[:, 3].sum().backward()
    for h in handles:
        h.remove()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    assert all(p.grad is not None for p in module.parameters())
    for row in converted.rows:
        if row.module is None:
            continue
        shape = row.output_shape
        want = (2, shape[2], shape[0], shape[1]) if len(shape) == 3 else (2, *shape)
        assert seen[row.module] == want, row.name
        if row.activation:
            assert seen[row.activation] == want


def test_fused_activation_is_its_own_child(saved):
    _, files = saved["branches"]
    converted = load_keras(files["keras"][0])
    children = dict(converted.module.named_children())
    conv = next(r for r in converted.rows if r.class_name == "Conv2D")
    assert isinstance(children[conv.module], torch.nn.Conv2d)
    assert conv.activation == f"{conv.module}_relu" and isinstance(children[conv.activation], torch.nn.ReLU)
    assert converted.rectifiers[conv.module] == conv.activation
    assert "Connected to" in converted.summary_text()


def test_graph_and_chain_modules(saved):
    """A residual model runs as a graph; a Sequential is an nn.Sequential named after the Keras layers."""
    assert not isinstance(load_keras(saved["mini_xception"][1]["keras"][0]).module, torch.nn.Sequential)
    model, files = saved["tf_padding"]
    converted = load_keras(files["keras"][0])
    assert isinstance(converted.module, torch.nn.Sequential)
    children = [n for n, _ in converted.module.named_children()]
    assert [r.module for r in converted.rows] == [layer.name for layer in model.layers]
    assert children == [n for r in converted.rows for n in (r.module, r.activation) if n]


def test_frozen_layer_counts_as_non_trainable(tmp_path):
    """A layer saved with trainable=False (a frozen base) holds only non-trainable parameters in Keras."""
    import keras

    model = kmodels.randomize(kmodels.tf_padding())
    model.layers[0].trainable = False
    path = tmp_path / "frozen.keras"
    model.save(path)
    converted = load_keras(path)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert converted.non_trainable_params == frozen == model.layers[0].count_params()
    assert isinstance(model, keras.Model)
