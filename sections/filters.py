"""Question: what the conv filters respond to (gradient ascent) and what they output on one test image."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from fer_report.explain.budget import Knob, budget_text
from fer_report.explain.course import export
from fer_report.explain.examples import one_per_class
from fer_report.explain.faithfulness import region_shares
from fer_report.explain.filters import (activations, ascend_filters, filter_count, high_frequency_share,
                                        mean_activation, mean_frequency, start_images)
from fer_report.explain.layers import conv_layers, get_layer, rectified
from fer_report.report.requirements import CONV_LAYERS, LAYER_HOOKS
from fer_report.report.section import Result, Section

MAX_FILTERS = 32  # filters shown (and optimised) per layer
ASCENT_STEPS, MIN_STEPS = 40, 10  # --budget may take the steps down to 10: the images are still readable
ASCENT_LR = 0.1
DEAD_FRAC = 0.01  # a filter whose peak output is below this share of the layer's largest is silent
PREFERRED_CLASS = "Happy"  # the input image: its mouth cue is the clearest
GRID_COLS = 8


QUESTION = {
    "en": "Use gradient ascent to see which images the filters respond to most, and plot the output of the "
          "filters for one image.",
    "zh-TW": "請利用 gradient ascent 觀察 filter 對什麼樣的圖片最敏感，並畫出某張圖片經過 filter 後的輸出。",
}

STRINGS = {
    "en": {
        "filt.gain": "Gradient ascent ({steps} steps from faint noise) raised the mean activation of {raised} of "
                     "{n} filters of {layer}, on average from {start:.2f} to {end:.2f}.",
        "filt.freq_finer": "The first layer's ascent images are finer-grained than the last layer's: "
                           "{hf_first:.0%} of the spectral energy of the {first} images lies above 0.25 cycles "
                           "per pixel (mean frequency {f_first:.2f} cycles per pixel), against {hf_last:.0%} for "
                           "{last} ({f_last:.2f}).",
        "filt.freq_coarser": "The first layer's ascent images are not finer-grained than the last layer's: "
                             "{hf_first:.0%} of the spectral energy of the {first} images lies above 0.25 cycles "
                             "per pixel (mean frequency {f_first:.2f} cycles per pixel), against {hf_last:.0%} "
                             "for {last} ({f_last:.2f}).",
        "filt.freq_one": "{hf:.0%} of the spectral energy of the {layer} ascent images lies above 0.25 cycles per "
                         "pixel (mean frequency {freq:.2f} cycles per pixel).",
        "filt.silent_relu": "On the {cls} test image, {silent} of {n} filters of {layer} stay silent: after {kind} "
                            "their output never exceeds {frac:.0%} of the layer's strongest response.",
        "filt.silent": "On the {cls} test image, {silent} of {n} filters of {layer} stay silent: their output "
                       "never exceeds {frac:.0%} of the layer's strongest response.",
        "filt.strongest_region": "The filters of {layer} with the highest mean output on this image are "
                                 "{filters}; filter {top} peaks on the {region}.",
        "filt.strongest_none": "The filters of {layer} with the highest mean output on this image are {filters}; "
                               "filter {top} peaks outside the drawn cue regions.",
        "filt.strongest": "The filters of {layer} with the highest mean output on this image are {filters}.",
        "filt.selective": "Filter {filter} of {layer} is the most concentrated on one cue: {share:.0%} of its "
                          "output lies on the {region}, which covers {area:.0%} of the image.",
        "filt.budget.steps": "gradient-ascent steps",
        "filt.grid_title": "{layer}: {n} of {total} filters",
        "filt.some": "{layer} has {total} filters; the figures and numbers below show the first {n} (0 to {last}).",
        "filt.output_title": "{layer} output ({n} maps, {h}x{w})",
        "filt.input": "Input ({cls})",
        "filt.layer_h": "Layer",
        "filt.filters_h": "Filters",
        "filt.raised_h": "Raised by ascent",
        "filt.hf_h": "Energy above 0.25 c/px",
        "filt.freq_h": "Mean frequency (c/px)",
        "filt.silent_h": "Silent on the input",
        "filt.strongest_h": "Strongest filters",
        "cap.filt_ascent": "Input images found by gradient ascent ({steps} steps) that maximise each filter's "
                           "mean activation; each image is scaled to its own range (a uniform one keeps its grey "
                           "level).",
        "cap.filt_outputs": "A {cls} test image (its drawn cue regions outlined: brows orange, eyes cyan, mouth "
                            "green) and the filters' output maps, one colour scale per layer.",
        "cap.filt_outputs_photo": "A {cls} test image and the filters' output maps, one colour scale per layer.",
    },
    "zh-TW": {
        "filt.gain": "Gradient ascent（從微弱雜訊開始 {steps} 步）讓 {layer} 的 {n} 個 filter 中有 {raised} "
                     "個的平均activation 上升，平均從 {start:.2f} 升到 {end:.2f}。",
        "filt.freq_finer": "第一層的 ascent 圖比最後一層的更細緻：{first} 的圖有 {hf_first:.0%} "
                           "的頻譜能量高於每像素 0.25 週期（平均頻率每像素 {f_first:.2f} 週期），{last} 則只有 "
                           "{hf_last:.0%}（{f_last:.2f}）。",
        "filt.freq_coarser": "第一層的 ascent 圖並沒有比最後一層的更細緻：{first} 的圖有 {hf_first:.0%} "
                             "的頻譜能量高於每像素 0.25 週期（平均頻率每像素 {f_first:.2f} 週期），{last} 則有 "
                             "{hf_last:.0%}（{f_last:.2f}）。",
        "filt.freq_one": "{layer} 的 ascent 圖有 {hf:.0%} 的頻譜能量高於每像素 0.25 週期（平均頻率每像素 "
                         "{freq:.2f} 週期）。",
        "filt.silent_relu": "在這張{cls}的測試圖片上，{layer} 的 {n} 個 filter 中有 {silent} 個沒有反應：經過 "
                            "{kind} 後的輸出從未超過該層最強反應的 {frac:.0%}。",
        "filt.silent": "在這張{cls}的測試圖片上，{layer} 的 {n} 個 filter 中有 {silent} "
                       "個沒有反應：輸出從未超過該層最強反應的 {frac:.0%}。",
        "filt.strongest_region": "在這張圖片上，{layer} 平均輸出最高的 filter 是 {filters}；filter {top} "
                                 "的最強反應落在{region}。",
        "filt.strongest_none": "在這張圖片上，{layer} 平均輸出最高的 filter 是 {filters}；filter {top} "
                               "的最強反應落在畫出的表情區域之外。",
        "filt.strongest": "在這張圖片上，{layer} 平均輸出最高的 filter 是 {filters}。",
        "filt.selective": "{layer} 的 filter {filter} 最集中在單一表情區域：{share:.0%} "
                          "的輸出落在{region}，而{region}只佔影像的 {area:.0%}。",
        "filt.budget.steps": "gradient ascent 步數",
        "filt.grid_title": "{layer}：{total} 個 filter 中的 {n} 個",
        "filt.some": "{layer} 共有 {total} 個 filter；以下的圖與數字只呈現前 {n} 個（第 0 到 {last} 個）。",
        "filt.output_title": "{layer} 的輸出（{n} 張，{h}x{w}）",
        "filt.input": "輸入（{cls}）",
        "filt.layer_h": "層",
        "filt.filters_h": "Filter 數",
        "filt.raised_h": "Ascent 後上升",
        "filt.hf_h": "高於 0.25 週期/像素的能量",
        "filt.freq_h": "平均頻率（週期/像素）",
        "filt.silent_h": "對輸入沒有反應",
        "filt.strongest_h": "反應最強的 filter",
        "cap.filt_ascent": "以 gradient ascent（{steps} 步）找出讓各 filter 平均 activation "
                           "最大的輸入圖片；每張圖依各自的數值範圍縮放（均勻的圖保留原本的灰階）。",
        "cap.filt_outputs": "一張{cls}的測試圖片（標出畫出的表情區域：眉毛橘色、眼睛青色、嘴巴綠色）與各 "
                            "filter 的輸出，每層使用同一個色階。",
        "cap.filt_outputs_photo": "一張{cls}的測試圖片與各 filter 的輸出，每層使用同一個色階。",
    },
}


def layer_facts(model, layer: str, ascent: np.ndarray, start: np.ndarray, output: np.ndarray,
                regions: np.ndarray | None, region_names: dict[int, str], spec) -> dict:
    """Numbers behind the text for one layer: ascent gain, spectrum, silent filters, where filters fire."""
    channels = list(range(len(ascent)))
    a_end = mean_activation(model, layer, ascent, channels, spec.channels)
    a_start = mean_activation(model, layer, start, channels, spec.channels)
    peak = output.reshape(len(output), -1).max(1)
    dead = peak <= DEAD_FRAC * max(float(peak.max()), 1e-12)
    strongest = [int(f) for f in np.argsort(-output.reshape(len(output), -1).mean(1), kind="stable")[:3]]
    facts = {
        "layer": layer, "filters": len(ascent), "channels": int(len(output)), "map_size": list(output.shape[1:]),
        "ascent_raised": int((a_end > a_start).sum()), "ascent_start": float(a_start.mean()),
        "ascent_end": float(a_end.mean()), "high_freq_share": float(high_frequency_share(ascent).mean()),
        "mean_frequency": float(mean_frequency(ascent).mean()), "silent": int(dead.sum()),
        "strongest": strongest, "peak_region": None, "selective": [],
    }
    if regions is not None:
        up = F.interpolate(torch.as_tensor(np.clip(output, 0, None))[None], size=regions.shape, mode="bilinear",
                           align_corners=False)[0].numpy()
        top = strongest[0]
        code = int(regions.reshape(-1)[int(up[top].argmax())])
        facts["peak_region"] = region_names.get(code)
        shares = region_shares(up, np.broadcast_to(regions, up.shape), region_names)
        for code, name in region_names.items():
            area = float((regions == code).mean())
            if area == 0:
                continue
            enrich = np.where(dead, 0.0, shares[name] / area)
            f = int(enrich.argmax())
            facts["selective"].append({"region": name, "filter": f, "share": float(shares[name][f]), "area": area,
                                       "enrichment": float(enrich[f])})
    return facts


def run(settings, dataset, trained, predictions, figures, text, budget) -> Result:
    start_time = time.perf_counter()
    model, spec, test, pred = trained.model, trained.spec, dataset.test, predictions.test
    convs = conv_layers(model, spec.shape)
    if settings.layer:
        get_layer(model, settings.layer)  # a wrong name fails here, listing the conv layers
    layers = [settings.layer] if settings.layer else list(dict.fromkeys([convs[0], convs[-1]]))
    bounds = spec.bounds()

    picks = one_per_class(pred.y_true, pred.y_pred, pred.probs, settings.seed)
    preferred = dataset.classes.index(PREFERRED_CLASS) if PREFERRED_CLASS in dataset.classes else -1
    index = next((i for i in picks if pred.y_true[i] == preferred), picks[0])
    x = trained.inputs(test.x[index:index + 1])
    regions = None if test.regions is None else test.regions[index]

    totals = {layer: filter_count(model, layer, spec.shape) for layer in layers}
    work = sum(min(MAX_FILTERS, t) for t in totals.values())  # a step: forward + backward of an image per filter
    fit = budget.fit({"steps": Knob(ASCENT_STEPS, MIN_STEPS)}, lambda c: (0, c["steps"] * work))  # (counted in full)
    facts, ascents, outputs, shown_names, steps = [], {}, {}, {}, fit["steps"]
    for layer in layers:
        n = min(MAX_FILTERS, totals[layer])
        # a conv output's spatial mean is nearly linear in the image (first layer: its mean brightness);
        # the rectified output is what the next layer sees and what makes patterns worth maximising
        shown_names[layer] = rectified(model, layer, spec.shape)
        ascents[layer] = ascend_filters(model, shown_names[layer], shape=spec.shape, steps=steps, lr=ASCENT_LR,
                                        seed=settings.seed, channels=range(n), bounds=bounds)
        start = start_images(range(n), spec.shape, settings.seed).mean(1).numpy()
        outputs[layer] = activations(model, shown_names[layer], x)[:n]
        facts.append(layer_facts(model, shown_names[layer], ascents[layer], start, outputs[layer], regions,
                                 dataset.region_names, spec))
        activation = type(get_layer(model, shown_names[layer])).__name__  # ReLU, or LeakyReLU, ELU ...
        facts[-1].update(layer=layer, total_filters=totals[layer], activation=activation)

    cls = text.cls(dataset.classes[int(pred.y_true[index])])
    lines = [text("filt.some", layer=f["layer"], total=f["total_filters"], n=f["filters"], last=f["filters"] - 1)
             for f in facts if f["filters"] < f["total_filters"]]
    lines += budget_text(fit, {"steps": text("filt.budget.steps")}, text)
    for f in facts:
        lines.append(text("filt.gain", layer=f["layer"], raised=f["ascent_raised"], n=f["filters"],
                          start=f["ascent_start"], end=f["ascent_end"], steps=steps))
    if len(facts) >= 2:
        a, b = facts[0], facts[-1]
        key = "filt.freq_finer" if a["high_freq_share"] > b["high_freq_share"] else "filt.freq_coarser"
        lines.append(text(key, first=a["layer"], last=b["layer"], hf_first=a["high_freq_share"],
                          hf_last=b["high_freq_share"], f_first=a["mean_frequency"], f_last=b["mean_frequency"]))
    else:
        f = facts[0]
        lines.append(text("filt.freq_one", layer=f["layer"], hf=f["high_freq_share"], freq=f["mean_frequency"]))
    for f in facts:
        relu = shown_names[f["layer"]] != f["layer"]
        lines.append(text("filt.silent_relu" if relu else "filt.silent", cls=cls, layer=f["layer"], silent=f["silent"],
                          n=f["filters"], frac=DEAD_FRAC, kind=f["activation"]))
        strongest = ", ".join(str(s) for s in f["strongest"])
        if f["peak_region"] is not None:
            lines.append(text("filt.strongest_region", layer=f["layer"], filters=strongest, top=f["strongest"][0],
                              region=text(f"faith.region.{f['peak_region']}")))
        elif regions is not None:
            lines.append(text("filt.strongest_none", layer=f["layer"], filters=strongest, top=f["strongest"][0]))
        else:
            lines.append(text("filt.strongest", layer=f["layer"], filters=strongest))
        if f["selective"]:
            best = max(f["selective"], key=lambda s: s["enrichment"])
            lines.append(text("filt.selective", layer=f["layer"], filter=best["filter"],
                              region=text(f"faith.region.{best['region']}"), share=best["share"], area=best["area"]))

    fig_a = plot_grids({name: ascents[name] for name in layers}, bounds, text=text, totals=totals)
    fig_o = plot_outputs(test.x[index], regions, dataset.region_names,
                         {shown_names[name]: outputs[name] for name in layers}, cls=cls, text=text)
    if settings.export_course_figures:
        export(fig_a, settings.export_course_figures, "fig2_1.jpg")
        export(fig_o, settings.export_course_figures, "fig2_2.jpg")
    figs = [figures.save(fig_a, "filters_ascent", text("cap.filt_ascent", steps=steps)),
            figures.save(fig_o, "filters_outputs", text("cap.filt_outputs" if regions is not None
                                                        else "cap.filt_outputs_photo", cls=cls))]
    rows = [{"layer": f["layer"], "filters": f["filters"], "total": f["total_filters"], "raised": f["ascent_raised"],
             "hf": f["high_freq_share"], "freq": f["mean_frequency"], "silent": f["silent"],
             "strongest": ", ".join(map(str, f["strongest"]))} for f in facts]
    return Result(numbers={"layers": facts, "input_index": int(index), "input_class": dataset.classes[int(pred.y_true[index])],
                           "shown_outputs": [shown_names[name] for name in layers], "steps": steps, "budget": fit.to_json(),
                           "seconds": time.perf_counter() - start_time},
                  text=lines, figures=figs, tables={"layers": rows})


def _normalise(img: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """Stretch to the image's own 1st-99th percentile; a uniform image (a filter that wants plain brightness
    or darkness) keeps its grey level within the input range ``bounds`` instead of turning black."""
    lo, hi = np.percentile(img, [1, 99])
    if hi - lo > 1e-3 * (bounds[1] - bounds[0]):
        return np.clip((img - lo) / (hi - lo), 0, 1)
    return np.full_like(img, np.clip((img.mean() - bounds[0]) / (bounds[1] - bounds[0]), 0, 1))


def _grid_axes(sub, n: int, title: str):
    rows = int(np.ceil(n / GRID_COLS))
    axes = sub.subplots(rows, GRID_COLS, squeeze=False, gridspec_kw={"wspace": 0.05, "hspace": 0.25})
    sub.suptitle(title, fontsize=9)
    for ax in axes.flat:
        ax.set_axis_off()
    return axes


def plot_grids(images: dict[str, np.ndarray], bounds: tuple[float, float], *, text,
               totals: dict[str, int] | None = None) -> plt.Figure:
    """One grid per layer of its ascent images, each scaled to its own 1st-99th percentile; the title says how
    many of the layer's filters are shown (``totals``: each layer's filter count)."""
    rows = max(int(np.ceil(len(v) / GRID_COLS)) for v in images.values())
    fig = plt.figure(figsize=(4.6 * len(images), 0.62 * rows + 0.5))
    subs = np.atleast_1d(fig.subfigures(1, len(images), wspace=0.04))
    for sub, (layer, imgs) in zip(subs, images.items()):
        total = (totals or {}).get(layer, len(imgs))
        axes = _grid_axes(sub, len(imgs), text("filt.grid_title", layer=layer, n=len(imgs), total=total))
        for f, (ax, img) in enumerate(zip(axes.flat, imgs)):
            ax.imshow(_normalise(img, bounds), cmap="gray", vmin=0, vmax=1)
            ax.set_title(str(f), fontsize=6, pad=1)
    return fig


def plot_outputs(image: np.ndarray, regions: np.ndarray | None, region_names: dict[int, str],
                 outputs: dict[str, np.ndarray], *, cls: str, text) -> plt.Figure:
    """The input (with the cue regions outlined, when known), then one grid of output maps per layer."""
    rows = max(int(np.ceil(len(v) / GRID_COLS)) for v in outputs.values())
    fig = plt.figure(figsize=(1.9 + 4.6 * len(outputs), 0.62 * rows + 0.5))
    subs = fig.subfigures(1, 1 + len(outputs), wspace=0.04, width_ratios=[1.9] + [4.6] * len(outputs))
    ax = subs[0].subplots()
    ax.imshow(image, cmap="gray", vmin=0, vmax=255)
    if regions is not None:
        for code, colour in zip(region_names, ("tab:orange", "tab:cyan", "tab:green")):
            if (regions == code).any():
                ax.contour(regions == code, levels=[0.5], colors=colour, linewidths=0.7)
    ax.set_title(text("filt.input", cls=cls), fontsize=8)
    ax.set_axis_off()
    for sub, (name, maps) in zip(subs[1:], outputs.items()):
        axes = _grid_axes(sub, len(maps), text("filt.output_title", layer=name, n=len(maps),
                                                h=maps.shape[1], w=maps.shape[2]))
        top = float(maps.max()) or 1.0  # one scale per layer: silent filters look silent
        for f, (a, m) in enumerate(zip(axes.flat, maps)):
            a.imshow(m, cmap="viridis", vmin=min(0.0, float(maps.min())), vmax=top)
            a.set_title(str(f), fontsize=6, pad=1)
    return fig


section = Section(name="filters", order=50, run=run, question=QUESTION, strings=STRINGS, requires=(LAYER_HOOKS, CONV_LAYERS),
                  summary="Gradient-ascent images of the first and last conv layer's filters and their outputs "
                          "on one test image, with silent filters and where the strongest ones fire")
