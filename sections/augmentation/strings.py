"""The augmentation section's heading and sentences, in every report language (same keys and placeholders)."""

QUESTION = {
    "en": "Train the same model with and without data augmentation and compare the training curves. What does "
          "augmentation change?",
    "zh-TW": "請以相同模型分別在有與沒有 data augmentation 的情況下訓練，比較訓練曲線，說明 augmentation "
             "帶來的影響。",
}

STRINGS = {
    "en": {
        "aug.with": "with augmentation",
        "aug.without": "without augmentation",
        "aug.dnn": "fully connected ({model}, matched to {match})",
        "aug.setup": "The same {model} was trained twice with seed {seed} for {epochs} epochs, once with and once "
                     "without data augmentation (for every batch anew: horizontal flip with probability 1/2, "
                     "rotation up to ±{rot:g}°, shift up to ±{shift:.0%} of the image and scale "
                     "{smin:g}-{smax:g})[[see:augmentation]].",
        "aug.setup_policy": "The same {model} was trained twice with seed {seed} for {epochs} epochs, once with "
                            "and once without data augmentation (the '{policy}' policy of fer_report/data/augment.py, "
                            "drawn anew for every batch)[[see:augmentation]].",
        "aug.run": "{label}: best validation accuracy {best:.1%} at epoch {epoch} of {epochs}; after the last "
                   "epoch training accuracy {train:.1%} and validation accuracy {val:.1%} (train-val gap "
                   "{gap:+.1%}); test accuracy {test:.1%}.",
        "aug.helps": "Augmentation raised the best validation accuracy by {pts:.1f} percentage points.",
        "aug.hurts": "Augmentation lowered the best validation accuracy by {pts:.1f} percentage points.",
        "aug.same": "Augmentation changed the best validation accuracy by less than half a percentage point "
                    "({pts:+.1f}).",
        "aug.gap_none": "Neither run overfits: validation accuracy ends above or within a point of training "
                        "accuracy in both (train-val gap {on:+.1%} with augmentation, {off:+.1%} without), so "
                        "here augmentation has no overfitting to reduce.",
        "aug.gap_narrower": "It narrowed the final train-val gap from {off:+.1%} to {on:+.1%}: the model fits its "
                            "training images less closely and generalises more evenly.",
        "aug.gap_wider": "The final train-val gap is {on:+.1%} with augmentation against {off:+.1%} without, so "
                         "it did not reduce overfitting in this run.",
        "aug.train_acc_note": "Training accuracy is measured on the batches as they were trained (augmented, "
                              "where augmentation is on), validation accuracy on the untouched validation images, "
                              "so part of a smaller gap comes from harder training batches.",
        "aug.peak_later": "With augmentation validation accuracy peaked later (epoch {on} against {off}): the "
                          "model kept learning from the varied images for longer.",
        "aug.peak_earlier": "With augmentation validation accuracy peaked earlier (epoch {on} against {off}).",
        "aug.peak_same": "Both runs reached their best validation accuracy at epoch {on}.",
        "aug.req_exported": "the model came trained as a {kind} file, which has no Python class to train again with "
                            "and without augmentation; compare your own runs' logs with --compare LABEL=FILE (e.g. "
                            "--compare 'with augmentation=aug.csv' --compare 'without augmentation=plain.csv'), or "
                            "give the class with --model FILE.py:NAME (and --weights) to have it trained here.",
        "aug.req_ask": "the model came trained; training your class {model} again with and without augmentation "
                       "costs more trainings of it, so it is done only when a course preset (--questions) or "
                       "--sections {section} asks for it; compare your own runs' logs with --compare LABEL=FILE "
                       "(e.g. --compare 'with augmentation=aug.csv' --compare 'without augmentation=plain.csv').",
        "aug.own_class": "Your {model} came trained with your own recipe (--weights {weights}), and a checkpoint "
                         "cannot be trained again with one setting changed; so both runs below are your class "
                         "trained here from scratch with fer-report's recipe ({optimizer}, learning rate {lr:g}, "
                         "batch {batch}, {epochs} epochs as --epochs sets, seed {seed}): {now} trained now in "
                         "{seconds:.0f} s on {device}, {cached} reused from the training cache "
                         "({cached_seconds:.0f} s when trained). The checkpoint you gave is none of them.",
        "aug.cost": "The counterpart run ({label}) was trained for this section in {seconds:.0f} s on {device}, "
                    "on top of the {main:.0f} s of the main run.",
        "aug.cost_cached": "The counterpart run ({label}) was reused from the training cache (it took "
                           "{seconds:.0f} s when trained, against {main:.0f} s for the main run).",
        "aug.abl_dnn": "Ablation: a fully connected network with {params:,} parameters (the CNN has "
                       "{cnn_params:,}) reached a best validation accuracy of {best:.1%} against {cnn_best:.1%} "
                       "for the CNN, with a final train-val gap of {gap:+.1%} against {cnn_gap:+.1%}.",
        "aug.run_h": "Run",
        "aug.best_h": "Best val. acc.",
        "aug.epoch_h": "Best epoch",
        "aug.train_h": "Final train acc.",
        "aug.val_h": "Final val. acc.",
        "aug.gap_h": "Gap",
        "aug.test_h": "Test acc.",
        "aug.params_h": "Parameters",
        "aug.seconds_h": "Training (s)",
        "aug.original": "original",
        "aug.augmented": "augmented",
        "cap.aug_curves": "Loss (left) and accuracy (right) per epoch for each run: solid lines training, dashed "
                          "validation, one colour per run.",
        "cap.aug_samples": "One training image per class (top row) and {n} random augmentations of each, drawn as "
                           "in training.",
        "cmp.setup": "Your {n} runs, from your own training logs: {runs}[[see:augmentation]].",
        "cmp.sep": "; ",
        "cmp.run": "{label}: best validation accuracy {best:.1%} at epoch {epoch} of {epochs}; after the last epoch "
                   "training accuracy {train:.1%} and validation accuracy {val:.1%} (train-val gap {gap:+.1%}).",
        "cmp.run_partial": "{label}: {epochs} epochs logged, without both training and validation accuracy.",
        "cmp.helps": "{a} reached a best validation accuracy {pts:.1f} percentage points higher than {b}.",
        "cmp.hurts": "{a} reached a best validation accuracy {pts:.1f} percentage points lower than {b}.",
        "cmp.same": "{a} and {b} reached best validation accuracies within half a percentage point ({pts:+.1f}).",
        "cmp.gap_none": "Neither run overfits: validation accuracy ends above or within a point of training "
                        "accuracy in both (train-val gap {on:+.1%} for {a}, {off:+.1%} for {b}).",
        "cmp.gap_narrower": "{a} ends with a narrower train-val gap ({on:+.1%}) than {b} ({off:+.1%}): it fits "
                            "its training images less closely and generalises more evenly.",
        "cmp.gap_wider": "{a} ends with a wider train-val gap ({on:+.1%}) than {b} ({off:+.1%}).",
        "cmp.peak_later": "{a} reached its best validation accuracy later (epoch {on} against {off} for {b}).",
        "cmp.peak_earlier": "{a} reached its best validation accuracy earlier (epoch {on} against {off} for {b}).",
        "cmp.peak_same": "{a} and {b} reached their best validation accuracy at the same epoch ({on}).",
        "cmp.incomplete": "{a} and {b} cannot be compared: a log lacks validation or training accuracy.",
    },
    "zh-TW": {
        "aug.with": "有 augmentation",
        "aug.without": "無 augmentation",
        "aug.dnn": "全連接網路（{model}，參數量對齊 {match}）",
        "aug.setup": "同一個 {model} 以 seed {seed} 訓練 {epochs} 個 epoch 兩次，一次有、一次沒有 data "
                     "augmentation（每個 batch 重新抽樣：機率 1/2 的水平翻轉、至多 ±{rot:g}° 的旋轉、至多影像 "
                     "±{shift:.0%} 的平移，以及 {smin:g}-{smax:g} 倍的縮放）[[see:augmentation]]。",
        "aug.setup_policy": "同一個 {model} 以 seed {seed} 訓練 {epochs} 個 epoch 兩次，一次有、一次沒有 data "
                            "augmentation（fer_report/data/augment.py 的「{policy}」策略，每個 batch 重新抽樣）[[see:augmentation]]。",
        "aug.run": "{label}：最佳 validation 準確率 {best:.1%}，出現在第 {epoch} 個 epoch（共 {epochs} "
                   "個）；最後一個 epoch 後 training 準確率 {train:.1%}、validation 準確率 {val:.1%}（兩者差距 "
                   "{gap:+.1%}）；test 準確率 {test:.1%}。",
        "aug.helps": "Augmentation 讓最佳 validation 準確率提高了 {pts:.1f} 個百分點。",
        "aug.hurts": "Augmentation 讓最佳 validation 準確率降低了 {pts:.1f} 個百分點。",
        "aug.same": "Augmentation 對最佳 validation 準確率的影響不到半個百分點（{pts:+.1f}）。",
        "aug.gap_none": "兩次訓練都沒有 overfitting：最後的 validation 準確率都高於 training "
                        "準確率或相差不到一個百分點（差距：有 augmentation 為 {on:+.1%}，沒有為 "
                        "{off:+.1%}），因此這裡 augmentation 沒有 overfitting 可以減少。",
        "aug.gap_narrower": "它把最後的 training 與 validation 準確率差距從 {off:+.1%} 縮小到 "
                            "{on:+.1%}：模型較不會死記訓練圖片，泛化得更平均。",
        "aug.gap_wider": "有 augmentation 時最後的差距為 {on:+.1%}，沒有時為 "
                         "{off:+.1%}，因此在這次訓練中它並未減少 overfitting。",
        "aug.train_acc_note": "Training 準確率是在訓練時的 batch 上量測的（開啟 augmentation 時即為 augmentation "
                              "後的圖片），validation 準確率則是在原始的 validation "
                              "圖片上，因此差距變小有一部分來自較難的訓練 batch。",
        "aug.peak_later": "有 augmentation 時 validation 準確率較晚達到最高（第 {on} 個 epoch，相對於第 {off} "
                          "個）：模型能從多變的圖片中學習得更久。",
        "aug.peak_earlier": "有 augmentation 時 validation 準確率較早達到最高（第 {on} 個 epoch，相對於第 {off} "
                            "個）。",
        "aug.peak_same": "兩次訓練都在第 {on} 個 epoch 達到最佳 validation 準確率。",
        "aug.req_exported": "模型是已訓練好的 {kind} 檔，沒有可以在有與沒有 augmentation 下重新訓練的 Python class；"
                            "可用 --compare 標籤=檔案 比較你自己多次訓練的紀錄（例如 --compare 'with augmentation=au"
                            "g.csv' --compare 'without augmentation=plain.csv'），或以 --model 檔案.py:類別名稱（及 "
                            "--weights）提供 class，讓它在這裡訓練。",
        "aug.req_ask": "模型已訓練好；在有與沒有 augmentation 下重新訓練你的 class {model} 需要多次訓練，因此只在課"
                       "程題組（--questions）或 --sections {section} 要求時才做；可用 --compare 標籤=檔案 比較你自己"
                       "多次訓練的紀錄（例如 --compare 'with augmentation=aug.csv' --compare 'without augmentation=p"
                       "lain.csv'）。",
        "aug.own_class": "你的 {model} 是以你自己的訓練方式訓練好的（--weights {weights}），checkpoint 無法只改一個"
                         "設定重新訓練；因此下面兩次訓練都是你的 class 在這裡以 fer-report 的訓練方式從頭訓練的（{op"
                         "timizer}、learning rate {lr:g}、batch {batch}、{epochs} 個 epoch（由 --epochs 設定）、seed"
                         " {seed}）：{now} 次現在在 {device} 上訓練，花了 {seconds:.0f} 秒，{cached} 次取自訓練快取"
                         "（當初花了 {cached_seconds:.0f} 秒）。你提供的 checkpoint 不在其中。",
        "aug.cost": "對照組（{label}）是為這一節在 {device} 上訓練的，花了 {seconds:.0f} 秒，另外主要的訓練花了 "
                    "{main:.0f} 秒。",
        "aug.cost_cached": "對照組（{label}）取自訓練快取（當初訓練花了 {seconds:.0f} 秒，主要的訓練花了 "
                           "{main:.0f} 秒）。",
        "aug.abl_dnn": "消融實驗：參數量 {params:,} 的全連接網路（CNN 為 {cnn_params:,}）最佳 validation 準確率為 "
                       "{best:.1%}，CNN 為 {cnn_best:.1%}；最後的 training 與 validation 差距為 {gap:+.1%}，CNN "
                       "為 {cnn_gap:+.1%}。",
        "aug.run_h": "訓練",
        "aug.best_h": "最佳 val. 準確率",
        "aug.epoch_h": "最佳 epoch",
        "aug.train_h": "最後 train 準確率",
        "aug.val_h": "最後 val. 準確率",
        "aug.gap_h": "差距",
        "aug.test_h": "Test 準確率",
        "aug.params_h": "參數量",
        "aug.seconds_h": "訓練時間（秒）",
        "aug.original": "原圖",
        "aug.augmented": "augmentation 後",
        "cap.aug_curves": "每次訓練每個 epoch 的 loss（左）與準確率（右）：實線為 training，虛線為 "
                          "validation，每次訓練一種顏色。",
        "cap.aug_samples": "每個類別一張訓練圖片（最上列）以及各自 {n} 個隨機 augmentation "
                           "的結果，抽樣方式與訓練時相同。",
        "cmp.setup": "你的 {n} 次訓練，取自你自己的訓練紀錄：{runs}[[see:augmentation]]。",
        "cmp.sep": "；",
        "cmp.run": "{label}：最佳 validation 準確率 {best:.1%}，出現在第 {epoch} 個 epoch（共 {epochs} 個）；最後一個 "
                   "epoch training 準確率 {train:.1%}、validation 準確率 {val:.1%}（差距 {gap:+.1%}）。",
        "cmp.run_partial": "{label}：紀錄了 {epochs} 個 epoch，但沒有同時記錄 training 與 validation 準確率。",
        "cmp.helps": "{a} 的最佳 validation 準確率比 {b} 高 {pts:.1f} 個百分點。",
        "cmp.hurts": "{a} 的最佳 validation 準確率比 {b} 低 {pts:.1f} 個百分點。",
        "cmp.same": "{a} 與 {b} 的最佳 validation 準確率相差不到半個百分點（{pts:+.1f}）。",
        "cmp.gap_none": "兩次訓練都沒有 overfitting：validation 準確率最後都高於或接近 training 準確率（{a} 差距 "
                        "{on:+.1%}，{b} 差距 {off:+.1%}）。",
        "cmp.gap_narrower": "{a} 最後的 training 與 validation 差距（{on:+.1%}）比 {b}（{off:+.1%}）小：它對訓練圖片"
                            "擬合得較不緊，泛化較平均。",
        "cmp.gap_wider": "{a} 最後的 training 與 validation 差距（{on:+.1%}）比 {b}（{off:+.1%}）大。",
        "cmp.peak_later": "{a} 較晚達到最佳 validation 準確率（第 {on} 個 epoch，{b} 為第 {off} 個）。",
        "cmp.peak_earlier": "{a} 較早達到最佳 validation 準確率（第 {on} 個 epoch，{b} 為第 {off} 個）。",
        "cmp.peak_same": "{a} 與 {b} 在同一個 epoch（第 {on} 個）達到最佳 validation 準確率。",
        "cmp.incomplete": "{a} 與 {b} 無法比較：有紀錄缺少 validation 或 training 準確率。",
    },
}
