"""The dnn section's question and sentences (en, zh-TW)."""

QUESTION = {
    "en": "Describe your CNN, then train a simple DNN with about the same number of parameters: its architecture, "
          "training and accuracy. Plot both training histories and compare: what do you observe?",
    "zh-TW": "請說明你實作的 CNN model，並用與上述 CNN 接近的參數量實做簡單的 DNN model，說明其模型架構、訓練參數和"
             "準確率，分別畫出兩個 model 的訓練過程，並說明你觀察到了什麼？",
}

STRINGS = {
    "en": {
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
                "dnn.sizes_count": "Your {cnn} has {cnn_params:,} parameters in Keras's count; fer-report's DNN has "
                                   "{dnn_params:,} ({ratio:.3f} times as many): {layers} hidden layers of {hidden} "
                                   "units, each Linear, BatchNorm, ReLU and dropout {dropout:g}, then a Linear "
                                   "layer to the {classes} classes, the widths solved so the count is within "
                                   "{tol:.0%} of your model's.",
        "dnn.sizes_own": "Your {cnn} has {cnn_params:,} parameters in Keras's count; your DNN {dnn} (--dnn-model) "
                         "has {dnn_params:,} ({ratio:.3f} times as many).",
        "dnn.cnn_here": "The CNN, {model}, was trained by this run with fer-report's recipe: {optimizer}, learning "
                        "rate {lr:g}, batch {batch}, {epochs} epochs, augmentation {augment}, seed {seed}.",
        "dnn.cnn_given": "The CNN is your {model} as you trained it in your own script, with your own recipe "
                         "({weights}): evaluated here, not trained.",
        "dnn.dnn_here": "The DNN was trained by this run on the same data with fer-report's recipe: {optimizer}, "
                        "learning rate {lr:g}, batch {batch}, {epochs} epochs (--epochs), augmentation {augment}, "
                        "seed {seed}; the weights of its best validation epoch are kept.",
        "dnn.dnn_class_here": "The DNN is your own class {model} (--dnn-model), trained by this run from scratch "
                              "with fer-report's recipe: {optimizer}, learning rate {lr:g}, batch {batch}, {epochs} "
                              "epochs (--epochs), augmentation {augment}, seed {seed}.",
        "dnn.dnn_given": "The DNN is your own {model} (--dnn-model) as you trained it in your own script "
                         "({weights}): evaluated here, not trained.",
        "dnn.recipes_differ": "The two were trained with different recipes, one in your script and one here, so "
                              "their difference measures the recipe as well as the architecture.",
        "dnn.run_test_only": "{label}: no training log (give it with {hint}), so no curves or best epoch; test "
                             "accuracy {test:.1%}.",
        "dnn.own_label": "DNN (your {model})",
        "dnn.cost_alone": "The DNN was trained for this section in {seconds:.0f} s on {device}.",
        "dnn.cost_cached_alone": "The DNN was reused from the training cache (it took {seconds:.0f} s when trained).",
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
                "dnn.sizes_count": "依 Keras 的算法你的 {cnn} 有 {cnn_params:,} 個參數；fer-report 的 DNN 有 {dnn_pa"
                                   "rams:,} 個（{ratio:.3f} 倍）：{layers} 個隱藏層，單元數 {hidden}，每層為 Linear"
                                   "、BatchNorm、ReLU 與 dropout {dropout:g}，最後一個 Linear 層輸出 {classes} 個類"
                                   "別；寬度是解出來的，使參數量與你的模型相差在 {tol:.0%} 以內。",
        "dnn.sizes_own": "依 Keras 的算法你的 {cnn} 有 {cnn_params:,} 個參數；你的 DNN {dnn}（--dnn-model）有 {dnn_p"
                         "arams:,} 個（{ratio:.3f} 倍）。",
        "dnn.cnn_here": "CNN（{model}）由本次以 fer-report 的訓練方式訓練：{optimizer}、learning rate {lr:g}、batch "
                        "{batch}、{epochs} 個 epoch、augmentation {augment}、seed {seed}。",
        "dnn.cnn_given": "CNN 是你在自己的程式中以你自己的訓練方式訓練好的 {model}（{weights}）：在這裡只做評估，沒有訓練。",
        "dnn.dnn_here": "DNN 由本次在相同資料上以 fer-report 的訓練方式訓練：{optimizer}、learning rate {lr:g}、batc"
                        "h {batch}、{epochs} 個 epoch（--epochs）、augmentation {augment}、seed {seed}；保留 validat"
                        "ion 準確率最佳的 epoch 的權重。",
        "dnn.dnn_class_here": "DNN 是你自己的 class {model}（--dnn-model），由本次以 fer-report 的訓練方式從頭訓練："
                              "{optimizer}、learning rate {lr:g}、batch {batch}、{epochs} 個 epoch（--epochs）、augm"
                              "entation {augment}、seed {seed}。",
        "dnn.dnn_given": "DNN 是你在自己的程式中訓練好的 {model}（--dnn-model，{weights}）：在這裡只做評估，沒有訓練。",
        "dnn.recipes_differ": "兩者的訓練方式不同，一個在你的程式中、一個在這裡訓練，因此兩者的差距同時反映訓練方式與架構。",
        "dnn.run_test_only": "{label}：沒有訓練紀錄（可用 {hint} 提供），因此沒有曲線與最佳 epoch；test 準確率 {test:.1%}。",
        "dnn.own_label": "DNN（你的 {model}）",
        "dnn.cost_alone": "DNN 是為這一節在 {device} 上訓練的，花了 {seconds:.0f} 秒。",
        "dnn.cost_cached_alone": "DNN 取自訓練快取（當初訓練花了 {seconds:.0f} 秒）。",
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
