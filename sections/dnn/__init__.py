"""Question (2019 Spring HW3 Q1-Q2, 2018 Fall Q2, 2017 Spring Q2): a simple fully connected net with about the
CNN's number of parameters; its architecture, training and accuracy, compared with the CNN.

The DNN is the built-in ``dnn`` with ``match`` = the run's model, so fer_report/model/builtin/dnn.py solves its width
until its Keras parameter count is within 5 % of the CNN's; every other setting (recipe, seed, epochs, data) is
the run's own. The comparison therefore measures the architecture, not the capacity or the training. It costs
one more training, cached like any (``fer_report.training.train.train``): the text says how many seconds.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from torch import nn

from fer_report.model.builtin.dnn import TOLERANCE
from fer_report.draw.plots import plot_runs
from fer_report.report.requirements import TRAINED_HERE, Requirement
from fer_report.training.run_facts import run_facts
from fer_report.report.section import Result, Section
from fer_report.model.summary import Summary, count_params, summarize
from fer_report.training.train import Trained, train

SAME = 0.005  # test accuracies closer than half a point read as "the same"
NO_OVERFIT = 0.01  # a final train - val gap at most this: the run does not overfit
CHANCE = 0.02  # a test accuracy within 2 points of always answering the largest class: learnt next to nothing
COLOURS = ("#1f77b4", "#d62728")

QUESTION = {
    "en": "Describe your CNN, then train a simple DNN with about the same number of parameters: its architecture, "
          "training and accuracy. Plot both training histories and compare: what do you observe?",
    "zh-TW": "請說明你實作的 CNN model，並用與上述 CNN 接近的參數量實做簡單的 DNN model，說明其模型架構、訓練參數和"
             "準確率，分別畫出兩個 model 的訓練過程，並說明你觀察到了什麼？",
}

STRINGS = {
    "en": {
        "dnn.req_builtin": "the model {model} is your own: the fully connected net can only be sized to a built-in "
                           "model's parameter count (--model cnn4, cnn3, resnet18 or vgg), so train a DNN of your "
                           "own and compare its log with --compare.",
        "dnn.req_is_dnn": "the run's model already is the fully connected dnn; choose a CNN with --model (the dnn "
                          "is then sized to it).",
        "dnn.sizes": "{cnn} has {cnn_params:,} parameters in Keras's count; the DNN has {dnn_params:,} ({ratio:.3f} "
                     "times as many): {layers} hidden layers of {hidden} units, each Linear, BatchNorm, ReLU and "
                     "dropout {dropout:g}, then a Linear layer to the {classes} classes, its width solved so the "
                     "count is within {tol:.0%} of the CNN's.",
        "dnn.first_layer": "The DNN's first layer alone holds {share:.0%} of its parameters ({first:,}): one weight "
                           "for each pair of the {pixels:,} input pixels and {width} units.",
        "dnn.recipe": "Both were trained the same way: {optimizer}, learning rate {lr:g}, batch {batch}, {epochs} "
                      "epochs, augmentation {augment}, seed {seed}; the weights of the best validation epoch are "
                      "kept[[see:dnn_curves]].",
        "dnn.run": "{label}: best validation accuracy {best:.1%} at epoch {epoch} of {epochs}; after the last epoch "
                   "training accuracy {train:.1%} and validation accuracy {val:.1%} (train-val gap {gap:+.1%}); "
                   "test accuracy {test:.1%}.",
        "dnn.chance": "{label} is hardly better than always answering {cls}, the largest class ({share:.1%} of the "
                      "test images): its test accuracy is {acc:.1%}, so it learnt next to nothing in {epochs} epochs.",
        "dnn.cnn_better": "With about the same number of parameters the CNN generalises better: its test accuracy "
                          "is {pts:.1f} percentage points higher ({cnn:.1%} against {dnn:.1%}).",
        "dnn.dnn_better": "With about the same number of parameters the DNN generalises better in this run: its "
                          "test accuracy is {pts:.1f} percentage points higher ({dnn:.1%} against {cnn:.1%}).",
        "dnn.same": "The two reach test accuracies within half a percentage point of each other ({cnn:.1%} for the "
                    "CNN, {dnn:.1%} for the DNN).",
        "dnn.gap_none": "Neither overfits: validation accuracy ends above or within a point of training accuracy "
                        "(train-val gap {cnn:+.1%} for the CNN, {dnn:+.1%} for the DNN).",
        "dnn.gap_wider": "The DNN ends with the wider train-val gap ({dnn:+.1%} against {cnn:+.1%} for the CNN): it "
                         "fits its training images more closely than it carries over to new ones.",
        "dnn.gap_narrower": "The CNN ends with the wider train-val gap ({cnn:+.1%} against {dnn:+.1%} for the DNN), "
                            "although it scores higher on new images.",
        "dnn.gap_narrower_plain": "The CNN ends with the wider train-val gap ({cnn:+.1%} against {dnn:+.1%} for the "
                                  "DNN).",
        "dnn.why": "The CNN's {convs} convolutions apply each small filter at every position of the image, so a cue "
                   "such as a mouth corner is learnt once wherever it appears; the DNN must learn it separately for "
                   "every position, with separate weights.",
        "dnn.cost": "The DNN was trained for this section in {seconds:.0f} s on {device}, on top of the {main:.0f} s "
                    "of the CNN.",
        "dnn.cost_cached": "The DNN was reused from the training cache (it took {seconds:.0f} s when trained, "
                           "against {main:.0f} s for the CNN).",
        "dnn.cnn_label": "CNN ({model})",
        "dnn.dnn_label": "DNN (dnn, matched to {model})",
        "dnn.model_h": "Model",
        "dnn.params_h": "Parameters",
        "dnn.best_h": "Best val. acc.",
        "dnn.epoch_h": "Best epoch",
        "dnn.train_h": "Final train acc.",
        "dnn.val_h": "Final val. acc.",
        "dnn.gap_h": "Gap",
        "dnn.test_h": "Test acc.",
        "dnn.seconds_h": "Training (s)",
        "dnn.layers_h": "Layers",
        "dnn.kinds_h": "Type",
        "dnn.shape_h": "Output shape",
        "dnn.weights_h": "Params",
        "dnn.buffers_h": "Buffers",
        "dnn.table_total": "Total {total:,} = {trainable:,} trainable + {buffers:,} non-trainable",
        "cap.dnn_curves": "Loss (left) and accuracy (right) per epoch of the CNN and the DNN: solid lines "
                          "training, dashed validation.",
    },
    "zh-TW": {
        "dnn.req_builtin": "模型 {model} 是你自己的模型：全連接網路只能對齊內建模型的參數量（--model cnn4、cnn3、"
                           "resnet18 或 vgg），請自行訓練 DNN，並以 --compare 比較它的訓練紀錄。",
        "dnn.req_is_dnn": "本次的模型已經是全連接的 dnn；請以 --model 選擇一個 CNN（dnn 會對齊它的參數量）。",
        "dnn.sizes": "依 Keras 的算法 {cnn} 有 {cnn_params:,} 個參數；DNN 有 {dnn_params:,} 個（{ratio:.3f} 倍）："
                     "{layers} 個各 {hidden} 個單元的隱藏層，每層為 Linear、BatchNorm、ReLU 與 dropout {dropout:g}，"
                     "最後一個 Linear 層輸出 {classes} 個類別；寬度是解出來的，使參數量與 CNN 相差在 {tol:.0%} 以內。",
        "dnn.first_layer": "DNN 光是第一層就佔了 {share:.0%} 的參數（{first:,} 個）：{pixels:,} 個輸入像素與 "
                           "{width} 個單元的每一對都有一個權重。",
        "dnn.recipe": "兩者以相同方式訓練：{optimizer}、learning rate {lr:g}、batch {batch}、{epochs} 個 epoch、"
                      "augmentation {augment}、seed {seed}；保留 validation 準確率最佳的 epoch 的權重[[see:dnn_curves]]。",
        "dnn.run": "{label}：最佳 validation 準確率 {best:.1%}，出現在第 {epoch} 個 epoch（共 {epochs} 個）；最後一個 "
                   "epoch 後 training 準確率 {train:.1%}、validation 準確率 {val:.1%}（差距 {gap:+.1%}）；test 準確率 "
                   "{test:.1%}。",
        "dnn.chance": "{label}幾乎不比永遠回答最大的類別{cls}（佔 test 圖片的 {share:.1%}）好：它的 test 準確率為 "
                      "{acc:.1%}，因此在 {epochs} 個 epoch 中幾乎沒有學到東西。",
        "dnn.cnn_better": "在參數量相近的情況下，CNN 的泛化能力較好：它的 test 準確率高了 {pts:.1f} 個百分點"
                          "（{cnn:.1%}，DNN 為 {dnn:.1%}）。",
        "dnn.dnn_better": "在參數量相近的情況下，這次 DNN 的泛化能力較好：它的 test 準確率高了 {pts:.1f} 個百分點"
                          "（{dnn:.1%}，CNN 為 {cnn:.1%}）。",
        "dnn.same": "兩者的 test 準確率相差不到半個百分點（CNN 為 {cnn:.1%}，DNN 為 {dnn:.1%}）。",
        "dnn.gap_none": "兩者都沒有 overfitting：最後的 validation 準確率高於 training 準確率或相差不到一個百分點"
                        "（差距：CNN 為 {cnn:+.1%}，DNN 為 {dnn:+.1%}）。",
        "dnn.gap_wider": "DNN 最後的 training 與 validation 差距較大（{dnn:+.1%}，CNN 為 {cnn:+.1%}）：它對訓練圖片"
                         "擬合得比它能推廣到新圖片的程度更緊。",
        "dnn.gap_narrower": "CNN 最後的 training 與 validation 差距較大（{cnn:+.1%}，DNN 為 {dnn:+.1%}），但它在新"
                            "圖片上的準確率仍較高。",
        "dnn.gap_narrower_plain": "CNN 最後的 training 與 validation 差距較大（{cnn:+.1%}，DNN 為 {dnn:+.1%}）。",
        "dnn.why": "CNN 的 {convs} 個卷積層在影像的每個位置套用同一個小 filter，因此像嘴角這樣的線索不論出現在哪裡"
                   "都只需學一次；DNN 則必須用不同的權重在每個位置分別學習。",
        "dnn.cost": "DNN 是為這一節在 {device} 上訓練的，花了 {seconds:.0f} 秒，另外 CNN 的訓練花了 {main:.0f} 秒。",
        "dnn.cost_cached": "DNN 取自訓練快取（當初訓練花了 {seconds:.0f} 秒，CNN 花了 {main:.0f} 秒）。",
        "dnn.cnn_label": "CNN（{model}）",
        "dnn.dnn_label": "DNN（dnn，參數量對齊 {model}）",
        "dnn.model_h": "模型",
        "dnn.params_h": "參數量",
        "dnn.best_h": "最佳 val. 準確率",
        "dnn.epoch_h": "最佳 epoch",
        "dnn.train_h": "最後 train 準確率",
        "dnn.val_h": "最後 val. 準確率",
        "dnn.gap_h": "差距",
        "dnn.test_h": "Test 準確率",
        "dnn.seconds_h": "訓練時間（秒）",
        "dnn.layers_h": "層",
        "dnn.kinds_h": "類型",
        "dnn.shape_h": "輸出維度",
        "dnn.weights_h": "參數",
        "dnn.buffers_h": "緩衝",
        "dnn.table_total": "合計 {total:,} = {trainable:,} 個可訓練 + {buffers:,} 個不可訓練",
        "cap.dnn_curves": "CNN 與 DNN 每個 epoch 的 loss（左）與準確率（右）：實線為 training，虛線為 validation。",
    },
}


def _builtin_cnn(a):
    """The dnn's ``match`` only knows the built-in models, and a dnn matched to itself compares nothing."""
    from fer_report.model.network import kind_of

    model = a.get("settings").model
    if kind_of(model) != "builtin":
        return "dnn.req_builtin", {"model": model}
    return ("dnn.req_is_dnn", {}) if model == "dnn" else None


