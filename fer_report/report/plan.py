"""What a build decides before it computes anything, resolved once and handed to what needs it: the
settings, the course preset (read from disk once), the sections to run, the student's answers and the
title. The build, the outline and the page header read this, never the preset file again."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fer_report.config import Settings
from fer_report.report.outline import preset_sections
from fer_report.report.section import Section, load_sections, select

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    settings: Settings
    sections: list[Section]
    preset: Any = None  # fer_report.report.presets.Preset, or None without --questions
    answers: dict[str, Any] = field(default_factory=dict)  # question number -> the student's Answer

    def title(self, default: str) -> str:
        """--title, else the preset's title in the report's language, else ``default``."""
        s = self.settings
        if s.title:
            return s.title
        if self.preset is not None:
            return self.preset.title if s.lang == "zh-TW" else self.preset.title_en
        return default


def make_plan(settings: Settings) -> Plan:
    """Read the preset and the answers once; choose the sections (a preset's, or --sections, or --all's)."""
    preset = None
    if settings.preset:
        from fer_report.report import presets

        preset = presets.load(settings.preset)
    known = load_sections()
    sections = select(known, settings.sections or _preset_sections(preset, known, settings.preset))
    answers: dict[str, Any] = {}
    if settings.answers:
        from fer_report.report.answers import load_answers

        answers = load_answers(settings.answers, preset.numbers())
    return Plan(settings=settings, sections=sections, preset=preset, answers=answers)


def _preset_sections(preset, known: dict[str, Section], name: str | None) -> list[str] | None:
    """The sections a course preset's questions need (those registered; a missing one is said once)."""
    if preset is None:
        return None
    wanted = preset_sections(preset)
    missing = [n for n in wanted if n not in known]
    if missing:
        log.warning("warning: %s asks for sections this fer-report does not have: %s", name, ", ".join(missing))
    return [n for n in wanted if n in known]
