from fer_report.report.section import run_section
from fer_report.sections import history
from fer_report.sections.history import analyse


def curve(train_loss, val_loss, train_acc, val_acc):
    return [{"epoch": i + 1, "train_loss": a, "val_loss": b, "train_acc": c, "val_acc": d}
            for i, (a, b, c, d) in enumerate(zip(train_loss, val_loss, train_acc, val_acc))]


def test_overfitting_is_read_from_a_rising_validation_loss():
    h = curve([1.0, 0.7, 0.5, 0.3, 0.2], [1.0, 0.8, 0.9, 1.0, 1.1], [.5, .6, .7, .8, .9], [.5, .6, .62, .61, .6])
    f = analyse(h)
    assert f["overfit"] and f["min_val_loss_epoch"] == 2 and f["best_epoch"] == 3
    assert f["gap"] == 0.9 - 0.6


def test_a_still_rising_curve_is_not_overfitting_and_says_more_epochs_help():
    h = curve([1.0, 0.8, 0.6, 0.5], [1.0, 0.8, 0.7, 0.6], [.4, .5, .6, .65], [.4, .5, .6, .66])
    f = analyse(h, test_acc=0.64)
    assert not f["overfit"] and f["still_improving"] and not f["leak"]
    assert analyse(h, test_acc=0.40)["leak"]  # val far above test


def test_section_on_a_tiny_trained_model(tiny_artefacts):
    result = run_section(history.section, tiny_artefacts)
    assert result.numbers["epochs"] == 2
    assert len(result.numbers["history"]) == 2
    assert (tiny_artefacts.figures.build_dir / result.figures[0].path).stat().st_size > 5000
    assert any("best validation accuracy" in line for line in result.text)


def test_every_sentence_exists_in_both_languages():
    en, zh = history.section.text("en"), history.section.text("zh-TW")
    assert set(en.strings) == set(zh.strings)
