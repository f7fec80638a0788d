"""What the report cites, from what the run used: the data, each method a section shows, the libraries
that computed it, the paper a built-in model follows. Numbered in order of first citation, as a reader
meets them; entries live as data (``references.json``, CSL-JSON fields plus a short label).

A section's sources are stated by name here, not in the section's sentences, so that a section added
later cites nothing until someone writes down what it rests on (``tests/test_references.py`` checks that
every key resolves and no entry is unused).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

#: Section name -> the works it rests on (methods first, then the library that computes them).
SECTIONS: dict[str, tuple[str, ...]] = {
    "saliency": ("simonyan2014", "smilkov2017", "kokhlikyan2020"),
    "filters": ("erhan2009",),
    "lime": ("ribeiro2016", "achanta2012"),
    "gradcam": ("selvaraju2017", "kokhlikyan2020"),
    "methods": ("simonyan2014", "smilkov2017", "sundararajan2017", "springenberg2015", "selvaraju2017",
                "chattopadhay2018", "zeiler2014", "ribeiro2016", "zhang2018", "petsiuk2018", "adebayo2018",
                "kokhlikyan2020", "gildenblat2021"),
    "mistakes": ("simonyan2014",),
    "calibration": ("guo2017",),
    "data_audit": ("zauner2010", "northcutt2021", "barsoum2016"),
    "face_regions": ("zeiler2014", "simonyan2014", "sundararajan2017", "selvaraju2017"),
    "math": ("ioffe2015", "selvaraju2017"),
}
#: A built-in model -> the papers its architecture follows (cnn4 is the course's own seed CNN: none).
MODELS: dict[str, tuple[str, ...]] = {"resnet18": ("he2016",), "vgg": ("simonyan2015", "khaireddin2021")}
HEADER = {"data": ("goodfellow2013",), "library": ("paszke2019",)}
#: Works a section rests on only when its result shows it did that part: (section, key) -> test of its numbers.
ONLY_IF = {("data_audit", "zauner2010"): lambda numbers: "copies" in numbers}  # no copy search on drawn faces


@functools.lru_cache(maxsize=1)
def entries() -> dict[str, dict[str, Any]]:
    items = json.loads((Path(__file__).with_name("references.json")).read_text(encoding="utf-8"))
    return {item["id"]: item for item in items}


def cited(report: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """Citation numbers for a built report: {"header": {"data": [n], "library": [n]}, "sections": {name: [[label,
    n], ...]}, "list": [(n, entry), ...]}; ``order`` is the section names in the order the report shows them."""
    numbers: dict[str, int] = {}

    def number(keys) -> list[list]:
        return [[entries()[k]["short"], numbers.setdefault(k, len(numbers) + 1)] for k in keys]

    settings = report["settings"]
    data = str(settings.get("data") or "")
    header = {"data": number(HEADER["data"]) if data and not data.startswith("arrays:") else [],
              "library": number(HEADER["library"])}
    status = {s["name"]: s["status"] for s in report["sections"]}
    results = {s["name"]: s.get("numbers") or {} for s in report["sections"]}
    sections = {}
    for name in order:
        keys = tuple(k for k in SECTIONS.get(name, ()) if ONLY_IF.get((name, k), lambda n: True)(results.get(name, {})))
        if name == "architecture":
            keys = MODELS.get(settings.get("model"), ())
        if status.get(name) == "ok" and keys:
            sections[name] = number(keys)
    listed = sorted(numbers.items(), key=lambda kv: kv[1])
    return {"header": header, "sections": sections, "list": [(n, entries()[k]) for k, n in listed]}


def formatted(entry: dict[str, Any]) -> str:
    """One line of the reference list: authors, title, where, year, and the arXiv number or address."""
    names = [a["literal"] for a in entry["author"]]
    authors = ", ".join(names[:-1]) + (" and " if len(names) > 1 and names[-1] != "et al." else ", ") + names[-1] \
        if len(names) > 1 else names[0]
    year = entry["issued"]["date-parts"][0][0]
    tail = f" arXiv:{entry['arxiv']}." if entry.get("arxiv") else f" {entry['URL']}" if entry.get("URL") else ""
    return f"{authors.rstrip('.')}. {entry['title']}. {entry['container-title']}, {year}.{tail}"
