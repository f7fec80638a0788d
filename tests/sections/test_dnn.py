import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fer_report.draw.figures import Figures
from fer_report.report.requirements import unmet
from fer_report.report.section import check, run_section
from fer_report.sections import dnn


def _run(artefacts, tmp, lang="en"):
    return run_section(dnn.section, artefacts, figures=Figures(tmp, lang=lang), text=dnn.section.text(lang))


def _history(cache: str) -> list[dict]:
    return json.loads((Path(cache) / "history.json").read_text())["history"]


def test_the_dnn_is_trained_matched_to_the_cnn_and_compared(tiny_artefacts, tmp_path):
    result = _run(tiny_artefacts, tmp_path)
    n, main = result.numbers, tiny_artefacts.trained
    assert n["dnn"]["model"] == "dnn" and n["dnn"]["match"] == "cnn4" and n["cnn"]["model"] == "cnn4"
    assert n["dnn"]["cache"] != str(main.cache_dir)
    assert abs(n["dnn"]["params"] - n["cnn"]["params"]) <= 0.05 * n["cnn"]["params"]
    assert n["cnn"]["params"] == 319_975  # cnn4's Keras count
    assert n["param_ratio"] == pytest.approx(n["dnn"]["params"] / n["cnn"]["params"])
    width = n["dnn"]["hidden"][0]
    assert n["dnn"]["hidden"] == [width] * 3 and n["dnn"]["inputs"] == 48 * 48
    assert n["dnn"]["first_params"] == 48 * 48 * width + width

    # the numbers are the runs' own: histories from the cache, test accuracy as the predictions artefact has it
    for key, history in (("cnn", main.history), ("dnn", _history(n["dnn"]["cache"]))):
        val = [h["val_acc"] for h in history]
        assert n[key]["best_epoch"] == int(np.argmax(val)) + 1 and n[key]["best_val_acc"] == max(val)
        assert n[key]["gap"] == pytest.approx(history[-1]["train_acc"] - history[-1]["val_acc"])
        assert n[key]["epochs"] == tiny_artefacts.settings.epochs
    assert n["cnn"]["test_acc"] == pytest.approx(tiny_artefacts.predictions.test.accuracy)
    assert n["test_acc_delta"] == pytest.approx(n["cnn"]["test_acc"] - n["dnn"]["test_acc"])

    text = dnn.section.text("en")
    expected = [text(k, **v) for k, v in dnn.compare(n["cnn"], n["dnn"], convs=4)]
    assert all(line in result.text for line in expected)
    assert result.text[0].startswith(
        f"cnn4 has 319,975 parameters in Keras's count; the DNN has {n['dnn']['params']:,}")
    assert f"{n['param_ratio']:.3f} times as many" in result.text[0]
    assert any(line.startswith("DNN (dnn, matched to cnn4): best validation accuracy") for line in result.text)
    assert any("was trained for this section" in line or "reused from the training cache" in line
               for line in result.text)

    share = np.bincount(tiny_artefacts.dataset.test.y).max() / len(tiny_artefacts.dataset.test)
    assert n["largest_class_share"] == pytest.approx(share)
    for key, label in (("cnn", "CNN (cnn4)"), ("dnn", "DNN (dnn, matched to cnn4)")):
        said = any(line.startswith(f"{label} is hardly better than always answering") for line in result.text)
        assert said == bool(n[key]["test_acc"] < max(1.5 / 7, share + dnn.CHANCE))

    layers = result.tables["layers"]
    assert layers[1]["names"] == "fc1 → bn1 → relu1 → drop1"
    assert layers[1]["kinds"] == "Linear + BatchNorm1d + ReLU + Dropout"
    assert sum(r["trainable"] + r["buffers"] for r in layers) == n["dnn"]["params"]
    assert (tmp_path / result.figures[0].path).stat().st_size > 5000


def test_second_call_reuses_the_dnn_and_speaks_chinese(tiny_artefacts, tmp_path):
    _run(tiny_artefacts, tmp_path / "a")
    result = _run(tiny_artefacts, tmp_path / "b", lang="zh-TW")
    assert result.numbers["dnn"]["trained_now"] is False
    assert any("DNN 取自訓練快取" in line for line in result.text)
    assert result.tables["runs"][1]["label"] == "DNN（dnn，參數量對齊 cnn4）"


