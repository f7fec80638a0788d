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

import numpy as np
from pathlib import Path
from typing import Any

from fer_report import __version__, result_cache
from fer_report.artifacts import Artefacts
from fer_report.config import Settings
from fer_report.errors import UserError
from fer_report import outline
from fer_report.outline import Block, number_figures, preset_sections
from fer_report.requirements import unmet
from fer_report.section import Section, load_sections, run_section, select

log = logging.getLogger(__name__)
OUTPUTS = ("report.html", "report.pdf", "report.json", "figures", "submission.csv")


class SectionFailed(UserError):
    pass


def build(settings: Settings, *, out: Path | None = None, progress: bool | None = None) -> dict[str, Any]:
    """Build the report into ``out`` (default ``settings.out``); returns what report.json holds."""
    out = Path(out or settings.out)
    _check_writable(out)
    _clear_leftovers(out)
    sections = select(load_sections(), settings.sections or _preset_sections(settings))
    work = Path(tempfile.mkdtemp(prefix=f".building-{os.getpid()}-", dir=out))
    try:
        report = _build_into(work, settings, sections, progress)
        _replace(work, out)
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _preset_sections(settings: Settings) -> list[str] | None:
    """The sections a course preset's questions need (those registered; a missing one is said once)."""
    if not settings.preset:
        return None
    from fer_report import presets

    known = load_sections()
    wanted = preset_sections(presets.load(settings.preset))
    missing = [n for n in wanted if n not in known]
    if missing:
        log.warning("warning: %s asks for sections this fer-report does not have: %s", settings.preset,
                    ", ".join(missing))
    return [n for n in wanted if n in known]


