"""An ONNX file as a PyTorch module (through onnx2torch), including one exported for a batch of 1.

``torch.onnx.export(model, torch.randn(1, 1, 48, 48), "model.onnx")`` without ``dynamic_axes`` writes
every shape for one image: ``x.view(x.size(0), -1)`` becomes a Reshape to the constant ``[1, -1]``, so
two images become one row of twice the features and the first Linear refuses them ("mat1 and mat2
shapes cannot be multiplied"). Every section feeds batches, and several read layer outputs through
hooks (Grad-CAM, filters, the layer table), which a model run one image at a time would break. So
such a graph is rewritten: each Reshape whose constant shape starts with that batch of 1 copies the
batch dimension instead (ONNX's 0), and the result is kept only if a batch gives exactly the scores
of its images run one at a time.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch import nn

from fer_report.errors import UserError

log = logging.getLogger(__name__)
EXPORT_HINT = ('torch.onnx.export(model, x, "model.onnx", input_names=["input"], output_names=["output"], '
               'dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})')


def load_onnx(path: Path) -> nn.Module:
    """The file's graph converted to a ``torch.fx.GraphModule`` of ordinary layers."""
    return _convert(_read(path), path)


def with_batch(model: nn.Module, path: Path, channels: int, size: int) -> nn.Module:
    """The file's graph taking any batch, for a ``model`` (its conversion) that runs on one image only.

    Refused, with how to export the file, when no Reshape fixes the batch or when the rewritten graph
    does not give each image's own scores (a batch fixed elsewhere: Expand, Tile, a constant shape).
    """
    from fer_report.model.output import batch_error

    graph = _read(path)
    freed = _free_batch(graph)
    failed = f"a batch of 2: {batch_error(model, channels, size)}"
    if freed:
        batched = _convert(graph, path)
        error = batch_error(batched, channels, size)
        if error is None:
            x = torch.randn(3, channels, size, size, generator=torch.Generator().manual_seed(0))
            with torch.no_grad():
                one = torch.cat([_scores(model.eval()(x[i:i + 1])) for i in range(len(x))])
                diff = float((_scores(batched.eval()(x)) - one).abs().max())
            if diff <= 1e-5 + 1e-4 * float(one.abs().max()):
                log.warning("warning: %s was exported for a batch of 1 (no dynamic_axes): its %d Reshape%s to a "
                            "batch of 1 now keep%s the batch, checked to give each image's scores as one image at "
                            "a time; export with %s for a file that takes any batch", path, freed,
                            "s" if freed > 1 else "", "" if freed > 1 else "s", EXPORT_HINT)
                return batched
            error = f"its images' scores differ from one image at a time by up to {diff:.2g}"
        failed = f"a batch of 2 with its Reshape{'s' if freed > 1 else ''} to a batch of 1 freed: {error}"
    raise UserError(f"model file {path}: runs on one image at a time only ({failed}); expected a "
                    f"graph that takes a batch of images: export it with {EXPORT_HINT}")


def _free_batch(graph) -> int:
    """Point each Reshape whose constant target shape starts with 1 (the exported batch) at a copy starting
    with 0 (ONNX: keep that dimension of the input); mark the graph's inputs and outputs batch-free.
    Returns how many Reshapes were changed."""
    import numpy as np
    from onnx import numpy_helper

    constants = {t.name: numpy_helper.to_array(t) for t in graph.graph.initializer}
    for node in graph.graph.node:
        if node.op_type == "Constant":
            value = next((a for a in node.attribute if a.name == "value"), None)
            if value is not None:
                constants[node.output[0]] = numpy_helper.to_array(value.t)
    changed = 0
    for i, node in enumerate(graph.graph.node):
        if node.op_type != "Reshape" or len(node.input) < 2:
            continue
        shape = constants.get(node.input[1])
        if shape is None or shape.ndim != 1 or len(shape) < 2 or int(shape[0]) != 1:
            continue
        name = f"{node.input[1]}__any_batch_{i}"
        graph.graph.initializer.append(numpy_helper.from_array(np.concatenate([[0], shape[1:]]).astype(shape.dtype),
                                                               name=name))
        node.input[1] = name
        changed += 1
    for value in list(graph.graph.input) + list(graph.graph.output):
        dims = value.type.tensor_type.shape.dim
        if dims and dims[0].dim_value == 1:
            dims[0].dim_param = "batch"
    return changed


def _scores(out) -> torch.Tensor:
    out = out[0] if isinstance(out, (tuple, list)) else out
    return out.float().flatten(1)


def _read(path: Path):
    try:
        import onnx
        import onnx2torch  # noqa: F401 (checked here: both are needed)
    except ImportError:
        raise UserError(f"model file {path}: reading ONNX needs onnx and onnx2torch; "
                        "pip install 'fer-report[onnx]'") from None
    try:
        return onnx.load(str(path))
    except Exception as exc:
        raise UserError(f"model file {path}: not a readable ONNX file ({type(exc).__name__}: "
                        f"{str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ''}); "
                        "expected a file written by torch.onnx.export") from None


def _convert(graph, path: Path) -> nn.Module:
    from onnx2torch import convert

    try:
        return convert(graph)
    except NotImplementedError as exc:  # e.g. AveragePool at opset 19: onnx2torch lags the exporter
        raise UserError(f"model file {path}: onnx2torch cannot convert it ({str(exc).splitlines()[0][:200]}); "
                        "expected a graph onnx2torch supports: export with torch.onnx.export(..., opset_version=17)"
                        ) from None
