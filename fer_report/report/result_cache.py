"""Section results kept between builds, so that a second build with the same inputs re-runs nothing.

A section's result is a function of the settings, the data, the trained model (itself a function of
those) and the code. The key hashes all of them: every setting that affects training or results
(``fer_report.options``: the weights by their content, the device as resolved), the data's
fingerprint, the source of the package, and the section's own module and template wherever it is
installed (any code change recomputes: the safe direction). A
cached result was made by a run with exactly these inputs, so reusing it is not faking it; the
entry says ``"cached": true`` and when it was made. Sections with effects outside the build (the
course-figure export) are never cached, and neither is a failure.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from fer_report import options
from fer_report.config import Settings
from fer_report.hashing import file_sha256
from fer_report.report.section import Section

log = logging.getLogger(__name__)

def usable(settings: Settings) -> bool:
    return not settings.export_course_figures


def key(section: Section, settings: Settings, data_fingerprint: str) -> str:
    parts = options.result_key_parts(settings)
    run = section.run  # by name, so that a section whose run is swapped (a plugin, a test) is not mistaken
    parts.update(section=section.name, run=f"{run.__module__}.{run.__qualname__}", data=data_fingerprint,
                 code=code_hash(), own=[file_sha256(p) for p in section.source_files()])
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of every Python file of the package (about 60 files, milliseconds); each section's own files
    enter its key through ``Section.source_files``."""
    import fer_report

    h = hashlib.sha256()
    root = Path(fer_report.__file__).parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def load(root: Path, entry_key: str, work: Path) -> dict[str, Any] | None:
    """The stored entry with its files copied into ``work``; None when absent or incomplete."""
    folder = root / entry_key
    try:
        entry = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
        if not all((folder / name).is_file() for name in entry["files"]):
            return None
        for name in entry.pop("files"):
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / name, target)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.debug("no usable cached result in %s: %s", folder, exc)
        return None
    return entry


def store(root: Path, entry_key: str, entry: dict[str, Any], work: Path, files: list[str]) -> None:
    """Write the entry and the files the section wrote into ``work`` (figures, formula SVGs); a
    half-written entry is never seen (one rename at the end)."""
    folder = root / entry_key
    temp = root / f".{entry_key}.tmp"
    try:
        shutil.rmtree(temp, ignore_errors=True)
        for name in files:
            target = temp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / name, target)
        temp.mkdir(parents=True, exist_ok=True)
        (temp / "entry.json").write_text(json.dumps({**entry, "files": files}, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        temp.rename(folder)
    except OSError as exc:  # a cache that cannot be written costs time, never the report
        log.warning("could not cache the result of section %s: %s", entry.get("name"), exc)
        shutil.rmtree(temp, ignore_errors=True)


def files_in(work: Path) -> set[str]:
    """Relative paths of the files in the build folder, to see which ones a section wrote."""
    return {p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()}
