import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from torch import nn

from fer_report.draw.figures import Figures
from fer_report.model.builtin import build_model
from fer_report.report.section import check, run_section
from fer_report.training.cache import cache_key
from fer_report.sections import normalization


def _run(artefacts, tmp, lang="en"):
    return run_section(normalization.section, artefacts, figures=Figures(tmp, lang=lang),
                       text=normalization.section.text(lang))


@pytest.fixture(scope="module")
def result(tiny_artefacts, tmp_path_factory):
    return _run(tiny_artefacts, tmp_path_factory.mktemp("norm"))


def _key(run):
    return run["norm"], run["aug"]


def test_four_runs_differ_exactly_in_the_two_switches(result, tiny_artefacts):
    runs = {_key(r): r for r in result.numbers["runs"]}
    assert set(runs) == {(True, True), (True, False), (False, True), (False, False)}
    assert len({r["cache"] for r in runs.values()}) == 4
    train_x = tiny_artefacts.dataset.train.x
    for (norm, aug), r in runs.items():
        if norm:  # the run's own mean-std, fitted on the training split
            assert r["normalize"] == "mean-std"
            assert r["mean"] == pytest.approx(train_x.mean() / 255) and r["std"] == pytest.approx(train_x.std() / 255)
        else:  # raw pixels
            assert r["normalize"] == "none" and r["mean"] == 0 and r["std"] == pytest.approx(1 / 255)
    assert runs[True, True]["source"] == "own" and runs[True, True]["cache"] == str(tiny_artefacts.trained.cache_dir)
    assert all(runs[k]["source"] in ("now", "cache") for k in runs if k != (True, True))
    assert result.numbers["extra_runs"] == 3
    settings, device = tiny_artefacts.settings, tiny_artefacts.trained.device
    for (norm, aug), r in runs.items():  # each cache entry is that of the settings claimed
        claimed = replace(settings, normalize=None if norm else "none", augment=aug)
        assert Path(r["cache"]).name == f"train-{cache_key(claimed, tiny_artefacts.dataset, device)}"
        assert r["epochs"] == settings.epochs


def test_numbers_come_from_the_runs_histories(result):
    for r in result.numbers["runs"]:
        history = json.loads((Path(r["cache"]) / "history.json").read_text())["history"]
        val = [h["val_acc"] for h in history]
        assert r["best_epoch"] == int(np.argmax(val)) + 1 and r["best_val_acc"] == max(val)
        assert r["final_train_acc"] == history[-1]["train_acc"]
        assert r["gap"] == pytest.approx(history[-1]["train_acc"] - history[-1]["val_acc"])
    runs = {_key(r): r for r in result.numbers["runs"]}
    val = {k: r["best_val_acc"] for k, r in runs.items()}
    e = result.numbers["effects"]["best_val_acc"]
    assert e["normalization"] == pytest.approx((val[True, True] - val[False, True] + val[True, False]
                                                - val[False, False]) / 2)
    assert e["augmentation"] == pytest.approx((val[True, True] - val[True, False] + val[False, True]
                                               - val[False, False]) / 2)
    assert e["interaction"] == pytest.approx(e["aug_with_norm"] - e["aug_without_norm"])


def test_sentences_are_generated_from_the_effects(result, tiny_artefacts):
    text = normalization.section.text("en")
    for key, values in normalization.verdicts(result.numbers):
        assert text(key, **values) in result.text
    assert result.text[0].startswith("Four trainings of cnn4 with seed 0 for 2 epochs")
    assert any(line.startswith("Normalisation off (none): the raw pixel values 0..255 go in unchanged, (x/255 − 0) / "
                               "0.00392 = x, the standard deviation being 1/255.") for line in result.text)
    assert any(line.startswith("Normalisation on (mean-std): every pixel becomes (x/255 − ") for line in result.text)
    assert any(line.startswith("Augmentation on is the run's 'light' policy, drawn anew for every batch: horizontal")
               for line in result.text)
    n_val = len(tiny_artefacts.dataset.val)
    assert any(f"With {n_val} validation images" in line for line in result.text)
    assert any(line.startswith("Of the 3 runs beyond the run's own training") for line in result.text)
    accs = [r["best_val_acc"] for r in result.numbers["runs"]]
    se = np.sqrt(np.mean(accs) * (1 - np.mean(accs)) / n_val)
    small = abs(result.numbers["effects"]["best_val_acc"]["normalization"]) < 2 * se
    said = any(line.startswith("cnn4's first layer (features.conv1) is followed by BatchNorm (features.bn1)")
               for line in result.text)
    assert said == bool(small)
    rows = result.tables["runs"]
    assert len(rows) == 4 and rows[0]["label"] == "normalisation on, augmentation on"
    assert rows[0]["input"].startswith("(x/255 − ") and rows[2]["input"] == "x (0..255)"