#: The run's model is a built-in CNN (not the user's own, not the dnn itself).
BUILTIN_CNN = Requirement("a built-in CNN", _builtin_cnn)


def run(settings, dataset, trained, figures, text) -> Result:
    dnn_settings = replace(settings, model="dnn", match=settings.model)
    dnn = train(dnn_settings, dataset)
    cnn_f, dnn_f = (facts_with_params(t, dataset) for t in (trained, dnn))
    layers = summarize(dnn.model, dnn.spec.shape)
    shape = describe_dnn(dnn.model, layers)
    cnn_params, dnn_params = cnn_f["params"], dnn_f["params"]
    labels = {"cnn": text("dnn.cnn_label", model=settings.model), "dnn": text("dnn.dnn_label", model=settings.model)}

    lines = [text("dnn.sizes", cnn=settings.model, cnn_params=cnn_params, dnn_params=dnn_params,
                  ratio=dnn_params / cnn_params, layers=len(shape["hidden"]),
                  hidden=" / ".join(map(str, shape["hidden"])),
                  dropout=shape["dropout"], classes=len(dataset.classes), tol=TOLERANCE),
             text("dnn.first_layer", share=shape["first_params"] / layers.total, first=shape["first_params"],
                  pixels=shape["inputs"], width=shape["hidden"][0]),
             text("dnn.recipe", optimizer=settings.optimizer, lr=settings.lr, batch=settings.batch_size,
                  epochs=settings.epochs, augment=text("on" if settings.augment else "off"), seed=settings.seed)]
    lines += [text("dnn.run", label=labels[k], **_run_values(f)) for k, f in (("cnn", cnn_f), ("dnn", dnn_f))]
    largest, share = largest_class(dataset.test.y, len(dataset.classes))
    lines += [text("dnn.chance", label=labels[k], cls=text.cls(dataset.classes[largest]), share=share,
                   acc=f["test_acc"], epochs=f["epochs"])
              for k, f in (("cnn", cnn_f), ("dnn", dnn_f)) if near_chance(f["test_acc"], share, len(dataset.classes))]
    convs = sum(isinstance(m, nn.Conv2d) for m in trained.model.modules())
    lines += [text(key, **values) for key, values in compare(cnn_f, dnn_f, convs=convs)]
    lines.append(text("dnn.cost" if dnn.seconds > 0 else "dnn.cost_cached", seconds=dnn.recorded_seconds,
                      main=trained.recorded_seconds, device=str(dnn.device)))

    runs = [(labels["cnn"], trained.history), (labels["dnn"], dnn.history)]
    curves = figures.save(plot_runs(runs, text=text, colours=COLOURS), "dnn_curves", text("cap.dnn_curves"))
    numbers = {"cnn": {**cnn_f, "model": settings.model}, "dnn": {**dnn_f, **shape, "model": "dnn",
                                                                  "match": settings.model,
                                                                  "cache": str(dnn.cache_dir),
                                                                  "trained_now": dnn.seconds > 0},
               "param_ratio": dnn_params / cnn_params, "test_acc_delta": cnn_f["test_acc"] - dnn_f["test_acc"],
               "largest_class": dataset.classes[largest], "largest_class_share": share,
               "extra_training_seconds": dnn.recorded_seconds, "main_training_seconds": trained.recorded_seconds}
    tables = {"runs": [{"label": labels[k], **f} for k, f in (("cnn", cnn_f), ("dnn", dnn_f))],
              "layers": compact_layers(layers),
              "totals": {"total": layers.total, "trainable": layers.trainable, "buffers": layers.buffers}}
    return Result(numbers=numbers, text=lines, figures=[curves], tables=tables)


