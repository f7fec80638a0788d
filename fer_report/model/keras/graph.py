"""The whole model as one nn.Module whose children are the Keras layers, by their Keras names.

A Sequential model, and a Functional one whose layers form a single chain, becomes an
``nn.Sequential`` subclass: each child runs once, in order, which is what layer searches such as
"the ReLU right after this conv" rely on. Any other Functional model (residual Adds, Concatenate
branches, a layer called twice) becomes a graph module that runs its steps in a topological order of
the config's ``inbound_nodes``. A fused ``activation=`` is the child after its layer, named
``<layer>_<activation>`` (``conv2d_1_relu``); an InputLayer has no child.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import torch
from torch import nn

from .config import MODEL_CLASSES, LayerSpec, ModelSpec, Problem, Ref, model_spec
from .layers import BUILDERS, Built, Ctx, build
from .summary import LayerRow, totals
from .weights import LayerWeights


class KerasSequential(nn.Sequential):
    """A Keras model whose layers run one after another; takes NCHW like every torch conv net."""


class KerasGraph(nn.Module):
    """A Functional Keras model with branches: ``steps`` are (output key, children, input keys, merge)."""

    def __init__(self, children: OrderedDict, steps: list, input_key: str, output_key: str) -> None:
        super().__init__()
        for name, module in children.items():
            self.add_module(name, module)
        self.steps, self.input_key, self.output_key = steps, input_key, output_key

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        env = {self.input_key: x}
        for out, names, ins, merge in self.steps:
            value = [env[k] for k in ins] if merge else env[ins[0]]
            for name in names:
                value = self._modules[name](value)
            env[out] = value
        return env[self.output_key]


@dataclass
class Assembled:
    module: nn.Module
    rows: list[LayerRow]
    output_shape: tuple
    rectifiers: dict[str, str] = field(default_factory=dict)  # conv child -> the ReLU child after it


class _Names:
    """Child names: the Keras name, made valid for torch (no '.') and unique."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def add(self, wanted: str) -> str:
        base = wanted.replace(".", "_") or "layer"
        name, i = base, 1
        while name in self.used:
            name, i = f"{base}_{i}", i + 1
        self.used.add(name)
        return name


def _key(ref: Ref) -> str:
    return f"{ref.layer}:{ref.node}:{ref.tensor}"


def _build(layer: LayerSpec, shapes: list, weights: LayerWeights) -> Built:
    ctx = Ctx(layer, shapes, weights.of(layer.name), weights.label, weights.nested.get(layer.name))
    return build(ctx)


def _children(built: Built, layer: LayerSpec, names: _Names, children: OrderedDict) -> tuple[str | None, str | None]:
    """Register the layer's module (and its fused activation) as children; their names."""
    if built.module is None:
        return None, None
    main = names.add(layer.name)
    children[main] = built.module
    if built.activation is None:
        return main, None
    act = names.add(f"{main}_{built.activation_name}")
    children[act] = built.activation
    return main, act


def _row(layer: LayerSpec, built: Built, main, act, connected=()) -> LayerRow:
    return LayerRow(layer.name, layer.class_name, tuple(built.shape), built.trainable, built.non_trainable,
                    tuple(connected), main, act, layer.config)


def _sequential(spec: ModelSpec, weights: LayerWeights, shape: tuple) -> Assembled:
    names, children, rows, steps = _Names(), OrderedDict(), [], []
    for i, layer in enumerate(spec.layers):
        if layer.class_name == "InputLayer":
            continue
        built = _build(layer, [shape], weights)
        main, act = _children(built, layer, names, children)
        rows.append(_row(layer, built, main, act))
        steps.append((str(i), [n for n in (main, act) if n], [steps[-1][0] if steps else "input"], False))
        shape = built.shape
    return Assembled(KerasSequential(children), rows, shape, _rectifiers(steps, children))


def _order(spec: ModelSpec, layers: dict[str, LayerSpec]) -> list[tuple[str, int]]:
    """The calls (layer, node) the output needs, each after its inputs."""
    order, done = [], set()

    def visit(ref: Ref) -> None:
        key = (ref.layer, ref.node)
        if key in done:
            return
        if ref.layer not in layers:
            raise Problem(f"the graph refers to a layer '{ref.layer}' the model does not have")
        layer = layers[ref.layer]
        done.add(key)
        if layer.class_name != "InputLayer":
            if ref.node >= len(layer.calls):
                raise Problem(f"layer '{ref.layer}' has no call {ref.node} in its inbound_nodes")
            for r in layer.calls[ref.node]:
                visit(r)
        order.append(key)

    visit(spec.outputs[0])
    return order


