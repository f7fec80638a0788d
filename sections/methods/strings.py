"""The methods section's heading and sentences, in every report language (same keys and placeholders)."""

QUESTION = {
    "en": "Compare several ways of looking inside the CNN on the same images: which explanation can be trusted?",
    "zh-TW": "在相同的圖片上比較多種觀察 CNN 內部的方法：哪一種解釋可以信任？",
}

STRINGS = {
    "en": {
        "meth.intro": "{k} explanation methods explain the same {n} correctly classified test images (the figure's "
                      "columns), each towards its true class, and are put to the same tests against baselines that "
                      "know nothing: pointing game and mass on the cue regions against the regions' share of the "
                      "image, deletion and insertion against a random pixel order, and the randomisation check. A "
                      "test passes when the method beats its baseline by more than two standard errors over the "
                      "images and by at least {min} (one percentage point); a smaller difference counts as none.",
        "meth.why_few": "Only {n} images, {ns} of them for the randomisation check: Occlusion and LIME call the model "
                        "hundreds of times per image and the check explains its images again at each of its {steps} "
                        "steps, so fewer images, not fewer methods, keep this section to a few seconds ({seconds:.1f} "
                        "s here). With so few images only a clear difference passes a test.",
        "meth.layer": "Grad-CAM, Grad-CAM++ and Guided Grad-CAM use layer {layer} ({h}x{w}), the layer the Grad-CAM "
                      "section uses.",
        "meth.budget.images": "images ranked",
        "meth.budget.sanity": "images checked",
        "meth.budget.steps": "randomisation steps",
        "meth.budget.lime": "LIME samples per image",
        "meth.sanity_how": "Randomisation check (Adebayo et al. 2018): the weights are re-initialised from the output "
                           "layer down in {steps} steps, and at each step every method explains the same {ns} images "
                           "again; the table gives the largest Spearman rank correlation of these maps with the "
                           "trained model's (1: unchanged, 0: unrelated). At {thr:.2f} or more the method fails.",
        "meth.no_conv": "{method} is left out: it needs a convolutional layer and this model has none.",
        "meth.no_hooks": "{method} is left out: it hooks the model's layers, and a TorchScript model refuses hooks.",
        "meth.unavailable": "{method} is left out: {reason}.",
        "meth.no_regions": "The data ({data}) has no ground-truth cue regions, so the pointing-game and cue-mass "
                           "columns are empty; deletion, insertion, speed and the randomisation check still rank "
                           "the methods.",
        "meth.regions_size": "The model's input is {size}x{size} but the cue regions are drawn at {rh}x{rw}, so the "
                             "pointing-game and cue-mass columns are empty; the other columns still rank the "
                             "methods.",
        "meth.trust": "Trust {method} on this model: it ranks first, passing {passed} of the {run} tests ({tests}).",
        "meth.trust_failed": "It does not pass {tests}.",
        "meth.trust_cues": "Its strongest pixel lies on a cue region in {pg:.0%} of the images and {mass:.0%} of its "
                           "mass lies on the cues, against {chance:.0%} by chance.",
        "meth.trust_curves": "Removing its most important pixels first leaves an area of {del_auc:.3f} under the "
                             "true class's probability against {del_rand:.3f} for a random order (lower is better); "
                             "adding them first to a blank image gives {ins_auc:.3f} against {ins_rand:.3f} (higher "
                             "is better).",
        "meth.trust_sanity": "Its maps change when the model is destroyed (rank correlation at most {sim:.2f} with "
                             "the trained model's), and it takes {sec:.3f} s per image.",
        "meth.trust_none": "No method can be trusted on this model: none beats its baseline on any test without "
                           "failing the randomisation check.",
        "meth.sanity_fail": "{method} explains the image, not the model: its maps barely change when the model is "
                            "destroyed (rank correlation {sim:.2f} with the trained model's maps after the layers "
                            "down to {deepest} are re-initialised, at least {thr:.2f}), so it ranks below every "
                            "method that passes the check.",
        "meth.sanity_ok": "Every method's maps change when the model is destroyed: the largest rank correlation with "
                          "the trained model's maps is {sim:.2f} ({method}), below {thr:.2f}.",
        "meth.all_tie": "No method's deletion or insertion curve differs from a random pixel order by {min} or "
                        "more, although removing pixels moves the true class's probability by {move:.3f} per "
                        "image on average: on these images no method singles out what the model relies on.",
        "meth.all_tie_flat": "No method's deletion or insertion curve differs from a random pixel order by {min} or "
                             "more because the model's output barely changes: removing every pixel moves the true "
                             "class's probability by only {move:.4f} per image on average (under {flat}). The "
                             "usual cause is untrained or collapsed weights (check the weights file and the input "
                             "normalisation); an explanation of a model that does not respond to its input is no finding, so "
                             "no method is named to trust.",
        "meth.no_better": "{methods} beat no baseline on these images: no better than chance on the cues or a "
                          "random pixel order.",
        "meth.sep": ", ",
        "meth.test.pointing": "pointing game",
        "meth.test.mass": "mass on cues",
        "meth.test.deletion": "deletion",
        "meth.test.insertion": "insertion",
        "meth.test.sanity": "randomisation check",
        "meth.rank_h": "#",
        "meth.method_h": "Method",
        "meth.pointing_h": "Pointing game",
        "meth.mass_h": "Mass on cues",
        "meth.chance_h": "Chance",
        "meth.deletion_h": "Deletion AUC (random)",
        "meth.insertion_h": "Insertion AUC (random)",
        "meth.seconds_h": "s / image",
        "meth.sanity_h": "Randomised ρ",
        "meth.passed_h": "Tests passed",
        "meth.legend": "✓ beats its baseline by the margin stated above, ✗ does not; – not measured. Deletion: lower "
                       "is better; insertion and the cue columns: higher is better; randomised ρ: lower is better.",
        "cap.methods": "Each method's map of the same {n} test images (true class and probability above), one row "
                       "per method, best ranked first; every map scaled to its own maximum (bright = important).",
    },
    "zh-TW": {
        "meth.intro": "{k} 種解釋方法解釋同樣 {n} 張被正確分類的測試圖片（圖中各欄），每張都解釋其真實類別，並以相同的"
                      "測試與「什麼都不知道」的基準比較：在表情線索區域上的 pointing game 與權重比例（對照該區域占"
                      "圖片的比例）、deletion 與 insertion（對照隨機的像素順序），以及隨機化檢驗。方法勝過基準超過"
                      "兩個標準誤、且差距至少 {min}（一個百分點）才算通過；更小的差距視為沒有差異。",
        "meth.why_few": "只用 {n} 張圖片，其中 {ns} 張做隨機化檢驗：Occlusion 與 LIME 每張圖片要呼叫模型數百次，"
                        "而檢驗在 {steps} 個步驟中每一步都要重新解釋這些圖片，因此以較少的圖片（而非較少的方法）"
                        "讓這一節只花幾秒（這次 {seconds:.1f} 秒）。圖片這麼少，只有明顯的差異才會通過測試。",
        "meth.layer": "Grad-CAM、Grad-CAM++ 與 Guided Grad-CAM 使用 {layer} 層（{h}x{w}），與 Grad-CAM "
                      "一節相同。",
        "meth.budget.images": "排名的圖片",
        "meth.budget.sanity": "檢驗的圖片",
        "meth.budget.steps": "隨機化步驟",
        "meth.budget.lime": "每張圖片的 LIME 樣本",
        "meth.sanity_how": "隨機化檢驗（Adebayo et al. 2018）：從輸出層往下分 {steps} 步重新初始化權重，每一步各方法"
                           "都重新解釋同樣 {ns} 張圖片；表中列出這些圖與訓練好的模型的圖之間最大的 Spearman 等級"
                           "相關（1：不變，0：無關）。達到 {thr:.2f} 以上即不通過。",
        "meth.no_conv": "未使用 {method}：它需要卷積層，而這個模型沒有。",
        "meth.no_hooks": "未使用 {method}：它需要在模型的層上掛 hook，而 TorchScript 模型不允許。",
        "meth.unavailable": "未使用 {method}：{reason}。",
        "meth.no_regions": "這份資料（{data}）沒有真實的表情線索區域，因此 pointing game 與線索權重兩欄留空；"
                           "deletion、insertion、速度與隨機化檢驗仍用來排名。",
        "meth.regions_size": "模型的輸入是 {size}x{size}，但線索區域畫在 {rh}x{rw} 上，因此 pointing game 與線索"
                             "權重兩欄留空；其餘各欄仍用來排名。",
        "meth.trust": "在這個模型上可以信任 {method}：它排名第一，通過 {run} 項測試中的 {passed} 項（{tests}）。",
        "meth.trust_failed": "它沒有通過 {tests}。",
        "meth.trust_cues": "它最強的像素在 {pg:.0%} 的圖片中落在線索區域上，且 {mass:.0%} 的權重在線索上，"
                           "隨機則為 {chance:.0%}。",
        "meth.trust_curves": "先移除它最重要的像素，真實類別機率曲線下的面積為 {del_auc:.3f}，隨機順序為 "
                             "{del_rand:.3f}（越低越好）；先把它們加回空白圖片，面積為 {ins_auc:.3f}，隨機順序為 "
                             "{ins_rand:.3f}（越高越好）。",
        "meth.trust_sanity": "模型被破壞時它的圖會跟著改變（與訓練好的模型的圖等級相關最多 {sim:.2f}），每張圖片花 "
                             "{sec:.3f} 秒。",
        "meth.trust_none": "這個模型上沒有可以信任的方法：沒有任何方法在不違反隨機化檢驗的情況下勝過任一項基準。",
        "meth.sanity_fail": "{method} 解釋的是圖片，而不是模型：模型被破壞時它的圖幾乎不變（重新初始化到 {deepest} "
                            "層後，與訓練好的模型的圖等級相關為 {sim:.2f}，達到 {thr:.2f}），因此排在所有通過檢驗的"
                            "方法之後。",
        "meth.sanity_ok": "模型被破壞時每種方法的圖都會改變：與訓練好的模型的圖最大的等級相關為 {sim:.2f}"
                          "（{method}），低於 {thr:.2f}。",
        "meth.all_tie": "沒有任何方法的 deletion 或 insertion 曲線與隨機像素順序相差 {min} 以上，但移除像素時真實類別"
                        "的機率平均每張圖片仍變動 {move:.3f}：在這些圖片上沒有方法找出模型依賴的部分。",
        "meth.all_tie_flat": "沒有任何方法的 deletion 或 insertion 曲線與隨機像素順序相差 {min} 以上，因為模型的輸出"
                             "幾乎不變：移除全部像素時，真實類別的機率平均每張圖片只變動 {move:.4f}（小於 {flat}）。"
                             "常見原因是權重未經訓練或已崩潰（請檢查權重檔與輸入的正規化）；解釋一個不回應輸入的模型"
                             "沒有意義，因此不推薦任何方法。",
        "meth.no_better": "{methods} 在這些圖片上沒有勝過任何基準：在線索上不比隨機好，也不比隨機的像素順序好。",
        "meth.sep": "、",
        "meth.test.pointing": "pointing game",
        "meth.test.mass": "線索權重",
        "meth.test.deletion": "deletion",
        "meth.test.insertion": "insertion",
        "meth.test.sanity": "隨機化檢驗",
        "meth.rank_h": "#",
        "meth.method_h": "方法",
        "meth.pointing_h": "Pointing game",
        "meth.mass_h": "線索權重",
        "meth.chance_h": "隨機",
        "meth.deletion_h": "Deletion AUC（隨機）",
        "meth.insertion_h": "Insertion AUC（隨機）",
        "meth.seconds_h": "秒 / 張",
        "meth.sanity_h": "隨機化 ρ",
        "meth.passed_h": "通過測試",
        "meth.legend": "✓ 以上述差距勝過基準，✗ 沒有；– 未測量。Deletion 越低越好；insertion 與線索各欄越高越好；"
                       "隨機化 ρ 越低越好。",
        "cap.methods": "各方法對同樣 {n} 張測試圖片的圖（上方為真實類別與機率），每種方法一列，排名高者在上；"
                       "每張圖依其最大值縮放（越亮越重要）。",
    },
}
