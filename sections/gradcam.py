"""Question: Grad-CAM maps per class, whether they point at the expression cues, and a check of the formula."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from torch import nn

from fer_report.explain.attribution import EMPTY_REASONS, gradcam, gradcam_by_formula, gradcam_emptiness
from fer_report.explain.budget import Knob, budget_text
from fer_report.explain.examples import correct_sample, one_per_class, own_titles, titles, without_correct
from fer_report.explain.layers import choose_layer, get_layer, min_side, rectified
from fer_report.explain.scorecard import DELETION_STEPS, faithfulness_text, plot_deletion, score_maps, table_rows
from fer_report.report.requirements import CONV_LAYERS, LAYER_HOOKS
from fer_report.draw.plots import Layer, image_rows
from fer_report.report.section import Result, Section

N_FAITH = 200  # correctly classified test images behind the faithfulness numbers
MIN_FAITH = 30  # the least --budget may take them down to (the deletion test's standard error stays a few points)
# The formula check recomputes Grad-CAM by hand beside captum: an identity of the arithmetic (~1e-7), as well
# shown on this many of the measured images as on all of them, at a third of the section's gradient passes.
CHECK_IMAGES = 32
OVERLAY_ALPHA = 0.45


QUESTION = {
    "en": "Plot Grad-CAM maps and describe the regions the model attends to.",
    "zh-TW": "請畫出 Grad-CAM，說明模型注意的區域。",
}

STRINGS = {
    "en": {
        "cam.method": "Grad-CAM",
        "cam.layer": "Grad-CAM uses layer {layer}: its {h}x{w} feature maps, weighted by the spatial mean of the "
                     "predicted class's gradient, are summed, ReLU'd and upsampled to the {size}x{size} input[[see:gradcam]].",
        "cam.layer_relu": "Grad-CAM uses layer {layer} through the output of its activation {relu} ({kind}, what "
                          "the next layer sees): its {h}x{w} feature maps, weighted by the spatial mean of the "
                          "predicted class's gradient, are summed, ReLU'd and upsampled to the {size}x{size} "
                          "input[[see:gradcam]].",
        "cam.coarse": "Layer {layer} is only {h}x{w} at {size}x{size} input, too coarse to tell brows from eyes "
                      "(at least {min}x{min} is needed), so Grad-CAM uses {chosen} ({ch}x{cw}) instead, the "
                      "deepest {kind} with at least {min}x{min} resolution.",
        "cam.kind.conv": "convolution",
        "cam.kind.block": "residual block",
        "cam.coarse_kept": "Layer {layer} is only {h}x{w} at {size}x{size} input and no convolution or residual "
                           "block reaches {min}x{min}, so the map is coarse.",
        "cam.budget.images": "test images measured",
        "cam.coarse_requested": "Layer {layer}, chosen with --layer, is only {h}x{w} at {size}x{size} input, "
                                "coarser than the {min}x{min} needed to tell brows from eyes: expect blobs rather "
                                "than facial features.",
        "cam.check": "Check: Grad-CAM computed directly from its formula, ReLU(sum_k alpha_k A^k) with alpha_k "
                     "the spatial mean of dy_c/dA^k, matches captum's LayerGradCam on {n} images to within "
                     "{diff:.1e} (largest absolute difference; the maps peak at {peak:.2g}).",
        "cam.check_bad": "Warning: Grad-CAM computed from its formula differs from captum's LayerGradCam by up to "
                         "{diff:.1e} on {n} images (the maps peak at {peak:.2g}).",
        "cam.empty": "Grad-CAM gives no map for {k} of the {n} images shown ({images}): {why} Each such panel "
                     "shows the input alone, marked “{label}”, not rounding noise stretched to full colour.",
        "cam.why.negative": "the weighted sum of the {layer} feature maps is nowhere above zero ({neg:.0%} of the "
                            "weights alpha_k are negative), so the ReLU leaves nothing.",
        "cam.why.no_gradient": "the class score's gradient with respect to {layer} is zero, so every weight alpha_k "
                               "is 0 (the layer does not reach the score, or every unit after it is off).",
        "cam.why.no_activation": "every feature map of {layer} is zero.",
        "cam.why.flat": "the map is the same at every position, so it points nowhere.",
        "cam.no_map": "no map",
        "cam.empty_measured": "No information in {k} of the {n} maps measured below ({reasons}): each counts as a "
                              "miss in the pointing game and as no mass on the cues, and has its pixels deleted in "
                              "random order.",
        "cam.reason.negative": "{k} with nothing above zero",
        "cam.reason.no_gradient": "{k} with a zero gradient",
        "cam.reason.no_activation": "{k} with all feature maps zero",
        "cam.reason.flat": "{k} constant",
        "cam.check_empty": "Check failed: all {n} maps are empty, so captum's LayerGradCam and the formula agreeing "
                           "(both zero or constant) says nothing about either.",
        "cap.gradcam": "Grad-CAM on {layer} for the predicted class, one test image per class: input (top) and "
                       "the map in jet colours over it (bottom).",
    },
    "zh-TW": {
        "cam.method": "Grad-CAM",
        "cam.layer": "Grad-CAM 使用 {layer} 層：以預測類別梯度的空間平均為權重，把該層 {h}x{w} 的特徵圖加總、取 "
                     "ReLU，再放大到 {size}x{size} 的輸入大小[[see:gradcam]]。",
        "cam.layer_relu": "Grad-CAM 使用 {layer} 層經過激活函數後的輸出 {relu}（{kind}，即下一層看到的特徵）："
                          "以預測類別梯度的空間平均為權重，把 {h}x{w} "
                          "的特徵圖加總、取 ReLU，再放大到 {size}x{size} 的輸入大小[[see:gradcam]]。",
        "cam.coarse": "{layer} 層在 {size}x{size} 的輸入下只有 {h}x{w}，太粗糙，無法區分眉毛與眼睛（至少需要 "
                      "{min}x{min}），因此 Grad-CAM 改用 {chosen}（{ch}x{cw}），即解析度至少 {min}x{min} "
                      "的最深{kind}。",
        "cam.kind.conv": "卷積層",
        "cam.kind.block": "殘差區塊",
        "cam.coarse_kept": "{layer} 層在 {size}x{size} 的輸入下只有 {h}x{w}，且沒有任何卷積層或殘差區塊達到 "
                           "{min}x{min}，因此這張圖較粗糙。",
        "cam.budget.images": "衡量的測試圖片",
        "cam.coarse_requested": "以 --layer 指定的 {layer} 層在 {size}x{size} 的輸入下只有 "
                                "{h}x{w}，比區分眉毛與眼睛所需的 {min}x{min} "
                                "更粗糙：圖上會是一團色塊，而不是臉部特徵。",
        "cam.check": "驗證：直接依公式 ReLU(sum_k alpha_k A^k)（alpha_k 為 dy_c/dA^k 的空間平均）計算的 "
                     "Grad-CAM，與 captum 的 LayerGradCam 在 {n} 張圖片上的最大絕對差為 {diff:.1e}（圖的最大值為 "
                     "{peak:.2g}）。",
        "cam.check_bad": "警告：依公式計算的 Grad-CAM 與 captum 的 LayerGradCam 在 {n} 張圖片上最多相差 "
                         "{diff:.1e}（圖的最大值為 {peak:.2g}）。",
        "cam.empty": "圖中 {n} 張圖片有 {k} 張（{images}）Grad-CAM 沒有給出任何圖：{why}這些格子只顯示輸入並標示"
                     "「{label}」，而不是把捨入誤差放大成滿版色彩。",
        "cam.why.negative": "{layer} 的特徵圖加權總和處處不大於零（{neg:.0%} 的權重 alpha_k 為負），經過 ReLU "
                            "後什麼都不剩。",
        "cam.why.no_gradient": "類別分數對 {layer} 的梯度為零，因此每個權重 alpha_k 都是 0（這一層影響不到分數，或"
                               "其後的單元全部關閉）。",
        "cam.why.no_activation": "{layer} 的每張特徵圖都是零。",
        "cam.why.flat": "這張圖在每個位置都一樣，因此沒有指向任何地方。",
        "cam.no_map": "沒有圖",
        "cam.empty_measured": "以下衡量的 {n} 張圖中有 {k} 張不帶任何資訊（{reasons}）：它們在 pointing game "
                              "中算作沒有命中、在表情區域上沒有權重，刪除測試則以隨機順序刪除像素。",
        "cam.reason.negative": "{k} 張處處不大於零",
        "cam.reason.no_gradient": "{k} 張梯度為零",
        "cam.reason.no_activation": "{k} 張特徵圖全為零",
        "cam.reason.flat": "{k} 張為常數",
        "cam.check_empty": "驗證失敗：全部 {n} 張圖都是空的，captum 的 LayerGradCam 與公式的結果一致（都是零或常數）"
                           "並不能說明任何一方正確。",
        "cap.gradcam": "{layer} 層對預測類別的 Grad-CAM，每個類別一張測試圖片：輸入（上）與疊在其上的 jet "
                       "色彩圖（下）。",
    },
}


def run(dataset, trained, predictions, user_images, user_predictions, figures, text, settings, budget) -> Result:
    start = time.perf_counter()
    test, pred = dataset.test, predictions.test
    model, size = trained.model, trained.spec.size
    side = trained.spec.model_side  # the feature maps' sizes are the model's, at the side it runs at (44, 40 ...)
    choice = choose_layer(model, trained.spec.shape, settings.layer, side=side)
    layer = choice["layer"]
    lines = []
    if choice["replaced"]:
        h, w = choice["requested_size"]
        kind = "conv" if isinstance(get_layer(model, layer), nn.Conv2d) else "block"
        lines.append(text("cam.coarse", layer=choice["requested"], h=h, w=w, size=side, min=min_side(side),
                          chosen=layer, ch=choice["size"][0], cw=choice["size"][1], kind=text(f"cam.kind.{kind}")))
    elif min(choice["size"]) < min_side(side):
        lines.append(text("cam.coarse_requested" if settings.layer else "cam.coarse_kept", layer=layer,
                          h=choice["size"][0], w=choice["size"][1], size=side, min=min_side(side)))
    hooked = rectified(model, layer, trained.spec.shape)  # Grad-CAM's A^k: the rectified maps the next layer sees
    lines.append(text("cam.layer" if hooked == layer else "cam.layer_relu", layer=layer, relu=hooked, size=size,
                      kind=type(get_layer(model, hooked)).__name__, h=choice["size"][0], w=choice["size"][1]))
    shown = np.array(one_per_class(pred.y_true, pred.y_pred, pred.probs, settings.seed), dtype=np.int64)
    lines += without_correct(shown, pred.y_true, pred.y_pred, dataset.classes, text)
    fit = budget.fit({"images": Knob(N_FAITH, MIN_FAITH)}, lambda c: cost(c, len(shown) + len(user_images)))
    lines += budget_text(fit, {"images": text("cam.budget.images")}, text)

    def inputs(idx: np.ndarray) -> torch.Tensor:
        return trained.inputs(test.x[idx])

    example_maps = gradcam(model, hooked, inputs(shown), pred.y_pred[shown])
    empty, negative = gradcam_emptiness(model, hooked, inputs(shown), pred.y_pred[shown])
    names = [text.cls(dataset.classes[int(pred.y_true[i])]) for i in shown]
    lines += empty_text(empty, negative, names, hooked, text)
    figs = [figures.save(plot_overlays(test.x[shown], example_maps, titles(shown, pred, dataset.classes, text),
                                       empty, text=text), "gradcam", text("cap.gradcam", layer=hooked))]
    own_empty: list = []
    if user_images:  # the user's own pictures, explained for the class the model predicts
        own = np.stack([im.pixels for im in user_images])
        own_pred = [u["pred"] for u in user_predictions]
        own_maps = gradcam(model, hooked, trained.inputs(own), own_pred)
        own_empty, own_negative = gradcam_emptiness(model, hooked, trained.inputs(own), own_pred)
        lines += empty_text(own_empty, own_negative, [u["name"] for u in user_predictions], hooked, text)
        figs.append(figures.save(plot_overlays(own, own_maps, own_titles(user_predictions, text), own_empty, text=text),
                                 "gradcam_own", text("ex.own_caption", n=len(own))))

    sample = correct_sample(pred.y_true, pred.y_pred, n=fit["images"], seed=settings.seed)
    checked = sample if len(sample) else shown
    targets = pred.y_true[sample]
    x = inputs(checked)
    maps = gradcam(model, hooked, x, pred.y_pred[checked])
    reasons, _ = gradcam_emptiness(model, hooked, x, pred.y_pred[checked])
    informative = np.array([r is None for r in reasons], dtype=bool)
    k = min(CHECK_IMAGES, len(checked))  # the formula beside captum on the first k of them
    formula = gradcam_by_formula(model, hooked, x[:k], pred.y_pred[checked[:k]])
    shared = informative[:k]
    diff = float(np.abs(maps[:k] - formula)[shared].max()) if shared.any() else 0.0
    peak = float(maps[:k][shared].max()) if shared.any() else 0.0
    scores: dict[str, dict] = {}
    if len(sample):  # an empty map is measured as what it is: nothing (rounding left in it could hit a cue)
        scores["gradcam"] = score_maps(np.where(informative[:, None, None], maps, 0.0),
                                       predict=lambda b: torch.softmax(model(b), 1), x=x, targets=targets,
                                       classes=dataset.classes, regions=None if test.regions is None
                                       else test.regions[sample], region_names=dataset.region_names, seed=settings.seed)
        if not informative.all():
            counts = {r: reasons.count(r) for r in EMPTY_REASONS if r in reasons}
            lines.append(text("cam.empty_measured", k=int((~informative).sum()), n=len(sample), reasons=text(
                "faith.sep").join(text(f"cam.reason.{r}", k=k) for r, k in counts.items())))
        lines += faithfulness_text(scores, {"gradcam": text("cam.method")}, text)
        figs.append(figures.save(plot_deletion(scores, {"gradcam": text("cam.method")}, text), "gradcam_deletion",
                                 text("cap.deletion", n=len(sample))))
    else:
        lines.append(text("faith.none"))
    if shared.any():
        check = "match" if diff <= 1e-4 * peak else "differs"
        lines.append(text("cam.check" if check == "match" else "cam.check_bad", diff=diff, n=int(shared.sum()),
                          peak=peak))
    else:
        check = "no_information"
        lines.append(text("cam.check_empty", n=k))
    return Result(numbers={"layer": layer, "hooked": hooked, "feature_size": choice["size"], "requested_layer": choice["requested"],
                           "requested_size": choice["requested_size"], "layer_replaced": choice["replaced"],
                           "examples": shown.tolist(), "own_images": user_predictions,
                           "empty_examples": {int(i): r for i, r in zip(shown, empty) if r},
                           "empty_own": [u["name"] for u, r in zip(user_predictions, own_empty) if r],
                           "empty_measured": {r: reasons.count(r) for r in EMPTY_REASONS if r in reasons},
                           "formula_check": check, "formula_max_abs_diff": diff, "map_peak": peak,
                           "formula_images": k, "budget": fit.to_json(),
                           "faithfulness": scores, "seconds": time.perf_counter() - start},
                  text=lines, figures=figs, tables={"faithfulness": table_rows(scores, {"gradcam": text("cam.method")})})


def cost(counts: dict[str, int], shown: int) -> tuple[int, int]:
    """(forward-only, gradient) image evaluations for ``counts``: captum's Grad-CAM and the emptiness test of the
    shown (one per class, the user's pictures) and the measured images, the formula on ``CHECK_IMAGES`` of them,
    then the deletion curves (Grad-CAM's order and the random one) of the measured ones."""
    n = counts["images"]
    return n * (DELETION_STEPS + 1) * 2, 2 * (shown + n) + min(n, CHECK_IMAGES)


def empty_text(empty: list[str | None], negative: np.ndarray, names: list[str], layer: str, text) -> list[str]:
    """One sentence per reason the shown maps are empty, naming the images (``attribution.gradcam_emptiness``)."""
    lines = []
    for reason in EMPTY_REASONS:
        which = [i for i, r in enumerate(empty) if r == reason]
        if which:
            why = text(f"cam.why.{reason}", layer=layer, neg=float(np.mean(negative[which])))
            lines.append(text("cam.empty", k=len(which), n=len(empty), images=text("faith.sep").join(
                names[i] for i in which), why=why, label=text("cam.no_map")))
    return lines


def plot_overlays(images: np.ndarray, maps: np.ndarray, heads: list[tuple[str, bool]], empty: list | None = None,
                  *, text) -> plt.Figure:
    """Gray input (top) and the map in 'jet', alpha-blended over it (bottom), one column per example, each map
    scaled to its own peak. An empty map (``empty[i]`` a reason) is not scaled: its overlay shows the input
    alone with "no map" across it, so rounding noise is never drawn as if it were a map."""
    empty = empty or [None] * len(maps)
    overlays = [[Layer(img)] + ([] if gone else [Layer(m / max(float(m.max()), 1e-30), cmap="jet", vmin=0, vmax=1,
                                                        alpha=OVERLAY_ALPHA)])
                for img, m, gone in zip(images, maps, empty)]
    fig = image_rows([(text("ex.row_input"), [[Layer(img)] for img in images]), (text("cam.method"), overlays)],
                     heads)
    cols = max(1, len(heads))
    for j, gone in enumerate(empty):
        if gone:
            fig.axes[cols + j].text(0.5, 0.5, text("cam.no_map"), transform=fig.axes[cols + j].transAxes,
                                    ha="center", va="center", fontsize=7, color="white",
                                    bbox={"facecolor": "black", "alpha": 0.6, "pad": 1.5, "linewidth": 0})
    return fig


section = Section(name="gradcam", order=70, run=run, question=QUESTION, strings=STRINGS, requires=(LAYER_HOOKS, CONV_LAYERS),
                  summary="Grad-CAM overlays per class on a layer of at least 12x12; pointing game, cue-mass, "
                          "deletion test and a check against the formula")
