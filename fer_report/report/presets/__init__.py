"""The course's own report questions, one TOML file per course year, so a report can be headed exactly
as the year's template asks (wording, numbering, weights) and say which sections answer which question.

A preset is data: editing the wording of a question needs no code change. Every field is validated on
load, because a typo in a hand-edited file should stop with the file and question named, not print a
half-empty heading in the PDF.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fer_report.errors import ConfigError, did_you_mean

#: Section names a question may point to (some exist, the others are being written).
SECTIONS = ("architecture", "model_code", "history", "augmentation", "augmentation_code", "dnn", "normalization",
            "confusion", "confusion_code", "saliency", "filters", "lime", "gradcam", "methods", "math.conv",
            "math.bn", "math.ce", "complexity", "pca", "semi_supervised", "pretrained")
KINDS = ("question", "note")
LANGS = ("en", "zh-TW")
COLLABORATORS = "(Collaborators: )"

_TOP = {"title": str, "title_en": str, "header": str, "collaborators": bool, "source": str, "questions": list}
_QUESTION = {"number": str, "weight": str, "text": str, "text_en": str, "sections": list}
_OPTIONAL = {"parent": str, "kind": str}


@dataclass(frozen=True)
class Question:
    number: str  # as the course numbers it: "1", "6-1", "4a", "5(2)", "Bonus 1"; "note" for a note row
    weight: str  # exactly as written, e.g. "(1%)", "(1.5%, each 0.5%)"; "" when none
    text: str  # the course's wording, verbatim (Chinese where the course wrote Chinese)
    text_en: str  # English rendering; identical to `text` where the course wrote English
    sections: tuple[str, ...]  # sections that answer it; empty: the student alone (or, for a parent, its children)
    parent: str | None = None  # number of the question this one is a part of ("6-1" -> "math")
    kind: str = "question"  # "question" or "note" (an instruction row that asks nothing)

    def heading(self, lang: str = "zh-TW", *, collaborators: str | None = None) -> str:
        """The line the report prints above the answer: "NUMBER. WEIGHT TEXT".

        zh-TW gives the course's wording (English where the course wrote English), en gives `text_en`.
        The weight is left out when empty or when the text already states it (6-1 "Convolution (1%): ...",
        "[Bonus] (1%) ..."), so no weight is printed twice. A note is its text alone. `collaborators`
        fills the template's "(Collaborators: )" field with the names given.
        """
        if lang not in LANGS:
            raise ConfigError(f"unknown language '{lang}' for a question heading; expected one of: {', '.join(LANGS)}")
        text = self.text_en if lang == "en" else self.text
        if collaborators is not None:
            text = text.replace(COLLABORATORS, f"(Collaborators: {collaborators})")
        if self.kind == "note":
            return text
        weight = self.weight if self.weight and self.weight not in text else ""
        return " ".join(p for p in (f"{self.number}.", weight, text) if p)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    title_en: str
    header: str  # the template's header line, e.g. "學號： 系級： 姓名："
    collaborators: bool  # whether the questions carry a "(Collaborators: )" field for the student to fill
    source: str  # where the wording was read
    questions: tuple[Question, ...]  # in the course's order

    def numbers(self) -> list[str]:
        """Numbers of the rows that can be answered (notes excluded): the valid answer-file names."""
        return [q.number for q in self.questions if q.kind != "note"]

    def question(self, number: str) -> Question:
        for q in self.questions:
            if q.number == number:
                return q
        raise ConfigError(f"preset '{self.name}' has no question '{number}'{did_you_mean(number, self.numbers())} "
                          f"(questions: {', '.join(self.numbers())})")


def _folder():
    return resources.files(__package__)


def names() -> list[str]:
    """Built-in presets, sorted by name."""
    return sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".toml"))


def check_name(name: str) -> None:
    """A built-in preset's name, checked without reading it (settings are checked before a build plans)."""
    known = names()
    if name not in known:
        raise ConfigError(f"unknown preset '{name}'{did_you_mean(name, known)} (presets: {', '.join(known)})")


def load(name: str) -> Preset:
    """A built-in preset by name (e.g. "ntu-ml-2019fall-hw3")."""
    check_name(name)
    resource = _folder() / f"{name}.toml"
    return _parse(resource.read_bytes(), f"{name}.toml", name)


def load_file(path: str | Path) -> Preset:
    """A preset from any TOML file in the same format (a course year not built in)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"preset file {path}: cannot be read ({exc.strerror or exc}); expected a TOML file") from None
    return _parse(data, str(path), path.stem)


def _parse(data: bytes, where: str, name: str) -> Preset:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"preset {where}: byte {exc.start} is not UTF-8; expected a UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"preset {where}: not valid TOML: {exc}") from None
    _fields(doc, _TOP, {}, where)
    if not doc["questions"]:
        raise ConfigError(f"preset {where}: 'questions' is empty; expected at least one [[questions]] table")
    questions: list[Question] = []
    for i, raw in enumerate(doc["questions"], start=1):
        label = f"question {i}" + (f" ('{raw['number']}')" if isinstance(raw, dict) and "number" in raw else "")
        questions.append(_question(raw, f"{where} {label}", questions))
    return Preset(name=name, title=doc["title"], title_en=doc["title_en"], header=doc["header"],
                  collaborators=doc["collaborators"], source=doc["source"], questions=tuple(questions))


def _fields(raw: object, required: dict, optional: dict, where: str) -> None:
    """Every required key present with its type, nothing unknown (a misspelt key would be ignored silently)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"preset {where}: expected a table, found {type(raw).__name__}")
    for key, value in raw.items():
        kind = required.get(key) or optional.get(key)
        if kind is None:
            allowed = [*required, *optional]
            raise ConfigError(f"preset {where}: unknown key '{key}'{did_you_mean(key, allowed)} (keys: {', '.join(allowed)})")
        if not isinstance(value, kind):
            raise ConfigError(f"preset {where}: '{key}' is {type(value).__name__} {value!r}; expected {kind.__name__}")
    for key in required:  # after the unknown keys: a misspelt key is named as such, not as a missing one
        if key not in raw:
            raise ConfigError(f"preset {where}: missing key '{key}'")


def _question(raw: object, where: str, earlier: list[Question]) -> Question:
    _fields(raw, _QUESTION, _OPTIONAL, where)
    for key in ("number", "text", "text_en"):
        if not raw[key].strip():
            raise ConfigError(f"preset {where}: '{key}' is empty; expected text")
    number, kind, parent = raw["number"], raw.get("kind", "question"), raw.get("parent")
    if kind not in KINDS:
        raise ConfigError(f"preset {where}: kind '{kind}' is not one of: {', '.join(KINDS)}")
    if any(q.number == number for q in earlier):
        raise ConfigError(f"preset {where}: number '{number}' is used twice; expected each number once")
    if parent is not None and parent not in [q.number for q in earlier]:
        raise ConfigError(f"preset {where}: parent '{parent}' is not an earlier question"
                          f"{did_you_mean(parent, [q.number for q in earlier])}")
    for s in raw["sections"]:
        if s not in SECTIONS:
            shown = s if isinstance(s, str) else repr(s)
            raise ConfigError(f"preset {where}: unknown section '{shown}'"
                              f"{did_you_mean(shown, list(SECTIONS))} (sections: {', '.join(SECTIONS)})")
    return Question(number=number, weight=raw["weight"], text=raw["text"], text_en=raw["text_en"],
                    sections=tuple(raw["sections"]), parent=parent, kind=kind)