def _functional(spec: ModelSpec, weights: LayerWeights, shape: tuple) -> Assembled:
    layers = {layer.name: layer for layer in spec.layers}
    if len(spec.inputs) != 1:
        raise Problem(f"the model has {len(spec.inputs)} inputs; fer-report needs a single image input")
    if len(spec.outputs) != 1:
        outs = ", ".join(r.layer for r in spec.outputs)
        raise Problem(f"the model has {len(spec.outputs)} outputs ({outs}); fer-report needs one (N, 7) output")
    names, children, steps = _Names(), OrderedDict(), []
    shapes = {_key(spec.inputs[0]): shape}
    built_of: dict[str, tuple[Built, str | None, str | None]] = {}
    for name, node in _order(spec, layers):
        layer = layers[name]
        if layer.class_name == "InputLayer":
            built_of[name] = (Built(None, shape), None, None)
            continue
        refs = layer.calls[node]
        if any(r.tensor != 0 for r in refs):
            raise Problem(f"layer '{name}' takes a second output of a layer; supported layers have one output")
        ins = [shapes[_key(r)] for r in refs]
        if name not in built_of:
            built = _build(layer, ins, weights)
            built_of[name] = (built, *_children(built, layer, names, children))
        built, main, act = built_of[name]
        out = _key(Ref(name, node, 0))
        shapes[out] = built.shape
        merge = len(refs) > 1 or layer.class_name in ("Add", "Concatenate", "Subtract", "Multiply", "Average",
                                                      "Maximum", "Minimum")
        steps.append((out, [n for n in (main, act) if n], [_key(r) for r in refs], merge))
    rows = [_row(layer, built_of[layer.name][0], *built_of[layer.name][1:],
                 [f"{r.layer}[{r.node}][{r.tensor}]" for call in layer.calls for r in call])
            for layer in spec.layers if layer.name in built_of]
    output_shape = shapes[_key(spec.outputs[0])]
    chain = all(not merge and ins == [prev] for (_, _, ins, merge), prev
                in zip(steps, [_key(spec.inputs[0])] + [s[0] for s in steps]))
    if chain and len({s[0].split(":")[0] for s in steps}) == len(steps):
        return Assembled(KerasSequential(children), rows, output_shape, _rectifiers(steps, children))
    graph = KerasGraph(children, steps, _key(spec.inputs[0]), _key(spec.outputs[0]))
    return Assembled(graph, rows, output_shape, _rectifiers(steps, children))


def _rectifiers(steps: list, children: OrderedDict) -> dict[str, str]:
    """For each conv of a graph module, the ReLU that rectifies its output (through one BatchNorm at most)."""
    consumers: dict[str, list] = {}
    for step in steps:
        for k in step[2]:
            consumers.setdefault(k, []).append(step)
    found = {}
    for out, names, _, _ in steps:
        if not names or not _is_conv(children[names[0]]):
            continue
        if len(names) > 1 and isinstance(children[names[1]], nn.ReLU):
            found[names[0]] = names[1]
            continue
        key = out
        for _ in range(2):
            nxt = consumers.get(key, [])
            if len(nxt) != 1 or len(nxt[0][1]) != 1:
                break
            module = children[nxt[0][1][0]]
            if isinstance(module, nn.ReLU):
                found[names[0]] = nxt[0][1][0]
                break
            if not isinstance(module, nn.modules.batchnorm._BatchNorm):
                break
            key = nxt[0][0]
    return found


def _is_conv(module: nn.Module) -> bool:
    from .convs import SeparableConv2d

    return isinstance(module, (nn.Conv2d, SeparableConv2d))


def assemble(spec: ModelSpec, weights: LayerWeights, input_shape: tuple) -> Assembled:
    """The nn.Module, Keras's rows and the output shape of a model read from a file."""
    if spec.kind == "Sequential":
        return _sequential(spec, weights, input_shape)
    return _functional(spec, weights, input_shape)


def _nested(ctx: Ctx) -> Built:
    """A model used as a layer (e.g. a Sequential augmentation block or a base network): one child."""
    inner = assemble(model_spec(ctx.layer.raw), ctx.nested or LayerWeights(ctx.label), ctx.shape)
    total, trainable, frozen = totals(inner.rows)
    if ctx.cfg.get("trainable", True) is False:
        trainable, frozen = 0, total
    return Built(inner.module, inner.output_shape, trainable, frozen, inner_rows=inner.rows)


for _cls in MODEL_CLASSES:
    BUILDERS[_cls] = _nested
