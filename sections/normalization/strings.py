"""The normalization section's heading and sentences, in every report language (same keys and placeholders)."""

QUESTION = {
    "en": "Try data normalisation and data augmentation: how did you implement them, and how does each change the "
          "accuracy?",
    "zh-TW": "請嘗試 data normalization 與 data augmentation，說明實作方法，並說明實行前後對準確率有什麼樣的影響？",
}

STRINGS = {
    "en": {
        "norm.setup": "Four trainings of {model} with seed {seed} for {epochs} epochs, identical but for two "
                      "switches: input normalisation on or off, and data augmentation on or off[[see:normalization]].",
        "norm.on_fitted": "Normalisation on ({how}): every pixel becomes (x/255 − {mean:.3f}) / {std:.3f}, the mean "
                          "and standard deviation of the training images, so the input has mean 0 and standard "
                          "deviation 1.",
        "norm.on_given": "Normalisation on ({how}, the run's setting): every pixel becomes (x/255 − {mean:.3f}) / "
                         "{std:.3f}.",
        "norm.replaced_none": "This run itself trains on raw pixels (normalisation none), so it is the 'off' arm; "
                              "'on' is the built-ins' mean-std.",
        "norm.replaced_01": "This run itself only scales the pixels to 0..1 (normalisation 0-1), which does not "
                            "centre them, so 'on' is the built-ins' mean-std and the run's own training is not one "
                            "of the four.",
        "norm.off": "Normalisation off (none): the raw pixel values 0..255 go in unchanged, (x/255 − {mean:g}) / "
                    "{std:.5f} = x, the standard deviation being 1/{inv:.0f}.",
        "norm.aug": "Augmentation on is the run's '{policy}' policy of fer_report/data/augment.py, drawn anew for every "
                    "batch; off trains on the images as they are.",
        "norm.aug_light": "Augmentation on is the run's '{policy}' policy, drawn anew for every batch: horizontal "
                          "flip, rotation, shift and scale; off trains on the images as they are.",
        "norm.aug_strong": "Augmentation on is the run's '{policy}' policy, drawn anew for every batch: random "
                           "resized crop, shift, flip, rotation and random erasing; off trains on the images as "
                           "they are.",
        "norm.norm_helps": "Input normalisation raised the best validation accuracy by {val:.1f} percentage points "
                           "on average over augmentation on and off (test accuracy {test:+.1f} points).",
        "norm.norm_hurts": "Input normalisation lowered the best validation accuracy by {val:.1f} percentage points "
                           "on average over augmentation on and off (test accuracy {test:+.1f} points).",
        "norm.norm_same": "Input normalisation changed the best validation accuracy by less than half a point on "
                          "average over augmentation on and off ({val:+.1f}; test accuracy {test:+.1f} points).",
        "norm.aug_helps": "Augmentation raised the best validation accuracy by {val:.1f} percentage points on "
                          "average over normalisation on and off (test accuracy {test:+.1f} points).",
        "norm.aug_hurts": "Augmentation lowered the best validation accuracy by {val:.1f} percentage points on "
                          "average over normalisation on and off (test accuracy {test:+.1f} points).",
        "norm.aug_same": "Augmentation changed the best validation accuracy by less than half a point on average "
                         "over normalisation on and off ({val:+.1f}; test accuracy {test:+.1f} points).",
        "norm.interaction": "The two interact: augmentation changed the best validation accuracy by {with_norm:+.1f} "
                            "points with normalisation and by {without_norm:+.1f} points without it.",
        "norm.bn": "{model}'s first layer ({layer}) is followed by BatchNorm ({bn}), which re-centres and re-scales "
                   "its output over every batch whatever the scale of the input: that leaves input normalisation "
                   "little to do.",
        "norm.best": "The best of the four is {label}: best validation accuracy {val:.1%}, test accuracy {test:.1%}.",
        "norm.noise": "With {n:,} validation images an accuracy near {acc:.0%} has a standard error of about "
                      "{se:.1f} points, so differences of that size can be chance.",
        "norm.req_exported": "the model came trained as a {kind} file, which has no Python class to train again "
                             "with normalisation and augmentation on and off; compare your own runs' logs with "
                             "--compare LABEL=FILE (e.g. --compare 'with augmentation=aug.csv' --compare 'without "
                             "augmentation=plain.csv'), or give the class with --model FILE.py:NAME (and --weights) "
                             "to have it trained here.",
        "norm.req_ask": "the model came trained; training your class {model} again with normalisation and "
                        "augmentation on and off costs more trainings of it, so it is done only when a course "
                        "preset (--questions) or --sections {section} asks for it; compare your own runs' logs with "
                        "--compare LABEL=FILE (e.g. --compare 'with augmentation=aug.csv' --compare 'without "
                        "augmentation=plain.csv').",
        "norm.own_class": "Your {model} came trained with your own recipe (--weights {weights}), and a checkpoint "
                          "cannot be trained again with one setting changed; so the four runs below are your class "
                          "trained here from scratch with fer-report's recipe ({optimizer}, learning rate {lr:g}, "
                          "batch {batch}, {epochs} epochs as --epochs sets, seed {seed}): {now} trained now in "
                          "{seconds:.0f} s on {device}, {cached} reused from the training cache "
                          "({cached_seconds:.0f} s when trained). The checkpoint you gave is none of them.",
        "norm.cost": "Of the {extra} runs beyond the run's own training, {now} were trained for this section in "
                     "{seconds:.0f} s on {device} and {cached} came from the training cache ({cached_seconds:.0f} s "
                     "when trained); the run's own training took {main:.0f} s.",
        "norm.label": "normalisation {norm}, augmentation {aug}",
        "norm.norm_h": "Normalisation",
        "norm.aug_h": "Augmentation",
        "norm.input_h": "Input",
        "norm.best_h": "Best val. acc.",
        "norm.epoch_h": "Best epoch",
        "norm.train_h": "Final train acc.",
        "norm.val_h": "Final val. acc.",
        "norm.gap_h": "Gap",
        "norm.test_h": "Test acc.",
        "norm.seconds_h": "Training (s)",
        "norm.source_h": "Run",
        "norm.own": "this run",
        "norm.now": "trained now",
        "norm.cache": "from cache",
        "norm.test_bars": "Test accuracy",
        "cap.norm": "Left: validation accuracy (solid) and training accuracy (dashed) per epoch of the four runs. "
                    "Right: their test accuracy, normalisation on and off, with (solid) and without (hatched) "
                    "augmentation.",
    },
    "zh-TW": {
        "norm.setup": "以 seed {seed} 將 {model} 訓練 {epochs} 個 epoch 共四次，只有兩個開關不同：輸入正規化開或關，"
                      "以及 data augmentation 開或關[[see:normalization]]。",
        "norm.on_fitted": "正規化開啟（{how}）：每個像素變為 (x/255 − {mean:.3f}) / {std:.3f}，即訓練圖片的平均與"
                          "標準差，因此輸入的平均為 0、標準差為 1。",
        "norm.on_given": "正規化開啟（{how}，本次的設定）：每個像素變為 (x/255 − {mean:.3f}) / {std:.3f}。",
        "norm.replaced_none": "本次訓練本身使用原始像素（normalisation none），因此它就是「關閉」的那一組；「開啟」"
                              "使用內建模型的 mean-std。",
        "norm.replaced_01": "本次訓練本身只把像素縮放到 0..1（normalisation 0-1），並未置中，因此「開啟」使用內建模型"
                            "的 mean-std，本次訓練本身不在這四組之中。",
        "norm.off": "正規化關閉（none）：原始像素值 0..255 直接輸入，(x/255 − {mean:g}) / {std:.5f} = x，標準差即 "
                    "1/{inv:.0f}。",
        "norm.aug": "Augmentation 開啟時使用本次 fer_report/data/augment.py 的「{policy}」策略，每個 batch 重新抽樣；"
                    "關閉時直接以原圖訓練。",
        "norm.aug_light": "Augmentation 開啟時使用本次的「{policy}」策略，每個 batch 重新抽樣：水平翻轉、旋轉、平移與"
                          "縮放；關閉時直接以原圖訓練。",
        "norm.aug_strong": "Augmentation 開啟時使用本次的「{policy}」策略，每個 batch 重新抽樣：random resized "
                           "crop、平移、翻轉、旋轉與 random erasing；關閉時直接以原圖訓練。",
        "norm.norm_helps": "輸入正規化讓最佳 validation 準確率平均（augmentation 開與關兩種情況）提高了 {val:.1f} "
                           "個百分點（test 準確率 {test:+.1f} 個百分點）。",
        "norm.norm_hurts": "輸入正規化讓最佳 validation 準確率平均（augmentation 開與關兩種情況）降低了 {val:.1f} "
                           "個百分點（test 準確率 {test:+.1f} 個百分點）。",
        "norm.norm_same": "輸入正規化對最佳 validation 準確率的平均影響（augmentation 開與關兩種情況）不到半個百分點"
                          "（{val:+.1f}；test 準確率 {test:+.1f} 個百分點）。",
        "norm.aug_helps": "Augmentation 讓最佳 validation 準確率平均（正規化開與關兩種情況）提高了 {val:.1f} 個百分點"
                          "（test 準確率 {test:+.1f} 個百分點）。",
        "norm.aug_hurts": "Augmentation 讓最佳 validation 準確率平均（正規化開與關兩種情況）降低了 {val:.1f} 個百分點"
                          "（test 準確率 {test:+.1f} 個百分點）。",
        "norm.aug_same": "Augmentation 對最佳 validation 準確率的平均影響（正規化開與關兩種情況）不到半個百分點"
                         "（{val:+.1f}；test 準確率 {test:+.1f} 個百分點）。",
        "norm.interaction": "兩者有交互作用：有正規化時 augmentation 讓最佳 validation 準確率改變 {with_norm:+.1f} "
                            "個百分點，沒有正規化時改變 {without_norm:+.1f} 個百分點。",
        "norm.bn": "{model} 的第一層（{layer}）之後接著 BatchNorm（{bn}），它會在每個 batch 上重新置中並縮放該層的"
                   "輸出，不論輸入的尺度為何：因此輸入正規化能發揮的作用不大。",
        "norm.best": "四組中最好的是{label}：最佳 validation 準確率 {val:.1%}，test 準確率 {test:.1%}。",
        "norm.noise": "只有 {n:,} 張 validation 圖片時，約 {acc:.0%} 的準確率有大約 {se:.1f} 個百分點的標準誤，"
                      "因此這樣大小的差距可能只是隨機造成的。",
        "norm.req_exported": "模型是已訓練好的 {kind} 檔，沒有可以在正規化與 augmentation 開關下重新訓練的 Python cl"
                             "ass；可用 --compare 標籤=檔案 比較你自己多次訓練的紀錄（例如 --compare 'with augmentat"
                             "ion=aug.csv' --compare 'without augmentation=plain.csv'），或以 --model 檔案.py:類別名"
                             "稱（及 --weights）提供 class，讓它在這裡訓練。",
        "norm.req_ask": "模型已訓練好；在正規化與 augmentation 開關下重新訓練你的 class {model} 需要多次訓練，因此只"
                        "在課程題組（--questions）或 --sections {section} 要求時才做；可用 --compare 標籤=檔案 比較"
                        "你自己多次訓練的紀錄（例如 --compare 'with augmentation=aug.csv' --compare 'without augment"
                        "ation=plain.csv'）。",
        "norm.own_class": "你的 {model} 是以你自己的訓練方式訓練好的（--weights {weights}），checkpoint 無法只改一個"
                          "設定重新訓練；因此下面四次訓練都是你的 class 在這裡以 fer-report 的訓練方式從頭訓練的（{o"
                          "ptimizer}、learning rate {lr:g}、batch {batch}、{epochs} 個 epoch（由 --epochs 設定）、se"
                          "ed {seed}）：{now} 次現在在 {device} 上訓練，花了 {seconds:.0f} 秒，{cached} 次取自訓練快"
                          "取（當初花了 {cached_seconds:.0f} 秒）。你提供的 checkpoint 不在其中。",
        "norm.cost": "除了本次訓練本身之外的 {extra} 次訓練中，{now} 次是為這一節在 {device} 上訓練的，花了 "
                     "{seconds:.0f} 秒，{cached} 次取自訓練快取（當初花了 {cached_seconds:.0f} 秒）；本次訓練本身花了 "
                     "{main:.0f} 秒。",
        "norm.label": "正規化{norm}、augmentation {aug}",
        "norm.norm_h": "正規化",
        "norm.aug_h": "Augmentation",
        "norm.input_h": "輸入",
        "norm.best_h": "最佳 val. 準確率",
        "norm.epoch_h": "最佳 epoch",
        "norm.train_h": "最後 train 準確率",
        "norm.val_h": "最後 val. 準確率",
        "norm.gap_h": "差距",
        "norm.test_h": "Test 準確率",
        "norm.seconds_h": "訓練時間（秒）",
        "norm.source_h": "來源",
        "norm.own": "本次訓練",
        "norm.now": "本節訓練",
        "norm.cache": "取自快取",
        "norm.test_bars": "Test 準確率",
        "cap.norm": "左：四組訓練每個 epoch 的 validation 準確率（實線）與 training 準確率（虛線）。右：它們的 test "
                    "準確率，正規化開與關，有（實心）與沒有（斜線）augmentation。",
    },
}
