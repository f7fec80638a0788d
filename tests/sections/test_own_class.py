"""A student's own class that came trained (--model model.py:NAME --weights): the sections comparing trainings
train that class here from scratch with our recipe, only when a preset or --sections asks; an exported file is
skipped with a reason naming --compare."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from torch import nn

from fer_report.draw.figures import Figures
from fer_report.report.artifacts import Artefacts
from fer_report.report.requirements import unmet
from fer_report.sections import augmentation, normalization, semi_supervised
from fer_report.training.train import train
from tests.conftest import tiny_settings

MODEL = '''
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.head = nn.Linear(4 * 12 * 12, 7)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv(x)), 4)
        return self.head(x.flatten(1))
'''


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """A student's model file, a random-init checkpoint of it, and artefacts of a run that asked for a section."""
    root = tmp_path_factory.mktemp("own")
    (root / "model.py").write_text(MODEL)
    from fer_report.model.user_model import load_user_model

    torch.manual_seed(1)
    torch.save(load_user_model(f"{root / 'model.py'}:Net").state_dict(), root / "w.pt")
    settings = tiny_settings(root / "build", model=f"{root / 'model.py'}:Net", weights=str(root / "w.pt"), epochs=1,
                             sections=["augmentation", "normalization", "semi_supervised"])
    return root, Artefacts(settings, root / "build", progress=False)


def _reason(section, settings, out):
    return unmet(section.requires, Artefacts(settings, out, progress=False))


@pytest.mark.parametrize("section", [augmentation.section, normalization.section, semi_supervised.section])
def test_a_class_that_came_trained_is_trained_again_only_when_asked(student, section, tmp_path):
    _, a = student
    assert _reason(section, a.settings, tmp_path) is None  # --sections names it
    assert _reason(section, replace(a.settings, sections=None, preset="ntu-ml-2019spring-hw3"), tmp_path) is None
    key, values = _reason(section, replace(a.settings, sections=None), tmp_path)  # build --all: not unasked
    assert key.endswith(".req_ask") and values["section"] == section.name
    text = section.text("en")(key, **values)
    assert f"--sections {section.name}" in text


@pytest.mark.parametrize("section", [augmentation.section, normalization.section, semi_supervised.section])
def test_an_exported_file_is_skipped_with_a_reason_naming_compare(student, section, tmp_path):
    root, a = student
    from fer_report.model.user_model import load_user_model

    ts = root / "model.ts"
    if not ts.exists():
        torch.jit.save(torch.jit.trace(load_user_model(f"{root / 'model.py'}:Net"), torch.randn(2, 1, 48, 48)),
                       str(ts))
    key, values = _reason(section, replace(a.settings, model=str(ts), weights=None), tmp_path)
    assert key.endswith(".req_exported") and values["kind"] == "TorchScript"
    text = section.text("en")(key, **values)
    assert "--model FILE.py:NAME" in text
    assert ("--compare" in text) == (section is not semi_supervised.section)  # only the augmentation section reads
    # logs of the student's runs; for semi-supervised learning their own answer (--answers) is the way


def _run(section, a, tmp_path, **extra):
    return section.run(settings=a.settings, dataset=a.dataset, trained=a.trained, figures=Figures(tmp_path),
                       text=section.text("en"), **extra)


def test_augmentation_trains_the_class_from_scratch_with_our_recipe(student, tmp_path):
    _, a = student
    assert a.trained.trained_here is False
    result = _run(augmentation.section, a, tmp_path, compare_logs={})
    runs = result.numbers["runs"]
    scratch = train(replace(a.settings, weights=None), a.dataset)  # the same settings: from the cache
    assert runs["with"]["cache"] == str(scratch.cache_dir) and runs["without"]["augment"] is False
    assert result.numbers["own_class_trained_here"] is True
    assert result.text[0].startswith("Your ") and "from scratch with fer-report's recipe" in result.text[0]
    assert "1 epochs as --epochs sets" in result.text[0] and "w.pt" in result.text[0]
    assert not any("on top of the" in line for line in result.text)  # no "main run" of ours to add to


def test_normalization_trains_all_four_arms_of_the_class(student, tmp_path):
    _, a = student
    result = _run(normalization.section, a, tmp_path)
    assert result.numbers["own_class_trained_here"] is True
    assert {r["source"] for r in result.numbers["runs"]} <= {"now", "cache"}  # the checkpoint is none of them
    assert len({r["cache"] for r in result.numbers["runs"]}) == 4
    assert any(line.startswith("Your ") and "the four runs below" in line for line in result.text)


def test_semi_supervised_compares_like_with_like(student, tmp_path):
    _, a = student
    result = _run(semi_supervised.section, a, tmp_path)
    scratch = train(replace(a.settings, weights=None), a.dataset)
    assert result.numbers["runs"]["full"]["cache"] == str(scratch.cache_dir)  # every label: trained here too
    assert result.numbers["own_class_trained_here"] is True
    assert "the three runs below" in result.text[0]
