"""Question (2018 Fall Q4): parameters and multiplications/additions per layer, and the time complexity
of a CNN, answered on this run's own model and on the course's Layer A / Layer B example.

Every count comes from ``fer_report.model.complexity``: PyTorch's FlopCounterMode on one forward pass, with
the hand formula of each conv and linear layer checked against it exactly. A disagreement fails the
section (report.json still lists the check), because a wrong formula must not print a confident table.
"""

from __future__ import annotations

import math
from dataclasses import asdict

from fer_report.model import complexity as cx
from fer_report.draw.mathsvg import SvgWriter
from fer_report.report.requirements import LAYER_HOOKS
from fer_report.report.section import ChecksFailed, Result, Section

QUESTION = {
    "en": "How many parameters does each layer have, how many multiplications and additions does a forward "
          "pass need (each layer), and what is the time complexity of a CNN?",
    "zh-TW": "每一層各有多少參數？一次 forward pass 每一層需要多少次乘法與加法？CNN 的時間複雜度為何？",
}

STRINGS = {
    "en": {
        "cplx.h.model": "This run's model",
        "cplx.h.course": "The course's example: Layer A and Layer B",
        "cplx.h.formulas": "Formulas and time complexity",
        "cplx.total": "{model} has {params:,} parameters and needs {macs:,} multiply-adds ({mmacs:.2f} M) for a "
                      "forward pass of one {shape} input, plus {bias:,} additions of biases.",
        "cplx.convention": "One multiply-add (MAC) is one multiplication and one addition. A dot product of K "
                           "terms takes K multiplications and K − 1 additions, and adding the bias makes it K, so "
                           "a conv or linear layer with a bias needs as many multiplications as additions: its "
                           "MACs. Activations, pooling and BatchNorm are not counted here.",
        "cplx.split": "The convolution layers ({convs}) take {conv_macs:,} multiply-adds ({conv_share:.1%} of the "
                      "forward pass), the linear layers ({linears}) {linear_macs:,}.",
        "cplx.no_conv": "{model} has no convolution: its linear layers ({linears}) take all {linear_macs:,} "
                        "multiply-adds.",
        "cplx.other": "Another {macs:,} multiply-adds come from operations the hand formulas do not cover "
                      "({kinds}); the counter measures them and the table lists them.",
        "cplx.unlisted": "{n:,} of the model's {total:,} parameters belong to no layer that ran in the forward "
                         "pass (unused layers, or parameters held by a container), so the table leaves them out.",
        "cplx.check": "Check: for all {cases} conv and linear layers the hand formula gives exactly the "
                      "multiply-adds that torch.utils.flop_counter.FlopCounterMode counts in the forward pass "
                      "(largest difference {err:g}); passed.",
        "cplx.check_none": "The model has no conv or linear layer, so there is no hand formula to check against "
                           "the counter.",
        "cplx.check_bad": "Check FAILED: the hand formula and FlopCounterMode differ by {err:g} multiply-adds in "
                          "{case}.",
        "cplx.course_setup": "The figure's Keras layers, built in PyTorch: Layer A = Conv2D({filters_a} filters, "
                             "kernel {ka}, strides {sa}, padding \"valid\") on an {in_a} input, Layer B = "
                             "Conv2D({filters_b} filters, kernel {kb}, strides {sb}, padding \"valid\"), both "
                             "with ReLU (which adds no parameter).",
        "cplx.course_layer": "Layer {name}: {inp} → {out}. Parameters: {k}·{c_in}·{c_out} weights + {c_out} "
                             "biases = {params:,}. Multiplications: {outputs} output values × {dot} = {mult:,}. "
                             "Additions: {outputs} × (({dot} − 1) + 1 for the bias) = {add:,}.",
        "cplx.course_total": "Together {params:,} parameters, {mult:,} multiplications and {add:,} additions; "
                             "FlopCounterMode measures the same {macs:,} multiply-adds on the two layers.",
        "cplx.time": "A forward pass costs the sum of its layers' multiply-adds: conv layer l has n_l²·C_l output "
                     "values (n_l its output side), each a dot product of k_l²·C_(l−1) terms. With L layers "
                     "alike (kernel k, c channels, input n, padding p, stride s, as question 4c sets them) the "
                     "bound is L times one layer:",
        "cplx.time_model": "For {model} this sum over its conv layers ({convs}) is {conv_macs:,} multiply-adds, as in "
                           "the table above.",
        "cplx.layer": "Layer",
        "cplx.kind": "Type",
        "cplx.output": "Output",
        "cplx.params": "Parameters",
        "cplx.macs": "Multiply-adds (counter)",
        "cplx.hand": "Formula",
        "cplx.sum": "Total",
        "cplx.input": "Input (H×W×C)",
        "cplx.output_hwc": "Output (H×W×C)",
        "cplx.mult": "Multiplications",
        "cplx.add": "Additions",
    },
    "zh-TW": {
        "cplx.h.model": "本次執行的模型",
        "cplx.h.course": "課程的例子：Layer A 與 Layer B",
        "cplx.h.formulas": "公式與時間複雜度",
        "cplx.total": "{model} 共有 {params:,} 個參數；對一張 {shape} 的輸入做一次 forward pass 需要 {macs:,} "
                      "次乘加（{mmacs:.2f} M），另加 {bias:,} 次 bias 的加法。",
        "cplx.convention": "一次乘加（MAC）即一次乘法加一次加法。K 項的內積需要 K 次乘法與 K − 1 次加法，再加上 "
                           "bias 就是 K 次加法，所以有 bias 的 conv 或 linear 層乘法與加法次數相同，都等於它的 "
                           "MAC 數。activation、pooling 與 BatchNorm 在此不計。",
        "cplx.split": "{convs} 個 convolution 層需要 {conv_macs:,} 次乘加（佔整個 forward pass 的 "
                      "{conv_share:.1%}），{linears} 個 linear 層需要 {linear_macs:,} 次。",
        "cplx.no_conv": "{model} 沒有 convolution：全部 {linear_macs:,} 次乘加都來自它的 {linears} 個 linear 層。",
        "cplx.other": "另有 {macs:,} 次乘加來自手算公式未涵蓋的運算（{kinds}）；counter 有計入，表中也列出。",
        "cplx.unlisted": "模型的 {total:,} 個參數中，有 {n:,} 個不屬於 forward pass 中執行到的任何一層"
                         "（未使用的層，或由容器模組直接持有的參數），因此表中未列出。",
        "cplx.check": "驗證：全部 {cases} 個 conv 與 linear 層，手算公式的乘加次數都與 "
                      "torch.utils.flop_counter.FlopCounterMode 在 forward pass 中實際計得的完全相同"
                      "（最大差異 {err:g}）；通過。",
        "cplx.check_none": "此模型沒有 conv 或 linear 層，因此沒有可與 counter 比對的手算公式。",
        "cplx.check_bad": "驗證失敗：手算公式與 FlopCounterMode 在 {case} 相差 {err:g} 次乘加。",
        "cplx.course_setup": "題目圖中的 Keras 層以 PyTorch 建立：Layer A = Conv2D（{filters_a} 個 filter、"
                             "kernel {ka}、strides {sa}、padding \"valid\"），輸入為 {in_a}；Layer B = Conv2D"
                             "（{filters_b} 個 filter、kernel {kb}、strides {sb}、padding \"valid\"），兩層都接 "
                             "ReLU（ReLU 沒有參數）。",
        "cplx.course_layer": "Layer {name}：{inp} → {out}。參數：{k}·{c_in}·{c_out} 個權重 + {c_out} 個 bias = "
                             "{params:,}。乘法：{outputs} 個輸出值 × {dot} = {mult:,}。加法：{outputs} × "
                             "(({dot} − 1) + 1 個 bias) = {add:,}。",
        "cplx.course_total": "兩層合計 {params:,} 個參數、{mult:,} 次乘法與 {add:,} 次加法；FlopCounterMode "
                             "在這兩層上量到的也是 {macs:,} 次乘加。",
        "cplx.time": "一次 forward pass 的成本是各層乘加次數的總和：第 l 個 conv 層有 n_l²·C_l 個輸出值（n_l "
                     "為輸出邊長），每個輸出值是 k_l²·C_(l−1) 項的內積。若 L 層都相同（kernel k、c 個 channel、"
                     "輸入 n、padding p、stride s，如第 4c 題的設定），上界就是單層的 L 倍：",
        "cplx.time_model": "以 {model} 而言，{convs} 個 conv 層的總和為 {conv_macs:,} 次乘加，即上表中的數字。",
        "cplx.layer": "層",
        "cplx.kind": "類型",
        "cplx.output": "輸出",
        "cplx.params": "參數",
        "cplx.macs": "乘加次數（counter）",
        "cplx.hand": "公式",
        "cplx.sum": "合計",
        "cplx.input": "輸入（H×W×C）",
        "cplx.output_hwc": "輸出（H×W×C）",
        "cplx.mult": "乘法",
        "cplx.add": "加法",
    },
}

