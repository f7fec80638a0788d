"""``--classes``: the order of a model's outputs, in the label names its repository used.

Repositories name FER2013's seven classes in their own words: FER+ and RAF-DB write happiness, sadness,
anger; KDEF writes afraid, disgusted, surprised. Those words are read as the FER2013 class they mean
(and the reading is stated), every unknown name is listed at once with its closest spelling, and
contempt (FER+'s and AffectNet's eighth class) is named as what it is: not one of the seven.
"""

from __future__ import annotations

from dataclasses import dataclass

from fer_report import CLASSES
from fer_report.errors import ConfigError, closest

#: Other words for each FER2013 class (lower case), from the label files of FER+, RAF-DB, AffectNet, CK+ and
#: KDEF. Only words that mean one class and nothing else.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "angry": ("anger",),
    "disgust": ("disgusted",),
    "fear": ("fearful", "afraid", "scared"),
    "happy": ("happiness",),
    "sad": ("sadness",),
    "surprise": ("surprised",),
    "neutral": (),
}
#: Classes of other datasets that FER2013 does not have: each with why it cannot be read as one of the seven.
NOT_FER2013 = {"contempt": "not one of FER2013's seven classes (FER+ and AffectNet add it as an eighth)"}


@dataclass(frozen=True)
class ClassNames:
    """The names as given, the FER2013 class each was read as, and the model's index of each FER2013 class."""

    given: tuple[str, ...]
    read: tuple[str, ...]  # FER2013 names (CLASSES' spelling), one per given name
    order: tuple[int, ...]  # order[k] = the model's output index of FER2013 class k

    def synonyms(self) -> list[tuple[str, str]]:
        """(given, FER2013 class) for each name read through a synonym, in the given order."""
        return [(g, r) for g, r in zip(self.given, self.read) if g.lower() != r.lower()]

    def to_json(self) -> dict:
        return {"given": list(self.given), "read": list(self.read), "synonyms": [list(p) for p in self.synonyms()]}


def _spellings() -> dict[str, str]:
    """Every accepted spelling (lower case) -> the FER2013 class it names."""
    out = {c.lower(): c for c in CLASSES}
    for canonical, words in SYNONYMS.items():
        cls = next(c for c in CLASSES if c.lower() == canonical)
        out.update({w: cls for w in words})
    return out


def read_classes(names: list[str] | None) -> ClassNames | None:
    """The model's output order given as class names (``--classes``), read; None when not given."""
    if not names:
        return None
    spellings = _spellings()
    given = tuple(n.strip() for n in names)
    unknown = [n for n in given if n.lower() not in spellings]
    if unknown:
        raise ConfigError(f"--classes: unknown class{'es' if len(unknown) > 1 else ''} "
                          f"{_and(_why_unknown(n, spellings) for n in unknown)}; expected the seven FER2013 classes "
                          f"({', '.join(c.lower() for c in CLASSES)}) or a usual synonym "
                          f"({', '.join(w for ws in SYNONYMS.values() for w in ws)}) in the order of the model's "
                          "outputs")
    read = tuple(spellings[n.lower()] for n in given)
    if sorted(read) != sorted(CLASSES):
        missing = [c.lower() for c in CLASSES if c not in read]
        twice = [f"{c.lower()} ({', '.join(g for g, r in zip(given, read) if r == c)})"
                 for c in CLASSES if read.count(c) > 1]
        problems = ([f"missing: {', '.join(missing)}"] if missing else []) + (
            [f"more than once: {'; '.join(twice)}"] if twice else [])
        raise ConfigError(f"--classes: {len(given)} names ({', '.join(given)}); expected each of the seven FER2013 "
                          f"classes once ({'; '.join(problems)})")
    return ClassNames(given=given, read=read, order=tuple(read.index(c) for c in CLASSES))


def class_order(names: list[str] | None) -> list[int] | None:
    """``--classes angry,disgust,fear,happy,neutral,sad,surprise`` (the model's output order, e.g.
    torchvision ImageFolder's alphabetical one) -> for each FER2013 class, the model's index of it; None
    when not given or already FER2013's order."""
    read = read_classes(names)
    if read is None or read.order == tuple(range(len(CLASSES))):
        return None
    return list(read.order)


def _why_unknown(name: str, spellings: dict[str, str]) -> str:
    """'disguest' (did you mean 'disgust'?), or what a known non-FER2013 class is."""
    if name.lower() in NOT_FER2013:
        return f"'{name}' ({NOT_FER2013[name.lower()]})"
    near = closest(name.lower(), spellings, cutoff=0.5)
    if near is None:
        return f"'{name}'"
    meaning = "" if near == spellings[near].lower() else f", read as {spellings[near]}"
    return f"'{name}' (did you mean '{near}'{meaning}?)"


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
