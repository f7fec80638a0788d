"""The report's outline with a course preset: every question in the course's order, word for word with its
weight, in both languages; sections under the first question that needs them; the student's answers
under theirs; an empty box where nothing is computed and nothing was written."""

from __future__ import annotations

import json

import pytest

from fer_report.report import presets
from fer_report.report.answers import load_answers
from fer_report.cli import main
from fer_report.config import Settings
from fer_report.report.outline import from_preset, number_figures, preset_sections
from fer_report.report.section import load_sections


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("name", presets.names())
def test_every_question_is_printed_in_order_with_its_heading(name, lang):
    p = presets.load(name)
    blocks = from_preset(Settings(lang=lang), p, set(load_sections()), {})
    assert [b.heading for b in blocks] == [q.heading(lang) for q in p.questions]
    assert set(preset_sections(p)) <= set(load_sections()) | {"dnn", "normalization", "semi_supervised", "methods",
                                                                "complexity", "pca", "pretrained",
                                                                "augmentation_code", "confusion_code"}


def test_a_section_answering_two_questions_is_shown_once_and_referred_to():
    p = presets.load("ntu-ml-2025-hw3")
    blocks = {b.number: b for b in from_preset(Settings(), p, {"augmentation", "confusion", "confusion_code"}, {})}
    assert [(r.section, r.first) for r in blocks["2c"].refs] == [("augmentation", True)]
    assert [(r.section, r.first, r.shown_under) for r in blocks["2d"].refs] == [("augmentation", False, "2c")]
    assert blocks["2b"].wants_answer and not blocks["2"].wants_answer  # a parent is a heading, not a question
    assert not blocks["3b"].wants_answer  # confusion answers it


def test_answers_go_under_their_question(tmp_path):
    p = presets.load("ntu-ml-2025-hw3")
    (tmp_path / "2b.md").write_text("I flipped faces because **expressions are symmetric**.", encoding="utf-8")
    answers = load_answers(tmp_path, p.numbers())
    blocks = {b.number: b for b in from_preset(Settings(), p, set(), answers)}
    assert "<strong>expressions are symmetric</strong>" in blocks["2b"].answer_html and not blocks["2b"].wants_answer
    assert blocks["1b"].wants_answer and blocks["1b"].answer_file == "1b.md"


def test_figures_are_numbered_in_the_order_shown_and_text_refers_to_them():
    p = presets.load("ntu-ml-2019fall-hw3")
    entries = {"history": {"figures": [{"path": "figures/history.png"}], "text": ["See [[fig:confusion]]."]},
               "confusion": {"figures": [{"path": "figures/confusion.png"}], "text": ["[[fig:confusion]] shows it."]}}
    blocks = from_preset(Settings(), p, set(entries), {})
    numbers = number_figures(blocks, entries, "Figure {n}")
    assert numbers == {"figures/history.png": 1, "figures/confusion.png": 2}
    assert entries["history"]["text"] == ["See Figure 2."] and entries["confusion"]["figures"][0]["label"] == "Figure 2:"


def test_a_preset_build_prints_every_heading_and_the_students_box(tmp_path):
    """End to end in zh-TW: the 2025 questions (English in the course's own words), an answer, the empty boxes."""
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "2b.md").write_text("我用水平翻轉，因為表情左右對稱。", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--questions", "ntu-ml-2025-hw3", "--answers", str(answers), "--sections", "architecture",
                 "--lang", "zh-TW", "--synthetic-size", "tiny", "--out", str(out), "-q"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    p = presets.load("ntu-ml-2025-hw3")
    assert [b["heading"] for b in report["outline"]] == [q.heading("zh-TW") for q in p.questions]
    html = (out / "report.html").read_text(encoding="utf-8")
    for q in p.questions:
        assert q.heading("zh-TW").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html
    assert "我用水平翻轉，因為表情左右對稱。" in html and html.count('class="answer-missing"') >= 3


def test_answers_for_a_question_the_preset_lacks_is_one_line(tmp_path, capsys):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "7.md").write_text("extra")
    code = main(["build", "--questions", "ntu-ml-2019fall-hw3", "--answers", str(answers), "--sections",
                 "architecture", "--synthetic-size", "tiny", "--out", str(tmp_path / "out"), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "7.md: no question '7' in this preset" in err