_CONV_KINDS = ("Conv1d", "Conv2d", "Conv3d")


def run(settings, network, spec, figures, text) -> Result:
    costs = cx.layer_costs(network, spec.shape)
    check = cx.check(costs)
    course = cx.course_example()
    model = _model_name(settings.model)
    lines, numbers = _model_part(model, network, spec, costs, check, text)
    numbers.update(course=[asdict(x) for x in course.layers], course_check=course.check.to_json())
    failed = [c for c in (check, course.check) if not c.passed]
    if failed:
        raise ChecksFailed("; ".join(f"check {c.name} failed: {c.max_error:g} multiply-adds apart in {c.worst_case}"
                                     for c in failed), numbers)
    course_lines = _course_part(course, text)
    time_lines = [text("cplx.time")]
    convs = [c for c in costs if c.kind in _CONV_KINDS]
    time_model = [text("cplx.time_model", model=model, convs=len(convs), conv_macs=numbers["conv_macs"])] \
        if convs else []
    course_rows = [{"name": x.name, "input": _hwc(x.input_shape), "output": _hwc(x.output_shape),
                    "params": x.params, "mult": x.multiplications, "add": x.additions, "macs": x.counter_macs}
                   for x in course.layers]
    return Result(numbers=numbers, text=lines + course_lines + time_lines + time_model,
                  tables={"layers": numbers["layers"], "lines": lines, "course": course_rows,
                          "course_lines": course_lines, "formulas": [_svg(figures, f) for f in cx.cost_formulas_latex()],
                          "time": _svg(figures, cx.time_complexity_latex()), "time_lines": time_lines,
                          "time_model": time_model})


