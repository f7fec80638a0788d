"""Question: the model architecture, with every layer's output shape and parameter count."""

from __future__ import annotations

from fer_report.section import Result, Section
from fer_report.summary import summarize


def run(settings, dataset, network, text) -> Result:
    size = dataset.image_size
    s = summarize(network, (1, size, size))
    weighted = [r for r in s.rows if r.trainable or r.buffers]
    biggest = max(weighted, key=lambda r: r.trainable)
    flow_kinds = {"Conv2d", "MaxPool2d", "Flatten", "Linear", "AdaptiveAvgPool2d"}
    flow = " → ".join(["x".join(map(str, (1, size, size)))] +
                      ["x".join(map(str, r.output_shape)) for r in s.rows if r.kind in flow_kinds])
    lines = [
        text("arch.summary", model=settings.model, total=s.total, trainable=s.trainable, buffers=s.buffers,
             layers=len(weighted)),
        text("arch.input", channels=1, size=size, classes=len(dataset.classes)),
        text("arch.biggest", layer=biggest.name, kind=biggest.kind, params=biggest.trainable,
             share=biggest.trainable / max(1, s.trainable)),
        text("arch.flow", flow=flow),
    ]
    rows = [{"name": r.name, "kind": r.kind, "shape": "(None, " + ", ".join(map(str, r.output_shape)) + ")",
             "trainable": r.trainable, "buffers": r.buffers} for r in s.rows]
    numbers = {"model": settings.model, "input_shape": list(s.input_shape), "total_params": s.total,
               "trainable_params": s.trainable, "buffer_params": s.buffers, "layers": len(s.rows)}
    return Result(numbers=numbers, text=lines, tables={"layers": rows})


section = Section(name="architecture", order=10, run=run,
                  summary="Keras-style layer table: output shapes, parameter counts, trainable vs buffers")
