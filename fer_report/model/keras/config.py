"""The architecture as the file's JSON states it, in one shape for Keras 2.0, tf.keras 2.x and Keras 3.

The three writers differ in small ways that each break a naive reader: Keras 2.0's Sequential config
is a bare list of layers, Keras 2 names the input shape `batch_input_shape` and Keras 3
`batch_shape`, and a layer's inputs (`inbound_nodes`) are `[[["conv2d_1", 0, 0, {}]]]` lists in
Keras 2 but `{"args": [keras tensors], "kwargs": {}}` records in Keras 3. This module reads the JSON
only; nothing in the file is imported or run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Class names of a whole model, as the different Keras versions write them.
MODEL_CLASSES = ("Sequential", "Functional", "Model")


class Problem(Exception):
    """A fault in the file's content; the loader prefixes the file's name and raises a UserError."""


@dataclass(frozen=True)
class Ref:
    """One tensor of the graph: output ``tensor`` of call ``node`` of layer ``layer``."""

    layer: str
    node: int = 0
    tensor: int = 0


@dataclass
class LayerSpec:
    name: str
    class_name: str
    config: dict[str, Any]
    calls: list[list[Ref]] = field(default_factory=list)  # inputs of each call (Functional only)
    raw: dict[str, Any] = field(default_factory=dict)  # the layer's entry as the file has it


@dataclass
class ModelSpec:
    kind: str  # "Sequential" or "Functional"
    name: str
    layers: list[LayerSpec]
    inputs: list[Ref]
    outputs: list[Ref]
    input_shape: tuple | None  # without the batch axis, as Keras has it (H, W, C)
    raw: dict[str, Any]


def _tensor_refs(obj: Any) -> list[Ref]:
    """Every Keras-3 tensor in a node's ``args`` (nested lists/dicts), in order."""
    if isinstance(obj, dict):
        if obj.get("class_name") == "__keras_tensor__":
            name, node, tensor = obj["config"]["keras_history"][:3]
            return [Ref(name, int(node), int(tensor))]
        return [r for v in obj.values() for r in _tensor_refs(v)]
    if isinstance(obj, (list, tuple)):
        return [r for v in obj for r in _tensor_refs(v)]
    return []


def parse_calls(inbound: Any) -> list[list[Ref]]:
    """``inbound_nodes`` of either format as a list of calls, each the list of its input tensors."""
    calls = []
    for node in inbound or []:
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
            calls.append(_tensor_refs(node.get("args", [])))
        elif isinstance(node, (list, tuple)):  # Keras 2: [["name", node, tensor, {kwargs}], ...]
            if node and isinstance(node[0], str):  # a lone tensor not wrapped in a list
                node = [node]
            calls.append([Ref(t[0], int(t[1]), int(t[2])) for t in node])
        else:
            raise Problem(f"inbound_nodes entry {node!r} is neither the Keras 2 nor the Keras 3 format")
    return calls


def _refs(value: Any) -> list[Ref]:
    """``input_layers`` / ``output_layers``: ``["x", 0, 0]`` (Keras 3, one) or ``[["x", 0, 0], ...]``."""
    if not value:
        return []
    if isinstance(value, dict):  # a dict of named inputs/outputs (Keras 3)
        value = list(value.values())
    if isinstance(value[0], str):
        value = [value]
    return [Ref(v[0], int(v[1]), int(v[2])) for v in value]


def _shape(value: Any) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, dict) and "shape" in value:
        value = value["shape"]
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple, dict)):
        value = value[0]  # the first of several inputs; a multi-input model is refused later
    return tuple(None if d is None else int(d) for d in value[1:])


def batch_shape(config: dict[str, Any]) -> tuple | None:
    """A layer's declared input shape without the batch axis (``batch_shape``/``batch_input_shape``)."""
    for key in ("batch_shape", "batch_input_shape"):
        if config.get(key) is not None:
            return _shape(config[key])
    if config.get("input_shape") is not None:  # Keras 3 InputLayer(shape=...) in some writers
        return tuple(None if d is None else int(d) for d in config["input_shape"])
    return None


def _layer(entry: dict[str, Any]) -> LayerSpec:
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise Problem(f"a layer entry without a class_name: {str(entry)[:80]}")
    config = entry.get("config") or {}
    name = config.get("name") or entry.get("name") or ""
    return LayerSpec(name=str(name), class_name=str(entry["class_name"]), config=config,
                     calls=parse_calls(entry.get("inbound_nodes")), raw=entry)


def model_spec(root: dict[str, Any]) -> ModelSpec:
    """The model of a serialized config (``model_config`` attribute, ``config.json``, ``to_json()``)."""
    if not isinstance(root, dict) or root.get("class_name") not in MODEL_CLASSES:
        found = root.get("class_name") if isinstance(root, dict) else type(root).__name__
        raise Problem(f"the architecture is a {found!r}, not a Keras model (Sequential or Functional)")
    config = root.get("config")
    if isinstance(config, list):  # Keras 2.0.x Sequential: the config is the list of layers
        config = {"name": "sequential", "layers": config}
    layers = [_layer(e) for e in config.get("layers", [])]
    if root["class_name"] == "Sequential":
        shape = next((batch_shape(layer.config) for layer in layers if batch_shape(layer.config)), None)
        if shape is None:
            build = root.get("build_config") or {}
            shape = _shape(build.get("input_shape") or config.get("build_input_shape"))
        return ModelSpec("Sequential", str(config.get("name", "sequential")), layers, [], [], shape, root)
    inputs, outputs = _refs(config.get("input_layers")), _refs(config.get("output_layers"))
    by_name = {layer.name: layer for layer in layers}
    shape = None
    if inputs and inputs[0].layer in by_name:
        shape = batch_shape(by_name[inputs[0].layer].config)
    return ModelSpec("Functional", str(config.get("name", "model")), layers, inputs, outputs, shape, root)