def test_second_call_takes_every_run_from_the_cache(tiny_artefacts, result, tmp_path):
    again = _run(tiny_artefacts, tmp_path, lang="zh-TW")
    assert again.numbers["trained_now"] == 0
    assert any("0 次是為這一節" in line and "3 次取自訓練快取" in line for line in again.text)
    assert again.tables["runs"][0]["label"] == "正規化開啟、augmentation 開啟"
    assert (tmp_path / again.figures[0].path).stat().st_size > 5000


@pytest.mark.parametrize("run_how, given, on, off_is_run", [
    ("mean-std", None, None, False),  # the built-ins' default: "on" is the run itself
    ("imagenet", "imagenet", "imagenet", False),
    ("0-1", "0-1", "mean-std", False),  # 0-1 does not centre: the built-ins' mean-std stands in
    ("none", "none", "mean-std", True),  # the run itself is the "off" arm
])
def test_arms_follow_the_runs_own_normalisation(tiny_artefacts, run_how, given, on, off_is_run):
    settings = replace(tiny_artefacts.settings, normalize=given)
    arms = normalization.arm_settings(settings, run_how)
    assert arms[True, True].normalize == on and arms[False, False].normalize == "none"
    assert [a.augment for a in arms.values()] == [True, False, True, False]
    assert (arms[False, True] == settings) is off_is_run
    assert (arms[True, True] == settings) is (on == given)


def _effect(tt, tf, ft, ff):
    m = {(True, True): tt, (True, False): tf, (False, True): ft, (False, False): ff}
    return normalization.effects({k: {"best_val_acc": v, "test_acc": v - 0.01} for k, v in m.items()})


@pytest.mark.parametrize("accs, keys", [
    ((0.60, 0.55, 0.50, 0.45), ["norm.norm_helps", "norm.aug_helps"]),  # additive: no interaction line
    ((0.60, 0.50, 0.52, 0.50), ["norm.norm_helps", "norm.aug_helps", "norm.interaction"]),
    ((0.50, 0.52, 0.501, 0.518), ["norm.norm_same", "norm.aug_hurts"]),
])
def test_effect_sentences_follow_the_numbers(accs, keys):
    sentences = normalization.verdicts(_effect(*accs))
    assert [k for k, _ in sentences] == keys
    for lang in ("en", "zh-TW"):
        for key, values in sentences:
            normalization.section.text(lang)(key, **values)
    if "norm.interaction" in keys:
        assert normalization.section.text("en")("norm.interaction", **sentences[-1][1]) == (
            "The two interact: augmentation changed the best validation accuracy by +10.0 points with normalisation "
            "and by +2.0 points without it.")
    if keys[0] == "norm.norm_helps":
        assert sentences[0][1]["val"] == pytest.approx(100 * ((accs[0] - accs[2]) + (accs[1] - accs[3])) / 2)


def test_batchnorm_after_the_first_layer_is_found():
    assert normalization.first_layer_batchnorm(build_model("cnn4"), (1, 48, 48)) == ("features.conv1", "features.bn1")
    plain = nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, 8), nn.ReLU(), nn.Linear(8, 7))
    assert normalization.first_layer_batchnorm(plain, (1, 48, 48)) is None


def test_contract_and_template():
    from fer_report.report.render import environment

    check(normalization.section, "normalization")
    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    env.globals["t"] = normalization.section.text("en")
    row = {"norm": "off", "aug": "on", "normalize": "none", "input": "x (0..255)", "best_val_acc": 0.5,
           "best_epoch": 2, "epochs": 2, "final_train_acc": 0.6, "final_val_acc": 0.45, "gap": 0.15, "test_acc": 0.4,
           "seconds": 3.2, "source_text": "from cache <"}
    s = {"figures": [{"path": "f.png", "caption": "c", "number": 1, "label": "Figure 1"}], "text": ["x"],
         "tables": {"runs": [row]}}
    html = env.get_template("sections/normalization.html.j2").render(s=s)
    assert html.count('<table class="data">') == 1 and "+15.0%" in html and "from cache &lt;" in html
