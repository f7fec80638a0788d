"""Question: the model architecture, with every layer's output shape and parameter count."""

from __future__ import annotations

from fer_report.model.blocks import Block, describe_blocks
from fer_report.model.summary import summarize
from fer_report.report.section import Result, Section


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
        "arch.flow_blocks": "Shapes along the network, each residual block as one step (⊕: its output, the sum of "
                            "its two paths), the layers inside the blocks left out: {flow}.",
        "arch.residual": "The forward pass has {n} residual additions: each of these blocks adds a shortcut from its "
                         "input to the output of its branch ({convs} convolutions), then applies its activation: "
                         "{blocks}.",
        "arch.block_identity": "{names} ({kind}, {shape}, identity shortcut)",
        "arch.block_projection": "{names} ({kind}, {inp} → {out}; shortcut {shortcut}: {layers})",
        "arch.block_plain": "{names} ({kind}, {inp} → {out}; a shortcut without weights)",
        "arch.block": "Block",
        "arch.in_out": "Input → output",
        "arch.branch": "Branch convs",
        "arch.shortcut": "Shortcut",
        "arch.identity": "identity",
        "arch.onnx_folded": "{model} is an ONNX export, converted back into PyTorch layers (onnx2torch), so the table "
                            "counts the exported graph, which has no BatchNorm layer: torch.onnx.export (in eval "
                            "mode, its default) folds each BatchNorm that follows a convolution into that "
                            "convolution's weights and bias: if the PyTorch model it came from had such BatchNorm "
                            "layers, it counted 4 more numbers per BatchNorm channel than this table (γ and β, "
                            "trainable; the running mean and variance).",
        "arch.onnx_kept": "{model} is an ONNX export, converted back into PyTorch layers (onnx2torch), so the table "
                          "counts the exported graph; its {n} BatchNorm layers were kept by the export (not folded "
                          "into a preceding convolution).",
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
        "arch.flow_blocks": "各層輸出維度依序為（每個 residual block 算一步，⊕ 為其輸出，即兩條路徑之和；block 內部的層"
                            "省略）：{flow}。",
        "arch.residual": "forward pass 中有 {n} 處 residual 相加：以下每個 block 將由輸入出發的 shortcut 加到其分支"
                         "（{convs} 個 convolution）的輸出，再經過 activation：{blocks}。",
        "arch.block_identity": "{names}（{kind}，{shape}，identity shortcut）",
        "arch.block_projection": "{names}（{kind}，{inp} → {out}；shortcut {shortcut}：{layers}）",
        "arch.block_plain": "{names}（{kind}，{inp} → {out}；shortcut 不含權重）",
        "arch.block": "Block",
        "arch.in_out": "輸入 → 輸出",
        "arch.branch": "分支 conv 數",
        "arch.shortcut": "Shortcut",
        "arch.identity": "identity",
        "arch.onnx_folded": "{model} 是 ONNX 匯出檔，經 onnx2torch 轉回 PyTorch 層，因此此表計算的是匯出後的計算圖，"
                            "其中沒有 BatchNorm 層：torch.onnx.export（預設為 eval 模式）會把接在 convolution 之後的 "
                            "BatchNorm 併入該 convolution 的權重與 bias：若原本的 PyTorch 模型有這樣的 BatchNorm 層，"
                            "它每個 BatchNorm 通道比此表多 4 個數（可訓練的 γ、β，以及 running mean 與 variance）。",
        "arch.onnx_kept": "{model} 是 ONNX 匯出檔，經 onnx2torch 轉回 PyTorch 層，因此此表計算的是匯出後的計算圖；"
                          "其中 {n} 個 BatchNorm 層在匯出時保留（未併入前一個 convolution）。",
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
    side = spec.model_side  # a model behind a resize: its own input side
    blocks = residual_blocks(network, spec.shape)
    lines = [
        text("arch.summary", model=settings.model, total=s.total, trainable=s.trainable, buffers=s.buffers,
             layers=len(weighted)),
        *_onnx_note(settings, network, net, text),
        text("arch.input", channels=spec.channels, size=side, classes=len(dataset.classes)),
        text("arch.biggest", layer=biggest.name, kind=biggest.kind, params=biggest.trainable,
             share=biggest.trainable / max(1, s.trainable)),
        text("arch.flow_blocks" if blocks else "arch.flow", flow=" → ".join(_flow(s.rows, blocks, spec, side))),
        *([_residual_sentence(blocks, text)] if blocks else []),
    ]
    rows = [{"name": r.name, "kind": r.kind, "shape": "(None, " + ", ".join(map(str, r.output_shape)) + ")",
             "trainable": r.trainable, "buffers": r.buffers} for r in s.rows]
    numbers = {"model": settings.model, "input_shape": list(s.input_shape), "total_params": s.total,
               "trainable_params": s.trainable, "buffer_params": s.buffers, "layers": len(s.rows),
               "residual_blocks": [b.to_json() for b in blocks]}
    block_rows = [{"name": b.name, "kind": b.kind, "shapes": f"{_shape(b.input_shape)} → {_shape(b.output_shape)}",
                   "branch_convs": b.branch_convs,
                   "shortcut": text("arch.identity") if b.identity else
                   f"{b.shortcut or ''} {', '.join(b.shortcut_convs)}".strip()} for b in blocks]
    return Result(numbers=numbers, text=lines, tables={"layers": rows, "blocks": block_rows})


