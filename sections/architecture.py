"""Question: the model architecture, with every layer's output shape and parameter count."""

from __future__ import annotations

from fer_report.report.section import Result, Section
from fer_report.model.summary import summarize


QUESTION = {
    "en": "Describe the model architecture you used, including the dimensions of each layer and how the layers "
          "connect.",
    "zh-TW": "請說明這次使用的 model 架構，包含各層維度及連接方式。",
}

STRINGS = {
    "en": {
        "arch.layer": "Layer",
        "arch.type": "Type",
        "arch.output": "Output shape",
        "arch.params": "Params",
        "arch.buffers": "Buffers",
        "arch.total": "Total {total:,} = {trainable:,} trainable + {buffers:,} non-trainable",
        "arch.summary": "{model} has {total:,} parameters in Keras's count: {trainable:,} trainable and "
                        "{buffers:,} non-trainable BatchNorm running statistics, in {layers} layers with weights.",
        "arch.input": "The input is a {channels}-channel {size}x{size} image; the output is {classes} class "
                      "scores.",
        "arch.biggest": "The largest layer is {layer} ({kind}) with {params:,} parameters ({share:.0%} of the "
                        "trainable ones).",
        "arch.flow": "Shapes along the network: {flow}.",
    },
    "zh-TW": {
        "arch.layer": "層",
        "arch.type": "類型",
        "arch.output": "輸出維度",
        "arch.params": "參數",
        "arch.buffers": "緩衝",
        "arch.total": "合計 {total:,} = {trainable:,} 個可訓練 + {buffers:,} 個不可訓練",
        "arch.summary": "{model} 依 Keras 的算法共有 {total:,} 個參數：{trainable:,} 個可訓練參數，以及 "
                        "{buffers:,} 個不可訓練的 BatchNorm 統計量，共 {layers} 個含權重的層。",
        "arch.input": "輸入為 {channels} 通道、{size}x{size} 的影像；輸出為 {classes} 個類別的分數。",
        "arch.biggest": "參數最多的層是 {layer}（{kind}），有 {params:,} 個參數（佔可訓練參數的 {share:.0%}）。",
        "arch.flow": "各層輸出維度依序為：{flow}。",
    },
}


def run(settings, dataset, network, spec, text) -> Result:
    s = summarize(network, spec.shape)
    weighted = [r for r in s.rows if r.trainable or r.buffers]
    biggest = max(weighted, key=lambda r: r.trainable)
    flow_kinds = {"Conv2d", "MaxPool2d", "Flatten", "Linear", "AdaptiveAvgPool2d"}
    side = spec.meta.get("model_size", spec.size)  # a model behind a resize: its own input side
    flow = " → ".join(["x".join(map(str, (spec.channels, side, side)))] +
                      ["x".join(map(str, r.output_shape)) for r in s.rows if r.kind in flow_kinds])
    lines = [
        text("arch.summary", model=settings.model, total=s.total, trainable=s.trainable, buffers=s.buffers,
             layers=len(weighted)),
        text("arch.input", channels=spec.channels, size=side, classes=len(dataset.classes)),
        text("arch.biggest", layer=biggest.name, kind=biggest.kind, params=biggest.trainable,
             share=biggest.trainable / max(1, s.trainable)),
        text("arch.flow", flow=flow),
    ]
    rows = [{"name": r.name, "kind": r.kind, "shape": "(None, " + ", ".join(map(str, r.output_shape)) + ")",
             "trainable": r.trainable, "buffers": r.buffers} for r in s.rows]
    numbers = {"model": settings.model, "input_shape": list(s.input_shape), "total_params": s.total,
               "trainable_params": s.trainable, "buffer_params": s.buffers, "layers": len(s.rows)}
    return Result(numbers=numbers, text=lines, tables={"layers": rows})


section = Section(name="architecture", order=10, run=run, question=QUESTION, strings=STRINGS,
                  summary="Keras-style layer table: output shapes, parameter counts, trainable vs buffers")