def _facts(test, gap):
    return {"test_acc": test, "gap": gap}


@pytest.mark.parametrize("cnn, other, keys", [
    (_facts(0.60, 0.05), _facts(0.45, 0.20), ["dnn.cnn_better", "dnn.gap_wider", "dnn.why"]),
    (_facts(0.60, 0.15), _facts(0.45, 0.02), ["dnn.cnn_better", "dnn.gap_narrower", "dnn.why"]),
    (_facts(0.40, 0.15), _facts(0.45, 0.02), ["dnn.dnn_better", "dnn.gap_narrower_plain"]),
    (_facts(0.502, -0.02), _facts(0.500, 0.004), ["dnn.same", "dnn.gap_none"]),
])
def test_comparison_sentences_follow_the_numbers(cnn, other, keys):
    sentences = dnn.compare(cnn, other, convs=4)
    assert [k for k, _ in sentences] == keys
    for lang in ("en", "zh-TW"):
        for key, values in sentences:
            dnn.section.text(lang)(key, **values)
    if keys[0] == "dnn.cnn_better":
        assert dnn.section.text("en")(keys[0], **sentences[0][1]) == (
            "With about the same number of parameters the CNN generalises better: its test accuracy is 15.0 "
            "percentage points higher (60.0% against 45.0%).")


def test_near_chance_is_judged_against_the_largest_class():
    assert dnn.largest_class(np.array([0, 3, 3, 3, 1]), 7) == (3, 0.6)
    assert dnn.near_chance(0.61, 0.6, 7) and not dnn.near_chance(0.63, 0.6, 7)
    assert dnn.near_chance(0.2, 0.1, 7)  # below 1.5 / 7 even when the classes are balanced
    line = dnn.section.text("en")("dnn.chance", label="DNN", cls="Happy", share=0.25, acc=0.256, epochs=10)
    assert line == ("DNN is hardly better than always answering Happy, the largest class (25.0% of the test images): "
                    "its test accuracy is 25.6%, so it learnt next to nothing in 10 epochs.")


class _Stub:
    def __init__(self, settings, given=False):
        self.values = {"settings": settings, "net": type("Net", (), {"given": given})()}

    def get(self, name):
        return self.values[name]


def test_any_model_but_the_dnn_itself_qualifies(tiny_artefacts):
    """Issue 24: a student's model (class, given weights or exported file) gets a DNN of its size too
    (tests/sections/test_dnn_student.py); only the dnn matched to itself compares nothing."""
    s = tiny_artefacts.settings
    assert unmet(dnn.section.requires, _Stub(s)) is None
    assert unmet(dnn.section.requires, _Stub(replace(s, model="model.py:Net"))) is None
    assert unmet(dnn.section.requires, _Stub(s, given=True)) is None
    assert unmet(dnn.section.requires, _Stub(replace(s, model="dnn")))[0] == "dnn.req_is_dnn"


def test_contract_and_template(tmp_path):
    from fer_report.report.render import environment

    check(dnn.section, "dnn")
    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    env.globals["t"] = dnn.section.text("zh-TW")
    run = {"label": "a <b>", "params": 1234, "best_val_acc": 0.5, "best_epoch": 2, "epochs": 3,
           "final_train_acc": 0.6, "final_val_acc": 0.4, "gap": 0.2, "test_acc": 0.45, "seconds": 12.4}
    s = {"figures": [{"path": "f.png", "caption": "c", "number": 1, "label": "Figure 1"}], "text": ["x"],
         "tables": {"runs": [run], "layers": [{"names": "fc1", "kinds": "Linear", "shape": "(None, 8)",
                                               "trainable": 16, "buffers": 0}],
                    "totals": {"total": 16, "trainable": 16, "buffers": 0}}}
    html = env.get_template("sections/dnn.html.j2").render(s=s)
    assert html.count('<table class="data">') == 2 and "a &lt;b&gt;" in html and "+20.0%" in html
    assert "1,234" in html and "合計 16 = 16 個可訓練" in html
