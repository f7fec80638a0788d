from dataclasses import replace

import numpy as np
import pytest

from fer_report.config import load_settings
from fer_report.errors import ConfigError
from fer_report.draw.figures import Figures
from fer_report.sections import augmentation


def _run(artefacts, settings=None, lang="en", tmp=None):
    return augmentation.section.run(settings=settings or artefacts.settings, dataset=artefacts.dataset,
                                    trained=artefacts.trained, compare_logs={}, figures=Figures(tmp, lang=lang)
                                    if tmp else artefacts.figures, text=augmentation.section.text(lang))


def test_counterpart_is_the_same_training_with_augmentation_flipped(tiny_artefacts, tmp_path):
    result = _run(tiny_artefacts, tmp=tmp_path)
    runs = result.numbers["runs"]
    assert set(runs) == {"with", "without"}
    assert runs["with"]["augment"] is True and runs["without"]["augment"] is False
    assert runs["with"]["cache"] != runs["without"]["cache"]
    assert runs["with"]["epochs"] == runs["without"]["epochs"] == tiny_artefacts.settings.epochs
    main = tiny_artefacts.trained
    assert runs["with"]["cache"] == str(main.cache_dir)  # the default trains with augmentation: the main run
    best = int(np.argmax([h["val_acc"] for h in main.history])) + 1
    assert runs["with"]["best_epoch"] == best
    assert runs["with"]["gap"] == pytest.approx(main.history[-1]["train_acc"] - main.history[-1]["val_acc"])
    assert result.numbers["extra_training_seconds"] == pytest.approx(runs["without"]["seconds"])
    assert [r["label"] for r in result.tables["runs"]] == ["with augmentation", "without augmentation"]
    assert any("without augmentation: best validation accuracy" in line for line in result.text)
    assert len(result.figures) == 2 and all((tmp_path / f.path).stat().st_size > 5000 for f in result.figures)


def test_second_call_reuses_the_cached_counterpart_and_says_so(tiny_artefacts, tmp_path):
    _run(tiny_artefacts, tmp=tmp_path / "a")
    result = _run(tiny_artefacts, lang="zh-TW", tmp=tmp_path / "b")
    assert result.numbers["runs"]["without"]["trained_now"] is False
    assert any("取自訓練快取" in line for line in result.text)
    assert result.tables["runs"][0]["label"] == "有 augmentation"


def test_main_run_without_augmentation_gets_its_counterpart_with(tiny_artefacts, tmp_path):
    from fer_report.report.artifacts import Artefacts

    settings = replace(tiny_artefacts.settings, augment=False)
    a = Artefacts(settings, tmp_path, progress=False)
    result = augmentation.section.run(settings=settings, dataset=a.dataset, trained=a.trained, compare_logs={},
                                      figures=Figures(tmp_path), text=augmentation.section.text("en"))
    runs = result.numbers["runs"]
    assert runs["without"]["cache"] == str(a.trained.cache_dir)
    assert runs["with"]["cache"] == str(tiny_artefacts.trained.cache_dir)  # same settings: the cache is shared


def test_dnn_ablation_adds_a_run_of_equal_size(tiny_artefacts, tmp_path):
    settings = replace(tiny_artefacts.settings, ablations=["dnn"])
    result = _run(tiny_artefacts, settings=settings, tmp=tmp_path)
    runs = result.numbers["runs"]
    assert runs["dnn"]["model"] == "dnn"
    assert abs(runs["dnn"]["params"] - runs["with"]["params"]) <= 0.05 * runs["with"]["params"]
    assert len(result.tables["runs"]) == 3 and any(line.startswith("Ablation:") for line in result.text)


def test_ablations_are_validated():
    assert load_settings(None, {"ablations": ["dnn"]}).ablations == ["dnn"]
    assert load_settings(None, {}).ablations == []  # off by default: each is one more training
    with pytest.raises(ConfigError, match="ablations 'norm' is not one of dnn"):
        load_settings(None, {"ablations": ["norm"]})


