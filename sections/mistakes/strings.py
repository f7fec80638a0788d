"""The mistakes section's sentences in both report languages."""

STRINGS = {
    "en": {
        "mis.intro": "The model gets {n:,} of the {total:,} test images wrong. In the HTML report every cell of the "
                     "matrix below opens that cell's images (up to {per}, most confident first, each beside the "
                     "saliency map of the predicted class; a diagonal cell shows the most and the least confident "
                     "correct ones); the largest confusions follow.",
        "mis.pair": "{true} taken for {pred}: {n} of {of} {true} images, at a median confidence of {conf:.0%} and a "
                    "median margin of {margin:.0f} points over {true}.",
        "mis.darker": " They are darker than the {true} images it gets right (mean brightness {wrong:.0f} against "
                      "{right:.0f} of 255).",
        "mis.brighter": " They are brighter than the {true} images it gets right (mean brightness {wrong:.0f} against "
                        "{right:.0f} of 255).",
        "mis.none": "The model gets every test image right.",
        "alt.mistakes": "Gallery of the largest confusions, {per} images a row: {pairs}.",
        "mis.true": "True class",
        "mis.pred": "Predicted class",
        "mis.gallery": "{true} predicted as {pred}: {count} images",
        "mis.shown": "showing {shown}",
        "mis.close": "close",
        "mis.hint": "Click a cell (or focus it with Tab and press Enter) to see its images.",
        "cap.mistakes": "The {pairs} largest confusions, {per} images each, most confident first: true class → "
                        "predicted class, and the predicted class's probability.",
    },
    "zh-TW": {
        "mis.intro": "模型在 {total:,} 張測試圖片中答錯 {n:,} 張。在 HTML 報告中，點下方矩陣的任一格即可看到該格的圖片"
                     "（最多 {per} 張，信心最高的在前，每張旁邊是預測類別的 saliency map；對角線的格子顯示信心最高與"
                     "最低的正確圖片）；接著列出最大的幾種混淆。",
        "mis.pair": "{true}被當成{pred}：{of} 張{true}圖片中有 {n} 張，信心中位數 {conf:.0%}，比{true}高出的機率中位數為 "
                    "{margin:.0f} 個百分點。",
        "mis.darker": "這些圖片比它答對的{true}圖片暗（平均亮度 {wrong:.0f} 對 {right:.0f}，滿分 255）。",
        "mis.brighter": "這些圖片比它答對的{true}圖片亮（平均亮度 {wrong:.0f} 對 {right:.0f}，滿分 255）。",
        "mis.none": "模型答對了每一張測試圖片。",
        "alt.mistakes": "最大的幾種混淆，每列 {per} 張：{pairs}。",
        "mis.true": "真實類別",
        "mis.pred": "預測類別",
        "mis.gallery": "{true}被預測為{pred}：共 {count} 張",
        "mis.shown": "顯示 {shown} 張",
        "mis.close": "關閉",
        "mis.hint": "點選任一格（或用 Tab 移到該格再按 Enter）即可看到其圖片。",
        "cap.mistakes": "最大的 {pairs} 種混淆，每種 {per} 張，信心最高的在前：真實類別 → 預測類別，以及預測類別的機率。",
    },
}
