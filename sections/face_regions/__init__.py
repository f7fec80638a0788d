"""Beyond the course: which part of the face each expression depends on. Each part covered with grey (against
the same shape covered elsewhere), per class, and the share of three explanations' mass inside each part."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np

from fer_report.data.regions import BOXES_48, masks_for
from fer_report.explain import face_regions as fr
from fer_report.report.section import Result, Section

from .strings import STRINGS

OCCLUSION_IMAGES = 240  # test images covered part by part (each costs one forward pass per part and control)
PER_CLASS = 4  # test images per class explained by each method
MIN_EXCESS = 0.05  # a part "matters" when covering it costs at least 5 points more than covering elsewhere
METHODS = ("gradient", "integrated_gradients", "gradcam")

QUESTION = {
    "en": "Which parts of the face does the model depend on, per expression?",
    "zh-TW": "模型對每種表情依賴臉部的哪些部位？",
}


def run(dataset, trained, figures, text, settings) -> Result:
    from fer_report.model.inference import predict_probs

    test, rng = dataset.test, np.random.default_rng(settings.seed)
    sample = np.sort(rng.permutation(len(test))[:OCCLUSION_IMAGES])
    images, y = test.x[sample], test.y[sample]
    drawn = test.regions is not None and bool(dataset.region_names)
    masks = masks_for(images, test.regions[sample] if drawn else None, dataset.region_names)

    def predict(batch: np.ndarray) -> np.ndarray:
        return predict_probs(trained.model, batch, trained.spec, trained.device, ten_crop=trained.ten_crop,
                             tta=trained.tta).argmax(1)

    effects = fr.occlusion_effects(predict, images, y, masks, float(dataset.train.x.mean()), len(dataset.classes),
                                   seed=settings.seed)
    shares, areas, left_out = _shares(dataset, trained, settings, drawn, rng)
    lines = [text("reg.drawn" if drawn else "reg.fixed", n=len(sample), parts=", ".join(masks))]
    lines += _occlusion_sentences(effects, dataset.classes, text)
    lines += _share_sentences(shares, areas, dataset.classes, text)
    lines += [text("reg.no_method", method=m, reason=why) for m, why in left_out.items()]
    cells = [(r["per_class"][k]["excess"], k, name) for name, r in effects["regions"].items()
             for k in range(len(dataset.classes)) if r["per_class"][k]]
    x, k, part = max(cells) if cells else (0.0, 0, next(iter(masks)))
    alt = text("alt.regions", x=100 * x, cls=text.cls(dataset.classes[k]), part=text(f"reg.{part}"))
    figs = [figures.save(plot_occlusion(test.x.mean(0), masks, effects, dataset.classes, text), "face_regions",
                         text("cap.regions", n=len(sample)), alt=alt)]
    if shares:
        figs.append(figures.save(plot_shares(shares, areas, dataset.classes, text), "face_regions_maps",
                                 text("cap.region_maps", k=PER_CLASS)))
    numbers = {"images": len(sample), "regions": list(masks), "drawn_regions": drawn,
               "boxes_48": None if drawn else BOXES_48, "accuracy": float(effects["base"].mean()),
               "occlusion": {name: {k: v for k, v in r.items() if k not in ("covered", "control")}
                             for name, r in effects["regions"].items()},
               "area_share": areas,
               "mass_share": {m: {c: {r: float(v[c][r]) for r in v[c]} for c in v} for m, v in shares.items()},
               "min_excess": MIN_EXCESS}
    return Result(numbers=numbers, text=lines, figures=figs)


def _shares(dataset, trained, settings, drawn, rng):
    """Method -> class -> region -> mean mass share, on up to PER_CLASS test images of each class."""
    from fer_report.explain.layers import choose_layer, rectified
    from fer_report.explain.methods import METHODS as ALL, MethodUnavailable

    test = dataset.test
    idx = np.concatenate([rng.permutation(np.nonzero(test.y == k)[0])[:PER_CLASS] for k in range(len(dataset.classes))])
    idx = np.sort(idx).astype(int)
    masks = masks_for(test.x[idx], test.regions[idx] if drawn else None, dataset.region_names)
    x, targets = trained.inputs(test.x[idx]), test.y[idx]
    shares, left_out, layer = {}, {}, None
    try:
        choice = choose_layer(trained.model, trained.spec.shape, settings.layer, side=trained.spec.model_side)
        layer = rectified(trained.model, choice["layer"], trained.spec.shape)
    except Exception as exc:  # no conv layer, or hooks refused (TorchScript): the CAM method is left out
        left_out["Grad-CAM"] = str(exc).split("\n")[0]
    for name in METHODS:
        if name == "gradcam" and layer is None:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                maps = ALL[name].fn(trained.model, x, targets, layer=layer, seed=settings.seed)
        except MethodUnavailable as exc:
            left_out[ALL[name].display] = exc.reason
            continue
        per_image = fr.mass_shares(np.asarray(maps, float), masks)
        shares[ALL[name].display] = {c: {r: per_image[r][targets == k].mean() for r in per_image}
                                     for k, c in enumerate(dataset.classes) if (targets == k).any()}
    return shares, fr.area_shares(masks), left_out


def _occlusion_sentences(effects, classes, text) -> list[str]:
    lines = []
    for name, r in effects["regions"].items():
        lines.append(text("reg.overall", part=text(f"reg.{name}"), drop=100 * r["drop"],
                          control=100 * r["control_drop"], lo=100 * r["excess_low"], hi=100 * r["excess_high"]))
    for k, c in enumerate(classes):
        found = [(name, r["per_class"][k]) for name, r in effects["regions"].items() if r["per_class"][k]]
        if not found:
            continue
        name, best = max(found, key=lambda f: f[1]["excess"])
        if best["excess"] >= MIN_EXCESS and best["excess_low"] > 0:
            lines.append(text("reg.depends", cls=text.cls(c), part=text(f"reg.{name}"), drop=100 * best["drop"],
                              control=100 * best["control_drop"], n=best["images"]))
        else:
            lines.append(text("reg.none", cls=text.cls(c), n=best["images"], min=100 * MIN_EXCESS))
    return lines


def _share_sentences(shares, areas, classes, text) -> list[str]:
    lines = []
    for method, per_class in shares.items():
        best = max(((c, r, v) for c, regions in per_class.items() for r, v in regions.items()),
                   key=lambda t: t[2] / max(areas[t[1]], 1e-9), default=None)
        if best:
            c, r, v = best
            lines.append(text("reg.share", method=method, cls=text.cls(c), part=text(f"reg.{r}"), share=v,
                              area=areas[r]))
    return lines


def plot_occlusion(mean_face, masks, effects, classes, text) -> plt.Figure:
    """The parts on the mean test face, and per class x part the recall lost beyond the moved control."""
    fig, (face, heat) = plt.subplots(1, 2, figsize=(8.4, 3.2), gridspec_kw={"width_ratios": [1, 1.6]})
    face.imshow(mean_face, cmap="gray", vmin=0, vmax=255)
    for (name, mask), colour in zip(masks.items(), ("tab:red", "tab:green", "tab:blue", "tab:orange")):
        face.contour(np.asarray(mask, float).mean(0) if mask.ndim == 3 else mask, levels=[0.5], colors=colour)
        face.plot([], [], color=colour, label=text(f"reg.{name}"))
    face.legend(loc="lower center", bbox_to_anchor=(0.5, -0.3), ncol=3, frameon=False, fontsize=7)
    face.axis("off")
    names = list(effects["regions"])
    grid = np.array([[np.nan if r["per_class"][k] is None else 100 * r["per_class"][k]["excess"]
                      for r in effects["regions"].values()] for k in range(len(classes))])
    limit = max(10.0, float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 10.0)
    heat.imshow(grid, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), v in np.ndenumerate(grid):
        if np.isfinite(v):
            heat.text(j, i, f"{v:+.0f}", ha="center", va="center", fontsize=7,
                      color="white" if abs(v) > 0.6 * limit else "black")
    heat.set_xticks(range(len(names)), [text(f"reg.{n}") for n in names])
    heat.set_yticks(range(len(classes)), [text.cls(c) for c in classes])
    heat.set_title(text("reg.heat_title"))
    fig.tight_layout()
    return fig


def plot_shares(shares, areas, classes, text) -> plt.Figure:
    """Per method, class x part: mean share of the explanation's mass inside the part."""
    parts = list(areas)
    fig, axes = plt.subplots(1, len(shares), figsize=(2.9 * len(shares), 3.0), squeeze=False)
    for ax, (method, per_class) in zip(axes[0], shares.items()):
        rows = [c for c in classes if c in per_class]
        grid = np.array([[per_class[c][p] for p in parts] for c in rows])
        ax.imshow(grid, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7, color="white" if v < 0.6 else "black")
        ax.set_xticks(range(len(parts)), [f"{text(f'reg.{p}')}\n({areas[p]:.0%})" for p in parts], fontsize=7)
        ax.set_yticks(range(len(rows)), [text.cls(c) for c in rows])
        ax.set_title(method)
    fig.tight_layout()
    return fig


section = Section(name="face_regions", order=78, run=run, question=QUESTION, strings=STRINGS,
                  summary="Each part of the face (eyes and brows, nose, mouth) covered per expression against the "
                          "same shape elsewhere, and the share of three explanations' mass inside each part")