FLOW_KINDS = {"Conv2d", "MaxPool2d", "Flatten", "Linear", "AdaptiveAvgPool2d"}


def residual_blocks(network, shape: tuple[int, int, int]) -> list[Block]:
    """The residual blocks of the recorded forward pass (``explain.dataflow``: a block's output is the sum of
    two paths from its input, whatever its class), described; none for a model that refuses hooks."""
    from fer_report.explain.dataflow import residual_blocks as found
    from fer_report.explain.layers import trace

    try:
        calls = trace(network, shape)
    except RuntimeError:  # TorchScript refuses hooks: no recorded pass, no blocks to name
        return []
    return describe_blocks(calls, found(calls))


def _shape(shape) -> str:
    return "x".join(map(str, shape))


def _flow(rows, blocks: list[Block], spec, side: int) -> list[str]:
    """Output shapes in call order; a residual block is one step (its output, marked ⊕), not its inner layers."""
    flow, shown = [_shape((spec.channels, side, side))], set()
    for r in rows:
        block = next((b for b in blocks if r.name.startswith(b.name + ".")), None)
        if block is not None:
            if block.name not in shown:
                shown.add(block.name)
                flow.append(f"⊕ {_shape(block.output_shape)} ({block.name})")
        elif r.kind in FLOW_KINDS:
            flow.append(_shape(r.output_shape))
    return flow


def _residual_sentence(blocks: list[Block], text) -> str:
    """The blocks in runs that look alike (same class, shapes and identity shortcut), each run named once."""
    runs: list[list[Block]] = []
    for b in blocks:
        last = runs[-1][-1] if runs else None
        if last is not None and b.identity and last.identity and (b.kind, b.input_shape, b.output_shape) == (
                last.kind, last.input_shape, last.output_shape):
            runs[-1].append(b)
        else:
            runs.append([b])
    parts = []
    for run in runs:
        b, names = run[0], ", ".join(x.name for x in run)
        if b.identity:
            parts.append(text("arch.block_identity", names=names, kind=b.kind, shape=_shape(b.output_shape)))
        elif b.shortcut_convs or b.shortcut:
            parts.append(text("arch.block_projection", names=names, kind=b.kind, inp=_shape(b.input_shape),
                              out=_shape(b.output_shape), shortcut=b.shortcut or "",
                              layers=", ".join(b.shortcut_convs) or "-"))
        else:
            parts.append(text("arch.block_plain", names=names, kind=b.kind, inp=_shape(b.input_shape),
                              out=_shape(b.output_shape)))
    convs = sorted({b.branch_convs for b in blocks})
    return text("arch.residual", n=len(blocks), convs="/".join(map(str, convs)), blocks="; ".join(parts))


def _onnx_note(settings, network, net, text) -> list[str]:
    """An ONNX export's parameter count is the exported graph's: BatchNorm after a conv is folded into it."""
    from torch import nn

    if net.kind != "onnx":
        return []
    norms = sum(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in network.modules())
    return [text("arch.onnx_kept", model=settings.model, n=norms) if norms else
            text("arch.onnx_folded", model=settings.model)]


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
