"""--classes in a repository's own label names: synonyms read (and said), every unknown name listed at once."""

from __future__ import annotations

import logging

import pytest

from fer_report import CLASSES
from fer_report.errors import ConfigError
from fer_report.model.class_names import class_order, read_classes


def message(names: str) -> str:
    with pytest.raises(ConfigError) as err:
        read_classes(names.split(","))
    return str(err.value)


def test_every_unknown_name_is_listed_at_once_with_its_closest_spelling():
    msg = message("neutral,happyness,surprise,sadness,anger,disguest,fear")
    assert msg.startswith("--classes: unknown classes 'happyness' (did you mean 'happiness', read as Happy?) and "
                          "'disguest' (did you mean 'disgust'?); expected the seven FER2013 classes (angry, disgust, "
                          "fear, happy, sad, surprise, neutral) or a usual synonym (anger, disgusted, fearful, ")


def test_a_repositorys_own_label_names_are_read_as_the_fer2013_classes_they_mean():
    names = read_classes("neutral,happiness,surprise,sadness,anger,disgust,fear".split(","))  # FER+'s order
    assert names.read == ("Neutral", "Happy", "Surprise", "Sad", "Angry", "Disgust", "Fear")
    assert names.synonyms() == [("happiness", "Happy"), ("sadness", "Sad"), ("anger", "Angry")]
    assert [names.read[i] for i in names.order] == list(CLASSES)
    kdef = "Afraid,Angry,Disgusted,Happy,Neutral,Sad,Surprised".split(",")
    assert class_order(kdef) == [1, 2, 0, 3, 5, 6, 4]
    assert class_order([c.lower() for c in CLASSES]) is None


def test_contempt_is_named_as_not_one_of_the_seven():
    msg = message("neutral,happiness,surprise,sadness,anger,disgust,fear,contempt")
    assert msg.startswith("--classes: unknown class 'contempt' (not one of FER2013's seven classes (FER+ and "
                          "AffectNet add it as an eighth)); expected")


def test_a_class_named_twice_through_a_synonym_is_refused_with_both_names():
    msg = message("angry,anger,fear,happy,sad,surprise,neutral")
    assert msg == ("--classes: 7 names (angry, anger, fear, happy, sad, surprise, neutral); expected each of the "
                   "seven FER2013 classes once (missing: disgust; more than once: angry (angry, anger))")


def test_the_network_reorders_and_notes_each_synonym_once(tmp_path, caplog):
    from fer_report.report.artifacts import Artefacts
    from tests.conftest import tiny_settings
    from tests.test_network import student

    info = student("keras_style")
    order = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear"]
    settings = tiny_settings(tmp_path, model=f"{info['file']}:{info['name']}", classes=order)
    with caplog.at_level(logging.INFO):
        net = Artefacts(settings, tmp_path).get("net")
    assert "note: --classes read 'happiness' as Happy, 'sadness' as Sad, 'anger' as Angry" in caplog.text
    assert net.spec.meta["classes"]["synonyms"] == [["happiness", "Happy"], ["sadness", "Sad"], ["anger", "Angry"]]
    assert list(net.model.order) == [4, 5, 6, 1, 3, 2, 0]


def test_the_header_gives_the_order_as_given_with_each_synonyms_reading():
    from fer_report.report.header import _classes_line
    from fer_report.report.i18n import Text

    names = read_classes("neutral,happiness,surprise,sadness,anger,disgust,fear".split(","))
    assert _classes_line(names.to_json(), Text("en")) == (
        "the model's outputs in the order --classes gives: neutral, happiness (Happy), surprise, sadness (Sad), "
        "anger (Angry), disgust, fear; put back in FER2013's order for every section")
    assert "happiness (開心)" in _classes_line(names.to_json(), Text("zh-TW"))
    assert _classes_line(None, Text("en")) is None