def compare(cnn: dict, dnn: dict, *, convs: int) -> list[tuple[str, dict]]:
    """The comparison's sentences (i18n key, values) from the two runs' facts; pure, for testing."""
    delta = cnn["test_acc"] - dnn["test_acc"]
    verdict = "dnn.same" if abs(delta) < SAME else "dnn.cnn_better" if delta > 0 else "dnn.dnn_better"
    out = [(verdict, {"pts": 100 * abs(delta), "cnn": cnn["test_acc"], "dnn": dnn["test_acc"]})]
    gaps = {"cnn": cnn["gap"], "dnn": dnn["gap"]}
    if max(gaps.values()) <= NO_OVERFIT:
        out.append(("dnn.gap_none", gaps))
    elif dnn["gap"] >= cnn["gap"]:
        out.append(("dnn.gap_wider", gaps))
    else:
        out.append(("dnn.gap_narrower" if verdict == "dnn.cnn_better" else "dnn.gap_narrower_plain", gaps))
    if verdict == "dnn.cnn_better" and convs:
        out.append(("dnn.why", {"convs": convs}))
    return out


def largest_class(y, n: int) -> tuple[int, float]:
    """The most frequent class and its share: what always answering it scores."""
    counts = np.bincount(y, minlength=n)
    return int(counts.argmax()), float(counts.max() / max(1, counts.sum()))