def _model_part(model: str, network, spec, costs: list[cx.LayerCost], check, text) -> tuple[list[str], dict]:
    """The run's model: totals, where the multiply-adds go, and the check of the hand formulas."""
    total = cx.totals(costs)
    convs = [c for c in costs if c.kind in _CONV_KINDS]
    linears = [c for c in costs if c.kind == "Linear"]
    conv_macs, linear_macs = sum(c.macs for c in convs), sum(c.macs for c in linears)
    other = [c for c in costs if c.macs and c.kind not in _CONV_KINDS and c.kind != "Linear"]
    all_params = sum(p.numel() for p in network.parameters())
    lines = [text("cplx.total", model=model, params=total.params, macs=total.macs, mmacs=total.macs / 1e6,
                  shape=_hwc(spec.shape), bias=total.bias_adds),
             text("cplx.convention")]
    if convs:
        lines.append(text("cplx.split", convs=len(convs), conv_macs=conv_macs,
                          conv_share=conv_macs / max(1, total.macs), linears=len(linears), linear_macs=linear_macs))
    elif linears:
        lines.append(text("cplx.no_conv", model=model, linears=len(linears), linear_macs=linear_macs))
    if other:
        lines.append(text("cplx.other", macs=sum(c.macs for c in other),
                          kinds=", ".join(sorted({c.kind for c in other}))))
    if all_params != total.params:
        lines.append(text("cplx.unlisted", n=all_params - total.params, total=all_params))
    lines.append(_check_sentence(check, text))
    rows = [{"name": c.name, "kind": c.kind, "shape": _hwc(c.output_shape), "params": c.params, "macs": c.macs,
             "hand": c.hand_macs} for c in costs]
    return lines, {"model": model, "input_shape": list(spec.shape), "params": total.params, "macs": total.macs,
                   "bias_adds": total.bias_adds, "conv_macs": conv_macs, "linear_macs": linear_macs,
                   "model_params": all_params, "layers": rows, "check": check.to_json()}


def _course_part(course: cx.CourseExample, text) -> list[str]:
    """The 2018 Fall figure's Layer A and Layer B, each count spelled out as the question asks for it."""
    a, b = (cx.course_layers().get_submodule(n) for n in ("A", "B"))
    lines = [text("cplx.course_setup", filters_a=a.out_channels, ka=_pair(a.kernel_size), sa=_pair(a.stride),
                  in_a=_hwc(course.layers[0].input_shape), filters_b=b.out_channels, kb=_pair(b.kernel_size),
                  sb=_pair(b.stride))]
    for layer, conv in zip(course.layers, (a, b)):
        lines.append(text("cplx.course_layer", name=layer.name, inp=_hwc(layer.input_shape),
                          out=_hwc(layer.output_shape), k="×".join(map(str, conv.kernel_size)),
                          c_in=conv.in_channels, c_out=conv.out_channels, params=layer.params,
                          outputs=math.prod(layer.output_shape), dot=math.prod(conv.kernel_size) * conv.in_channels,
                          mult=layer.multiplications, add=layer.additions))
    lines.append(text("cplx.course_total", params=sum(x.params for x in course.layers),
                      mult=sum(x.multiplications for x in course.layers),
                      add=sum(x.additions for x in course.layers), macs=sum(x.counter_macs for x in course.layers)))
    lines.append(_check_sentence(course.check, text))
    return lines


def _check_sentence(check, text) -> str:
    if check.cases == 0:
        return text("cplx.check_none")
    if not check.passed:
        return text("cplx.check_bad", err=check.max_error, case=check.worst_case)
    return text("cplx.check", cases=check.cases, err=check.max_error)


def _model_name(model: str) -> str:
    """``model.py:Net`` -> ``Net``; a saved model file -> its file name; a built-in as it is."""
    return model.rpartition(":")[2] if ":" in model else model.replace("\\", "/").rpartition("/")[2]


def _hwc(shape) -> str:
    return "×".join(map(str, shape))


def _pair(v) -> str:
    return f"({', '.join(map(str, v))})"


def _svg(figures, latex: str) -> dict:
    """The formula as an SVG file under build/figures/math/, as the math section stores them."""
    return {"latex": latex, **SvgWriter(figures.build_dir, figures.dir / "math").display(latex)}


section = Section(name="complexity", order=15, run=run, question=QUESTION, strings=STRINGS, requires=(LAYER_HOOKS,),
                  summary="Parameters and multiply-adds per layer (FlopCounterMode, checked against the hand "
                          "formula), the course's Layer A/B example, the time complexity typeset")
