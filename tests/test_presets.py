"""The presets against the course's own wording: every row of /work/shared/course-questions.md, in order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fer_report.report import presets
from fer_report.errors import ConfigError

COURSE_QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "course-questions.md"  # ../shared beside the repo

# heading prefix in course-questions.md -> preset name
YEARS = {
    "2019 Fall HW3": "ntu-ml-2019fall-hw3",
    "2019 Spring HW3": "ntu-ml-2019spring-hw3",
    "2019 Spring HW4": "ntu-ml-2019spring-hw4",
    "2018 Fall HW3": "ntu-ml-2018fall-hw3",
    "2017 Spring HW3": "ntu-ml-2017spring-hw3",
    "2025 variant": "ntu-ml-2025-hw3",
}


def course_tables() -> dict[str, list[tuple[str, str, str]]]:
    """preset name -> the (no., weight, text) rows of its markdown table, as written."""
    if not COURSE_QUESTIONS.exists():
        pytest.skip(f"{COURSE_QUESTIONS} is not on this machine")
    tables: dict[str, list[tuple[str, str, str]]] = {}
    current = None
    for line in COURSE_QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = next((name for prefix, name in YEARS.items() if line[3:].startswith(prefix)), None)
        elif current and line.startswith("|") and not line.startswith(("|---", "| no.")):
            number, weight, text = (cell.strip() for cell in line.strip().strip("|").split("|"))
            tables.setdefault(current, []).append((number, weight, text))
    return tables


def expected_rows(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
    """(number, weight, text, heading) a preset must have for these rows.

    Three rule-level translations, the only ones: a number the table repeats ("Bonus", "Bonus") is numbered
    "Bonus 1", "Bonus 2" in order, so answer files can be told apart; the table's "–" (no weight) is "";
    the 2019 Fall "math" row, whose text carries the table writer's note '(students number it "6.")', is
    number 6 without that note.
    The heading is "NUMBER. WEIGHT TEXT", the weight left out when empty or already stated in the text,
    and a note row is its text alone.
    """
    counts = {n: sum(r[0] == n for r in rows) for n, _, _ in rows}
    counts.setdefault("6", 1)
    seen: dict[str, int] = {}
    out = []
    for number, weight, text in rows:
        note = re.search(r' \(students number it "(\d+)\."\)$', text)
        if note:
            number, text = note.group(1), text[:note.start()]
        if counts[number] > 1:
            seen[number] = seen.get(number, 0) + 1
            number = f"{number} {seen[number]}"
        weight = "" if weight == "–" else weight
        if number == "note":
            heading = text
        elif weight and weight not in text:
            heading = f"{number}. {weight} {text}"
        else:
            heading = f"{number}. {text}"
        out.append((number, weight, text, heading))
    return out


def test_every_year_has_a_preset_and_every_preset_loads():
    assert presets.names() == sorted(YEARS.values())
    for name in presets.names():
        p = presets.load(name)
        assert p.name == name and p.title and p.title_en and p.header and p.source and p.questions


@pytest.mark.parametrize("name", sorted(YEARS.values()))
def test_headings_are_the_course_rows_word_for_word_in_order(name):
    rows = course_tables()[name]
    p = presets.load(name)
    got = [(q.number, q.weight, q.text, q.heading("zh-TW")) for q in p.questions]
    assert got == expected_rows(rows)


def test_heading_examples():
    fall = presets.load("ntu-ml-2019fall-hw3")
    assert fall.question("1").heading("zh-TW") == "1. (1%) 請說明這次使用的model架構，包含各層維度及連接方式。"
    assert fall.question("1").heading("en").startswith("1. (1%) Describe the model architecture")
    assert fall.question("6-1").heading("en").startswith("6-1. Convolution (1%): As we mentioned")  # weight once
    assert fall.questions[3].kind == "note" and fall.questions[3].heading("zh-TW").startswith("[關於第四及第五題]")
    assert "note" not in fall.numbers() and fall.numbers()[-3:] == ["6-1", "6-2", "6-3"]
    fall18 = presets.load("ntu-ml-2018fall-hw3")
    assert fall18.question("4").heading("en").startswith("4. (1.5%, each 0.5%) CNN time/space complexity")
    assert fall18.question("5(2)").heading("en") == "5(2). (0.5%) Compute the principal components for each sample."
    bonus = presets.load("ntu-ml-2017spring-hw3").question("Bonus 1")
    assert bonus.heading("zh-TW").startswith("Bonus 1. [Bonus] (1%) 從 training data")


def test_english_is_given_for_every_row_and_equals_english_course_text():
    for name in presets.names():
        for q in presets.load(name).questions:
            assert q.text_en.strip()
            if q.text.isascii():
                assert q.text_en == q.text, (name, q.number)
            assert not any("\u4e00" <= c <= "\u9fff" for c in q.text_en), (name, q.number)


def test_collaborators_field():
    spring = presets.load("ntu-ml-2019spring-hw3")
    assert spring.collaborators and not presets.load("ntu-ml-2019fall-hw3").collaborators
    q = spring.question("2")
    assert q.heading("zh-TW").endswith("(Collaborators: )")
    assert q.heading("zh-TW", collaborators="王小明").endswith("(Collaborators: 王小明)")
    assert q.heading("en", collaborators="B01").endswith("(Collaborators: B01)")


def test_mapping_to_sections():
    def sections(name, number):
        return presets.load(name).question(number).sections

    assert sections("ntu-ml-2019spring-hw3", "1") == ("architecture", "dnn")
    assert sections("ntu-ml-2019spring-hw3", "3") == ("normalization", "augmentation")
    assert all(sections("ntu-ml-2018fall-hw3", n) == ("complexity",) for n in ("4a", "4b", "4c"))
    assert all(sections("ntu-ml-2018fall-hw3", n) == ("pca",) for n in ("5(1)", "5(2)", "5(3)"))
    assert sections("ntu-ml-2025-hw3", "1c") == ("pretrained",)
    assert sections("ntu-ml-2025-hw3", "2b") == ()  # the student's reasoning: no section can answer it
    assert sections("ntu-ml-2017spring-hw3", "Bonus 1") == ("semi_supervised",)
    fall = presets.load("ntu-ml-2019fall-hw3")
    assert [q.parent for q in fall.questions if q.number.startswith("6-")] == ["6"] * 3
    for name in presets.names():
        for q in presets.load(name).questions:
            assert set(q.sections) <= set(presets.SECTIONS)


def test_unknown_preset_suggests_the_close_name():
    with pytest.raises(ConfigError, match=r"unknown preset 'ntu-ml-2019fal-hw3'; did you mean 'ntu-ml-2019fall-hw3'\?"):
        presets.load("ntu-ml-2019fal-hw3")
    with pytest.raises(ConfigError) as e:
        presets.load_file("/nonexistent/x.toml")
    assert "\n" not in str(e.value) and "x.toml" in str(e.value)


GOOD = """title = "t"\ntitle_en = "t"\nheader = "h"\ncollaborators = false\nsource = "s"\n
[[questions]]\nnumber = "1"\nweight = "(1%)"\ntext = "a"\ntext_en = "a"\nsections = ["history"]\n"""


@pytest.mark.parametrize("change, message", [
    (('sections = ["history"]', 'sections = ["histroy"]'), r"question 1 \('1'\): unknown section 'histroy'; did you mean 'history'\?"),
    (('weight = "(1%)"\n', ''), r"question 1 \('1'\): missing key 'weight'"),
    (('weight = "(1%)"', 'weight = 1'), r"question 1 \('1'\): 'weight' is int 1; expected str"),
    (('text = "a"', 'txt = "a"'), r"question 1 \('1'\): unknown key 'txt'; did you mean 'text'\?"),
    (('number = "1"\n', 'number = "1"\nparent = "0"\n'), r"question 1 \('1'\): parent '0' is not an earlier question"),
    (('number = "1"\n', 'number = "1"\nkind = "remark"\n'), r"kind 'remark' is not one of: question, note"),
    (('collaborators = false', 'collaborators = "no"'), r"'collaborators' is str 'no'; expected bool"),
    (('title = "t"\n', ''), r"missing key 'title'"),
    (('text = "a"', 'text = "  "'), r"question 1 \('1'\): 'text' is empty"),
    (('title = "t"', 'title = '), r"not valid TOML"),
])
def test_malformed_preset_names_the_file_and_question(tmp_path, change, message):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as e:
        presets.load_file(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


def test_duplicate_number_and_a_good_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    p = presets.load_file(path)
    assert p.name == "mine" and p.questions[0].heading("en") == "1. (1%) a"
    block = GOOD.split("\n\n", 1)[1]
    path.write_text(GOOD + "\n" + block, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"question 2 \('1'\): number '1' is used twice"):
        presets.load_file(path)
    path.write_bytes(GOOD.replace('"a"', '"\xe9"').encode("latin-1"))
    with pytest.raises(ConfigError, match="is not UTF-8"):
        presets.load_file(path)
