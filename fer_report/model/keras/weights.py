"""The arrays of each layer, from either HDF5 weights layout Keras has written.

* Keras 2.0-2.12 (`save_weights` to `.h5`, and the `model_weights` group of every full-model `.h5`,
  Keras 3's legacy writer included): a `layer_names` attribute, one group per layer whose
  `weight_names` attribute lists its datasets in order (`conv2d_1/kernel:0`, or
  `sequential/conv2d/kernel` from Keras 3).
* Keras 3 and tf-keras 2.13+ (`.weights.h5`, `model.weights.h5` inside a `.keras`):
  `layers/<key>/vars/<i>`, where `<key>` is *not* the layer's name but its class in snake case with a
  counter (`conv2d`, `conv2d_1`, ...) in the model's layer order. That is how Keras itself finds them
  (the `name` attribute Keras 3 adds is not used by Keras, and tf-keras does not write it), so a
  to_json from one session loads with weights saved from a rebuilt model whose layers got other names.

In the legacy layout layers are matched by name when every name in the file is in the architecture,
else by position among the layers that hold weights, which is what Keras 2's `load_weights` does.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .config import LayerSpec, Problem

Arrays = list[tuple[str | None, np.ndarray]]  # (short weight name or None when positional, array)


@dataclass
class LayerWeights:
    """The arrays of each layer (by Keras layer name) and where they were read from (for messages)."""

    label: str
    by_layer: dict[str, Arrays] = field(default_factory=dict)
    nested: dict[str, LayerWeights] = field(default_factory=dict)  # a model used as a layer

    def of(self, name: str) -> Arrays:
        return self.by_layer.get(name, [])


def to_snake_case(name: str) -> str:
    """Keras's own rule (`naming.to_snake_case`) for a class name: PReLU -> p_re_lu, Conv2D -> conv2d."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _array(dataset) -> np.ndarray:
    return np.asarray(dataset[()], dtype=np.float32)


def _short(weight_name: str) -> str:
    """'sequential/conv2d/kernel' or 'conv2d_1/kernel:0' -> 'kernel'."""
    return weight_name.rsplit("/", 1)[-1].split(":")[0]


#: Classes that hold weights (a Normalization only when its statistics are not in its config).
WEIGHTED = ("Conv2D", "SeparableConv2D", "DepthwiseConv2D", "Dense", "BatchNormalization", "PReLU",
            "Normalization", "Sequential", "Functional", "Model")


def _holds_weights(layer: LayerSpec) -> bool:
    if layer.class_name == "Normalization":
        return layer.config.get("mean") is None
    return layer.class_name in WEIGHTED


def _matched(group, layers: list[LayerSpec]) -> list[tuple[str, str]]:
    """(name in the file, name in the architecture) of each layer group: by name, else by position."""
    in_file = [_text(raw) for raw in group.attrs["layer_names"]]
    names = {layer.name for layer in layers}
    if all(n in names for n in in_file):
        return [(n, n) for n in in_file]
    with_weights = [n for n in in_file if n in group and len(group[n].attrs.get("weight_names", []))]
    needing = [layer.name for layer in layers if _holds_weights(layer)]
    return list(zip(with_weights, needing))


def _legacy(group, layers: list[LayerSpec], label: str) -> LayerWeights:
    store = LayerWeights(label)
    specs = {layer.name: layer for layer in layers}
    for name, target in _matched(group, layers):
        if name not in group:
            raise Problem(f"{label}: layer '{name}' is listed in layer_names but has no group")
        g = group[name]
        names = [_text(n) for n in g.attrs.get("weight_names", [])]
        arrays = [(_short(n), _array(g[n])) for n in names]
        spec = specs.get(target)
        if spec is not None and spec.class_name in ("Sequential", "Functional", "Model"):
            inner = LayerWeights(label)
            for full, (short, arr) in zip(names, arrays):
                parts = full.split(":")[0].split("/")
                inner.by_layer.setdefault(parts[-2] if len(parts) > 1 else name, []).append((short, arr))
            store.nested[target] = inner
        store.by_layer[target] = arrays
    return store


def _vars_of(group) -> Arrays:
    if "vars" not in group:
        return []
    v = group["vars"]
    return [(None, _array(v[k])) for k in sorted(v.keys(), key=int)]


def _vars(root, layers: list[LayerSpec], label: str) -> LayerWeights:
    store = LayerWeights(label)
    groups = root["layers"]
    counters: Counter[str] = Counter()
    for layer in layers:
        snake = to_snake_case(layer.class_name)
        n, counters[snake] = counters[snake], counters[snake] + 1
        key = snake if n == 0 else f"{snake}_{n}"
        if key not in groups:
            continue
        if layer.class_name in ("Sequential", "Functional", "Model") and "layers" in groups[key]:
            from .config import model_spec

            store.nested[layer.name] = _vars(groups[key], model_spec(layer.raw).layers, label)
        store.by_layer[layer.name] = _vars_of(groups[key])
    return store


def read_weights(root, layers: list[LayerSpec], label: str) -> LayerWeights:
    """The arrays of ``layers`` from an open HDF5 group in either layout (see the module's docstring)."""
    if "layer_names" in root.attrs:
        return _legacy(root, layers, label)
    if "layers" in root:
        return _vars(root, layers, label)
    raise Problem(f"{label}: no Keras weights in it (neither a 'layer_names' attribute nor a 'layers' group)")


def is_weights_file(root) -> bool:
    """Whether an open HDF5 file is a `save_weights` file (either layout) rather than a whole model."""
    return "model_config" not in root.attrs and ("layer_names" in root.attrs or "layers" in root)