def _build_into(work: Path, settings: Settings, sections: list[Section], progress: bool | None) -> dict[str, Any]:
    artefacts = Artefacts(settings, work, progress=progress)
    for given in ("history_log", "compare_logs", "user_images"):  # the user's files: a bad one stops us before
        artefacts.get(given)  # any training, whichever sections were asked for
    answers = _answers(settings)
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
                         seconds=round(time.perf_counter() - start, 3))
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
            entry.update(stored, cached=True)
            entry["seconds"] = round(time.perf_counter() - start, 3)
            log.info("section %s: reused (made %s) in %.1f s", section.name, stored.get("made"), entry["seconds"])
            results.append(entry)
            continue
        try:
            before = result_cache.files_in(work) if key else set()
            result = run_section(section, artefacts)
            entry.update(status="ok", numbers=result.numbers, text=result.text,
                         figures=[asdict(f) for f in result.figures], tables=result.tables)
            if key:
                keep = {k: entry[k] for k in ("status", "numbers", "text", "figures", "tables")}
                made = dt.datetime.now().isoformat(timespec="seconds")
                result_cache.store(cache_root, key, _jsonable({**keep, "made": made, "run": _run_facts(artefacts)}),
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
        entry["seconds"] = round(time.perf_counter() - start, 3)
        log.info("section %s: %s in %.1f s", section.name, entry["status"], entry["seconds"])
        results.append(entry)

    blocks = _outline(settings, sections, results, texts, answers)
    words = artefacts.get("text").strings
    number_figures(blocks, {e["name"]: e for e in results}, words["report.figure_ref"], words["report.figure_see"])
    report = {"fer_report": __version__, "created": dt.datetime.now().isoformat(timespec="seconds"),
              "settings": settings.to_json(), "run": {**cached_run, **_run_facts(artefacts)}, "sections": results,
              "outline": [asdict(b) for b in blocks]}
    if settings.predict:
        report["run"]["submission"] = write_submission(artefacts, Path(settings.predict), work / "submission.csv")
    (work / "report.json").write_text(json.dumps(_jsonable(report), indent=1, ensure_ascii=False), encoding="utf-8")

    from fer_report.render import render_html, write_pdf

    start = time.perf_counter()
    html = render_html({**_context(settings, report, artefacts.get("text")), "texts": texts, "blocks": blocks,
                        "entries": {e["name"]: e for e in results}}, work,
                       user_templates=settings.templates, sections=sections)
    (work / "report.html").write_text(html, encoding="utf-8")
    write_pdf(html, work / "report.pdf", work)
    log.info("HTML and PDF written in %.1f s", time.perf_counter() - start)
    return report


def _answers(settings: Settings) -> dict[str, Any]:
    """The student's own words, one Markdown file per question number of the preset."""
    if not settings.answers:
        return {}
    from fer_report import presets
    from fer_report.answers import load_answers

    return load_answers(settings.answers, presets.load(settings.preset).numbers())


def _outline(settings: Settings, sections: list[Section], results: list[dict], texts, answers) -> list[Block]:
    if not settings.preset:
        blocks = outline.plain(settings, sections, texts)
        for block, entry in zip(blocks, results):  # numbered as built (a cached entry keeps its heading)
            entry["question"] = block.heading
        return blocks
    from fer_report import presets

    return outline.from_preset(settings, presets.load(settings.preset), {e["name"] for e in results}, answers)


def write_submission(artefacts: Artefacts, test_file: Path, dest: Path) -> dict[str, Any]:
    """The course's Kaggle submission (``id,label``) from the model's predictions on an unlabelled test file."""
    from fer_report.data.csv import load_unlabelled
    from fer_report.inference import predict_probs

    ids, x = load_unlabelled(test_file)
    t = artefacts.get("trained")
    labels = predict_probs(t.model, x, t.spec, t.device, ten_crop=t.ten_crop).argmax(1)
    dest.write_text("id,label\n" + "".join(f"{i},{k}\n" for i, k in zip(ids, labels)), encoding="utf-8")
    counts = np.bincount(labels, minlength=len(artefacts.get("dataset").classes))
    return {"file": "submission.csv", "from": str(test_file), "rows": len(ids), "predicted_per_class": counts.tolist()}


def _run_facts(artefacts: Artefacts) -> dict[str, Any]:
    """What the header shows: only artefacts some section already computed (never trains for the header)."""
    facts: dict[str, Any] = {}
    if artefacts.computed("dataset"):
        ds = artefacts.get("dataset")
        facts["data"] = {"name": ds.name, "source": ds.source, "image_size": ds.image_size,
                         "sizes": {k: len(v) for k, v in ds.splits().items()}}
    if artefacts.computed("net"):
        net = artefacts.get("net")
        facts["model"] = {"kind": net.kind, "given": net.given, "output": net.output, "tuple_output": net.tuple_output,
                          "input": net.spec.to_json(), "input_line": net.spec.describe()}
        if net.pretrained:  # the downloads its file asked for: skipped (--weights), from the hub cache ...
            facts["model"]["pretrained"] = net.pretrained
    if artefacts.computed("trained"):
        t = artefacts.get("trained")
        if t.trained_here:
            facts["training"] = {"device": str(t.device), "seconds_this_run": round(t.seconds, 1),
                                 "epochs_run": len(t.history), "cache": str(t.cache_dir)}
        else:
            facts["given"] = {"device": str(t.device), "weights": artefacts.settings.weights,
                              "epochs_logged": len(t.history) if t.history else None}
    if artefacts.computed("predictions"):
        p = artefacts.get("predictions")
        facts["accuracy"] = {"test": p.test.accuracy, "val": p.val.accuracy}
    return facts


def _context(settings: Settings, report: dict[str, Any], text) -> dict[str, Any]:
    s = settings
    title = s.title
    if not title and s.preset:
        from fer_report import presets

        p = presets.load(s.preset)
        title = p.title if s.lang == "zh-TW" else p.title_en
    return {
        "lang": s.lang, "t": text, "title": title or text("report.title"), "author": s.author,
        "report": report, "sections": report["sections"], "run": report["run"],
        "training_line": text("report.training_line", epochs=s.epochs, batch_size=s.batch_size,
                              optimizer=s.optimizer, lr=s.lr, augment=text("on" if s.augment else "off"),
                              seed=s.seed, device=report["run"].get("training", {}).get("device", s.device)),
        "generated": text("report.generated", version=__version__, date=report["created"][:10]),
        "pretrained_line": _pretrained_line(report["run"], text),
    }


def _pretrained_line(run: dict[str, Any], text) -> str | None:
    from fer_report.model.downloads import header_line

    pretrained = run.get("model", {}).get("pretrained")
    return header_line(pretrained, text) if pretrained else None


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write there ({exc.strerror}); choose another folder") from None


def _clear_leftovers(out: Path) -> None:
    """A build killed outright (SIGKILL, power cut) runs no cleanup: its ``.building-PID-*`` folder stays,
    and a kill between the two renames in ``_replace`` leaves ``.old-figures`` with no ``figures``.
    Remove the first and put the second back; a build still running (its process is alive) is left alone."""
    running = False
    for leftover in out.glob(".building-*"):
        pid = leftover.name.split("-")[1]
        if pid.isdigit() and _alive(int(pid)):
            running = True
        else:
            log.info("removing %s, left by a build that was killed", leftover)
            shutil.rmtree(leftover, ignore_errors=True)
    if running:  # its _replace may be between two renames right now
        return
    for name in OUTPUTS:
        trash, current = out / f".old-{name}", out / name
        if trash.exists() and not current.exists():
            os.replace(trash, current)
        shutil.rmtree(trash, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return pid != 0


def _replace(work: Path, out: Path) -> None:
    """Swap the new outputs in; each file is replaced by one rename, so readers never see half a file."""
    for name in OUTPUTS:
        new, old = work / name, out / name
        if not new.exists():
            continue
        if new.is_dir():
            trash = out / f".old-{name}"
            shutil.rmtree(trash, ignore_errors=True)
            if old.exists():
                os.replace(old, trash)
            os.replace(new, old)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(new, old)


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
