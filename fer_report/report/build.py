"""Build a report: run the chosen sections, then write HTML, PDF and JSON into a temporary directory
that replaces the previous report only when everything succeeded."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import shutil
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fer_report import __version__
from fer_report.config import Settings
from fer_report.errors import UserError
from fer_report.explain.evaluations import Count
from fer_report.report import outline, output_dir, result_cache
from fer_report.report.artifacts import Artefacts
from fer_report.report.header import page_context, run_facts
from fer_report.report.outline import Block, number_figures
from fer_report.report.paths import as_given
from fer_report.report.plan import Plan, make_plan
from fer_report.report.requirements import unmet
from fer_report.report.section import run_section

log = logging.getLogger(__name__)


class SectionFailed(UserError):
    pass


def build(settings: Settings, *, out: Path | None = None, progress: bool | None = None) -> dict[str, Any]:
    """Build the report into ``out`` (default ``settings.out``); returns what report.json holds."""
    out = Path(out or settings.out)
    output_dir.check_writable(out)
    output_dir.clear_leftovers(out)
    plan = make_plan(settings)
    work = Path(tempfile.mkdtemp(prefix=f".building-{os.getpid()}-", dir=out))
    try:
        report = _build_into(work, plan, progress)
        output_dir.replace(work, out)
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build_into(work: Path, plan: Plan, progress: bool | None) -> dict[str, Any]:
    settings, sections = plan.settings, plan.sections
    artefacts = Artefacts(settings, work, progress=progress)
    for given in ("history_log", "compare_logs", "user_images"):  # the user's files: a bad one stops us before
        artefacts.get(given)  # any training, whichever sections were asked for
    if artefacts.get("net").given:
        artefacts.get("trained")  # the user's weights: loading them costs nothing, a bad file should stop us now
    texts = {s.name: s.text(settings.lang) for s in sections}
    results = []
    cached_run: dict[str, Any] = {}  # header facts of the runs that made the cached results
    caching = result_cache.usable(settings)
    cache_root = settings.cache_dir / "results"
    for number, section in enumerate(sections, start=1):
        start = time.perf_counter()
        text = texts[section.name]
        entry: dict[str, Any] = {"name": section.name, "number": number,
                                 "question": settings.questions.get(section.name)
                                 or f"{number}. {section.question[settings.lang]}"}
        reason = unmet(section.requires, artefacts)
        if reason is not None:
            key, values = reason
            entry.update(status="skipped", reason=text(key, **values), numbers={}, text=[], figures=[], tables={},
                         seconds=round(time.perf_counter() - start, 3), evaluations=Count().to_json())
            log.info("section %s: skipped (%s)", section.name, entry["reason"])
            results.append(entry)
            continue
        key = result_cache.key(section, settings, artefacts.get("dataset").fingerprint()) if caching else None
        stored = result_cache.load(cache_root, key, work) if key else None
        if stored is not None:
            run = stored.pop("run", {})
            if "training" in run:
                run["training"]["seconds_this_run"] = 0.0  # this build trained nothing for it
            cached_run.update(run)
            entry.update(stored, cached=True, evaluations=Count().to_json())  # this build evaluated nothing for it
            entry["seconds"] = round(time.perf_counter() - start, 3)
            log.info("section %s: reused (made %s) in %.1f s", section.name, stored.get("made"), entry["seconds"])
            results.append(entry)
            continue
        counted = artefacts.evaluations.snapshot()
        try:
            before = result_cache.files_in(work) if key else set()
            result = run_section(section, artefacts)
            entry.update(status="ok", numbers=result.numbers, text=result.text,
                         figures=[asdict(f) for f in result.figures], tables=result.tables)
            if key:
                keep = {k: entry[k] for k in ("status", "numbers", "text", "figures", "tables")}
                made = dt.datetime.now().isoformat(timespec="seconds")
                result_cache.store(cache_root, key, _jsonable({**keep, "made": made, "run": run_facts(artefacts)}),
                                   work, sorted(result_cache.files_in(work) - before))
        except UserError:
            raise
        except Exception as exc:
            if not settings.keep_going:
                raise SectionFailed(f"section '{section.name}' failed: {type(exc).__name__}: {exc} "
                                    "(--keep-going writes the report anyway; --debug shows the traceback)") from exc
            log.error("section '%s' failed:\n%s", section.name, traceback.format_exc())
            # a section may attach what it measured before failing (the math checks do): keep it
            entry.update(status="failed", error=f"{type(exc).__name__}: {exc}", numbers=getattr(exc, "numbers", {}),
                         text=[], figures=[], tables={})
        used = artefacts.evaluations.snapshot() - counted
        entry["seconds"], entry["evaluations"] = round(time.perf_counter() - start, 3), used.to_json()
        log.info("section %s: %s in %.1f s, %s", section.name, entry["status"], entry["seconds"], used.describe())
        results.append(entry)

    for entry in results:  # sentences name files as the student gave them, never more of their disk
        entry["text"] = [as_given(line) for line in entry.get("text", [])]
    blocks = _outline(plan, results, texts)
    words = artefacts.get("text").strings
    number_figures(blocks, {e["name"]: e for e in results}, words["report.figure_ref"], words["report.figure_see"])
    report = {"fer_report": __version__, "created": dt.datetime.now().isoformat(timespec="seconds"),
              "settings": settings.to_json(), "run": {**cached_run, **run_facts(artefacts)}, "sections": results,
              "evaluations": artefacts.evaluations.snapshot().to_json(),  # every section's, and the header's
              "outline": [asdict(b) for b in blocks]}
    if settings.predict:
        from fer_report.report.submission import write_submission

        report["run"]["submission"] = write_submission(artefacts, Path(settings.predict), work / "submission.csv")
    (work / "report.json").write_text(json.dumps(_jsonable(report), indent=1, ensure_ascii=False), encoding="utf-8")

    from fer_report.report.render import render_html, write_pdf

    start = time.perf_counter()
    html = render_html({**page_context(plan, report, artefacts.get("text")), "texts": texts, "blocks": blocks,
                        "entries": {e["name"]: e for e in results}}, work,
                       user_templates=settings.templates, sections=sections)
    (work / "report.html").write_text(html, encoding="utf-8")
    write_pdf(html, work / "report.pdf", work, variant=settings.pdf_variant)
    log.info("HTML and PDF written in %.1f s", time.perf_counter() - start)
    return report


def _outline(plan: Plan, results: list[dict], texts) -> list[Block]:
    if plan.preset is None:
        blocks = outline.plain(plan.settings, plan.sections, texts)
        for block, entry in zip(blocks, results):  # numbered as built (a cached entry keeps its heading)
            entry["question"] = block.heading
        return blocks
    return outline.from_preset(plan.settings, plan.preset, {e["name"] for e in results}, plan.answers)


def _jsonable(x: Any) -> Any:
    """numpy scalars/arrays to plain JSON; NaN to null (JSON has no NaN)."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "tolist"):
        return _jsonable(x.tolist())
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
