import numpy as np
import pytest

from fer_report.draw.figures import Figures
from fer_report.model.inference import predict_probs
from fer_report.report.section import check, run_section
from fer_report.sections import semi_supervised as semi
from fer_report.training.train import train


def _run(artefacts, tmp, lang="en"):
    return run_section(semi.section, artefacts, figures=Figures(tmp, lang=lang), text=semi.section.text(lang))


def _baseline(artefacts):
    ds, s = artefacts.dataset, artefacts.settings
    labelled, hidden = semi.label_split(ds.train.y, semi.LABELLED, s.seed)
    return labelled, hidden, train(s, semi.with_train(ds, labelled))


@pytest.fixture
def taking_half(tiny_artefacts, monkeypatch):
    """A tiny 2-epoch baseline is rarely confident: a floor at the median validation confidence and no precision
    target makes it take about half of the hidden images, so the pseudo-label path really runs."""
    _, _, base = _baseline(tiny_artefacts)
    floor = float(np.median(predict_probs(base.model, tiny_artefacts.dataset.val.x, base.spec, base.device).max(1)))
    monkeypatch.setattr(semi, "TARGET", 0.0)
    monkeypatch.setattr(semi, "MIN_CONFIDENCE", floor)
    return floor


def test_self_training_on_half_the_labels(tiny_artefacts, taking_half, tmp_path):
    result = _run(tiny_artefacts, tmp_path)
    n, ds = result.numbers, tiny_artefacts.dataset
    labelled, hidden, base = _baseline(tiny_artefacts)
    assert n["n_lab"] == len(labelled) and n["n_hid"] == len(hidden) and n["n_lab"] + n["n_hid"] == len(ds.train)
    for c in range(len(ds.classes)):  # stratified: every class keeps about half its labels
        assert abs((ds.train.y[labelled] == c).sum() - (ds.train.y[hidden] == c).sum()) <= 1
    runs = n["runs"]
    assert runs["baseline"]["cache"] == str(base.cache_dir) != str(tiny_artefacts.trained.cache_dir)
    assert runs["retrained"]["cache"] not in (runs["baseline"]["cache"], runs["full"]["cache"])

    # the threshold: the lowest validation confidence at or above the floor (no precision asked for)
    val = predict_probs(base.model, ds.val.x, base.spec, base.device)
    conf_val = val.max(1)
    assert n["threshold"] == pytest.approx(conf_val[conf_val >= taking_half].min())
    hid = predict_probs(base.model, ds.train.x[hidden], base.spec, base.device)
    take = hid.max(1) >= n["threshold"]
    right = hid.argmax(1) == ds.train.y[hidden]
    assert 0 < n["taken"] == take.sum() < len(hidden)
    assert n["correct"] == right[take].sum() and n["hidden_acc"] == pytest.approx(right.mean())
    assert runs["retrained"]["images"] == n["n_lab"] + n["taken"]
    per_class = n["per_class"]
    assert sum(r["taken"] for r in per_class) == n["taken"] and sum(r["correct"] for r in per_class) == n["correct"]
    assert sum(r["labelled"] for r in per_class) == n["n_lab"] and sum(r["hidden"] for r in per_class) == n["n_hid"]
    assert n["test_acc"]["before"] == pytest.approx((predict_probs(base.model, ds.test.x, base.spec, base.device)
                                                     .argmax(1) == ds.test.y).mean())
    assert n["test_acc"]["full"] == pytest.approx(tiny_artefacts.predictions.test.accuracy)

    text = semi.section.text("en")
    key, values = semi.verdict(n["test_acc"])
    assert text(key, **values) in result.text
    assert any(line.startswith(f"{n['taken']} of the {n['n_hid']} hidden images") for line in result.text)
    assert any(line.startswith(f"Against the hidden true labels {n['correct']} of the {n['taken']} pseudo-labels")
               and "cannot normally make this check" in line for line in result.text)
    assert [r["images"] for r in result.tables["runs"]] == [n["n_lab"], n["n_lab"] + n["taken"], len(ds.train)]
    assert (tmp_path / result.figures[0].path).stat().st_size > 5000

    again = _run(tiny_artefacts, tmp_path / "zh", lang="zh-TW")
    assert not any(again.numbers["runs"][k]["trained_now"] for k in ("baseline", "retrained"))
    assert any("0 次是現在" in line and "2 次取自訓練快取" in line for line in again.text)


def test_no_confident_prediction_leaves_the_baseline(tiny_artefacts, monkeypatch, tmp_path):
    monkeypatch.setattr(semi, "TARGET", 1.01)  # unreachable
    n = _run(tiny_artefacts, tmp_path).numbers
    assert n["threshold"] is None and n["taken"] == 0 and n["pseudo_accuracy"] is None
    assert n["runs"]["retrained"]["cache"] == n["runs"]["baseline"]["cache"]  # the same data: the same training
    assert n["test_acc"]["after"] == n["test_acc"]["before"]


def test_threshold_is_the_lowest_confidence_still_precise_enough():
    conf = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.55, 0.4])
    right = np.array([1, 1, 1, 0, 1, 0, 0, 1], bool)
    # running precision 1, 1, 1, .75, .8, .667, .571, .625
    assert semi.choose_threshold(conf, right, 0.8, 0.5) == (0.7, 5, 0.8)
    assert semi.choose_threshold(conf, right, 0.6, 0.5) == (0.6, 6, pytest.approx(4 / 6))
    assert semi.choose_threshold(conf, right, 0.6, 0.65)[0] == 0.7  # the floor holds
    assert semi.choose_threshold(conf, ~right, 0.9, 0.5) == (None, 0, None)


def test_verdict_and_class_counts():
    assert semi.verdict({"before": 0.50, "after": 0.54, "full": 0.60}) == (
        "semi.helps", {"before": 0.50, "after": 0.54, "pts": pytest.approx(4.0), "closed": pytest.approx(0.4)})
    assert semi.verdict({"before": 0.50, "after": 0.47, "full": 0.60})[0] == "semi.hurts"
    assert semi.verdict({"before": 0.50, "after": 0.503, "full": 0.60})[0] == "semi.same"
    rows = semi.class_counts(np.array([0, 1, 1]), np.array([0, 0, 1]), np.array([0, 0, 1]),
                             np.array([True, False, True]), 3)
    assert rows[0] == {"labelled": 1, "hidden": 2, "taken": 2, "correct": 1, "precision": 0.5}
    assert rows[2] == {"labelled": 0, "hidden": 0, "taken": 0, "correct": 0, "precision": None}
    for lang in ("en", "zh-TW"):
        semi.section.text(lang)("semi.helps", before=0.5, after=0.54, pts=4.0, closed=0.4)


def test_contract_and_template():
    from fer_report.report.render import environment

    check(semi.section, "semi_supervised")
    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    env.globals["t"] = semi.section.text("zh-TW")
    s = {"figures": [{"path": "f.png", "caption": "c", "number": 1, "label": "Figure 1"}], "text": ["x"],
         "tables": {"runs": [{"label": "a", "images": 2100, "best_val_acc": 0.5, "test_acc": 0.45, "seconds": 40.2}],
                    "classes": [{"cls": "生氣", "labelled": 5, "hidden": 5, "taken": 0, "correct": 0,
                                 "precision": None}]}}
    html = env.get_template("sections/semi_supervised.html.j2").render(s=s)
    assert html.count('<table class="data">') == 2 and "2,100" in html and "–" in html and "生氣" in html
