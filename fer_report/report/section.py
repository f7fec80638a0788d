"""The section contract: what a report question declares, and how sections are found.

A section is a module that defines ``section = Section(...)`` and is registered under the
``fer_report.sections`` entry-point group (built-ins in pyproject.toml, exactly as a third-party
package would). It declares:
  run        a function whose parameter names are the artefacts it needs (fer_report.report.artifacts)
  requires   what the run must offer (fer_report.report.requirements): unmet, the section is skipped with
             the reason, and the build goes on
  strings    its sentences in every report language, ``{"en": {key: text}, "zh-TW": {...}}``
  question   its heading in every language
  template   its Jinja2 template (default: the built-in ``templates/sections/NAME.html.j2``)
Everything is checked when the section is loaded, with the section's name in the message.
"""

from __future__ import annotations

import inspect
import string
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable

from fer_report.draw.figures import Figure
from fer_report.errors import ConfigError, UserError, did_you_mean


@dataclass
class Result:
    """What ``run`` returns: numbers go to report.json and the template, text is generated prose."""

    numbers: dict[str, Any]
    text: list[str]
    figures: list[Figure] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)  # extra template context (table rows)


class ChecksFailed(AssertionError):
    """A section's own check of its numbers failed (a derivation against PyTorch, a hand count against
    the counter). It carries the numbers, so with ``--keep-going`` report.json still lists every check
    and its error beside the failure."""

    def __init__(self, message: str, numbers: dict) -> None:
        super().__init__(message)
        self.numbers = numbers


def tolerance_failures(checks) -> str:
    """One clause per failed check (objects with name, max_error, tolerance, worst_case), for ChecksFailed."""
    return "; ".join(f"check {c.name} failed: max error {c.max_error:.3e} > tolerance {c.tolerance:.0e} "
                     f"({c.worst_case})" for c in checks)


@dataclass
class Section:
    name: str
    summary: str  # one line for `fer-report list`
    order: int  # position in the report
    run: Callable[..., Result]
    question: dict[str, str] = field(default_factory=dict)  # lang -> heading
    strings: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> key -> sentence
    requires: tuple = ()  # fer_report.report.requirements.Requirement, checked in order
    template: str | Path | None = None  # a file; None = the built-in templates/sections/NAME.html.j2
    on_request: bool = False  # costs extra trainings: runs when a course preset or --sections names it, not in --all

    @property
    def needs(self) -> list[str]:
        return list(inspect.signature(self.run).parameters)

    def text(self, lang: str):
        """The report's sentences in ``lang`` plus this section's own."""
        from fer_report.report.i18n import Text

        return Text(lang).with_strings(self.strings)

    def template_file(self) -> Path:
        if self.template is not None:
            return Path(self.template)
        from fer_report.report.render import templates_dir

        return templates_dir() / "sections" / f"{self.name}.html.j2"

    def source_files(self) -> list[Path]:
        """The files whose content decides what this section computes and shows (its module and template)."""
        files = [self.template_file()]
        module = inspect.getsourcefile(self.run)
        if module:  # a section that is a package (sections/NAME/) owns every module in its folder
            own = Path(module)
            files[:0] = sorted(own.parent.glob("*.py")) if own.parent.name == self.name else [own]
        return files


def run_section(section: Section, artefacts, **given: Any) -> Result:
    """``section.run`` with the artefacts it names (``given`` ones instead), speaking in its own strings."""
    text = given.pop("text", None) or artefacts.get("text")
    given["text"] = text.with_strings(section.strings)
    return section.run(**{n: given[n] if n in given else artefacts.get(n) for n in section.needs})


def load_sections() -> dict[str, Section]:
    """Every registered section by name, in report order, each checked against the contract."""
    found: dict[str, Section] = {}
    for ep in entry_points(group="fer_report.sections"):
        try:
            section = ep.load()
        except Exception as exc:
            raise UserError(f"section '{ep.name}' ({ep.value}) failed to load: {type(exc).__name__}: {exc}") from exc
        check(section, ep.name)
        found[section.name] = section
    return dict(sorted(found.items(), key=lambda kv: kv[1].order))


def check(section: Any, name: str) -> None:
    """The whole contract, so that a broken plugin fails when loaded, not halfway through a build."""
    from fer_report.report.artifacts import ARTEFACTS
    from fer_report.config import LANGS
    from fer_report.report.requirements import Requirement

    if not isinstance(section, Section):
        raise UserError(f"section '{name}' must be a fer_report.report.section.Section, got {type(section).__name__}")
    unknown = [p for p in section.needs if p not in ARTEFACTS]
    if unknown:
        raise UserError(f"section '{name}' asks for unknown artefact(s) {', '.join(unknown)}; "
                        f"available: {', '.join(ARTEFACTS)}")
    bad = [r for r in section.requires if not isinstance(r, Requirement)]
    if bad:
        raise UserError(f"section '{name}': requires must hold fer_report.report.requirements.Requirement, got {bad[0]!r}")
    missing = [lang for lang in LANGS if lang not in section.question]
    if missing:
        raise UserError(f"section '{name}' has no question heading for {', '.join(missing)}; "
                        f"expected question={{{', '.join(repr(lang) + ': ...' for lang in LANGS)}}}")
    if not section.template_file().is_file():
        raise UserError(f"section '{name}': template {section.template_file()} not found")
    problems = string_problems(section.strings, LANGS)
    if problems:
        raise UserError(f"section '{name}': strings differ between languages: {problems[0]}")


def string_problems(strings: dict[str, dict[str, str]], langs: tuple[str, ...]) -> list[str]:
    """Keys present in one language only, or a sentence whose {placeholders} differ between languages."""
    if not strings:
        return []
    out = []
    first = langs[0]
    for lang in langs:
        if lang not in strings:
            out.append(f"no strings for {lang}")
    keys = set().union(*(strings.get(lang, {}) for lang in langs))
    for key in sorted(keys):
        have = {lang: strings.get(lang, {}).get(key) for lang in langs}
        absent = [lang for lang, v in have.items() if v is None]
        if absent:
            out.append(f"'{key}' has no {', '.join(absent)} text")
            continue
        fields = {lang: placeholders(v) for lang, v in have.items()}
        for lang in langs[1:]:
            if fields[lang] != fields[first]:
                out.append(f"'{key}' uses {{{', '.join(sorted(fields[first]))}}} in {first} but "
                           f"{{{', '.join(sorted(fields[lang]))}}} in {lang}")
    return out


def placeholders(text: str) -> set[str]:
    """The field names a format string uses: '{n:,} of {total}' -> {'n', 'total'}."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def select(sections: dict[str, Section], names: list[str] | None) -> list[Section]:
    """The sections to build (all but the on-request ones when ``names`` is empty); an unknown name gets a
    'did you mean'."""
    if not names:
        return [s for s in sections.values() if not s.on_request]
    for n in names:
        if n not in sections:
            raise ConfigError(f"unknown section '{n}'{did_you_mean(n, sections)} (choices: {', '.join(sections)})")
    return [s for s in sections.values() if s.name in names]
