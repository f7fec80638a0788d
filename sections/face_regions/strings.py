"""The face-regions section's sentences in both report languages."""

STRINGS = {
    "en": {
        "reg.fixed": "The parts ({parts}) are fixed boxes on the image grid, placed on FER2013's mean face: its faces "
                     "are registered roughly centred at one scale, so no landmark detector is used, and a turned or "
                     "off-centre face gets boxes that miss. Each part of {n} test images was painted with the data's "
                     "mean grey, and, as a control, the same shape at a random place.",
        "reg.drawn": "The parts ({parts}) are each drawn face's own cue regions, known exactly for the embedded "
                     "faces. Each part of {n} test images was painted with the data's mean grey, and, as a control, "
                     "the same shape moved to a random place.",
        "reg.overall": "Covering the {part} costs {drop:.1f} accuracy points, the same shape elsewhere {control:.1f} "
                       "(difference 95 % interval {lo:+.1f} to {hi:+.1f}).",
        "reg.depends": "{cls} depends most on the {part}: covering it lowers {cls} recall by {drop:.1f} points, the "
                       "same shape elsewhere by {control:.1f} ({n} images).",
        "reg.none": "For {cls} no part costs {min:.0f} points more than the control beyond its interval ({n} "
                    "images): no single part stands out.",
        "reg.share": "{method} puts the most mass, relative to size, on the {part} of {cls} faces: {share:.0%} of its "
                     "mass on {area:.0%} of the image.",
        "reg.no_method": "{method} is left out: {reason}.",
        "reg.eyes_brows": "eyes and brows",
        "reg.eyes": "eyes",
        "reg.nose": "nose",
        "reg.mouth": "mouth",
        "reg.brows": "brows",
        "reg.heat_title": "Recall lost beyond the control (points)",
        "alt.regions": "The face parts on the mean face, and a grid of recall lost per expression and part beyond "
                       "the control: the largest, {x:+.0f} points, is {cls} with the {part} covered.",
        "cap.regions": "Left: the parts on the mean test face. Right: per expression, the recall points lost when "
                       "the part is covered minus those lost when the same shape is covered elsewhere ({n} test "
                       "images; red: the part matters).",
        "cap.region_maps": "Share of each explanation's mass inside each part, per expression ({k} test images per "
                           "class; under each part its share of the image, what a map that knows nothing puts there).",
    },
    "zh-TW": {
        "reg.fixed": "各部位（{parts}）是影像格點上的固定方框，依 FER2013 的平均臉放置：資料集中的臉大致置中且尺度相近，"
                     "因此不使用臉部特徵點偵測；轉頭或偏離中心的臉，方框會對不準。{n} 張測試圖片的每個部位都以資料"
                     "的平均灰階塗滿，並以相同形狀塗在隨機位置作為對照。",
        "reg.drawn": "各部位（{parts}）是每張畫出來的臉自己的線索區域，對內建的臉而言是確切已知的。{n} 張測試圖片的"
                     "每個部位都以資料的平均灰階塗滿，並以相同形狀移到隨機位置作為對照。",
        "reg.overall": "遮住{part}使準確率下降 {drop:.1f} 個百分點，相同形狀遮在別處下降 {control:.1f} 個百分點"
                       "（差距的 95% 區間 {lo:+.1f} 至 {hi:+.1f}）。",
        "reg.depends": "{cls}最依賴{part}：遮住它使{cls}的 recall 下降 {drop:.1f} 個百分點，相同形狀遮在別處下降 "
                       "{control:.1f} 個百分點（{n} 張）。",
        "reg.none": "對{cls}而言，沒有任何部位比對照多下降 {min:.0f} 個百分點以上且超出區間（{n} 張）：沒有單一部位"
                    "特別突出。",
        "reg.share": "相對於面積，{method} 在{cls}的臉上把最多的量放在{part}：{share:.0%} 的量落在占影像 {area:.0%} "
                     "的區域。",
        "reg.no_method": "未使用 {method}：{reason}。",
        "reg.eyes_brows": "眼睛與眉毛",
        "reg.eyes": "眼睛",
        "reg.nose": "鼻子",
        "reg.mouth": "嘴巴",
        "reg.brows": "眉毛",
        "reg.heat_title": "比對照多損失的 recall（百分點）",
        "alt.regions": "平均臉上的各部位，以及各表情、各部位比對照多損失的 recall：最大的是遮住{part}時的{cls}，"
                       "{x:+.0f} 個百分點。",
        "cap.regions": "左：平均測試臉上的各部位。右：每種表情遮住該部位所損失的 recall，減去相同形狀遮在別處所損失的"
                       "（{n} 張測試圖片；紅色表示該部位重要）。",
        "cap.region_maps": "每種解釋方法的量落在各部位的比例，依表情分列（每類 {k} 張測試圖片；各部位下方為其占影像的"
                           "比例，即一張毫無資訊的圖會放在那裡的量）。",
    },
}
