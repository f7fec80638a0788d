"""The report's outline: which blocks it prints in which order, each with its heading.

Without a course preset the outline is the sections in report order, headed by their built-in
questions (or the user's ``[questions]`` headings). With one (``--questions PRESET``) it is the
course's questions in the course's order, word for word with their weights: under each, the
sections that answer it (a section answering several questions is shown under the first and
referred to after), then the student's own answer (``--answers DIR``), or a marked empty box where
nothing can be computed and no answer was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fer_report.report.section import Section


@dataclass
class Ref:
    section: str  # the section's name
    part: str | None = None  # a part of it (math.conv: the convolution derivation only)
    first: bool = True  # shown here; False: already shown under the question ``shown_under``
    shown_under: str | None = None


@dataclass
class Block:
    anchor: str  # HTML id
    heading: str
    level: int  # 2 for a question, 3 for a sub-question
    kind: str = "question"  # question, note
    number: str | None = None
    refs: list[Ref] = field(default_factory=list)
    answer_html: str | None = None
    wants_answer: bool = False  # nothing computes it and no answer was given: the student's empty box
    answer_file: str | None = None


def preset_sections(preset) -> list[str]:
    """The sections a preset's questions need, each once, in question order (``math.conv`` -> ``math``)."""
    names: list[str] = []
    for q in preset.questions:
        for ref in q.sections:
            name = ref.split(".")[0]
            if name not in names:
                names.append(name)
    return names


def plain(settings, sections: list[Section], text_of) -> list[Block]:
    """One block per section, numbered in report order."""
    blocks = []
    for number, s in enumerate(sections, start=1):
        heading = settings.questions.get(s.name) or f"{number}. {s.question[settings.lang]}"
        blocks.append(Block(anchor=s.name, heading=heading, level=2, number=str(number), refs=[Ref(s.name)]))
    return blocks


def from_preset(settings, preset, built: set[str], answers: dict[str, Any]) -> list[Block]:
    """The course's questions in order; ``built`` the sections this build ran, ``answers`` number -> Answer."""
    parents = {q.parent for q in preset.questions if q.parent}
    shown: dict[str, str] = {}  # section ref -> number of the question it is shown under
    blocks = []
    for k, q in enumerate(preset.questions):
        heading = settings.questions.get(q.number) or q.heading(settings.lang,
                                                                 collaborators=_collaborators(settings, preset))
        if q.kind == "note":
            blocks.append(Block(anchor=f"note-{k}", heading=heading, level=2, kind="note"))
            continue
        refs = []
        for ref in q.sections:
            name, _, part = ref.partition(".")
            if name not in built:
                continue
            key = ref if part else name
            whole = shown.get(name)  # the whole section already shown covers its parts
            first_at = shown.get(key) or whole
            refs.append(Ref(name, part or None, first=first_at is None, shown_under=first_at))
            shown.setdefault(key, q.number)
        answer = answers.get(q.number)
        blocks.append(Block(anchor=f"q-{_anchor(q.number)}", heading=heading, level=3 if q.parent else 2,
                            number=q.number, refs=refs, answer_html=answer.html if answer else None,
                            wants_answer=not refs and answer is None and q.number not in parents,
                            answer_file=f"{q.number}.md"))
    return blocks


def number_figures(blocks: list[Block], entries: dict[str, dict], figure_word: str,
                   see_word: str = " (see Figure {n})") -> dict[str, int]:
    """Figure numbers in the order the report shows them (the same for HTML and PDF), and the generated
    text's cross-references replaced: ``[[fig:STEM]]`` by "Figure N" (``figure_word``), ``[[see:STEM]]``
    by " (see Figure N)" (``see_word``), or by nothing where that figure is not in the report."""
    numbers: dict[str, int] = {}
    for block in blocks:
        for ref in block.refs:
            entry = entries.get(ref.section)
            if ref.first and entry:
                for f in entry.get("figures", []):
                    numbers.setdefault(f["path"], len(numbers) + 1)
    by_stem = {path.rsplit("/", 1)[-1].rsplit(".", 1)[0]: n for path, n in numbers.items()}
    for entry in entries.values():
        entry["text"] = [_cross_refs(line, by_stem, figure_word, see_word) for line in entry.get("text", [])]
        for f in entry.get("figures", []):
            f["number"] = numbers.get(f["path"])
            f["label"] = figure_word.format(n=f["number"]) + ":" if f["number"] else ""
    return numbers


def _cross_refs(line: str, by_stem: dict[str, int], figure_word: str, see_word: str) -> str:
    import re

    words = {"fig": figure_word, "see": see_word}
    return re.sub(r"\[\[(fig|see):([\w-]+)\]\]", lambda m: words[m.group(1)].format(n=by_stem[m.group(2)])
                  if m.group(2) in by_stem else "", line)


def resolve_refs(line: str) -> str:
    """A sentence outside a report (``fer-report section``'s printout, a test): references dropped."""
    return _cross_refs(line, {}, "", "")


def _collaborators(settings, preset) -> str | None:
    return settings.author.collaborators if preset.collaborators else None


def _anchor(number: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in number).strip("-").lower() or "x"
