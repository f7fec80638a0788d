"""Question: Grad-CAM maps per class, whether they point at the expression cues, and a check of the formula."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from fer_report.explain.attribution import gradcam, gradcam_by_formula
from fer_report.explain.examples import correct_sample, one_per_class, own_titles, titles, without_correct
from fer_report.explain.layers import choose_layer, min_side, rectified
from fer_report.explain.scorecard import faithfulness_text, plot_deletion, score_maps, table_rows
from fer_report.report.requirements import CONV_LAYERS, LAYER_HOOKS
from fer_report.draw.plots import Layer, image_rows
from fer_report.report.section import Result, Section

N_FAITH = 200  # correctly classified test images behind the faithfulness numbers
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
        "cam.layer_relu": "Grad-CAM uses layer {layer} through its rectified output {relu} (what the next layer "
                          "sees): its {h}x{w} feature maps, weighted by the spatial mean of the predicted class's "
                          "gradient, are summed, ReLU'd and upsampled to the {size}x{size} input[[see:gradcam]].",
        "cam.coarse": "Layer {layer} is only {h}x{w} at {size}x{size} input, too coarse to tell brows from eyes "
                      "(at least {min}x{min} is needed), so Grad-CAM uses {chosen} ({ch}x{cw}) instead, the "
                      "deepest convolution with at least {min}x{min} resolution.",
        "cam.coarse_kept": "Layer {layer} is only {h}x{w} at {size}x{size} input and no convolution reaches "
                           "{min}x{min}, so the map is coarse.",
        "cam.coarse_requested": "Layer {layer}, chosen with --layer, is only {h}x{w} at {size}x{size} input, "
                                "coarser than the {min}x{min} needed to tell brows from eyes: expect blobs rather "
                                "than facial features.",
        "cam.check": "Check: Grad-CAM computed directly from its formula, ReLU(sum_k alpha_k A^k) with alpha_k "
                     "the spatial mean of dy_c/dA^k, matches captum's LayerGradCam on {n} images to within "
                     "{diff:.1e} (largest absolute difference; the maps peak at {peak:.2g}).",
        "cam.check_bad": "Warning: Grad-CAM computed from its formula differs from captum's LayerGradCam by up to "
                         "{diff:.1e} on {n} images (the maps peak at {peak:.2g}).",
        "cap.gradcam": "Grad-CAM on {layer} for the predicted class, one test image per class: input (top) and "
                       "the map in jet colours over it (bottom).",
    },
    "zh-TW": {
        "cam.method": "Grad-CAM",
        "cam.layer": "Grad-CAM 使用 {layer} 層：以預測類別梯度的空間平均為權重，把該層 {h}x{w} 的特徵圖加總、取 "
                     "ReLU，再放大到 {size}x{size} 的輸入大小[[see:gradcam]]。",
        "cam.layer_relu": "Grad-CAM 使用 {layer} 層經過 ReLU 後的輸出 "
                          "{relu}（即下一層看到的特徵）：以預測類別梯度的空間平均為權重，把 {h}x{w} "
                          "的特徵圖加總、取 ReLU，再放大到 {size}x{size} 的輸入大小[[see:gradcam]]。",
        "cam.coarse": "{layer} 層在 {size}x{size} 的輸入下只有 {h}x{w}，太粗糙，無法區分眉毛與眼睛（至少需要 "
                      "{min}x{min}），因此 Grad-CAM 改用 {chosen}（{ch}x{cw}），即解析度至少 {min}x{min} "
                      "的最深卷積層。",
        "cam.coarse_kept": "{layer} 層在 {size}x{size} 的輸入下只有 {h}x{w}，且沒有任何卷積層達到 "
                           "{min}x{min}，因此這張圖較粗糙。",
        "cam.coarse_requested": "以 --layer 指定的 {layer} 層在 {size}x{size} 的輸入下只有 "
                                "{h}x{w}，比區分眉毛與眼睛所需的 {min}x{min} "
                                "更粗糙：圖上會是一團色塊，而不是臉部特徵。",
        "cam.check": "驗證：直接依公式 ReLU(sum_k alpha_k A^k)（alpha_k 為 dy_c/dA^k 的空間平均）計算的 "
                     "Grad-CAM，與 captum 的 LayerGradCam 在 {n} 張圖片上的最大絕對差為 {diff:.1e}（圖的最大值為 "
                     "{peak:.2g}）。",
        "cam.check_bad": "警告：依公式計算的 Grad-CAM 與 captum 的 LayerGradCam 在 {n} 張圖片上最多相差 "
                         "{diff:.1e}（圖的最大值為 {peak:.2g}）。",
        "cap.gradcam": "{layer} 層對預測類別的 Grad-CAM，每個類別一張測試圖片：輸入（上）與疊在其上的 jet "
                       "色彩圖（下）。",
    },
}


def run(dataset, trained, predictions, user_images, user_predictions, figures, text, settings) -> Result:
    start = time.perf_counter()
    test, pred = dataset.test, predictions.test
    model, size = trained.model, trained.spec.size
    choice = choose_layer(model, trained.spec.shape, settings.layer)
    layer = choice["layer"]
    lines = []
    if choice["replaced"]:
        h, w = choice["requested_size"]
        lines.append(text("cam.coarse", layer=choice["requested"], h=h, w=w, size=size, min=min_side(size),
                          chosen=layer, ch=choice["size"][0], cw=choice["size"][1]))
    elif min(choice["size"]) < min_side(size):
        lines.append(text("cam.coarse_requested" if settings.layer else "cam.coarse_kept", layer=layer,
                          h=choice["size"][0], w=choice["size"][1], size=size, min=min_side(size)))
    hooked = rectified(model, layer)  # Grad-CAM's A^k: the rectified maps the next layer sees
    lines.append(text("cam.layer" if hooked == layer else "cam.layer_relu", layer=layer, relu=hooked,
                      h=choice["size"][0], w=choice["size"][1], size=size))
    shown = np.array(one_per_class(pred.y_true, pred.y_pred, pred.probs, settings.seed), dtype=np.int64)
    lines += without_correct(shown, pred.y_true, pred.y_pred, dataset.classes, text)

    def inputs(idx: np.ndarray) -> torch.Tensor:
        return trained.inputs(test.x[idx])

    example_maps = gradcam(model, hooked, inputs(shown), pred.y_pred[shown])
    figs = [figures.save(plot_overlays(test.x[shown], example_maps, titles(shown, pred, dataset.classes, text),
                                       text=text), "gradcam", text("cap.gradcam", layer=hooked))]
    if user_images:  # the user's own pictures, explained for the class the model predicts
        own = np.stack([im.pixels for im in user_images])
        own_maps = gradcam(model, hooked, trained.inputs(own), [u["pred"] for u in user_predictions])
        figs.append(figures.save(plot_overlays(own, own_maps, own_titles(user_predictions, text), text=text),
                                 "gradcam_own", text("ex.own_caption", n=len(own))))

    sample = correct_sample(pred.y_true, pred.y_pred, n=N_FAITH, seed=settings.seed)
    checked = sample if len(sample) else shown
    targets = pred.y_true[sample]
    x = inputs(checked)
    maps = gradcam(model, hooked, x, pred.y_pred[checked])
    formula = gradcam_by_formula(model, hooked, x, pred.y_pred[checked])
    diff = float(np.abs(maps - formula).max()) if maps.size else 0.0
    peak = float(maps.max()) if maps.size else 0.0
    scores: dict[str, dict] = {}
    if len(sample):
        scores["gradcam"] = score_maps(maps, predict=lambda b: torch.softmax(model(b), 1), x=x, targets=targets,
                                       classes=dataset.classes, regions=None if test.regions is None
                                       else test.regions[sample], region_names=dataset.region_names, seed=settings.seed)
        lines += faithfulness_text(scores, {"gradcam": text("cam.method")}, text)
        figs.append(figures.save(plot_deletion(scores, {"gradcam": text("cam.method")}, text), "gradcam_deletion",
                                 text("cap.deletion", n=len(sample))))
    else:
        lines.append(text("faith.none"))
    ok = diff <= 1e-4 * max(peak, 1e-12)
    lines.append(text("cam.check" if ok else "cam.check_bad", diff=diff, n=len(checked), peak=peak))
    return Result(numbers={"layer": layer, "hooked": hooked, "feature_size": choice["size"], "requested_layer": choice["requested"],
                           "requested_size": choice["requested_size"], "layer_replaced": choice["replaced"],
                           "examples": shown.tolist(), "own_images": user_predictions,
                           "formula_max_abs_diff": diff, "map_peak": peak,
                           "faithfulness": scores, "seconds": time.perf_counter() - start},
                  text=lines, figures=figs, tables={"faithfulness": table_rows(scores, {"gradcam": text("cam.method")})})


def plot_overlays(images: np.ndarray, maps: np.ndarray, heads: list[tuple[str, bool]], *, text) -> plt.Figure:
    """Gray input (top) and the map in 'jet', alpha-blended over it (bottom), one column per example."""
    overlays = [[Layer(img), Layer(m / m.max() if m.max() > 0 else m, cmap="jet", vmin=0, vmax=1, alpha=OVERLAY_ALPHA)]
                for img, m in zip(images, maps)]
    return image_rows([(text("ex.row_input"), [[Layer(img)] for img in images]), (text("cam.method"), overlays)],
                      heads)


section = Section(name="gradcam", order=70, run=run, question=QUESTION, strings=STRINGS, requires=(LAYER_HOOKS, CONV_LAYERS),
                  summary="Grad-CAM overlays per class on a layer of at least 12x12; pointing game, cue-mass, "
                          "deletion test and a check against the formula")
