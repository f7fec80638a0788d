import numpy as np
import pytest

from fer_report import CLASSES
from fer_report.report.section import run_section
from fer_report.sections import confusion
from fer_report.sections.confusion import analyse, confusion_matrix


def test_matrix_counts_true_rows_predicted_columns():
    cm = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def known_matrix():
    cm = np.diag([80, 10, 60, 150, 70, 60, 90])
    fear, sad, surprise = CLASSES.index("Fear"), CLASSES.index("Sad"), CLASSES.index("Surprise")
    cm[fear, sad] = 23  # 23 of 100 Fear images -> Sad
    cm[fear, fear] = 100 - 23 - 10
    cm[fear, surprise] = 10
    cm[surprise, fear] = 7  # 7 of 67 Surprise -> Fear: mutual with Fear->Surprise (10 %)
    return cm


def test_analysis_finds_the_strongest_confusion_with_its_rate():
    f = analyse(known_matrix(), CLASSES)
    top = f["pairs"][0]
    assert (top["true"], top["pred"], top["count"], top["total"]) == ("Fear", "Sad", 23, 100)
    assert abs(top["rate"] - 0.23) < 1e-12
    assert f["worst"] == "Fear" and f["best"] != "Fear"
    assert {"a": "Fear", "b": "Surprise"}.items() <= f["mutual"][0].items()
    assert [s["class"] for s in f["scarce"]] == ["Disgust"]


def test_each_class_is_named_once_at_its_strongest_confusion():
    cm = known_matrix()
    fear, neutral = CLASSES.index("Fear"), CLASSES.index("Neutral")
    cm[fear, neutral] = 15  # Fear's second confusion: in the pairs, not in the sentences
    f = analyse(cm, CLASSES)
    assert [(p["true"], p["pred"]) for p in f["pairs"]][:2] == [("Fear", "Sad"), ("Fear", "Neutral")]
    trues = [p["true"] for p in f["strongest"]]
    assert len(trues) == len(set(trues)) and f["strongest"][0]["pred"] == "Sad"
    assert [p["rate"] for p in f["strongest"]] == sorted((p["rate"] for p in f["strongest"]), reverse=True)


def test_sentence_is_generated_in_both_languages():
    top = analyse(known_matrix(), CLASSES)["pairs"][0]
    for lang, expected in (("en", "Fear is most often mistaken for Sad: 23% of Fear images (23 of 100)."),
                           ("zh-TW", "害怕最常被誤判為難過：害怕的圖片中有 23%（100 張中的 23 張）。")):
        t = confusion.section.text(lang)
        assert t("conf.pair", true=t.cls(top["true"]), pred=t.cls(top["pred"]), pct=top["rate"],
                 count=top["count"], total=top["total"]) == expected


def test_a_class_missing_from_the_test_split_does_not_break_the_analysis():
    cm = known_matrix()
    cm[1, :] = 0
    f = analyse(cm, CLASSES)
    assert f["per_class"][1]["recall"] is None and f["best"] is not None


def test_section_on_a_tiny_trained_model(tiny_artefacts):
    result = run_section(confusion.section, tiny_artefacts)
    m = np.array(result.numbers["matrix"])
    assert m.shape == (7, 7) and m.sum() == len(tiny_artefacts.dataset.test)
    assert result.numbers["accuracy"] == tiny_artefacts.predictions.test.accuracy
    assert result.text[0].startswith("Test accuracy is")


def test_macro_f1_and_balanced_accuracy_weigh_every_class_alike():
    sklearn = pytest.importorskip("sklearn.metrics")
    cm = known_matrix()
    cm[1, 1], cm[1, 0] = 0, 10  # Disgust never predicted: its F1 is 0, not left out
    y_true = np.repeat(np.arange(7), cm.sum(1))
    y_pred = np.concatenate([np.repeat(np.arange(7), row) for row in cm])
    f = analyse(cm, CLASSES)
    assert f["macro_f1"] == pytest.approx(sklearn.f1_score(y_true, y_pred, average="macro", zero_division=0))
    assert f["balanced_accuracy"] == pytest.approx(sklearn.balanced_accuracy_score(y_true, y_pred))
    disgust = f["per_class"][1]
    assert (disgust["recall"], disgust["precision"], disgust["f1"], disgust["predicted"]) == (0.0, None, 0.0, 0)


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_rarest_class_gets_its_recall_precision_and_what_balancing_did(lang):
    t = confusion.section.text(lang)
    train_y = np.repeat(np.arange(7), [40, 10, 40, 200, 40, 30, 40])  # Disgust 10 of 400
    per_class = analyse(known_matrix(), CLASSES)["per_class"]
    none = confusion._rare_sentences(per_class, 1, train_y, "none", t)
    assert len(none) == 2 and "--balance none" in none[1] and "100%" in none[0]  # 10 of 10 right, none mistaken
    weights = confusion._rare_sentences(per_class, 1, train_y, "weights", t)[1]
    assert "5.7" in weights and "0.29" in weights  # N / (K n_c): 400 / (7 * 10) and 400 / (7 * 200)
    sampler = confusion._rare_sentences(per_class, 1, train_y, "sampler", t)[1]
    assert "--balance sampler" in sampler and "5.7" in sampler
    assert len(confusion._rare_sentences(per_class, 1, train_y, None, t)) == 1  # a given model: no --balance
    cm = known_matrix()
    cm[1, 1], cm[1, 0] = 0, 10
    never = confusion._rare_sentences(analyse(cm, CLASSES)["per_class"], 1, train_y, "none", t)[0]
    assert never == t("conf.rare_never", cls=t.cls("Disgust"), share=0.025, n=10)
    assert confusion.rare_class(train_y, 7) == 1


def test_section_says_which_split_chose_the_checkpoint(tiny_artefacts):
    from fer_report.training.train import Trained

    result = run_section(confusion.section, tiny_artefacts)
    names = tiny_artefacts.dataset.split_names
    expected = confusion.section.text("en")("conf.checkpoint", val=names["val"], test=names["test"])
    assert expected in result.text and result.numbers["checkpoint_split"] == names["val"]
    assert result.numbers["balance"] == tiny_artefacts.settings.balance
    assert 0 <= result.numbers["macro_f1"] <= 1 and result.tables["summary"]["split"] == names["test"]
    t = tiny_artefacts.trained
    given = Trained.given(t.model, t.spec)  # a model that came trained: we cannot say how it was chosen
    result = run_section(confusion.section, tiny_artefacts, trained=given)
    assert result.numbers["checkpoint_split"] is None and result.numbers["balance"] is None
    assert any("came trained" in line for line in result.text)


def test_without_test_time_averaging_there_is_no_single_image_row(tiny_artefacts):
    import dataclasses

    from fer_report.report.render import environment

    result = run_section(confusion.section, tiny_artefacts)
    assert tiny_artefacts.predictions.single is None and result.numbers["single_image"] is None
    assert "single" not in result.tables and not any("views of the image" in line for line in result.text)
    env = environment()
    env.globals["inline"] = lambda path: path  # the figure's file, not its bytes
    html = env.get_template("sections/confusion.html.j2").render(s=dataclasses.asdict(result),
                                                                 t=confusion.section.text("en"))
    assert "single image" not in html
