"""--code KIND=FILE[:PART]: the student's own code for the "paste the code" questions, read, never run."""

from __future__ import annotations

import pytest

from fer_report.errors import ConfigError
from fer_report.report.student_code import parse_code_options, read

SOURCE = '''import torchvision.transforms as T


@staticmethod
def get_transforms(train=True):
    if train:
        return T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])
    return T.Compose([T.ToTensor()])


class Trainer:
    def confusion(self, y, p):
        return (y, p)

open("PWNED", "w")
'''


@pytest.fixture
def train_py(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(SOURCE)
    return tmp_path


def test_a_function_with_its_decorator(train_py):
    s = read("train.py:get_transforms")
    assert (s.first, s.last) == (4, 8) and s.code.startswith("@staticmethod\ndef get_transforms")
    assert not (train_py / "PWNED").exists()  # read as text, never imported


def test_a_method_a_range_and_the_whole_file(train_py):
    assert read("train.py:Trainer.confusion").code.strip().endswith("return (y, p)")
    assert read("train.py:1-2").code == "import torchvision.transforms as T\n"
    whole = read("train.py")
    assert (whole.first, whole.last, whole.part) == (1, 15, None)


@pytest.mark.parametrize("item, words", [
    ("augmentation=train.py:get_transform", ["no function or class 'get_transform'", "did you mean 'get_transforms'",
                                             "it defines: get_transforms, Trainer"]),
    ("augmentaton=train.py", ["unknown kind 'augmentaton'", "did you mean 'augmentation'"]),
    ("confusion=train.py:5-99", ["line range outside the file's 1-15"]),
    ("model=missing.py:Net", ["missing.py: no such file"]),
    ("augmentation", ["expected KIND=FILE[:FUNCTION|:START-END]"]),
])
def test_faults_are_one_line_naming_the_file(train_py, item, words):
    with pytest.raises(ConfigError) as info:
        parse_code_options([item])
    assert "\n" not in str(info.value)
    for word in words:
        assert word in str(info.value), str(info.value)


def test_a_kind_given_twice(train_py):
    with pytest.raises(ConfigError, match="augmentation given twice"):
        parse_code_options(["augmentation=train.py:1-2", "augmentation=train.py:3-4"])


def test_the_sections_show_the_students_code_and_a_given_model_without_it_says_which_flag(train_py):
    import json

    from fer_report.cli import main

    assert main(["build", "--sections", "augmentation_code,confusion_code", "--synthetic-size", "tiny", "--epochs", "1",
                 "--code", "augmentation=train.py:get_transforms", "--code", "confusion=train.py:Trainer.confusion",
                 "--out", "out", "-q"]) == 0
    sections = {s["name"]: s for s in json.loads((train_py / "out" / "report.json").read_text())["sections"]}
    aug = sections["augmentation_code"]
    assert aug["numbers"]["student_code"] == {"kind": "augmentation", "file": "train.py", "part": "get_transforms",
                                              "lines": [4, 8]}
    assert "RandomHorizontalFlip" in aug["numbers"]["source"]
    assert "--code confusion=train.py:Trainer.confusion" in sections["confusion_code"]["text"][0]
