"""Question: what the conv filters respond to (gradient ascent) and what they output on one test image."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fer_report.data.synthetic import REGIONS
from fer_report.explain.course import export
from fer_report.explain.examples import one_per_class
from fer_report.explain.faithfulness import region_shares
from fer_report.explain.filters import (activations, ascend_filters, high_frequency_share, mean_activation,
                                        mean_frequency, start_images)
from fer_report.explain.layers import conv_layers, get_layer, rectified
from fer_report.section import Result, Section
from fer_report.train import to_input

MAX_FILTERS = 32  # filters shown (and optimised) per layer
ASCENT_STEPS = 40
ASCENT_LR = 0.1
DEAD_FRAC = 0.01  # a filter whose peak output is below this share of the layer's largest is silent
PREFERRED_CLASS = "Happy"  # the input image: its mouth cue is the clearest
GRID_COLS = 8


def layer_facts(model, layer: str, ascent: np.ndarray, start: np.ndarray, output: np.ndarray,
                regions: np.ndarray | None, size: int) -> dict:
    """Numbers behind the text for one layer: ascent gain, spectrum, silent filters, where filters fire."""
    channels = list(range(len(ascent)))
    a_end = mean_activation(model, layer, ascent, channels)
    a_start = mean_activation(model, layer, start, channels)
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
        up = F.interpolate(torch.as_tensor(np.clip(output, 0, None))[None], size=(size, size), mode="bilinear",
                           align_corners=False)[0].numpy()
        top = strongest[0]
        code = int(regions.reshape(-1)[int(up[top].argmax())])
        facts["peak_region"] = REGIONS.get(code)
        shares = region_shares(up, np.broadcast_to(regions, up.shape), REGIONS)
        for code, name in REGIONS.items():
            area = float((regions == code).mean())
            if area == 0:
                continue
            enrich = np.where(dead, 0.0, shares[name] / area)
            f = int(enrich.argmax())
            facts["selective"].append({"region": name, "filter": f, "share": float(shares[name][f]), "area": area,
                                       "enrichment": float(enrich[f])})
    return facts


def run(settings, dataset, trained, predictions, figures, text) -> Result:
    start_time = time.perf_counter()
    model, size, test, pred = trained.model, dataset.image_size, dataset.test, predictions.test
    convs = conv_layers(model)
    if settings.layer:
        get_layer(model, settings.layer)  # a wrong name fails here, listing the conv layers
        layers = [settings.layer]
    else:
        layers = list(dict.fromkeys([convs[0], convs[-1]]))
    bounds = ((0.0 - trained.mean) / trained.std, (1.0 - trained.mean) / trained.std)

    picks = one_per_class(pred.y_true, pred.y_pred, pred.probs, settings.seed)
    preferred = dataset.classes.index(PREFERRED_CLASS) if PREFERRED_CLASS in dataset.classes else -1
    index = next((i for i in picks if pred.y_true[i] == preferred), picks[0])
    x = to_input(test.x[index:index + 1], trained.mean, trained.std, trained.device)
    regions = None if test.regions is None else test.regions[index]

    facts, ascents, outputs, shown_names = [], {}, {}, {}
    for layer in layers:
        n = min(MAX_FILTERS, _channels(model, layer, x))
        # a conv output's spatial mean is nearly linear in the image (first layer: its mean brightness);
        # the rectified output is what the next layer sees and what makes patterns worth maximising
        shown_names[layer] = rectified(model, layer)
        ascents[layer] = ascend_filters(model, shown_names[layer], size=size, steps=ASCENT_STEPS, lr=ASCENT_LR,
                                        seed=settings.seed, channels=range(n), bounds=bounds)
        start = start_images(range(n), size, settings.seed)[:, 0].numpy()
        outputs[layer] = activations(model, shown_names[layer], x)[:n]
        facts.append(layer_facts(model, shown_names[layer], ascents[layer], start, outputs[layer], regions, size))
        facts[-1]["layer"] = layer

    cls = text.cls(dataset.classes[int(pred.y_true[index])])
    lines = []
    for f in facts:
        lines.append(text("filt.gain", layer=f["layer"], raised=f["ascent_raised"], n=f["filters"],
                          start=f["ascent_start"], end=f["ascent_end"], steps=ASCENT_STEPS))
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
                          n=f["filters"], frac=DEAD_FRAC))
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

    fig_a = plot_grids({name: ascents[name] for name in layers}, bounds, text=text)
    fig_o = plot_outputs(test.x[index], regions, {shown_names[name]: outputs[name] for name in layers}, cls=cls, text=text)
    if settings.export_course_figures:
        export(fig_a, settings.export_course_figures, "fig2_1.jpg")
        export(fig_o, settings.export_course_figures, "fig2_2.jpg")
    figs = [figures.save(fig_a, "filters_ascent", text("cap.filt_ascent", steps=ASCENT_STEPS)),
            figures.save(fig_o, "filters_outputs", text("cap.filt_outputs", cls=cls))]
    rows = [{"layer": f["layer"], "filters": f["filters"], "raised": f["ascent_raised"], "hf": f["high_freq_share"],
             "freq": f["mean_frequency"], "silent": f["silent"], "strongest": ", ".join(map(str, f["strongest"]))}
            for f in facts]
    return Result(numbers={"layers": facts, "input_index": int(index), "input_class": dataset.classes[int(pred.y_true[index])],
                           "shown_outputs": [shown_names[name] for name in layers], "steps": ASCENT_STEPS,
                           "seconds": time.perf_counter() - start_time},
                  text=lines, figures=figs, tables={"layers": rows})


def _channels(model: nn.Module, layer: str, x: torch.Tensor) -> int:
    m = get_layer(model, layer)
    return m.out_channels if isinstance(m, nn.Conv2d) else int(activations(model, layer, x).shape[0])


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


def plot_grids(images: dict[str, np.ndarray], bounds: tuple[float, float], *, text) -> plt.Figure:
    """One grid per layer of its ascent images, each scaled to its own 1st-99th percentile."""
    rows = max(int(np.ceil(len(v) / GRID_COLS)) for v in images.values())
    fig = plt.figure(figsize=(4.6 * len(images), 0.62 * rows + 0.5))
    subs = np.atleast_1d(fig.subfigures(1, len(images), wspace=0.04))
    for sub, (layer, imgs) in zip(subs, images.items()):
        axes = _grid_axes(sub, len(imgs), text("filt.grid_title", layer=layer, n=len(imgs)))
        for f, (ax, img) in enumerate(zip(axes.flat, imgs)):
            ax.imshow(_normalise(img, bounds), cmap="gray", vmin=0, vmax=1)
            ax.set_title(str(f), fontsize=6, pad=1)
    return fig


def plot_outputs(image: np.ndarray, regions: np.ndarray | None, outputs: dict[str, np.ndarray], *, cls: str,
                 text) -> plt.Figure:
    """The input (with the cue regions outlined, when known), then one grid of output maps per layer."""
    rows = max(int(np.ceil(len(v) / GRID_COLS)) for v in outputs.values())
    fig = plt.figure(figsize=(1.9 + 4.6 * len(outputs), 0.62 * rows + 0.5))
    subs = fig.subfigures(1, 1 + len(outputs), wspace=0.04, width_ratios=[1.9] + [4.6] * len(outputs))
    ax = subs[0].subplots()
    ax.imshow(image, cmap="gray", vmin=0, vmax=255)
    if regions is not None:
        for code, colour in zip(REGIONS, ("tab:orange", "tab:cyan", "tab:green")):
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


section = Section(name="filters", order=50, run=run,
                  summary="Gradient-ascent images of the first and last conv layer's filters and their outputs "
                          "on one test image, with silent filters and where the strongest ones fire")