def facts_with_params(t: Trained, dataset) -> dict:
    """``run_facts`` plus the parameter count the comparison matches (trainable and buffers, as Keras counts)."""
    return {**run_facts(t, dataset), "params": int(sum(count_params(t.model)))}


def near_chance(acc: float, majority: float, classes: int) -> bool:
    """The rule of the near-chance warning for given weights (fer_report.report.artifacts.warn_if_near_chance)."""
    return acc < max(1.5 / classes, majority + CHANCE)


def describe_dnn(model: nn.Module, layers: Summary) -> dict:
    """Hidden sizes, dropout, input size and first-layer count, read from the built model (not assumed)."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    drops = [m.p for m in model.modules() if isinstance(m, nn.Dropout)]
    first = next(r for r in layers.rows if r.kind == "Linear")
    return {"hidden": [m.out_features for m in linears[:-1]], "inputs": linears[0].in_features,
            "dropout": drops[0] if drops else 0.0, "first_params": first.trainable}


def compact_layers(s: Summary) -> list[dict]:
    """The layer table folded into blocks: each Linear with the BatchNorm, ReLU and dropout after it."""
    blocks: list[list] = []
    for r in s.rows:
        if r.kind == "Linear" or not blocks:
            blocks.append([])
        blocks[-1].append(r)
    return [{"names": " → ".join(r.name.rsplit(".", 1)[-1] for r in b), "kinds": " + ".join(r.kind for r in b),
             "shape": "(None, " + ", ".join(map(str, b[-1].output_shape)) + ")",
             "trainable": sum(r.trainable for r in b), "buffers": sum(r.buffers for r in b)} for b in blocks]


def _run_values(f: dict) -> dict:
    return {"best": f["best_val_acc"], "epoch": f["best_epoch"], "epochs": f["epochs"], "train": f["final_train_acc"],
            "val": f["final_val_acc"], "gap": f["gap"], "test": f["test_acc"]}


section = Section(name="dnn", order=22, run=run, on_request=True, question=QUESTION, strings=STRINGS,
                  requires=(BUILTIN_CNN, TRAINED_HERE),
                  summary="A fully connected net with the CNN's parameter count (one more training): sizes, layers, "
                          "curves on shared axes, accuracies, gaps")
