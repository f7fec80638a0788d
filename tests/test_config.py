import pytest

from fer_report.config import load_settings
from fer_report.errors import ConfigError


def write(tmp_path, text):
    p = tmp_path / "report.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_then_file_then_flags(tmp_path):
    cfg = write(tmp_path, 'epochs = 5\nlang = "zh-TW"\n[author]\nname = "王小明"\nstudent_id = "b01"\n'
                          '[questions]\nconfusion = "3. (1%) 混淆矩陣"\n')
    s = load_settings(cfg, {"epochs": 7, "lang": None})
    assert s.epochs == 7  # flag beats file
    assert s.lang == "zh-TW"  # file beats default
    assert s.author.name == "王小明" and s.author.student_id == "b01"
    assert s.questions == {"confusion": "3. (1%) 混淆矩陣"}
    assert s.model == "cnn4"  # default


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    with pytest.raises(ConfigError, match=r"report.toml line 1: unknown key 'epoch'; did you mean 'epochs'"):
        load_settings(write(tmp_path, "epoch = 3\n"), {})


def test_wrong_type_says_what_was_expected(tmp_path):
    with pytest.raises(ConfigError, match=r"key 'epochs' is str '3', expected int"):
        load_settings(write(tmp_path, 'epochs = "3"\n'), {})


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "epochs = \n"), {})
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", {})


def test_invalid_values(tmp_path):
    with pytest.raises(ConfigError, match="lang 'fr' is not one of en, zh-TW"):
        load_settings(None, {"lang": "fr"})
    with pytest.raises(ConfigError, match="epochs must be at least 1"):
        load_settings(None, {"epochs": 0})
