"""The data audit's sentences in both report languages."""

STRINGS = {
    "en": {
        "aud.counts": "The splits hold {train:,} training, {val:,} validation and {test:,} test images; the rarest "
                      "class, {cls}, has {share:.1%} of the training images (the table gives every class per split).",
        "aud.drawn": "The embedded faces are drawn from one template, so every face resembles every other: the "
                     "search for copies across splits applies to photographs (e.g. --data fer2013.csv) and is left "
                     "out here.",
        "aud.copies": "{n:,} of the {test:,} test images ({share:.1%}, {split}) have a copy among the training images: "
                      "{pairs:,} pairs whose perceptual hashes differ in at most {bits} of 64 bits and whose pixels "
                      "correlate at least {corr:.2f} once brightness and contrast are removed; {exact:,} pairs are "
                      "identical pixel for pixel. {n_val:,} validation images ({val}) have one too.",
        "aud.disagree": "In {disagree:,} of the {pairs:,} pairs the two copies carry different labels: the same face "
                        "labelled two ways, a sign of FER2013's label noise.",
        "aud.accuracy": "Test accuracy without those images is {clean:.1%} (all test images {all:.1%}; the copies "
                        "alone {dup:.1%}).",
        "aud.memorised": "The copies score {points:.1f} points higher than the rest, beyond two standard errors: part "
                         "of the test accuracy is faces the model saw in training.",
        "aud.not_memorised": "The copies do not score higher than the rest beyond two standard errors ({points:+.1f} "
                             "points): no sign that faces seen in training lift the test accuracy.",
        "aud.no_copies": "No {test} image has a copy among the training images (perceptual hash within {bits} bits "
                         "and pixel correlation at least {corr:.2f}).",
        "aud.blank": "{n:,} images are blank (pixel standard deviation under {std:g} of 255), with no face to learn "
                     "from: {per}.",
        "aud.no_blank": "No image is blank (every one has a pixel standard deviation of at least {std:g} of 255).",
        "aud.labels": "Confident learning (cleanlab) flags {n:,} of the {test:,} {split} images as possibly "
                      "mislabelled: the model is sure of another class by that class's own threshold. The {shown} "
                      "least believable are shown below, the given label with the probability the model gives it, "
                      "then the model's class. "
                      "FER2013's labels are known to be noisy (the reason for the FER+ relabelling), but a weak model "
                      "makes its own mistakes look like label errors: look at each before believing either.",
        "aud.no_labels": "Confident learning (cleanlab) flags no {split} image as mislabelled.",
        "aud.class": "Class",
        "alt.copies": "{n} pairs of a training image beside its copy in the test split.",
        "alt.labels": "{n} test images whose label the model doubts; the first is labelled {given} and taken for "
                      "{model} at {p:.0%}.",
        "cap.copies": "Copies across splits, the closest and the farthest hashes within the threshold: each "
                      "training image (left) beside its test copy (right, with the hash distance in bits of 64, at "
                      "most {bits}), the label under the split's name.",
        "cap.labels": "Test images whose label the model finds least believable (confident learning): the given "
                      "label and the probability the model gives it, then the model's class and its probability.",
    },
    "zh-TW": {
        "aud.counts": "訓練、validation、測試各有 {train:,}、{val:,}、{test:,} 張圖片；最稀少的類別是{cls}，占訓練圖片的 "
                      "{share:.1%}（各類別在各 split 的張數見下表）。",
        "aud.drawn": "內建的臉是由同一個樣板畫出來的，每張臉都彼此相似：跨 split 重複圖片的檢查只適用於照片"
                     "（例如 --data fer2013.csv），這裡略過。",
        "aud.copies": "{test:,} 張測試圖片中有 {n:,} 張（{share:.1%}，{split}）在訓練圖片中有重複：共 {pairs:,} 對，"
                      "其感知雜湊（perceptual hash）在 64 位元中最多相差 {bits} 位元，且去除亮度與對比後像素相關係數"
                      "至少 {corr:.2f}；其中 {exact:,} 對逐像素完全相同。validation（{val}）也有 {n_val:,} 張有重複。",
        "aud.disagree": "{pairs:,} 對中有 {disagree:,} 對的兩張圖片標記不同：同一張臉被標成兩種表情，這是 FER2013 "
                        "標記雜訊的跡象。",
        "aud.accuracy": "去除這些圖片後測試準確率為 {clean:.1%}（全部測試圖片 {all:.1%}；只看重複圖片 {dup:.1%}）。",
        "aud.memorised": "重複圖片的準確率比其餘圖片高 {points:.1f} 個百分點，超過兩個標準誤：部分測試準確率來自模型在訓練時"
                         "看過的臉。",
        "aud.not_memorised": "重複圖片的準確率並未比其餘圖片高出兩個標準誤以上（{points:+.1f} 個百分點）：沒有跡象顯示訓練時看過"
                             "的臉提高了測試準確率。",
        "aud.no_copies": "{test} 沒有任何圖片在訓練圖片中有重複（感知雜湊相差最多 {bits} 位元且像素相關係數至少 "
                         "{corr:.2f}）。",
        "aud.blank": "有 {n:,} 張圖片是空白的（像素標準差小於 {std:g}／255），沒有可以學習的臉：{per}。",
        "aud.no_blank": "沒有空白圖片（每張圖片的像素標準差都至少 {std:g}／255）。",
        "aud.labels": "Confident learning（cleanlab）將 {test:,} 張 {split} 圖片中的 {n:,} 張標為可能標錯：模型依另一個"
                      "類別自己的門檻，確信它屬於該類別。下圖列出最不可信的 {shown} 張，依可信度由低到高排列，"
                      "先列出給定的標記及模型給它的機率，再列出模型的類別。FER2013 的標記已知有雜訊（FER+ 因此重新標記），但較弱的模型會讓自己的錯誤看起來像標記"
                      "錯誤：請逐張檢視，兩者都不要輕信。",
        "aud.no_labels": "Confident learning（cleanlab）沒有將任何 {split} 圖片標為標錯。",
        "aud.class": "類別",
        "alt.copies": "{n} 對訓練圖片與其在測試集中的重複。",
        "alt.labels": "{n} 張模型懷疑其標記的測試圖片；第一張標為{given}，被判為{model}（{p:.0%}）。",
        "cap.copies": "跨 split 的重複圖片，門檻內雜湊最接近與最遠的幾對：每張訓練圖片（左）與它在測試集中的重複（右，括號內為 "
                      "64 位元中相差的位元數，最多 {bits}），split 名稱下為標記。",
        "cap.labels": "模型認為標記最不可信的測試圖片（confident learning）：給定的標記及模型給它的機率，然後是模型的"
                      "類別及其機率。",
    },
}