def test_cli_passes_ablations():
    from fer_report.cli import _settings, parser

    args = parser().parse_args(["build", "--ablations", "dnn", "--out", "/tmp/x"])
    assert _settings(args).ablations == ["dnn"]


def test_augmented_samples_are_drawn_from_the_seed(tiny_artefacts):
    import matplotlib.pyplot as plt

    figs = [augmentation.plot_samples(tiny_artefacts.dataset, seed=3, text=augmentation.section.text("en")) for _ in range(2)]
    images = [[ax.get_images()[0].get_array() for ax in f.axes] for f in figs]
    for f in figs:
        plt.close(f)
    assert all(np.array_equal(a, b) for a, b in zip(*images))
    first, augmented = images[0][0], images[0][len(tiny_artefacts.dataset.classes)]
    assert not np.array_equal(first, augmented)  # the second row differs from the original


def _facts(best, epoch, gap):
    return {"best_val_acc": best, "best_epoch": epoch, "gap": gap}


@pytest.mark.parametrize("on, off, keys", [
    (_facts(0.70, 9, 0.02), _facts(0.64, 5, 0.15), ["aug.helps", "aug.gap_narrower", "aug.peak_later"]),
    (_facts(0.863, 9, -0.064), _facts(0.904, 12, -0.045), ["aug.hurts", "aug.gap_none", "aug.peak_earlier"]),
    (_facts(0.702, 6, 0.09), _facts(0.700, 6, 0.04), ["aug.same", "aug.gap_wider", "aug.peak_same"]),
])
def test_comparison_sentences_follow_the_numbers(on, off, keys):
    sentences = augmentation.compare(on, off)
    assert [k for k, _ in sentences if k != "aug.train_acc_note"] == keys
    values = dict(sentences)
    for lang in ("en", "zh-TW"):
        for key, v in sentences:
            augmentation.section.text(lang)(key, **v)  # every sentence formats in both languages
    if "aug.hurts" in values:
        assert augmentation.section.text("en")("aug.hurts", **values["aug.hurts"]) == \
            "Augmentation lowered the best validation accuracy by 4.1 percentage points."


def test_the_users_own_runs_are_compared_like_the_trained_counterpart(tmp_path):
    """--compare LABEL=FILE: two Keras CSV logs; the first run against the second, with the same rules."""
    from fer_report.logs import read_history

    rows = {"aug.csv": "0,0.30,1.8,0.35,1.7\n1,0.45,1.5,0.44,1.5\n2,0.55,1.3,0.52,1.35\n3,0.60,1.2,0.51,1.36\n",
            "plain.csv": "0,0.33,1.7,0.36,1.6\n1,0.55,1.3,0.46,1.45\n2,0.75,0.8,0.48,1.50\n3,0.85,0.5,0.47,1.7\n"}
    logs = {}
    for label, (name, body) in zip(("with augmentation", "without augmentation"), rows.items()):
        (tmp_path / name).write_text("epoch,accuracy,loss,val_accuracy,val_loss\n" + body)
        logs[label] = read_history(tmp_path / name)
    result = augmentation.user_runs(logs, Figures(tmp_path), augmentation.section.text("en"))
    runs = result.numbers["runs"]
    assert runs["with augmentation"]["best_epoch"] == 3 and runs["without augmentation"]["best_epoch"] == 3
    assert runs["with augmentation"]["best_val_acc"] == pytest.approx(0.52)
    assert runs["without augmentation"]["gap"] == pytest.approx(0.38)
    assert "with augmentation reached a best validation accuracy 4.0 percentage points higher than without " \
           "augmentation." in result.text
    assert any(line.startswith("with augmentation ends with a narrower train-val gap (+9.0%)") for line in result.text)
    assert [r["test_acc"] for r in result.tables["runs"]] == [None, None]  # a log has no test accuracy
