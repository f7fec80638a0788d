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
        "arch.keras": "The table is Keras's own account of {file} ({kind}): its layer names and types, output shapes "
                      "with the batch axis first and channels last as Keras prints them, and its parameter counts. "
                      "The input is {shape} (height, width, channels); the output is {classes} class scores.",
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
        "arch.keras": "此表即 Keras 對 {file}（{kind}）的描述：層名稱與類型、依 Keras 慣例（批次維度在前、通道在後）"
                      "列出的輸出維度，以及參數數量。輸入為 {shape}（高、寬、通道）；輸出為 {classes} 個類別的分數。",
    },
}


def run(settings, dataset, network, net, spec, text) -> Result:
    if net.kind == "keras":
        return _keras(settings, dataset, net.keras, text)
    s = summarize(network, spec.shape)
    weighted = [r for r in s.rows if r.trainable or r.buffers]
    biggest = max(weighted, key=lambda r: r.trainable)
    flow_kinds = {"Conv2d", "MaxPool2d", "Flatten", "Linear", "AdaptiveAvgPool2d"}
    side = spec.model_side  # a model behind a resize: its own input side
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


KERAS_FLOW = {"Conv2D", "SeparableConv2D", "DepthwiseConv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dense",
              "GlobalAveragePooling2D", "GlobalMaxPooling2D"}


def _keras(settings, dataset, keras, text) -> Result:
    """The model as ``model.summary()`` describes it: Keras's names, NHWC shapes and Keras's counts."""
    from fer_report.model.keras.summary import shape_text

    weighted = [r for r in keras.rows if r.params]
    biggest = max(weighted, key=lambda r: r.trainable)
    flow = " → ".join([shape_text(keras.input_shape)] +
                      [r.shape_text for r in keras.rows if r.class_name in KERAS_FLOW])
    total, trainable, frozen = keras.total_params, keras.trainable_params, keras.non_trainable_params
    lines = [
        text("arch.keras", file=settings.model, kind=keras.file_kind, shape=shape_text(keras.input_shape),
             classes=len(dataset.classes)),
        text("arch.summary", model=settings.model, total=total, trainable=trainable, buffers=frozen,
             layers=len(weighted)),
        text("arch.biggest", layer=biggest.name, kind=biggest.class_name, params=biggest.trainable,
             share=biggest.trainable / max(1, trainable)),
        text("arch.flow", flow=flow),
    ]
    rows = [{"name": r.name, "kind": r.class_name, "shape": r.shape_text, "trainable": r.trainable,
             "buffers": r.non_trainable} for r in keras.rows]
    numbers = {"model": settings.model, "input_shape": list(keras.input_shape), "total_params": total,
               "trainable_params": trainable, "buffer_params": frozen, "layers": len(keras.rows),
               "keras": {"name": keras.name, "kind": keras.kind, "file_kind": keras.file_kind,
                         "keras_version": keras.keras_version}}
    return Result(numbers=numbers, text=lines, tables={"layers": rows})


section = Section(name="architecture", order=10, run=run, question=QUESTION, strings=STRINGS,
                  summary="Keras-style layer table: output shapes, parameter counts, trainable vs buffers")
