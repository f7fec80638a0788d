"""One explanation method's faithfulness numbers, as the saliency and Grad-CAM sections report them.

Arrays in, a JSON-ready dict out: pointing game and mass on the cue regions against chance (when
the data has ground-truth regions), per class the region holding most of the mass, and the deletion
test against a random ranking of the same images; and the sentences and table rows made from them.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from fer_report.explain.faithfulness import (FLAT_RESPONSE, MIN_EFFECT, chance_rate, curve_area, deletion_curve,
                                             mass_inside, paired_test, pointing_game, random_maps, region_shares,
                                             response, untied)

#: Deleted pixels take this model-input value: 0 after normalisation = the training set's mean grey,
#: a plain pixel that carries no expression cue (black would add a dark, edge-like blob instead).
DELETION_FILL = 0.0
DELETION_STEPS = 10  # curve points at 0 %, 10 %, ..., 100 % deleted
GOOD = 2.0  # a pointing-game rate this many times chance counts as "looks at the cues"

#: The sentences for a difference under ``MIN_EFFECT``, in both languages (the other faith.* sentences are
#: the report's shared ones); the saliency, Grad-CAM and LIME sections all get them through ``faithfulness_text``.
STRINGS = {
    "en": {
        "faith.deletion_none": "Deletion test: replacing pixels by the training set's mean grey in the {method} "
                               "order (most important first) makes no measurable difference against a random order "
                               "on the same {n} images: area under the curve {auc:.4f} against {rand:.4f}, "
                               "{diff:+.4f} ± {se:.4f} per image, under the {min} that counts as a difference.",
        "faith.all_tie": "Although deleting pixels moves the true class's probability by {move:.3f} per image on "
                         "average, no map's order differs measurably from a random one: these maps do not single "
                         "out the pixels the model relies on.",
        "faith.all_tie_flat": "No map's order can differ measurably from a random one here, because the model's "
                              "output barely changes: deleting every pixel moves the true class's probability by "
                              "only {move:.4f} per image on average (under {flat}). The usual cause is untrained or "
                              "collapsed weights (check the weights file and the input normalisation); the maps "
                              "cannot be judged on this model.",
    },
    "zh-TW": {
        "faith.deletion_none": "刪除測試：依 {method} 的順序（最重要的先）把像素換成訓練資料的平均灰色，與隨機順序"
                               "相比沒有可測量的差異（同樣 {n} 張圖片）：曲線下面積 {auc:.4f}，隨機為 {rand:.4f}，"
                               "每張圖片的差為 {diff:+.4f} ± {se:.4f}，小於視為差異的 {min}。",
        "faith.all_tie": "雖然刪除像素時真實類別的機率平均每張圖片變動 {move:.3f}，但沒有任何一張圖的順序與隨機順序"
                         "有可測量的差異：這些圖並未找出模型真正依賴的像素。",
        "faith.all_tie_flat": "在這裡任何圖的順序都無法與隨機順序有可測量的差異，因為模型的輸出幾乎不變：刪除全部像素"
                              "時，真實類別的機率平均每張圖片只變動 {move:.4f}（小於 {flat}）。常見原因是權重未經訓練"
                              "或已崩潰（請檢查權重檔與輸入的正規化）；在這個模型上無法評判這些圖。",
    },
}


def score_maps(
    maps: np.ndarray,
    *,
    predict: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    targets: np.ndarray,
    classes: tuple[str, ...] | list[str],
    regions: np.ndarray | None,
    region_names: dict[int, str],
    seed: int = 0,
    steps: int = DELETION_STEPS,
    random_scores: np.ndarray | None = None,
    order: np.ndarray | None = None,
) -> dict:
    """Faithfulness numbers of ``maps`` (N, H, W) for the images ``x`` explained towards ``targets``.

    ``predict`` maps model inputs to probabilities; ``regions`` is the (N, H, W) cue map or None
    (real data: the region numbers are then None). The random baseline is ``random_maps`` with
    ``seed`` on the same images; pass ``random_scores`` (from ``random_deletion``) to share one
    baseline between several methods. ``order`` (N, H, W), when given, ranks the pixels for the deletion
    curve instead of ``maps`` (LIME: its signed weights, so that counter-evidence is deleted last
    rather than in raster order among the zeros of a positive-only map).
    """
    n = len(maps)
    targets = np.asarray(targets, dtype=np.int64)
    t = torch.as_tensor(targets, device=x.device)
    fractions, scores = deletion_curve(predict, x, t, untied(maps if order is None else order, seed), steps=steps,
                                       fill=DELETION_FILL)
    rand = random_deletion(predict, x, targets, seed=seed, steps=steps) if random_scores is None else random_scores
    out: dict = {
        "n": n, "pointing_game": None, "mass_inside": None, "chance": None, "per_class": [],
        "region_area": None,
        "deletion_auc": curve_area(fractions, scores), "random_auc": curve_area(fractions, rand),
        **paired_difference(fractions, scores, rand),
        "fractions": fractions.tolist(), "curve": scores.mean(0).tolist(), "random_curve": rand.mean(0).tolist(),
    }
    if regions is None or n == 0:
        return out
    masks = regions > 0
    out.update(pointing_game=float(pointing_game(maps, masks).mean()), mass_inside=float(mass_inside(maps, masks).mean()),
               chance=chance_rate(masks),
               region_area={name: float((regions == code).mean()) for code, name in region_names.items()})
    shares = region_shares(maps, regions, region_names)
    for c, name in enumerate(classes):
        of_class = targets == c
        if not of_class.any():
            continue
        mean = {r: float(s[of_class].mean()) for r, s in shares.items()}
        dominant = max(mean, key=mean.get)
        out["per_class"].append({
            "class": name, "n": int(of_class.sum()), "shares": mean, "dominant": dominant,
            "area": float((regions[of_class] == _code(region_names, dominant)).mean()),
        })
    return out


def random_deletion(predict: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, targets: np.ndarray, *,
                    seed: int = 0, steps: int = DELETION_STEPS) -> np.ndarray:
    """(N, steps + 1) deletion scores of a random pixel order: the baseline every method is compared with."""
    t = torch.as_tensor(np.asarray(targets, dtype=np.int64), device=x.device)
    maps = random_maps((len(x), *x.shape[-2:]), seed)
    return deletion_curve(predict, x, t, maps, steps=steps, fill=DELETION_FILL)[1]


def paired_difference(fractions: np.ndarray, scores: np.ndarray, rand: np.ndarray) -> dict:
    """Per image, the method's deletion area minus the random order's: mean, standard error, and a verdict.

    The two curves come from the same images, so their difference is measured image by image
    (``faithfulness.paired_test``): "faster" (or "slower") only when the mean difference is at least
    ``MIN_EFFECT`` (0.01) and more than two standard errors from zero; "negligible" under ``MIN_EFFECT``
    (no measurable difference, however small the standard error); else "same", within noise.
    ``response`` says how far the true class's probability moves at all along the random order's curve.
    """
    mean, se, verdict = paired_test(_areas(fractions, rand) - _areas(fractions, scores))
    word = {"better": "faster", "worse": "slower", "noise": "same", "negligible": "negligible"}[verdict]
    return {"auc_diff": -mean, "auc_diff_se": se, "deletion_verdict": word, "response": response(rand)}


def _areas(fractions: np.ndarray, scores: np.ndarray) -> np.ndarray:
    return np.sum((scores[:, 1:] + scores[:, :-1]) / 2 * np.diff(fractions), axis=1)


def faithfulness_text(scores: dict[str, dict], names: dict[str, str], text) -> list[str]:
    """Sentences (via the report's ``text``) from ``score_maps`` results, one method after another; the
    sentences for no measurable difference are this module's ``STRINGS``, layered onto the report's."""
    text = text.with_strings(STRINGS)
    lines: list[str] = []
    first = next(iter(scores.values()), None)
    if first is not None and first["chance"] is None:
        lines.append(text("faith.no_regions"))
    elif first is not None:
        a = first["region_area"]
        lines.append(text("faith.areas", brows=a["brows"], eyes=a["eyes"], mouth=a["mouth"], chance=first["chance"]))
    for method, s in scores.items():
        name = names[method]
        if s["chance"] is not None:
            good = s["pointing_game"] >= GOOD * s["chance"]
            lines.append(text("faith.pointing", method=name, n=s["n"], pg=s["pointing_game"], mass=s["mass_inside"],
                              chance=s["chance"], verdict=text("faith.good" if good else "faith.weak")))
            items = [text("faith.region_item", cls=text.cls(c["class"]), share=c["shares"][c["dominant"]],
                          region=text(f"faith.region.{c['dominant']}"), area=c["area"]) for c in s["per_class"]
                     if c["shares"][c["dominant"]] > 0]  # a class whose maps are empty holds no region
            if items:
                lines.append(text("faith.regions", method=name, items=text("faith.sep").join(items)))
        key = {"faster": "faith.deletion", "same": "faith.deletion_same", "slower": "faith.deletion_worse",
               "negligible": "faith.deletion_none"}
        lines.append(text(key[s["deletion_verdict"]], method=name, n=s["n"], auc=s["deletion_auc"],
                          rand=s["random_auc"], diff=s["auc_diff"], se=s["auc_diff_se"], min=MIN_EFFECT))
    if scores and all(s["deletion_verdict"] == "negligible" for s in scores.values()):
        move = first["response"]
        lines.append(text("faith.all_tie_flat" if move < FLAT_RESPONSE else "faith.all_tie", move=move,
                          flat=FLAT_RESPONSE, methods=len(scores)))
    return lines


def table_rows(scores: dict[str, dict], names: dict[str, str]) -> list[dict]:
    """Rows of the faithfulness table: method | pointing game | mass on cues | chance | deletion AUC | random AUC."""
    return [{"method": names[m], "pointing_game": s["pointing_game"], "mass_inside": s["mass_inside"],
             "chance": s["chance"], "deletion_auc": s["deletion_auc"], "random_auc": s["random_auc"]}
            for m, s in scores.items()]


def _code(names: dict[int, str], name: str) -> int:
    return next(code for code, n in names.items() if n == name)


def plot_deletion(scores: dict[str, dict], names: dict[str, str], text):
    """Each method's mean deletion curve beside the shared random ranking's, AUCs in the legend."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.4, 2.7))
    first = next(iter(scores.values()))
    for method, s in scores.items():
        ax.plot(s["fractions"], s["curve"], label=f"{names[method]} (AUC {s['deletion_auc']:.3f})")
    ax.plot(first["fractions"], first["random_curve"], "--", color="gray",
            label=f"{text('faith.random')} (AUC {first['random_auc']:.3f})")
    ax.set_xlabel(text("faith.fraction"))
    ax.set_ylabel(text("faith.prob"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig
