"""The semi_supervised section's heading and sentences, in every report language (same keys and placeholders)."""

QUESTION = {
    "en": "Remove part of the labels from the training data and do semi-supervised learning.",
    "zh-TW": "從 training data 中移除部份 label，實做 semi-supervised learning。",
}

STRINGS = {
    "en": {
        "semi.setup": "Self-training with pseudo-labels: of the {n_train:,} training images the labels of {n_lab:,} "
                      "({frac:.0%}, stratified by class, seed {seed}) are kept and those of the other {n_hid:,} are "
                      "hidden; validation and test images stay as they are[[see:semi_supervised]].",
        "semi.baseline": "Trained on the labelled images alone, {model} reaches a test accuracy of {before:.1%} (best "
                         "validation accuracy {val:.1%}); with every label (the run's own training) it reaches "
                         "{full:.1%}.",
        "semi.threshold": "A hidden image gets the baseline's prediction as its label when the softmax confidence is "
                          "at least {t:.3f}: the lowest confidence at which the baseline's validation predictions at "
                          "least that confident are still {target:.0%} right ({k:,} of {n_val:,} validation images "
                          "reach it, {prec:.1%} of them right), and never below {floor:g}.",
        "semi.threshold_none": "No confidence of at least {floor:g} makes the baseline's validation predictions "
                               "{target:.0%} right, so no hidden image is pseudo-labelled and the retrained model is "
                               "the baseline.",
        "semi.taken": "{taken:,} of the {n_hid:,} hidden images ({share:.1%}) pass and join the {n_lab:,} labelled "
                      "ones; trained from scratch on these {n_new:,} images with the same settings, the model "
                      "reaches a test accuracy of {after:.1%} (best validation accuracy {val:.1%}).",
        "semi.helps": "Self-training raised the test accuracy by {pts:.1f} percentage points ({before:.1%} → "
                      "{after:.1%}), closing {closed:.0%} of the gap to the model trained with every label.",
        "semi.hurts": "Self-training lowered the test accuracy by {pts:.1f} percentage points ({before:.1%} → "
                      "{after:.1%}).",
        "semi.same": "Self-training changed the test accuracy by less than half a percentage point ({before:.1%} → "
                     "{after:.1%}).",
        "semi.check": "Against the hidden true labels {correct:,} of the {taken:,} pseudo-labels are right "
                      "({acc:.1%}; the baseline is {hid_acc:.1%} right on all hidden images). A student cannot "
                      "normally make this check: unlabelled images are unlabelled because their labels are "
                      "unknown; here they were only set aside.",
        "semi.most": "{cls} takes the most pseudo-labels ({n:,}, {share:.0%} of them, against {prior:.0%} of the "
                     "hidden images): the baseline is most often confident about it.",
        "semi.none_for": "No hidden image is pseudo-labelled as {classes}.",
        "semi.noise": "With {n:,} test images an accuracy near {acc:.0%} has a standard error of about {se:.1f} "
                      "points, so a change of that size can be chance.",
        "semi.req_exported": "the model came trained as a {kind} file, which has no Python class to train again on "
                             "half the labels and with pseudo-labels; train the comparison in your own script and "
                             "give your answer with --answers, or give the class with --model FILE.py:NAME (and "
                             "--weights) to have it trained here.",
        "semi.req_ask": "the model came trained; training your class {model} again on half the labels and with "
                        "pseudo-labels costs more trainings of it, so it is done only when a course preset "
                        "(--questions) or --sections {section} asks for it; train the comparison in your own script "
                        "and give your answer with --answers.",
        "semi.own_class": "Your {model} came trained with your own recipe (--weights {weights}), and a checkpoint "
                          "cannot be trained again with one setting changed; so the three runs below (every label, "
                          "the labelled half, with pseudo-labels) are your class trained here from scratch with "
                          "fer-report's recipe ({optimizer}, learning rate {lr:g}, batch {batch}, {epochs} epochs "
                          "as --epochs sets, seed {seed}): {now} trained now in {seconds:.0f} s on {device}, "
                          "{cached} reused from the training cache ({cached_seconds:.0f} s when trained). The "
                          "checkpoint you gave is none of them.",
        "semi.cost": "Of this section's two runs (the baseline and the retrained model), {now} were trained now in "
                     "{seconds:.0f} s on {device} and {cached} came from the training cache ({cached_seconds:.0f} s "
                     "when trained); the run's own training took {main:.0f} s.",
        "semi.sep": ", ",
        "semi.run_h": "Run",
        "semi.images_h": "Training images",
        "semi.best_h": "Best val. acc.",
        "semi.test_h": "Test acc.",
        "semi.seconds_h": "Training (s)",
        "semi.baseline_label": "baseline (labelled part)",
        "semi.retrained_label": "labelled + pseudo-labelled",
        "semi.full_label": "every label (the run's own)",
        "semi.class_h": "Class",
        "semi.labelled_h": "Labelled",
        "semi.hidden_h": "Hidden",
        "semi.taken_h": "Pseudo-labelled as",
        "semi.correct_h": "of them right",
        "semi.precision_h": "Precision",
        "semi.confidence": "baseline confidence on the hidden images",
        "semi.images": "images",
        "semi.right": "prediction right",
        "semi.wrong": "prediction wrong",
        "semi.threshold_line": "threshold {t:.2f}",
        "semi.hidden_bar": "hidden",
        "semi.taken_right": "pseudo-labelled, right",
        "semi.taken_wrong": "pseudo-labelled, wrong",
        "cap.semi": "Left: the baseline's confidence on the hidden training images, right and wrong predictions "
                    "stacked, and the threshold. Right: hidden images per true class, and pseudo-labels per "
                    "assigned class, right and wrong.",
    },
    "zh-TW": {
        "semi.setup": "以 pseudo-label 做 self-training：{n_train:,} 張訓練圖片中保留 {n_lab:,} 張（{frac:.0%}，依類別"
                      "分層抽樣，seed {seed}）的 label，其餘 {n_hid:,} 張的 label 隱藏；validation 與 test 圖片不變"
                      "[[see:semi_supervised]]。",
        "semi.baseline": "只用有 label 的圖片訓練，{model} 的 test 準確率為 {before:.1%}（最佳 validation 準確率 "
                         "{val:.1%}）；使用全部 label（本次訓練本身）則為 {full:.1%}。",
        "semi.threshold": "當 softmax 信心值至少為 {t:.3f} 時，隱藏圖片以 baseline 的預測作為 label：這是讓 baseline "
                          "在 validation 上信心值至少如此的預測仍有 {target:.0%} 正確的最低信心值（{n_val:,} 張 "
                          "validation 圖片中有 {k:,} 張達到，其中 {prec:.1%} 正確），且不低於 {floor:g}。",
        "semi.threshold_none": "沒有任何不低於 {floor:g} 的信心值能讓 baseline 的 validation 預測達到 {target:.0%} "
                               "正確，因此沒有隱藏圖片得到 pseudo-label，重新訓練的模型就是 baseline。",
        "semi.taken": "{n_hid:,} 張隱藏圖片中有 {taken:,} 張（{share:.1%}）通過，加入 {n_lab:,} 張有 label 的圖片；以"
                      "相同設定在這 {n_new:,} 張圖片上從頭訓練，test 準確率為 {after:.1%}（最佳 validation 準確率 "
                      "{val:.1%}）。",
        "semi.helps": "Self-training 讓 test 準確率提高了 {pts:.1f} 個百分點（{before:.1%} → {after:.1%}），縮小了"
                      "與使用全部 label 的模型之間 {closed:.0%} 的差距。",
        "semi.hurts": "Self-training 讓 test 準確率降低了 {pts:.1f} 個百分點（{before:.1%} → {after:.1%}）。",
        "semi.same": "Self-training 對 test 準確率的影響不到半個百分點（{before:.1%} → {after:.1%}）。",
        "semi.check": "與隱藏的真實 label 比對，{taken:,} 個 pseudo-label 中有 {correct:,} 個正確（{acc:.1%}；baseline "
                      "在全部隱藏圖片上的正確率為 {hid_acc:.1%}）。學生通常無法做這項檢查：沒有 label 的圖片之所以"
                      "沒有 label，正是因為不知道答案；這裡只是暫時把 label 擱在一旁。",
        "semi.most": "{cls}得到最多 pseudo-label（{n:,} 個，佔 {share:.0%}，而它只佔隱藏圖片的 {prior:.0%}）："
                     "baseline 最常對它有把握。",
        "semi.none_for": "沒有任何隱藏圖片被標為{classes}。",
        "semi.noise": "只有 {n:,} 張 test 圖片時，約 {acc:.0%} 的準確率有大約 {se:.1f} 個百分點的標準誤，因此這樣"
                      "大小的變化可能只是隨機造成的。",
        "semi.req_exported": "模型是已訓練好的 {kind} 檔，沒有可以只用一半 label 與加上 pseudo-label重新訓練的 Pytho"
                             "n class；可在你自己的程式中訓練比較，並以 --answers 提供你的回答，或以 --model 檔案.py"
                             ":類別名稱（及 --weights）提供 class，讓它在這裡訓練。",
        "semi.req_ask": "模型已訓練好；只用一半 label 與加上 pseudo-label重新訓練你的 class {model} 需要多次訓練，因"
                        "此只在課程題組（--questions）或 --sections {section} 要求時才做；可在你自己的程式中訓練比較"
                        "，並以 --answers 提供你的回答。",
        "semi.own_class": "你的 {model} 是以你自己的訓練方式訓練好的（--weights {weights}），checkpoint 無法只改一個"
                          "設定重新訓練；因此下面三次訓練（全部 label、有 label 的一半、加上 pseudo-label）都是你的 "
                          "class 在這裡以 fer-report 的訓練方式從頭訓練的（{optimizer}、learning rate {lr:g}、batch "
                          "{batch}、{epochs} 個 epoch（由 --epochs 設定）、seed {seed}）：{now} 次現在在 {device} 上"
                          "訓練，花了 {seconds:.0f} 秒，{cached} 次取自訓練快取（當初花了 {cached_seconds:.0f} 秒）"
                          "。你提供的 checkpoint 不在其中。",
        "semi.cost": "這一節的兩次訓練（baseline 與重新訓練的模型）中，{now} 次是現在在 {device} 上訓練的，花了 "
                     "{seconds:.0f} 秒，{cached} 次取自訓練快取（當初花了 {cached_seconds:.0f} 秒）；本次訓練本身花了 "
                     "{main:.0f} 秒。",
        "semi.sep": "、",
        "semi.run_h": "訓練",
        "semi.images_h": "訓練圖片數",
        "semi.best_h": "最佳 val. 準確率",
        "semi.test_h": "Test 準確率",
        "semi.seconds_h": "訓練時間（秒）",
        "semi.baseline_label": "baseline（有 label 的部分）",
        "semi.retrained_label": "有 label + pseudo-label",
        "semi.full_label": "全部 label（本次訓練本身）",
        "semi.class_h": "類別",
        "semi.labelled_h": "有 label",
        "semi.hidden_h": "隱藏",
        "semi.taken_h": "被標為此類",
        "semi.correct_h": "其中正確",
        "semi.precision_h": "精確率",
        "semi.confidence": "baseline 在隱藏圖片上的信心值",
        "semi.images": "圖片數",
        "semi.right": "預測正確",
        "semi.wrong": "預測錯誤",
        "semi.threshold_line": "門檻 {t:.2f}",
        "semi.hidden_bar": "隱藏",
        "semi.taken_right": "pseudo-label 正確",
        "semi.taken_wrong": "pseudo-label 錯誤",
        "cap.semi": "左：baseline 在隱藏訓練圖片上的信心值，正確與錯誤的預測疊在一起，以及門檻。右：每個真實類別的"
                    "隱藏圖片數，以及每個被標類別的 pseudo-label 數（正確與錯誤）。",
    },
}
