"""The section contract: what a report question declares, and how sections are found.

A section is a module in ``sections/`` that defines ``section = Section(...)`` and is registered
under the ``fer_report.sections`` entry-point group (built-ins in pyproject.toml, exactly as a
third-party package would). Its ``run`` function names the artefacts it needs as parameters; the
engine computes exactly those, and a parameter that names no artefact fails at load time.
"""

from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Callable

from fer_report.errors import ConfigError, UserError

#: What a section's ``run`` may ask for, by parameter name.
ARTEFACTS = {
    "settings": "the run's Settings",
    "dataset": "the loaded Dataset (train/val/test splits)",
    "network": "an untrained instance of the chosen model (no training needed)",
    "trained": "the trained model with its history, normalisation and device (trains or reuses the cache)",
    "predictions": "test and validation predictions of the trained model",
    "figures": "a Figures helper that saves matplotlib figures as PNG into the build",
    "text": "the report's language: text(key, **values) and text.cls(name)",
}


@dataclass
class Figure:
    path: str  # relative to the build directory, e.g. "figures/confusion.png"
    caption: str


@dataclass
class Result:
    """What ``run`` returns: numbers go to report.json and the template, text is generated prose."""

    numbers: dict[str, Any]
    text: list[str]
    figures: list[Figure] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)  # extra template context (table rows)


@dataclass
class Section:
    name: str
    summary: str  # one line for `fer-report list`
    order: int  # position in the report
    run: Callable[..., Result]

    @property
    def needs(self) -> list[str]:
        return list(inspect.signature(self.run).parameters)


def load_sections() -> dict[str, Section]:
    """Every registered section by name, in report order, each checked against the contract."""
    found: dict[str, Section] = {}
    for ep in entry_points(group="fer_report.sections"):
        try:
            section = ep.load()
        except Exception as exc:
            raise UserError(f"section '{ep.name}' ({ep.value}) failed to load: {exc}") from exc
        check(section, ep.name)
        found[section.name] = section
    return dict(sorted(found.items(), key=lambda kv: kv[1].order))


def check(section: Any, name: str) -> None:
    if not isinstance(section, Section):
        raise UserError(f"section '{name}' must be a fer_report.section.Section, got {type(section).__name__}")
    unknown = [p for p in section.needs if p not in ARTEFACTS]
    if unknown:
        raise UserError(f"section '{name}' asks for unknown artefact(s) {', '.join(unknown)}; "
                        f"available: {', '.join(ARTEFACTS)}")


def select(sections: dict[str, Section], names: list[str] | None) -> list[Section]:
    """The sections to build; an unknown name gets a 'did you mean'."""
    if not names:
        return list(sections.values())
    for n in names:
        if n not in sections:
            hint = difflib.get_close_matches(n, sections, n=1)
            did_you_mean = f"did you mean '{hint[0]}'? " if hint else ""
            raise ConfigError(f"unknown section '{n}'; {did_you_mean}(choices: {', '.join(sections)})")
    return [s for s in sections.values() if s.name in names]
