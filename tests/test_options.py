"""Each setting is declared once: a field added to Settings shows up in the flags, --help, the TOML
checks (with a did-you-mean), the training cache key and the result-cache key, with no other edit."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace

import pytest

from fer_report import options
from fer_report.config import Settings, load_settings
from fer_report.errors import ConfigError
from fer_report.options import option


@dataclass
class WithSmoothing(Settings):
    smoothing: float = option(0.0, affects="training", group="training", metavar="EPS", minimum=0.0,
                              help="label smoothing of the cross-entropy")
    caption_size: int = option(9, affects="results", minimum=6, help="figure caption font size")
    footer: str | None = option(None, affects="nothing", metavar="TEXT", help="a line at the foot of each page")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fer-report build")
    options.add_arguments(p, WithSmoothing)
    return p


def test_a_new_field_gets_a_flag_and_help():
    help_text = parser().format_help()
    assert "--smoothing EPS" in help_text and "label smoothing of the cross-entropy (default 0.0)" in help_text
    assert "--caption-size" in help_text and "--footer TEXT" in help_text
    args = parser().parse_args(["--smoothing", "0.1", "--footer", "draft"])
    assert options.overrides(args, WithSmoothing) == {"smoothing": 0.1, "footer": "draft"}
    assert load_settings(None, options.overrides(args, WithSmoothing), cls=WithSmoothing).smoothing == 0.1


def test_a_new_field_is_a_toml_key_with_checks(tmp_path):
    cfg = tmp_path / "r.toml"
    cfg.write_text("smoothing = 0.2\ncaption_size = 8\n")
    s = load_settings(cfg, {}, cls=WithSmoothing)
    assert (s.smoothing, s.caption_size) == (0.2, 8)
    cfg.write_text("epochs = 3\nsmoothin = 0.2\n")
    with pytest.raises(ConfigError, match=r"r.toml line 2: unknown key 'smoothin'; did you mean 'smoothing'\?"):
        load_settings(cfg, {}, cls=WithSmoothing)
    cfg.write_text('smoothing = "a lot"\n')
    with pytest.raises(ConfigError, match=r"key 'smoothing' is str 'a lot', expected float"):
        load_settings(cfg, {}, cls=WithSmoothing)
    with pytest.raises(ConfigError, match=r"--smoothing: smoothing must be at least 0, got -0.1"):
        load_settings(None, {"smoothing": -0.1}, cls=WithSmoothing)


def test_a_new_field_enters_the_keys_it_affects():
    base = WithSmoothing()
    assert options.training_key_parts(base) == options.training_key_parts(Settings())  # old entries keep their keys
    assert options.training_key_parts(replace(base, smoothing=0.1))["smoothing"] == 0.1
    assert "caption_size" not in options.training_key_parts(replace(base, caption_size=7))
    results = options.result_key_parts(base)
    assert results["smoothing"] == 0.0 and results["caption_size"] == 9 and "footer" not in results
    assert "out" not in results and "author" not in results  # where the report goes changes nothing


def test_the_original_training_settings_are_always_in_the_key():
    parts = options.training_key_parts(Settings())
    assert set(parts) == {"model", "match", "weights", "epochs", "batch_size", "lr", "optimizer", "augment", "seed",
                          "device"}
    assert parts["match"] is None  # the matched model only counts for dnn
    assert options.training_key_parts(Settings(model="dnn"))["match"] == "cnn4"
    assert options.training_key_parts(Settings(schedule="plateau"))["schedule"] == "plateau"


def test_every_setting_declares_what_it_affects():
    declared = {d.name: d.option.affects for d in options.declared(Settings)}
    assert set(declared) == set(Settings.__dataclass_fields__)
    assert declared["epochs"] == "training" and declared["lang"] == "results" and declared["out"] == "nothing"
