from dataclasses import replace

import numpy as np

from fer_report import CLASSES
from fer_report.draw.figures import Figures
from fer_report.report.artifacts import Predictions, SplitPredictions
from fer_report.report.section import run_section, string_problems
from fer_report.sections import data_audit
from tests.data.test_audit import _faces


def test_on_the_drawn_faces_copies_are_left_out(tiny_artefacts):
    result = run_section(data_audit.section, tiny_artefacts)
    ds = tiny_artefacts.dataset
    assert "drawn from one template" in result.text[1]
    assert "copies" not in result.numbers
    assert result.numbers["counts"]["train"] == np.bincount(ds.train.y, minlength=7).tolist()
    assert result.numbers["label_issues_total"] >= len(result.numbers["label_issues"])


def _photographs(tmp_path):
    """Random 'photographs' with two test faces copied into the training split, and predictions that get
    every test face right except the copies... and label 3 of the test split wrong, confidently."""
    from fer_report.data.dataset import Dataset, Split

    rng = np.random.default_rng(0)
    train, val, test = _faces(120, seed=1), _faces(30, seed=2), _faces(30, seed=3)
    train[4], train[50] = test[7], np.clip(test[9].astype(int) + 20, 0, 255).astype(np.uint8)
    y = {k: np.arange(n) % 7 for k, n in (("train", 120), ("val", 30), ("test", 30))}
    ds = Dataset(name="faces.csv", source="faces.csv", classes=tuple(CLASSES),
                 train=Split(train, y["train"]), val=Split(val, y["val"]), test=Split(test, y["test"]))
    probs = np.full((30, 7), 0.02) + rng.uniform(0, 0.005, (30, 7))
    probs[np.arange(30), y["test"]] = 0.88
    probs[3] = 0.02
    probs[3, (y["test"][3] + 2) % 7] = 0.88
    probs /= probs.sum(1, keepdims=True)
    test_pred = SplitPredictions(y_true=y["test"], y_pred=probs.argmax(1), probs=probs)
    return ds, Predictions(test=test_pred, val=replace(test_pred))


def test_on_photographs_copies_and_accuracy_without_them(tmp_path):
    ds, predictions = _photographs(tmp_path)
    result = run_section(data_audit.section, None, dataset=ds, predictions=predictions,
                         figures=Figures(tmp_path), text=data_audit.section.text("en"))
    n = result.numbers
    assert n["tainted_test"] == [7, 9] and n["exact_pairs"] == 1 and n["copies"]["train-test"] == 2
    right = np.ones(30, bool)
    right[3] = False
    keep = np.setdiff1d(np.arange(30), [7, 9])
    assert n["accuracy"]["without_copies"] == right[keep].mean()
    assert n["accuracy"]["all"] == right.mean() and n["accuracy"]["copies_only"] == 1.0
    assert [i["index"] for i in n["label_issues"]] == [3]
    assert result.text[1].startswith("2 of the 30 test images")
    assert {f.path for f in result.figures} == {"figures/data_audit_copies.png", "figures/data_audit_labels.png"}


def test_strings_in_both_languages_have_the_same_placeholders():
    assert string_problems(data_audit.STRINGS, ("en", "zh-TW")) == []
